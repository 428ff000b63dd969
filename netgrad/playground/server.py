"""The playground's web server: a Starlette (ASGI) app served by uvicorn.

Each open page holds one WebSocket (``/ws``). Behind it the server keeps a :class:`SessionRunner`: a
:class:`~netgrad.playground.session.PlaygroundSession` and the one thread that owns it, which carries out
the page's commands and, while playing, trains epoch after epoch. The thread sends the page the newest
state at most every ``frame_interval`` seconds (and after every command); a page that reads slowly gets
the latest state, never a growing backlog. Closing the page ends the thread.

Protocol (JSON text frames; the full description is in docs/playground.md):

- page -> server: ``{"type": "config", "config": {...fields...}}``, ``{"type": "play"}``, ``"pause"``,
  ``"step"``, ``"reset"``, ``"regenerate"``.
- server -> page: ``hello`` (the session id and the choices), ``data`` (the points), ``state`` (epoch,
  losses, heatmaps, weights, gradient norms), ``error`` (what was wrong with a message), ``ok``.

HTTP: ``GET /`` the page; ``POST /api/sessions/{id}/upload`` a CSV (multipart field ``file``);
``GET /api/sessions/{id}/model.netgrad`` the trained model; ``GET /api/sessions/{id}/script.py?api=nn``
a runnable training script.

Defences: only requests whose ``Host`` is one of the server's own names are served (a hostile site that
points its own name at 127.0.0.1, "DNS rebinding", gets 400 or a refused WebSocket); a WebSocket must come
from a page of the same origin; an upload is read as a stream and cut off at :data:`MAX_UPLOAD_BYTES`
whatever its headers say; a WebSocket message may be at most :data:`MAX_MESSAGE_BYTES` long and
:data:`MAX_MESSAGE_DEPTH` levels deep; error replies quote at most :data:`MAX_ERROR_CHARS` characters. On
Ctrl-C or SIGTERM the server closes every session and stops within :data:`SHUTDOWN_SECONDS`, even with pages
that have stopped reading.

Run it with ``netgrad playground`` or ``python -m netgrad.playground.server``.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import concurrent.futures
import contextlib
import ipaddress
import json
import queue
import secrets
import threading
import time
import webbrowser
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from netgrad.playground.export import APIS
from netgrad.playground.session import PlaygroundSession, options, parse_csv

__all__ = ["create_app", "main", "SessionRunner", "COMMANDS"]

STATIC_DIR = Path(__file__).parent / "static"
MAX_UPLOAD_BYTES = 2_000_000
_MULTIPART_OVERHEAD = 10_000  # boundaries and part headers around the CSV
MAX_MESSAGE_BYTES = 65_536
MAX_MESSAGE_DEPTH = 16
MAX_ERROR_CHARS = 300
SHUTDOWN_SECONDS = 2.0
#: Host names always served: the loopback names a browser on this computer uses.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
#: Messages a page may send, and whether each carries a payload field.
COMMANDS = {"config": "config", "play": None, "pause": None, "step": None, "reset": None, "regenerate": None}


def _json(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), allow_nan=False)


def _clip(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """`text`, cut to `limit` characters (it may quote a whole hostile message back)."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text) - limit:,} more characters cut)"


def _error(message: str, request: str | None = None) -> str:
    return _json({"type": "error", "message": _clip(message), "request": None if request is None else _clip(request)})


