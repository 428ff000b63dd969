"""``netgrad.accelerator`` (PyTorch 2.6+'s ``torch.accelerator``): the GPU when there is one.

    device = netgrad.accelerator.current_accelerator() if netgrad.accelerator.is_available() else "cpu"
"""
from __future__ import annotations

from . import cuda
from .engine.device import device

__all__ = ["is_available", "current_accelerator", "device_count"]


def is_available() -> bool:
    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> device | None:
    """``device('cuda')`` when a GPU can be used, else None (PyTorch's answer without an accelerator)."""
    return device("cuda") if cuda.is_available() else None


def device_count() -> int:
    return cuda.device_count()
