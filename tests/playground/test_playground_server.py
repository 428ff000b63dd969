"""The playground server, through Starlette's TestClient: the page, the WebSocket protocol, uploads,
downloads, robustness (garbage, closed pages, many pages, no leaked threads) and the command line."""
from __future__ import annotations

import asyncio
import base64
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("multipart")
with warnings.catch_warnings():  # newer Starlette prefers the httpx2 package; httpx works the same here
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

import netgrad.io
from netgrad.playground import server as server_module
from netgrad.playground.server import create_app

TEST_IDS = ["play", "pause", "step", "reset", "epoch", "train-loss", "test-loss", "dataset", "add-layer",
            "remove-layer", "activation", "learning-rate", "heatmap"]


TEST_HOST = "testserver"  # the Host header of Starlette's TestClient


@pytest.fixture()
def client():
    with TestClient(create_app(frame_interval=0.0, allowed_hosts=[TEST_HOST])) as test_client:
        yield test_client


def receive_until(ws, kind: str, condition=lambda message: True, limit: int = 500) -> dict:
    """The first message of type ``kind`` meeting ``condition`` (others are skipped)."""
    for _ in range(limit):
        message = ws.receive_json()
        if message["type"] == kind and condition(message):
            return message
        if message["type"] == "error":
            raise AssertionError(f"the server reported an error while we waited for {kind!r}: {message['message']}")
    raise AssertionError(f"no {kind!r} message within {limit} messages")


def open_session(ws) -> tuple[str, dict]:
    hello = receive_until(ws, "hello")
    state = receive_until(ws, "state")
    return hello["session"], state


def csv_text(n: int = 30) -> str:
    rng = np.random.default_rng(0)
    points = rng.uniform(-4, 4, (n, 2))
    return "x,y,label\n" + "\n".join(f"{a:.3f},{b:.3f},{int(a * b > 0)}" for a, b in points)


def wait_for_threads(count: int, timeout: float = 20.0) -> int:
    deadline = time.monotonic() + timeout
    while threading.active_count() > count and time.monotonic() < deadline:
        time.sleep(0.02)
    return threading.active_count()


# -------------------------------------------------------------------------------------- the page


def test_page_carries_every_test_id_and_its_assets(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for test_id in TEST_IDS:
        assert re.search(rf'data-testid="{test_id}"', page.text), test_id
    assert re.search(r'<select[^>]*data-testid="dataset"', page.text)
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
        assert client.get(asset).status_code == 200
    # nothing comes from the network, so the page works offline (the SVG namespace is a name, not a fetch)
    for text in (page.text, client.get("/static/playground.js").text, client.get("/static/playground.css").text):
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text)
        assert "@import" not in text


# -------------------------------------------------------------------------------------- the protocol


def test_hello_data_and_state_then_step_and_config(client):
    with client.websocket_connect("/ws") as ws:
        hello = ws.receive_json()
        assert hello["type"] == "hello" and len(hello["session"]) >= 16
        assert hello["options"]["defaults"]["dataset"] == "circle"
        data = receive_until(ws, "data")
        assert len(data["train"]["x"]) == 250 and data["domain"] == [-6, 6, -6, 6]
        state = receive_until(ws, "state")
        assert state["epoch"] == 0 and state["playing"] is False and state["layers"] == [2, 4, 2, 1]
        ws.send_json({"type": "step"})
        assert receive_until(ws, "state", lambda m: m["epoch"] == 1)["train_loss"] > 0
        ws.send_json({"type": "config", "config": {"learning_rate": 0.1}})
        reply = receive_until(ws, "ok")
        assert reply == {"type": "ok", "request": "config", "result": "live"}
        state = receive_until(ws, "state", lambda m: m["config"]["learning_rate"] == 0.1)
        assert state["epoch"] == 1  # a new learning rate does not restart training
        ws.send_json({"type": "config", "config": {"dataset": "xor"}})
        assert receive_until(ws, "data")["data_version"] == data["data_version"] + 1
        assert receive_until(ws, "state", lambda m: m["config"]["dataset"] == "xor")["epoch"] == 0