class SessionRunner:
    """One page's session and the thread that owns it.

    Every change to the session happens in that thread: callers :meth:`submit` commands and get a
    ``concurrent.futures.Future`` of the result. ``publish(kind, text)`` is called from the thread with
    ``kind`` ``"data"`` or ``"state"`` and the JSON text of the message.

    Args:
        publish: where messages go (must be thread-safe).
        frame_interval: least seconds between two state messages while playing.
        session_factory: builds the session, in the thread.
    """

    def __init__(self, publish: Callable[[str, str], None], *, frame_interval: float = 0.05,
                 session_factory: Callable[[], PlaygroundSession] = PlaygroundSession) -> None:
        self.id = secrets.token_urlsafe(16)
        self.playing = False
        self._publish = publish
        self._frame_interval = frame_interval
        self._session_factory = session_factory
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=f"netgrad-playground-{self.id[:6]}", daemon=True)
        self._thread.start()

    # -------------------------------------------------------------------- called from other threads

    def submit(self, command: str, *args: Any) -> concurrent.futures.Future:
        """Queue ``command`` for the session's thread; the future holds its result or its exception."""
        future: concurrent.futures.Future = concurrent.futures.Future()
        if self._closed:
            future.set_exception(RuntimeError("this playground session is closed"))
        else:
            self._commands.put((command, args, future))
        return future

    def close(self) -> None:
        """Stop the thread after the command or epoch it is in (does not wait; see :meth:`join`)."""
        self._closed = True
        self._commands.put(None)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread to end; True when it has."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    # -------------------------------------------------------------------- the session's thread

    def _run(self) -> None:
        try:
            self.session = self._session_factory()
            self._send_data()
            self._send_state()
        except Exception as error:  # the page learns why; the thread still answers (and fails) commands
            self._publish("reply", _error(f"could not start the session: {error}"))
            self.session = None
        last_frame = time.monotonic()
        while True:
            try:
                command = self._commands.get_nowait() if self.playing else self._commands.get()
            except queue.Empty:
                command = False
            if command is None:
                break
            if command:
                self._execute(*command)
                self._send_state()
                last_frame = time.monotonic()
                continue
            try:
                self.session.step()
            except Exception as error:
                self.playing = False
                self._publish("reply", _error(f"training stopped: {type(error).__name__}: {error}", "play"))
            now = time.monotonic()
            if now - last_frame >= self._frame_interval or not self.playing:
                self._send_state()
                last_frame = now
        self._cancel_pending()

    def _cancel_pending(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            if command:
                command[2].cancel()

    def _execute(self, command: str, args: tuple, future: concurrent.futures.Future) -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            if self.session is None:
                raise RuntimeError("the session could not be started")
            result = self._command(command, *args)
        except BaseException as error:  # noqa: B036 - every failure goes back to the caller, none ends the thread
            future.set_exception(error)
        else:
            future.set_result(result)

    def _command(self, command: str, *args: Any) -> Any:
        session = self.session
        if command == "play":
            self.playing = True
        elif command == "pause":
            self.playing = False
        elif command == "step":
            self.playing = False  # as in TensorFlow Playground, stepping pauses
            session.step()
        elif command == "reset":
            self.playing = False
            session.reset()
        elif command == "regenerate":
            self.playing = False
            session.regenerate()
            self._send_data()
        elif command == "config":
            rebuilt = session.update(args[0])
            if rebuilt in ("data", "network"):
                self.playing = False
            if rebuilt == "data":
                self._send_data()
            return rebuilt
        elif command == "upload":
            text, problem = args
            summary = session.upload(parse_csv(text), problem)
            self.playing = False
            self._send_data()
            return summary
        elif command == "model":
            return session.model_bytes()
        elif command == "script":
            api, epochs = args
            return session.script(api, epochs)
        else:
            raise ValueError(f"unknown command {command!r}")
        return None

    def _send_data(self) -> None:
        self._publish("data", _json({"type": "data", **self.session.data_snapshot()}))

    def _send_state(self) -> None:
        if self.session is None:
            return
        try:
            text = _json({"type": "state", "playing": self.playing, **self.session.snapshot()})
        except Exception as error:
            self.playing = False
            text = _error(f"could not draw the state: {type(error).__name__}: {error}")
        self._publish("state" if text.startswith('{"type":"state"') else "reply", text)


class _Outbox:
    """Messages waiting for one WebSocket: every reply in order, but only the newest data and state."""

    REPLY_LIMIT = 100  # a page that floods us with bad messages and never reads loses old error replies

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._replies: collections.deque[str] = collections.deque(maxlen=self.REPLY_LIMIT)
        self._latest: dict[str, str] = {}
        self._ready = asyncio.Event()

    def put(self, kind: str, text: str) -> None:
        """Thread-safe; silently drops the message once the event loop has closed (the page is gone)."""
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self.put_now, kind, text)

    def put_now(self, kind: str, text: str) -> None:
        """From the event loop's thread."""
        if kind == "reply":
            self._replies.append(text)
        else:
            self._latest[kind] = text
        self._ready.set()

    async def take(self) -> list[str]:
        await self._ready.wait()
        self._ready.clear()
        messages = list(self._replies)
        self._replies.clear()
        messages += [self._latest.pop(kind) for kind in ("data", "state") if kind in self._latest]
        return messages


