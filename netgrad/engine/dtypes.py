"""Element types: netgrad's dtype objects, the default floating dtype, and one reading of every dtype spelling."""
from __future__ import annotations

from typing import Any

import numpy as np


class dtype:
    """A tensor element type; wraps a NumPy dtype (``netgrad.float32.numpy``)."""

    __slots__ = ("name", "numpy")

    def __init__(self, name: str) -> None:
        self.name = name
        self.numpy = np.dtype(name)

    @property
    def is_floating_point(self) -> bool:
        return self.numpy.kind == "f"

    @property
    def itemsize(self) -> int:
        return self.numpy.itemsize

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, dtype):
            return self.numpy == other.numpy
        try:
            return self.numpy == np.dtype(other)
        except TypeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash(self.numpy)

    def __repr__(self) -> str:
        return f"netgrad.{self.name}"


float16 = dtype("float16")
float32 = dtype("float32")
float64 = dtype("float64")
int8 = dtype("int8")
int16 = dtype("int16")
int32 = dtype("int32")
int64 = dtype("int64")
uint8 = dtype("uint8")
bool_ = dtype("bool")
_DTYPES = {d.numpy: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8, bool_)}
_default_dtype = np.dtype(np.float32)


def _numpy_dtype(d: Any) -> np.dtype:
    """Any spelling of a dtype (netgrad.float64, np.float64, 'float64', float) as a NumPy dtype."""
    if isinstance(d, dtype):
        return d.numpy
    if d is float:
        return _default_dtype
    if d is int:
        return np.dtype(np.int64)
    if d is bool:
        return np.dtype(np.bool_)
    try:
        return np.dtype(d)
    except TypeError:
        raise TypeError(f"not a dtype: {d!r}; use netgrad.float32, netgrad.float64, netgrad.int64 or netgrad.bool") \
            from None



def set_default_dtype(d: Any) -> None:
    """Set the floating-point dtype of new tensors made from Python floats (float32 unless changed)."""
    global _default_dtype
    nd = _numpy_dtype(d)
    if nd.kind != "f":
        raise TypeError(f"the default dtype must be floating point, got {d!r}")
    _default_dtype = nd


def get_default_dtype() -> dtype:
    return _DTYPES[_default_dtype]


def _float_dtype(d: Any) -> np.dtype:
    """The dtype for a new floating tensor: ``d`` read by :func:`_numpy_dtype`, or the default when None."""
    return _default_dtype if d is None else _numpy_dtype(d)