def test_play_streams_states_until_pause(client):
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_json({"type": "play"})
        epochs = [receive_until(ws, "state", lambda m: m["playing"])["epoch"] for _ in range(3)]
        assert epochs == sorted(epochs) and epochs[-1] > 0
        ws.send_json({"type": "pause"})
        paused = receive_until(ws, "state", lambda m: not m["playing"])
        ws.send_json({"type": "config", "config": {}})  # a no-op round trip: nothing trains meanwhile
        receive_until(ws, "ok")
        assert receive_until(ws, "state")["epoch"] == paused["epoch"]


@pytest.mark.parametrize("message, words", [
    ("{not json", "malformed JSON"),
    ("[1, 2]", "unknown message type"),
    ('{"type": "explode"}', "unknown message type 'explode'"),
    ('{"kind": "play"}', "unknown message type None"),
    ('{"type": "config"}', "needs a 'config' object"),
    ('{"type": "config", "config": {"hidden": [99]}}', "neurons of each hidden layer"),
    ('{"type": "config", "config": {"wings": 2}}', "unknown configuration field"),
    ('{"type": "config", "config": {"dataset": "upload"}}', "upload one"),
])
def test_bad_messages_get_an_error_and_the_session_keeps_serving(client, message, words):
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_text(message)
        assert words in receive_until(ws, "error")["message"]
        ws.send_bytes(b"\x00\x01")
        assert "JSON text" in receive_until(ws, "error")["message"]
        ws.send_json({"type": "step"})
        assert receive_until(ws, "state", lambda m: m["epoch"] == 1)["config"]["hidden"] == [4, 2]


def test_a_diverging_network_pauses_with_an_explanation(client):
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_json({"type": "config", "config": {"dataset": "reg-plane", "problem": "regression", "hidden": [],
                                                   "features": ["x1^2", "x2^2", "x1*x2"], "learning_rate": 10}})
        receive_until(ws, "ok")
        ws.send_json({"type": "play"})
        error = receive_until(ws, "error")
        assert "training stopped" in error["message"] and "learning rate" in error["message"]
        assert receive_until(ws, "state", lambda m: not m["playing"])
        ws.send_json({"type": "config", "config": {"learning_rate": 0.001}})
        receive_until(ws, "ok")


# -------------------------------------------------------------------------------------- HTTP


def test_upload_trains_on_the_csv(client):
    with client.websocket_connect("/ws") as ws:
        session, _ = open_session(ws)
        response = client.post(f"/api/sessions/{session}/upload", files={"file": ("points.csv", csv_text())})
        assert response.status_code == 200
        assert response.json() == {"problem": "classification", "n_samples": 30, "classes": ["0", "1"]}
        data = receive_until(ws, "data", lambda m: m["data_version"] > 1)
        assert len(data["train"]["x"]) + len(data["test"]["x"]) == 30
        ws.send_json({"type": "step"})
        state = receive_until(ws, "state", lambda m: m["epoch"] == 1)
        assert state["config"]["dataset"] == "upload"

        bad = client.post(f"/api/sessions/{session}/upload", files={"file": ("bad.csv", "1,2\n" * 12)})
        assert bad.status_code == 400 and "expected 3 columns" in bad.json()["error"]
        missing = client.post(f"/api/sessions/{session}/upload", data={"problem": "regression"})
        assert missing.status_code == 400 and "'file'" in missing.json()["error"]
        binary = client.post(f"/api/sessions/{session}/upload", files={"file": ("x.csv", b"\xff\xfe\x00")})
        assert binary.status_code == 400 and "UTF-8" in binary.json()["error"]


def test_upload_size_is_limited(client, monkeypatch):
    monkeypatch.setattr(server_module, "MAX_UPLOAD_BYTES", 100)
    with client.websocket_connect("/ws") as ws:
        session, _ = open_session(ws)
        response = client.post(f"/api/sessions/{session}/upload", files={"file": ("big.csv", csv_text(30))})
        assert response.status_code == 413