class _Registry:
    """The open sessions, by id."""

    def __init__(self, max_sessions: int, frame_interval: float) -> None:
        self.max_sessions = max_sessions
        self.frame_interval = frame_interval
        self.runners: dict[str, SessionRunner] = {}
        self.lock = threading.Lock()

    def get(self, session_id: str) -> SessionRunner | None:
        with self.lock:
            return self.runners.get(session_id)

    def close_all(self) -> list[SessionRunner]:
        """Close every session (each thread ends after its current command or epoch); returns them."""
        with self.lock:
            runners = list(self.runners.values())
        for runner in runners:
            runner.close()
        return runners


# -------------------------------------------------------------------------------------- hosts


def _host_name(value: str) -> str:
    """The host part of a Host header or an address, lower-case, IPv6 in brackets: ``'[::1]:8000'`` -> ``'[::1]'``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[: value.index("]") + 1] if "]" in value else value
    if value.count(":") > 1:  # a bare IPv6 address, as --host takes it
        return f"[{value}]"
    return value.split(":", 1)[0].rstrip(".")


def _is_address(name: str) -> bool:
    """Whether a host name is a literal IP address (which no DNS answer can point elsewhere)."""
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


class _AllowedHosts:
    """ASGI middleware: serve only requests whose ``Host`` header names this server.

    A hostile web page can point its own domain at 127.0.0.1 once loaded ("DNS rebinding"); its requests
    then reach this server with its domain in ``Host``, which is refused: HTTP with 400, WebSockets by
    closing the handshake (403). Served: :data:`LOCAL_HOSTS`, the names in `hosts` and, when `hosts` holds a
    wildcard address (``0.0.0.0``, ``::``), any literal IP address; ``"*"`` serves every host.
    """

    def __init__(self, app: Any, hosts: set[str]) -> None:
        self.app = app
        self.names = hosts  # normalised by _host_name; the server adds its bound addresses once it listens

    def allows(self, host: str | None) -> bool:
        if "*" in self.names:
            return True
        if not host:
            return False
        name = _host_name(host)
        return name in self.names or (bool(self.names & {"0.0.0.0", "[::]"}) and _is_address(name))

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] in ("http", "websocket"):
            host = Headers(scope=scope).get("host")
            if not self.allows(host):
                if scope["type"] == "websocket":
                    await receive()  # the connection request; closing before accepting refuses it with 403
                    await send({"type": "websocket.close", "code": 1008})
                    return
                served = ", ".join(sorted(self.names))
                response = JSONResponse({"error": f"this playground does not serve the host {_clip(repr(host), 100)} "
                                                  f"(it serves {served}); to reach it by that name, start it with "
                                                  "--allow-host NAME"}, status_code=400)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _same_origin(websocket: WebSocket) -> bool:
    """Refuse WebSockets opened by pages from other sites (a browser always sends Origin)."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host")


async def _wait_for_thread(runner: SessionRunner, timeout: float = 30.0) -> None:
    """Wait, without blocking the event loop, for the runner's thread to finish its epoch and end."""
    deadline = time.monotonic() + timeout
    while runner.alive and time.monotonic() < deadline:
        await asyncio.sleep(0.01)


