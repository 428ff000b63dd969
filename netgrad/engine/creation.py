"""Making tensors: from data, filled, evenly spaced, random; joining them (cat, stack, where)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..random import get_generator
from . import dtypes, ops
from .autograd import ShapeError
from .backend import placement, to_device
from .device import _CPU, get_default_device
from .dtypes import _float_dtype, _numpy_dtype
from .tensor import Tensor, _size


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A new tensor holding a copy of ``data`` (Python floats become the default dtype, float32), on ``device``."""
    t = Tensor(data, dtype=dtype)
    device = get_default_device() if device is None else device
    if device is not _CPU:
        t._data = to_device(t._data, *placement(device))
    return t.requires_grad_() if requires_grad else t


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory when it already is an array of the right dtype and device."""
    if isinstance(data, Tensor):
        t = data if dtype is None else data.type(dtype)
        return t if device is None else t.to(device)
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        t = Tensor._wrap(data if dtype is None else data.astype(_numpy_dtype(dtype), copy=False))
        return t if device is None else t.to(device)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (its dtype kept, as in PyTorch)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: unsupported dtype {array.dtype}")
    return Tensor._wrap(array)


def _factory(array: np.ndarray, requires_grad: bool, device: Any = None) -> Tensor:
    """A tensor of a new host ``array``, moved to ``device`` (the values are the same on every device)."""
    if device is None:
        device = get_default_device()
    t = Tensor._wrap(array if device is _CPU else to_device(array, *placement(device)))
    return t.requires_grad_() if requires_grad else t


def _like(t: Tensor, device: Any) -> Any:
    return t.device if device is None else device


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _factory(np.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad, device)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _factory(np.ones(_size(size), dtype=_float_dtype(dtype)), requires_grad, device)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _factory(np.empty(_size(size), dtype=_float_dtype(dtype)), requires_grad, device)


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    if dtype is None:
        dtype = dtypes._default_dtype if isinstance(fill_value, float) else np.asarray(fill_value).dtype
        dtype = np.int64 if np.dtype(dtype).kind in "iu" else dtype
    return _factory(np.full(_size((size,) if isinstance(size, int) else (size,)), fill_value,
                            dtype=_numpy_dtype(dtype)), requires_grad, device)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _factory(np.zeros(t.shape, dtype=_numpy_dtype(dtype or t.dtype)), requires_grad, _like(t, device))


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _factory(np.ones(t.shape, dtype=_numpy_dtype(dtype or t.dtype)), requires_grad, _like(t, device))


def empty_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _factory(np.empty(t.shape, dtype=_numpy_dtype(dtype or t.dtype)), requires_grad, _like(t, device))


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False,
              device: Any = None) -> Tensor:
    array = np.full(t.shape, fill_value, dtype=_numpy_dtype(dtype or t.dtype))
    return _factory(array, requires_grad, _like(t, device))


def rand_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return rand(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad, device=_like(t, device))


def randn_like(t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return randn(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad, device=_like(t, device))


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, requires_grad: bool = False,
           device: Any = None) -> Tensor:
    """Values from ``start`` (inclusive) to ``end`` (exclusive); integers give int64, floats the default dtype."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if is_int else dtypes._default_dtype
    return _factory(np.arange(start, end, step, dtype=_numpy_dtype(dtype)), requires_grad, device)


def linspace(start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False,
             device: Any = None) -> Tensor:
    return _factory(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad, device)


def logspace(start: float, end: float, steps: int, base: float = 10.0, dtype: Any = None,
             requires_grad: bool = False, device: Any = None) -> Tensor:
    """base ** linspace(start, end, steps)."""
    exponents = np.linspace(start, end, steps, dtype=np.float64)
    return _factory((float(base) ** exponents).astype(_float_dtype(dtype)), requires_grad, device)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _factory(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False, generator: Any = None,
         device: Any = None) -> Tensor:
    """Uniform samples on [0, 1) from the global generator."""
    rng = generator or get_generator()
    return _factory(rng.random(_size(size), dtype=np.float64).astype(_float_dtype(dtype)), requires_grad, device)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False, generator: Any = None,
          device: Any = None) -> Tensor:
    """Standard normal samples from the global generator."""
    rng = generator or get_generator()
    return _factory(rng.standard_normal(_size(size)).astype(_float_dtype(dtype)), requires_grad, device)


def randint(low: int, high: int | None = None, size: Any = None, dtype: Any = None,
            generator: Any = None, device: Any = None) -> Tensor:
    """Integers uniform on [low, high), int64 (``randint(high, size)`` also works, as in PyTorch)."""
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    rng = generator or get_generator()
    return _factory(rng.integers(low, high, size=_size((size,) if isinstance(size, int) else (size,)),
                                 dtype=np.int64).astype(_numpy_dtype(dtype or np.int64)), False, device)


def randperm(n: int, generator: Any = None, device: Any = None) -> Tensor:
    rng = generator or get_generator()
    return _factory(rng.permutation(n).astype(np.int64), False, device)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None) -> Tensor:
    """The (2, n) row and column indices of the lower triangle (on and below diagonal ``offset``), row by row."""
    return _factory(np.stack(np.tril_indices(row, offset, col)).astype(_numpy_dtype(dtype or np.int64)), False, device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None) -> Tensor:
    """The (2, n) row and column indices of the upper triangle (on and above diagonal ``offset``), row by row."""
    return _factory(np.stack(np.triu_indices(row, offset, col)).astype(_numpy_dtype(dtype or np.int64)), False, device)


# ------------------------------------------------------------------------------------ module-level ops


def _tensors(seq: Sequence, what: str) -> list:
    if not isinstance(seq, (list, tuple)) or not seq:
        raise TypeError(f"{what} expects a non-empty list or tuple of tensors")
    return [t if isinstance(t, Tensor) else tensor(t) for t in seq]


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension."""
    tensors = _tensors(tensors, "cat")
    shapes = [t.shape for t in tensors]
    ndim = len(shapes[0])
    axis = dim % max(ndim, 1)
    if any(len(s) != ndim or s[:axis] + s[axis + 1:] != shapes[0][:axis] + shapes[0][axis + 1:] for s in shapes):
        raise ShapeError(f"cat: tensors must match in every dimension except {dim}; got shapes {shapes}")
    return ops.Concatenate.apply(*tensors, axis=axis)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors of one shape along a new dimension."""
    tensors = _tensors(tensors, "stack")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ShapeError(f"stack: all tensors must have the same shape; got {[t.shape for t in tensors]}")
    return ops.Stack.apply(*tensors, axis=dim)


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` holds, else ``other`` (broadcast together)."""
    condition = condition._data if isinstance(condition, Tensor) else np.asarray(condition, dtype=bool)
    like = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else tensor(input)
    return ops.Where.apply(condition, like._operand(input), like._operand(other))


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> int:
    return t.numel()
