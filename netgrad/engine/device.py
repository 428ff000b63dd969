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