async def _send_loop(websocket: WebSocket, outbox: _Outbox) -> None:
    with contextlib.suppress(Exception):  # the page is gone; the receive loop will notice
        while True:
            for text in await outbox.take():
                await websocket.send_text(text)


def _depth(value: Any) -> int:
    """How deeply JSON containers nest in `value` (0 for a number or string), without recursion."""
    depth, level = 0, [(value, 1)]
    while level:
        item, at = level.pop()
        if isinstance(item, (dict, list)):
            depth = max(depth, at)
            level.extend((child, at + 1) for child in (item.values() if isinstance(item, dict) else item))
    return depth


def _parse_message(text: str) -> Any:
    """The JSON value of a page's message; ValueError with a short reason for one too large or too deep."""
    if len(text) > MAX_MESSAGE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES:
        raise ValueError(f"message too large ({len(text):,} characters; at most {MAX_MESSAGE_BYTES:,} bytes)")
    too_deep = f"message nested too deeply (at most {MAX_MESSAGE_DEPTH} levels of objects and lists)"
    try:
        message = json.loads(text)
    except RecursionError:  # a few thousand nested brackets exhaust the parser's stack
        raise ValueError(too_deep) from None
    except ValueError as error:
        raise ValueError(f"malformed JSON ({error}); send an object such as {{\"type\": \"play\"}}") from None
    if _depth(message) > MAX_MESSAGE_DEPTH:
        raise ValueError(too_deep)
    return message


async def _handle_message(text: str | None, runner: SessionRunner, outbox: _Outbox) -> None:
    if text is None:
        outbox.put_now("reply", _error("messages must be JSON text, not binary"))
        return
    try:
        message = _parse_message(text)
    except ValueError as error:
        outbox.put_now("reply", _error(str(error)))
        return
    kind = message.get("type") if isinstance(message, dict) else None
    if kind not in COMMANDS:
        outbox.put_now("reply", _error(f"unknown message type {kind!r}; a message is a JSON object whose 'type' "
                                       f"is one of {', '.join(COMMANDS)}", kind if isinstance(kind, str) else None))
        return
    args = ()
    if COMMANDS[kind]:
        payload = message.get(COMMANDS[kind])
        if not isinstance(payload, dict):
            outbox.put_now("reply", _error(f"a {kind!r} message needs a {COMMANDS[kind]!r} object", kind))
            return
        args = (payload,)
    try:
        result = await asyncio.wrap_future(runner.submit(kind, *args))
    except (ValueError, TypeError) as error:
        outbox.put_now("reply", _error(str(error), kind))
    except Exception as error:
        outbox.put_now("reply", _error(f"{type(error).__name__}: {error}", kind))
    else:
        outbox.put_now("reply", _json({"type": "ok", "request": kind, "result": result}))


async def _websocket_endpoint(websocket: WebSocket) -> None:
    registry: _Registry = websocket.app.state.registry
    if not _same_origin(websocket):
        await websocket.close(code=1008)
        return
    await websocket.accept()
    loop = asyncio.get_running_loop()
    outbox = _Outbox(loop)
    with registry.lock:
        full = len(registry.runners) >= registry.max_sessions
        runner = None if full else SessionRunner(outbox.put, frame_interval=registry.frame_interval)
        if runner is not None:
            registry.runners[runner.id] = runner
    if runner is None:
        await websocket.send_text(_error(f"too many open playground pages (at most {registry.max_sessions}); "
                                         "close one and reload"))
        await websocket.close(code=1013)
        return
    outbox.put_now("reply", _json({"type": "hello", "session": runner.id, "options": options()}))
    sender = asyncio.create_task(_send_loop(websocket, outbox))
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            await _handle_message(message.get("text"), runner, outbox)
    except WebSocketDisconnect:
        pass
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender
        with registry.lock:
            registry.runners.pop(runner.id, None)
        runner.close()
        await _wait_for_thread(runner)


class _TooLarge(Exception):
    """A request body went past its limit."""


def _limited(receive: Callable, limit: int) -> Callable:
    """`receive` that raises :class:`_TooLarge` as soon as more than `limit` body bytes have arrived."""
    received = 0

    async def limited_receive() -> dict:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise _TooLarge
        return message

    return limited_receive