def test_model_and_script_downloads(client, tmp_path):
    with client.websocket_connect("/ws") as ws:
        session, _ = open_session(ws)
        ws.send_json({"type": "step"})
        receive_until(ws, "state", lambda m: m["epoch"] == 1)
        model = client.get(f"/api/sessions/{session}/model.netgrad")
        assert model.status_code == 200 and "playground.netgrad" in model.headers["content-disposition"]
        (tmp_path / "model.netgrad").write_bytes(model.content)
        saved = netgrad.io.load(tmp_path / "model.netgrad")
        assert saved["playground"]["epoch"] == 1 and "0.weight" in saved["state_dict"]
        script = client.get(f"/api/sessions/{session}/script.py", params={"api": "nn", "epochs": "7"})
        assert script.status_code == 200 and script.headers["content-type"].startswith("text/x-python")
        compile(script.text, "playground_nn.py", "exec")
        assert "EPOCHS = 7" in script.text
        assert client.get(f"/api/sessions/{session}/script.py", params={"api": "jax"}).status_code == 400
        assert client.get(f"/api/sessions/{session}/script.py", params={"epochs": "-3"}).status_code == 400
    assert client.get(f"/api/sessions/{session}/model.netgrad").status_code == 404  # the page was closed
    assert client.get("/api/sessions/nonsense/script.py").status_code == 404


# -------------------------------------------------------------------------------------- robustness


def test_closed_pages_leave_no_threads_behind(client):
    baseline = threading.active_count()
    for _ in range(3):
        sockets = [client.websocket_connect("/ws") for _ in range(8)]
        for ws in sockets:
            ws.__enter__()
            open_session(ws)
            ws.send_json({"type": "play"})
        receive_until(sockets[0], "state", lambda m: m["playing"])
        for ws in sockets:  # closed while training, as a closed tab does
            ws.__exit__(None, None, None)
    assert wait_for_threads(baseline) == baseline
    assert not [t.name for t in threading.enumerate() if t.name.startswith("netgrad-playground-")]
    with client.websocket_connect("/ws") as ws:  # and it still serves
        open_session(ws)


def test_too_many_pages_are_told_so():
    with TestClient(create_app(max_sessions=2, allowed_hosts=[TEST_HOST])) as client:
        with client.websocket_connect("/ws") as first, client.websocket_connect("/ws") as second:
            open_session(first)
            open_session(second)
            with client.websocket_connect("/ws") as third:
                error = third.receive_json()
                assert error["type"] == "error" and "too many" in error["message"]
                with pytest.raises(WebSocketDisconnect):
                    third.receive_json()
        with client.websocket_connect("/ws") as again:  # room again once pages are closed
            open_session(again)


def test_websockets_from_other_sites_are_refused(client):
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/ws", headers={"origin": "http://evil.example"}) as ws:
            ws.receive_json()
    with client.websocket_connect("/ws", headers={"origin": "http://testserver"}) as ws:
        open_session(ws)


def test_create_app_refuses_bad_arguments():
    with pytest.raises(ValueError, match="max_sessions"):
        create_app(max_sessions=0)
    with pytest.raises(ValueError, match="frame_interval"):
        create_app(frame_interval=-1)


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1", "[::1]:8123", "LocalHost.:80", "testserver"])
def test_the_servers_own_host_names_are_served(client, host):
    assert client.get("/", headers={"host": host}).status_code == 200
    with client.websocket_connect("/ws", headers={"host": host}) as ws:
        open_session(ws)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "localhost.evil",
                                  "192.168.1.5:8000", ""])
def test_other_host_names_are_refused_over_http_and_websocket(client, host):
    """DNS rebinding: a site that points its own name at 127.0.0.1 reaches the server with its name in Host."""
    response = client.get("/", headers={"host": host})
    assert response.status_code == 400 and "--allow-host" in response.json()["error"]
    assert client.get("/api/sessions/x/script.py", headers={"host": host}).status_code == 400
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/ws", headers={"host": host, "origin": f"http://{host}"}) as ws:
            ws.receive_json()
    assert refused.value.code == 1008


def test_allowed_hosts_extend_the_list():
    app = create_app(allowed_hosts=["playground.lan", "::1", "0.0.0.0"])
    with TestClient(app) as client:
        for host, status in [("playground.lan:8000", 200), ("PLAYGROUND.LAN", 200), ("[::1]:1", 200),
                             ("10.1.2.3:8000", 200), ("[fe80::1]:8000", 200),  # any address when bound to 0.0.0.0
                             ("testserver", 400), ("evil.example", 400)]:
            assert client.get("/", headers={"host": host}).status_code == status, host
    with TestClient(create_app(allowed_hosts=["box.lan"])) as client:
        assert client.get("/", headers={"host": "10.1.2.3"}).status_code == 400  # not bound to every address
    with TestClient(create_app(allowed_hosts=["*"])) as client:
        assert client.get("/", headers={"host": "anything.example"}).status_code == 200
    with pytest.raises(TypeError, match="list of host names"):
        create_app(allowed_hosts="localhost")


