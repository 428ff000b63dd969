"""Devices, with PyTorch's vocabulary: ``device("cpu")``, ``device("cuda:0")``, ``device("cuda", 1)``.

``cpu`` keeps arrays in NumPy, ``cuda`` in CuPy (see :mod:`netgrad.engine.backend`); ``standin`` is the test
device that behaves like a GPU (arrays of their own type) while computing with NumPy.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .backend import cuda_device_count, placement, to_device

_TYPES = ("cpu", "cuda", "standin")


class device:
    """Where a tensor's numbers live: ``device("cpu")``, ``device("cuda:0")``, ``device("cuda", 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any = "cpu", index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        spec = str(type)
        kind, _, number = spec.partition(":")
        if kind not in _TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of device string: {spec}")
        if number:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: "
                                   f"{spec}")
            if not number.isdigit():
                raise RuntimeError(f"Invalid device string: '{spec}'")
            index = int(number)
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative, got {index!r}")
        if kind != "cuda" and index not in (None, 0):
            raise RuntimeError(f"{kind} device index must be 0 or None, got {index}")
        self.type, self.index = kind, index

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except RuntimeError:
                return False
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"


_CPU = device("cpu")


def _checked(value: Any) -> device:
    """The device a ``device=`` argument names (None: the default device)."""
    if value is None:
        return _default
    return value if isinstance(value, device) else device(value)


_default = _CPU


def set_default_device(value: Any) -> None:
    """``torch.set_default_device``: where factories called without ``device=`` put their tensors."""
    global _default
    chosen = _checked(value if value is not None else "cpu")
    if chosen.type != "cpu":
        to_device(np.zeros(1), chosen.type, chosen.index)  # a clear error now if that device cannot be used
    _default = chosen


def get_default_device() -> device:
    return _default


def choose_device(value: Any, argument: str = "device") -> device | None:
    """The device a front end's ``device=`` names, checked now: None stays None (the model's own device),
    ``'auto'`` is the first GPU when one can be used, else the CPU; a GPU that cannot be used raises one
    ``ValueError`` line saying what is missing (CuPy, a GPU, that GPU's index).

    >>> choose_device("cpu")
    device(type='cpu')
    """
    named = f"{argument} {value}" if argument.startswith("--") else f"{argument}={value!r}"  # an option, a keyword
    if value is None or isinstance(value, device):
        chosen = value
    elif isinstance(value, str) and value == "auto":
        return device("cuda") if cuda_device_count() > 0 else _CPU
    else:
        try:
            chosen = device(value) if isinstance(value, str) else device(*placement(value))
        except (RuntimeError, TypeError) as error:
            raise ValueError(f"{named} is not a device: use 'cpu', 'cuda', 'cuda:N' or 'auto' ({error})") from None
    if chosen is not None and chosen.type == "cuda":
        count = cuda_device_count()
        if count == 0:
            try:
                to_device(np.zeros(1), "cuda")  # raises the line that says what is missing: CuPy or a GPU
            except RuntimeError as error:
                raise ValueError(f"{named}: {error}; or use 'cpu' or 'auto'") from None
        if (chosen.index or 0) >= count:
            raise ValueError(f"{named}: there {'is' if count == 1 else 'are'} only {count} GPU"
                             f"{'' if count == 1 else 's'} (cuda:0 to cuda:{count - 1})")
    return chosen
