"""``torch.accelerator``: netgrad computes on the CPU, which PyTorch does not count as an accelerator."""
from __future__ import annotations


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def current_accelerator(check_available: bool = False) -> None:
    """None: no accelerator (the tutorials' idiom then falls back to "cpu")."""
    return None