def chunked_upload(app, path: str, chunks: int, chunk_size: int = 65_536) -> tuple[int, int]:
    """POST a multipart CSV of `chunks` chunks without Content-Length, straight through ASGI.

    Returns (status, chunks the app asked for): what a chunked upload makes the server read.
    """
    head = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            b"Content-Type: text/csv\r\n\r\nx,y,label\n")
    taken = 0

    async def receive():
        nonlocal taken
        taken += 1
        if taken > chunks:
            return {"type": "http.request", "body": b"\r\n--b--\r\n", "more_body": False}
        return {"type": "http.request", "body": (head if taken == 1 else b"") + b"1,2,0\n3,4,1\n" * (chunk_size // 12),
                "more_body": True}

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1:8000"), (b"transfer-encoding", b"chunked"),
                         (b"content-type", b"multipart/form-data; boundary=b")],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    asyncio.run(app(scope, receive, send))
    return next(m["status"] for m in sent if m["type"] == "http.response.start"), taken


def test_a_chunked_upload_is_cut_off_at_the_size_limit():
    """Without Content-Length the body is counted as it arrives: 2 MB read, not the 26 MB sent."""
    app = create_app()

    class Runner:  # the upload must be refused before the session is asked anything
        def submit(self, *args):
            raise AssertionError("the session was asked to load an oversized upload")

    app.state.registry.runners["s1"] = Runner()
    status, taken = chunked_upload(app, "/api/sessions/s1/upload", chunks=400)
    assert status == 413
    assert taken * 65_536 <= server_module.MAX_UPLOAD_BYTES + 3 * 65_536


def test_a_small_chunked_upload_is_accepted(client):
    with client.websocket_connect("/ws") as ws:
        session, _ = open_session(ws)
        status, _ = chunked_upload(client.app, f"/api/sessions/{session}/upload", chunks=2, chunk_size=600)
        assert status == 200
        assert receive_until(ws, "data", lambda m: m["data_version"] > 1)


@pytest.mark.parametrize("message, words", [
    ("[" * 100_000 + "]" * 100_000, "message too large (200,000 characters; at most 65,536 bytes)"),
    ("[" * 5_000 + "]" * 5_000, "nested too deeply"),  # past Python's recursion limit
    ('{"type": "config", "config": {"hidden": ' + "[" * 20 + "]" * 20 + "}}", "nested too deeply"),
    ('{"type": "config", "config": {"features": "' + "é" * 40_000 + '"}}', "at most 65,536 bytes"),
])
def test_oversized_and_deeply_nested_messages_get_a_short_error(client, message, words):
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_text(message)
        error = receive_until(ws, "error")
        assert words in error["message"] and len(error["message"]) < 200
        ws.send_json({"type": "step"})  # and the page is still served
        assert receive_until(ws, "state", lambda m: m["epoch"] == 1)


@pytest.mark.parametrize("message", [
    {"type": "x" * 50_000},
    {"type": "config", "config": {"y" * 50_000: 1}},
    {"type": "config", "config": {"dataset": "q" * 50_000}},
    {"type": "config", "config": {"learning_rate": "z" * 50_000}},
])
def test_error_replies_quote_at_most_a_few_hundred_characters(client, message):
    with client.websocket_connect("/ws") as ws:
        open_session(ws)
        ws.send_json(message)
        for _ in range(500):
            text = ws.receive_text()
            if '"type":"error"' in text:
                break
        assert len(text) < 1_000 and "characters cut" in text


# -------------------------------------------------------------------------------------- a real server


