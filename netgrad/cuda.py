"""``torch.cuda`` on a machine without a GPU for netgrad: the probes PyTorch scripts call before choosing
a device (``torch.cuda.is_available()`` is False, so they choose "cpu")."""
from __future__ import annotations


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Seeds nothing: there is no CUDA generator (``netgrad.manual_seed`` seeds the CPU one)."""


manual_seed_all = manual_seed


def synchronize(device: object = None) -> None:
    """Nothing to wait for: CPU work is done when the call returns."""


def empty_cache() -> None:
    """Nothing to free."""
