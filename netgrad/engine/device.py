"""Devices: where a tensor's numbers live."""
from __future__ import annotations

from typing import Any

class device:
    """netgrad computes on the CPU; ``device('cpu')`` exists so that PyTorch scripts run unchanged."""

    __slots__ = ("type",)

    def __init__(self, type: str = "cpu") -> None:  # noqa: A002
        if str(type).split(":")[0] != "cpu":
            raise RuntimeError(f"netgrad runs on the CPU only; device {type!r} is not available")
        self.type = "cpu"

    def __eq__(self, other: Any) -> bool:
        return str(other) == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"


_CPU = device("cpu")


def _checked(value: Any) -> device:
    """The device a ``device=`` argument names (None is the default device); others raise RuntimeError."""
    return _CPU if value is None or value is _CPU else device(value)


def set_default_device(value: Any) -> None:
    """``torch.set_default_device``: netgrad's factories make CPU tensors, so only "cpu" is accepted."""
    _checked(value)


def get_default_device() -> device:
    return _CPU