def websocket_handshake(port: int, host: str) -> tuple[socket.socket, bytes]:
    """Open a WebSocket to /ws by hand (RFC 6455); returns the socket and the server's status line."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # so that a page that does not read stalls soon
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(f"GET /ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    response = b""
    while b"\r\n\r\n" not in response:
        byte = sock.recv(1)
        if not byte:
            break
        response += byte
    return sock, response.split(b"\r\n", 1)[0]


def send_text_frame(sock: socket.socket, text: str) -> None:
    payload, mask = text.encode(), os.urandom(4)
    assert len(payload) < 126
    sock.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_the_server_stops_promptly_with_pages_that_stopped_reading(signal_number):
    pytest.importorskip("uvicorn")
    server = subprocess.Popen([sys.executable, "-m", "netgrad.playground.server", "--port", "0", "--no-browser"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sockets = []
    try:
        line = server.stdout.readline()
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)/", line).group(1))
        sock, status = websocket_handshake(port, "evil.example")  # a rebinding page: the handshake is refused
        sock.close()
        assert b" 403 " in status
        for _ in range(3):
            sock, status = websocket_handshake(port, f"127.0.0.1:{port}")
            assert b" 101 " in status
            send_text_frame(sock, '{"type": "play"}')  # states stream out; nobody reads them
            sockets.append(sock)
        time.sleep(2.0)  # let the unread state messages fill the socket buffers
        server.send_signal(signal_number)
        server.wait(timeout=15)  # it gives itself SHUTDOWN_SECONDS; before, it ran on for 25 to 60 s and more
        output = server.stdout.read()
        assert "stopping: closed 3 session(s)" in output and "Traceback" not in output
    finally:
        for sock in sockets:
            sock.close()
        if server.poll() is None:
            server.kill()
            server.wait()


# -------------------------------------------------------------------------------------- command line


class FakeServer:
    """Stands in for uvicorn.Server: records its config and 'starts' at once."""

    configs: list = []

    def __init__(self, config):
        FakeServer.configs.append(config)
        self.started, self.should_exit, self.servers = False, False, []

    def handle_exit(self, sig, frame):
        self.should_exit = True

    def run(self):
        self.started = True
        for thread in threading.enumerate():  # let the announcing thread see the start and finish
            if thread.name == "netgrad-playground-announce":
                thread.join(timeout=10)


def test_main_binds_to_localhost_unless_told_otherwise(monkeypatch, capsys):
    uvicorn = pytest.importorskip("uvicorn")
    monkeypatch.setattr(uvicorn, "Server", FakeServer)
    opened = []
    monkeypatch.setattr(server_module.webbrowser, "open", opened.append)
    FakeServer.configs.clear()
    assert server_module.main(["--port", "8123"]) == 0
    assert (FakeServer.configs[0].host, FakeServer.configs[0].port) == ("127.0.0.1", 8123)
    assert opened == ["http://127.0.0.1:8123/"]
    assert server_module.main(["--host", "0.0.0.0", "--port", "8124", "--no-browser"]) == 0
    assert FakeServer.configs[1].host == "0.0.0.0" and opened == ["http://127.0.0.1:8123/"]
    output = capsys.readouterr().out
    assert "http://127.0.0.1:8123/" in output and "other computers can reach" in output


def test_main_serves_the_host_it_binds_and_each_allow_host(monkeypatch):
    uvicorn = pytest.importorskip("uvicorn")
    monkeypatch.setattr(uvicorn, "Server", FakeServer)
    FakeServer.configs.clear()
    server_module.main(["--host", "box.lan", "--allow-host", "playground.example", "--allow-host", "Other.Example:80",
                        "--no-browser"])
    config = FakeServer.configs[0]
    # open connections are given up on in time (pages that stopped reading never finish closing)
    assert config.timeout_graceful_shutdown <= server_module.SHUTDOWN_SECONDS / 2
    assert config.ws_max_size <= 4 * server_module.MAX_MESSAGE_BYTES
    with TestClient(config.app) as client:
        for host, status in [("box.lan:8000", 200), ("playground.example", 200), ("other.example:8000", 200),
                             ("localhost:8000", 200), ("evil.example", 400)]:
            assert client.get("/", headers={"host": host}).status_code == status, host


def test_static_directory_is_packaged():
    static = Path(server_module.__file__).parent / "static"
    assert {"index.html", "playground.css", "playground.js"} <= {p.name for p in static.iterdir()}


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_main_refuses_a_port_out_of_range_in_one_line(capsys, port):
    with pytest.raises(SystemExit) as exit_:
        server_module.main(["--port", port, "--no-browser"])
    error = capsys.readouterr().err
    assert exit_.value.code == 2 and "Traceback" not in error
    assert f"argument --port: expected a port number from 0 to 65535 (0 picks a free one), got '{port}'" in error
