"""The playground server, through Starlette's TestClient: the page, the WebSocket protocol, uploads,
downloads, robustness (garbage, closed pages, many pages, no leaked threads) and the command line."""
from __future__ import annotations

import re
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
    from starlette.testclient import TestClient  # noqa: E402
from starlette.websockets import WebSocketDisconnect  # noqa: E402

import netgrad.io  # noqa: E402
from netgrad.playground import server as server_module  # noqa: E402
from netgrad.playground.server import create_app  # noqa: E402

TEST_IDS = ["play", "pause", "step", "reset", "epoch", "train-loss", "test-loss", "dataset", "add-layer",
            "remove-layer", "activation", "learning-rate", "heatmap"]


@pytest.fixture()
def client():
    with TestClient(create_app(frame_interval=0.0)) as test_client:
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
    for round_ in range(3):
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
    with TestClient(create_app(max_sessions=2)) as client:
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


# -------------------------------------------------------------------------------------- command line


class FakeServer:
    """Stands in for uvicorn.Server: records its config and 'starts' at once."""

    configs: list = []

    def __init__(self, config):
        FakeServer.configs.append(config)
        self.started, self.should_exit, self.servers = False, False, []

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


def test_static_directory_is_packaged():
    static = Path(server_module.__file__).parent / "static"
    assert {"index.html", "playground.css", "playground.js"} <= {p.name for p in static.iterdir()}