def _runner_or_404(request: Request) -> SessionRunner | JSONResponse:
    runner = request.app.state.registry.get(request.path_params["session_id"])
    if runner is None:
        return JSONResponse({"error": "no such session: it ended when its page was closed; reload the page"},
                            status_code=404)
    return runner


async def _upload(request: Request) -> Response:
    runner = _runner_or_404(request)
    if isinstance(runner, Response):
        return runner
    too_large = JSONResponse({"error": f"the file is too large (at most {MAX_UPLOAD_BYTES / 1e6:g} MB)"},
                             status_code=413)
    limit = MAX_UPLOAD_BYTES + _MULTIPART_OVERHEAD
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        return too_large
    # The headers may not say (chunked) or lie: count the bytes as they arrive and stop at the limit.
    request = Request(request.scope, _limited(request.receive, limit))
    try:
        async with request.form(max_files=1, max_fields=4) as form:
            upload, problem = form.get("file"), form.get("problem") or None
            if upload is None or isinstance(upload, str):
                return JSONResponse({"error": "send the CSV as the multipart field 'file'"}, status_code=400)
            raw = await upload.read(MAX_UPLOAD_BYTES + 1)
    except _TooLarge:
        return too_large
    if len(raw) > MAX_UPLOAD_BYTES:
        return too_large
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return JSONResponse({"error": "the CSV file must be UTF-8 text"}, status_code=400)
    try:
        summary = await asyncio.wrap_future(runner.submit("upload", text, problem))
    except ValueError as error:
        return JSONResponse({"error": _clip(str(error))}, status_code=400)
    return JSONResponse(summary)


async def _model(request: Request) -> Response:
    runner = _runner_or_404(request)
    if isinstance(runner, Response):
        return runner
    content = await asyncio.wrap_future(runner.submit("model"))
    return Response(content, media_type="application/octet-stream",
                    headers={"Content-Disposition": 'attachment; filename="playground.netgrad"'})


