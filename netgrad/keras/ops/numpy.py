"""Keras 3's NumPy-style ops (``keras.ops.matmul``, ``sum``, ``mean``, ``square``, ``zeros``, ...).

Arguments follow NumPy (``axis``, ``keepdims``); each op calls the engine's Tensor method or factory, so
it is differentiable wherever the engine is.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ...engine import Tensor, cat
from ...engine import stack as _stack
from ...engine import where as _where
from ..backend import floatx, standardize_dtype
from .core import convert_to_tensor

__all__ = [
    "abs", "absolute", "add", "all", "any", "arange", "argmax", "argmin", "clip", "concatenate", "cos", "divide",
    "dot", "equal", "exp", "expand_dims", "eye", "full", "full_like", "greater", "greater_equal", "identity",
    "less", "less_equal", "linspace", "log", "log1p", "logical_and", "logical_not", "logical_or", "matmul", "max",
    "maximum", "mean", "min", "minimum", "multiply", "negative", "not_equal", "ones", "ones_like", "power",
    "prod", "repeat", "reshape", "sign", "sin", "sqrt", "square", "squeeze", "stack", "std", "subtract", "sum",
    "take", "tanh", "tile", "transpose", "true_divide", "var", "where", "zeros", "zeros_like",
]

_t = convert_to_tensor


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def _pair(x1: Any, x2: Any) -> tuple[Any, Any]:
    """The operands of a binary op: at least one of them a Tensor (Python numbers stay numbers)."""
    if isinstance(x1, Tensor) or isinstance(x2, Tensor):
        return x1, x2
    return _t(x1), x2


def _array(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


# ---------------------------------------------------------------------------------------------- creation


def zeros(shape: Any, dtype: Any = None) -> Tensor:
    return Tensor._wrap(np.zeros(shape, dtype=standardize_dtype(dtype)))


def ones(shape: Any, dtype: Any = None) -> Tensor:
    return Tensor._wrap(np.ones(shape, dtype=standardize_dtype(dtype)))


def full(shape: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    return Tensor._wrap(np.full(shape, _array(fill_value), dtype=standardize_dtype(dtype)))


def zeros_like(x: Any, dtype: Any = None) -> Tensor:
    return Tensor._wrap(np.zeros_like(_array(x), dtype=None if dtype is None else standardize_dtype(dtype)))


def ones_like(x: Any, dtype: Any = None) -> Tensor:
    return Tensor._wrap(np.ones_like(_array(x), dtype=None if dtype is None else standardize_dtype(dtype)))


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    return Tensor._wrap(np.full_like(_array(x), _array(fill_value),
                                     dtype=None if dtype is None else standardize_dtype(dtype)))


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None) -> Tensor:
    """Integers (int32) or floats from ``start`` to ``stop`` (excluded)."""
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    if dtype is None:
        dtype = floatx() if values.dtype.kind == "f" else "int32"
    return Tensor._wrap(values.astype(standardize_dtype(dtype)))


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None) -> Tensor:
    return Tensor._wrap(np.linspace(start, stop, num, endpoint=endpoint).astype(standardize_dtype(dtype)))


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:
    return Tensor._wrap(np.eye(N, M, k, dtype=standardize_dtype(dtype)))


def identity(n: int, dtype: Any = None) -> Tensor:
    return eye(n, dtype=dtype)


# ------------------------------------------------------------------------------------------ arithmetic


def add(x1: Any, x2: Any) -> Tensor:
    x1, x2 = _pair(x1, x2)
    return x1 + x2


def subtract(x1: Any, x2: Any) -> Tensor:
    x1, x2 = _pair(x1, x2)
    return x1 - x2


def multiply(x1: Any, x2: Any) -> Tensor:
    x1, x2 = _pair(x1, x2)
    return x1 * x2


def divide(x1: Any, x2: Any) -> Tensor:
    x1, x2 = _pair(x1, x2)
    return x1 / x2


true_divide = divide


def power(x1: Any, x2: Any) -> Tensor:
    x1, x2 = _pair(x1, x2)
    return x1 ** x2


def negative(x: Any) -> Tensor:
    return -_t(x)


def abs(x: Any) -> Tensor:
    return _t(x).abs()


absolute = abs


def square(x: Any) -> Tensor:
    return _t(x).square()


def sqrt(x: Any) -> Tensor:
    return _t(x).sqrt()


def exp(x: Any) -> Tensor:
    return _t(x).exp()


def log(x: Any) -> Tensor:
    return _t(x).log()


def log1p(x: Any) -> Tensor:
    return (_t(x) + 1).log()


def sin(x: Any) -> Tensor:
    return _t(x).sin()


def cos(x: Any) -> Tensor:
    return _t(x).cos()


def tanh(x: Any) -> Tensor:
    return _t(x).tanh()


def sign(x: Any) -> Tensor:
    return _t(x).sign()


def maximum(x1: Any, x2: Any) -> Tensor:
    return _t(x1).maximum(_t(x2) if not isinstance(x2, (int, float)) else x2)


def minimum(x1: Any, x2: Any) -> Tensor:
    return _t(x1).minimum(_t(x2) if not isinstance(x2, (int, float)) else x2)


def clip(x: Any, x_min: Any, x_max: Any) -> Tensor:
    return _t(x).clamp(x_min, x_max)


def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """``x1`` where ``condition`` holds, else ``x2``; with only a condition, the indices where it holds."""
    if x1 is None and x2 is None:
        return tuple(Tensor._wrap(i.astype(np.int32)) for i in np.nonzero(_array(condition)))
    return _where(_array(condition).astype(bool), x1 if isinstance(x1, Tensor) else _t(x1),
                        x2 if isinstance(x2, Tensor) else _t(x2))


# ------------------------------------------------------------------------------------------- reductions


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return _t(x).sum(_axis(axis), keepdims)


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return _t(x).mean(_axis(axis), keepdims)


def var(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """The (biased) variance, as NumPy and Keras compute it."""
    return _t(x).var(_axis(axis), unbiased=False, keepdim=keepdims)


def std(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return _t(x).std(_axis(axis), unbiased=False, keepdim=keepdims)


def prod(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return _t(x).prod(_axis(axis), keepdims)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _t(x)
    return x.max() if axis is None else x.amax(_axis(axis), keepdims)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    x = _t(x)
    return x.min() if axis is None else x.amin(_axis(axis), keepdims)


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    return Tensor._wrap(np.argmax(_array(x), axis=axis, keepdims=keepdims).astype(np.int32))


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    return Tensor._wrap(np.argmin(_array(x), axis=axis, keepdims=keepdims).astype(np.int32))


def any(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return Tensor._wrap(np.any(_array(x), axis=_axis(axis), keepdims=keepdims))


def all(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return Tensor._wrap(np.all(_array(x), axis=_axis(axis), keepdims=keepdims))


# ------------------------------------------------------------------------------------------ comparison


def _compare(function: Any, x1: Any, x2: Any) -> Tensor:
    return Tensor._wrap(function(_array(x1), _array(x2)))


def equal(x1: Any, x2: Any) -> Tensor:
    return _compare(np.equal, x1, x2)


def not_equal(x1: Any, x2: Any) -> Tensor:
    return _compare(np.not_equal, x1, x2)


def greater(x1: Any, x2: Any) -> Tensor:
    return _compare(np.greater, x1, x2)


def greater_equal(x1: Any, x2: Any) -> Tensor:
    return _compare(np.greater_equal, x1, x2)


def less(x1: Any, x2: Any) -> Tensor:
    return _compare(np.less, x1, x2)


def less_equal(x1: Any, x2: Any) -> Tensor:
    return _compare(np.less_equal, x1, x2)


def logical_and(x1: Any, x2: Any) -> Tensor:
    return _compare(np.logical_and, x1, x2)


def logical_or(x1: Any, x2: Any) -> Tensor:
    return _compare(np.logical_or, x1, x2)


def logical_not(x: Any) -> Tensor:
    return Tensor._wrap(np.logical_not(_array(x)))


# ------------------------------------------------------------------------------------- linear algebra


def matmul(x1: Any, x2: Any) -> Tensor:
    return _t(x1) @ _t(x2)


def dot(x1: Any, x2: Any) -> Tensor:
    """NumPy's dot: the matrix product for 1-D and 2-D operands, multiplication by a scalar."""
    x1, x2 = _t(x1), _t(x2)
    return x1 * x2 if x1.ndim == 0 or x2.ndim == 0 else x1 @ x2


