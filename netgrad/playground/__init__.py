"""netgrad playground: a TensorFlow-Playground-style page where a person builds a small network and watches
netgrad train it, live.

``netgrad playground`` (or :func:`main`) starts a local web server and opens the page. The server needs
the ``web`` extra (``pip install netgrad[web]``: Starlette, uvicorn, websockets, python-multipart); the
session and the script export below work without it.
"""
from __future__ import annotations

from netgrad.playground.export import export_script
from netgrad.playground.session import PlaygroundConfig, PlaygroundSession, parse_csv

__all__ = ["PlaygroundConfig", "PlaygroundSession", "export_script", "parse_csv", "create_app", "main"]


def create_app(**kwargs):
    """The playground's ASGI app (see :func:`netgrad.playground.server.create_app`)."""
    from netgrad.playground.server import create_app as _create_app

    return _create_app(**kwargs)


def main(argv: list[str] | None = None) -> int:
    """``netgrad playground [--host HOST] [--port PORT] [--no-browser]`` (see :mod:`.server`)."""
    try:
        from netgrad.playground.server import main as _main
    except ImportError as error:
        raise SystemExit(f"the playground needs the web extra: pip install 'netgrad[web]' ({error})") from error
    return _main(argv)