async def _script(request: Request) -> Response:
    runner = _runner_or_404(request)
    if isinstance(runner, Response):
        return runner
    api = request.query_params.get("api", "nn")
    epochs_text = request.query_params.get("epochs")
    if api not in APIS:
        return JSONResponse({"error": f"api must be one of {', '.join(APIS)}; got {api!r}"}, status_code=400)
    if epochs_text is not None and not (epochs_text.isdigit() and int(epochs_text) > 0):
        return JSONResponse({"error": f"epochs must be a positive integer; got {epochs_text!r}"}, status_code=400)
    try:
        source = await asyncio.wrap_future(runner.submit("script", api, int(epochs_text) if epochs_text else None))
    except ValueError as error:
        return JSONResponse({"error": str(error)}, status_code=400)
    return Response(source, media_type="text/x-python; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="playground_{api}.py"'})


async def _index(request: Request) -> Response:
    return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


def create_app(*, max_sessions: int = 32, frame_interval: float = 0.05,
               allowed_hosts: Iterable[str] = ()) -> Starlette:
    """The playground as an ASGI app.

    Args:
        max_sessions: most pages open at once; one more is told so and closed.
        frame_interval: least seconds between two state messages to a page while it plays.
        allowed_hosts: host names served besides :data:`LOCAL_HOSTS` (``Host`` header values without the
            port; the address the server listens on belongs here). A wildcard address (``"0.0.0.0"``,
            ``"::"``) also serves every literal IP address; ``"*"`` serves any host (no DNS-rebinding defence).
    """
    if not isinstance(max_sessions, int) or max_sessions < 1:
        raise ValueError(f"max_sessions must be a positive int; got {max_sessions!r}")
    if not frame_interval >= 0:
        raise ValueError(f"frame_interval must be >= 0 seconds; got {frame_interval!r}")
    if isinstance(allowed_hosts, str):
        raise TypeError(f"allowed_hosts must be a list of host names, not the string {allowed_hosts!r}")
    hosts = {_host_name(host) for host in allowed_hosts} | set(LOCAL_HOSTS)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        runners = app.state.registry.close_all()
        deadline = time.monotonic() + SHUTDOWN_SECONDS / 4
        for runner in runners:
            await _wait_for_thread(runner, timeout=max(0.0, deadline - time.monotonic()))
        busy = sum(runner.alive for runner in runners)
        if busy:  # daemon threads: they end with the process, mid-epoch
            print(f"netgrad playground: {busy} session(s) still in an epoch; stopping without them", flush=True)

    app = Starlette(middleware=[Middleware(_AllowedHosts, hosts=hosts)], routes=[
        Route("/", _index),
        Route("/api/sessions/{session_id}/upload", _upload, methods=["POST"]),
        Route("/api/sessions/{session_id}/model.netgrad", _model),
        Route("/api/sessions/{session_id}/script.py", _script),
        WebSocketRoute("/ws", _websocket_endpoint),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ], lifespan=lifespan)
    app.state.registry = _Registry(max_sessions, frame_interval)
    app.state.allowed_hosts = hosts
    return app


def _port(text: str) -> int:
    """A TCP port number for ``--port`` (0 lets the system pick a free one)."""
    port = int(text) if text.strip().isdigit() else -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535 (0 picks a free one), got {text!r}")
    return port


def main(argv: list[str] | None = None) -> int:
    """``netgrad playground [--host HOST] [--port PORT] [--allow-host NAME] [--no-browser]``: serve the playground.

    Ctrl-C or SIGTERM closes every session and stops the server within :data:`SHUTDOWN_SECONDS`, printing
    what it waits for; a second Ctrl-C stops it at once.
    """
    parser = argparse.ArgumentParser(prog="netgrad playground",
                                     description="Build a small network in the browser and watch netgrad train it.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default %(default)s: only this computer can connect)")
    parser.add_argument("--port", type=_port, default=8000, help="port (default %(default)s; 0 picks a free one)")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="also serve pages that reach the server by this host name (repeatable; besides "
                             "localhost, 127.0.0.1, [::1] and --host, every other name is refused, so that no "
                             "web site can reach the playground through its own domain name)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    args = parser.parse_args(argv)
    import uvicorn

    app = create_app(allowed_hosts=[args.host, *args.allow_host])
    # Open connections get half the shutdown time to close; then their tasks are cancelled (a page that has
    # stopped reading never finishes its close handshake). A message larger than a few of ours closes the
    # socket before it is buffered.
    server = uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, log_level="warning",
                                           timeout_graceful_shutdown=SHUTDOWN_SECONDS / 2,
                                           ws_max_size=4 * MAX_MESSAGE_BYTES))
    handle_exit = server.handle_exit

    def stop(sig: int, frame: Any) -> None:  # Ctrl-C, SIGTERM
        first = not server.should_exit
        handle_exit(sig, frame)
        if first:
            pages = len(app.state.registry.close_all())
            print(f"netgrad playground: stopping: closed {pages} session(s); waiting at most "
                  f"{SHUTDOWN_SECONDS:g} s for {pages} open page(s) and their training threads", flush=True)

    server.handle_exit = stop

    def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            time.sleep(0.05)
        sockets = [sock for listener in server.servers for sock in listener.sockets]
        app.state.allowed_hosts.update(_host_name(sock.getsockname()[0]) for sock in sockets)  # the bound addresses
        port = sockets[0].getsockname()[1] if sockets else args.port
        shown_host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
        url = f"http://{f'[{shown_host}]' if ':' in shown_host else shown_host}:{port}/"
        print(f"netgrad playground: {url}  (Ctrl+C stops it)", flush=True)
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"warning: listening on {args.host}, so other computers can reach the playground", flush=True)
        if not args.no_browser:
            webbrowser.open(url)

    threading.Thread(target=announce, name="netgrad-playground-announce", daemon=True).start()
    server.run()
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        raise SystemExit(130) from None
