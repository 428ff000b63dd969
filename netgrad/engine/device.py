"""Devices: where a tensor's numbers live."""
from __future__ import annotations

from typing import Any

class device:
    """A device name, as ``torch.device``: ``device("cuda:0")`` can be made and compared anywhere, but
    netgrad computes on the CPU, so making or moving a tensor to any other device raises RuntimeError."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any = "cpu", index: int | None = None) -> None:  # noqa: A002
        kind, _, number = str(type).partition(":")
        self.type = kind
        self.index = int(number) if number else index

    def __eq__(self, other: Any) -> bool:
        return str(other) == str(self)

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"


_CPU = device("cpu")


def _checked(value: Any) -> device:
    """The device a ``device=`` argument names (None is the default device); others raise RuntimeError."""
    if value is None or value is _CPU:
        return _CPU
    named = value if isinstance(value, device) else device(value)
    if named.type != "cpu":
        raise RuntimeError(f"netgrad runs on the CPU only; device {str(named)!r} is not available")
    return named


def set_default_device(value: Any) -> None:
    """``torch.set_default_device``: netgrad's factories make CPU tensors, so only "cpu" is accepted."""
    _checked(value)


def get_default_device() -> device:
    return _CPU