# ------------------------------------------------------------------------------------------------ shapes


def reshape(x: Any, newshape: Any) -> Tensor:
    return _t(x).reshape(*((newshape,) if isinstance(newshape, int) else tuple(newshape)))


def transpose(x: Any, axes: Sequence[int] | None = None) -> Tensor:
    x = _t(x)
    return x.permute(*(reversed(range(x.ndim)) if axes is None else axes))


def expand_dims(x: Any, axis: int) -> Tensor:
    return _t(x).unsqueeze(axis)


def squeeze(x: Any, axis: int | None = None) -> Tensor:
    return _t(x).squeeze(axis)


def concatenate(xs: Sequence[Any], axis: int = 0) -> Tensor:
    return cat([_t(x) for x in xs], axis)


def stack(x: Sequence[Any], axis: int = 0) -> Tensor:
    return _stack([_t(item) for item in x], axis)


def tile(x: Any, repeats: Any) -> Tensor:
    x = _t(x)
    repeats = (repeats,) if isinstance(repeats, int) else tuple(repeats)
    repeats = (1,) * (x.ndim - len(repeats)) + repeats
    if len(repeats) > x.ndim:
        x = x.reshape(*((1,) * (len(repeats) - x.ndim) + tuple(x.shape)))
    return x.repeat(*repeats)


def repeat(x: Any, repeats: int, axis: int | None = None) -> Tensor:
    """Each element ``repeats`` times along ``axis`` (flattened first when axis is None)."""
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis %= x.ndim
    index = np.repeat(np.arange(x.shape[axis]), repeats)
    return x[(slice(None),) * axis + (index,)]


def take(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    x = _t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    index = _array(indices).astype(np.int64)
    return x[(slice(None),) * (axis % x.ndim) + (index,)]

