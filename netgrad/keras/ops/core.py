"""Keras 3's core ops: tensors in and out, dtypes and shapes (``keras.ops.convert_to_tensor``, ``cast``, ...).

Every op takes Tensors, NumPy arrays or Python numbers and returns a netgrad Tensor; gradients flow through
the engine's Tensor methods, which each op calls (no second implementation of any arithmetic).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...engine import Tensor
from ..backend import standardize_dtype

__all__ = ["cast", "convert_to_numpy", "convert_to_tensor", "dtype", "is_tensor", "shape", "stop_gradient"]


def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None) -> Tensor:
    """``x`` as a Tensor (a Tensor is returned as it is unless ``dtype`` asks for another type).

    Python floats become float32 and Python ints int32, as in Keras; NumPy arrays keep their dtype.
    """
    if isinstance(x, Tensor):
        return x if dtype is None or str(x._data.dtype) == standardize_dtype(dtype) else cast(x, dtype)
    if dtype is None:
        array = np.asarray(x)
        if not isinstance(x, np.ndarray):  # Python numbers and lists: Keras's default types
            array = array.astype({"f": "float32", "i": "int32"}.get(array.dtype.kind, array.dtype))
    else:
        array = np.asarray(x, dtype=standardize_dtype(dtype))
    return Tensor._wrap(np.array(array))


def convert_to_numpy(x: Any) -> np.ndarray:
    """``x`` as a NumPy array (a copy, detached from the graph)."""
    return np.array(x._data if isinstance(x, Tensor) else x)


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def cast(x: Any, dtype: Any) -> Tensor:
    """``x`` converted to ``dtype`` (``'float32'``, ``'int32'``, ...); float to float keeps the gradient."""
    x = convert_to_tensor(x)
    return x.type(np.dtype(standardize_dtype(dtype)))


def dtype(x: Any) -> str:
    """The dtype's name, e.g. ``'float32'``."""
    return str(convert_to_tensor(x)._data.dtype)


def shape(x: Any) -> tuple[int, ...]:
    """The shape as a tuple of ints."""
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def stop_gradient(x: Any) -> Tensor:
    """The same values, with no gradient flowing back through them."""
    return convert_to_tensor(x).detach()
