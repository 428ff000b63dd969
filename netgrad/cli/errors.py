"""How the ``netgrad`` command reports a problem: one line, ``netgrad: error: ...``, exit status 2."""
from __future__ import annotations

from typing import Any

__all__ = ["CLIError", "one_line"]


class CLIError(Exception):
    """A problem with the user's arguments or files: printed as one line, exit status 2."""


def one_line(message: Any) -> str:
    """A message on one line (library errors may span several)."""
    return " ".join(str(message).split())
