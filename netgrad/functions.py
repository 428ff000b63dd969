"""PyTorch's module-level functions where they differ from the Tensor methods: argument names
(``torch.matmul(input=a, other=b)``), ``out=``, ``torch.normal``, and the legacy tensor types
(``torch.FloatTensor([1, 2])``, ``torch.LongTensor(2, 3)``)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .engine import Tensor, empty, float32, float64, int32, int64, tensor
from .engine.autograd import no_grad
from .engine.device import _checked
from .engine.dtypes import _float_dtype
from .random import get_generator

__all__ = ["add", "sub", "mul", "div", "pow", "matmul", "mm", "dot", "normal", "FloatTensor", "DoubleTensor",
           "LongTensor", "IntTensor", "BoolTensor"]


def _out(result: Tensor, out: Tensor | None) -> Tensor:
    """Write ``result`` into ``out`` (same shape), as PyTorch's ``out=``; return ``out``."""
    if out is None:
        return result
    if tuple(out.shape) != tuple(result.shape):
        raise RuntimeError(f"out= has shape {tuple(out.shape)} but the result has shape {tuple(result.shape)}; "
                           "pass a tensor of the result's shape, or drop out=")
    with no_grad():
        out.copy_(result)
    return out


def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else tensor(x)


def add(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    """input + alpha * other."""
    return _out(_tensor(input) + (other if alpha == 1 else alpha * other), out)


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:
    """input - alpha * other."""
    return _out(_tensor(input) - (other if alpha == 1 else alpha * other), out)


def mul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:
    return _out(_tensor(input) * other, out)


def div(input: Any, other: Any, *, rounding_mode: str | None = None, out: Tensor | None = None) -> Tensor:
    """input / other; ``rounding_mode`` "trunc" or "floor" rounds the quotient (no gradient then)."""
    result = _tensor(input) / other
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                             f"'{rounding_mode}'")
        rounded = (np.trunc if rounding_mode == "trunc" else np.floor)(result._data)
        dtype = np.result_type(_tensor(input)._data, _tensor(other)._data)
        result = Tensor._wrap(rounded.astype(dtype if dtype.kind in "iu" else result._data.dtype))
    return _out(result, out)


def pow(input: Any, exponent: Any, *, out: Tensor | None = None) -> Tensor:
    return _out(_tensor(input) ** exponent, out)


def matmul(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    return _out(_tensor(input).matmul(other), out)


def mm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:
    return _out(_tensor(input).matmul(mat2), out)


def dot(input: Tensor, tensor: Tensor, *, out: Tensor | None = None) -> Tensor:
    return _out(_tensor(input).matmul(tensor), out)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, generator: Any = None, out: Tensor | None = None,
           dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Samples of N(mean, std^2), as ``torch.normal``: ``mean`` and ``std`` are numbers (then ``size`` is
    required) or tensors broadcast together (then the samples have their shape and dtype)."""
    _checked(device)
    rng = generator or get_generator()
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    if not tensors and size is None:
        raise TypeError("normal() with a number mean and std needs size=, e.g. normal(0.0, 1.0, size=(2, 3))")
    if isinstance(std, Tensor) and np.any(std._data < 0) or not isinstance(std, Tensor) and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    shape = tuple(size) if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    dt = np.result_type(*[t._data for t in tensors]) if tensors and dtype is None else _float_dtype(dtype)
    result = Tensor._wrap((m + s * rng.standard_normal(shape)).astype(dt))
    return _out(result.requires_grad_() if requires_grad else result, out)


def _legacy(dtype: Any, name: str) -> Any:
    def make(*data: Any, device: Any = None) -> Tensor:
        _checked(device)
        if all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in data):
            return empty(*data, dtype=dtype)  # FloatTensor(2, 3): uninitialised, as PyTorch
        if len(data) != 1:
            raise TypeError(f"{name}() takes a sequence of numbers or sizes as ints, got {data!r:.80}")
        return Tensor(data[0], dtype=dtype)
    make.__name__ = make.__qualname__ = name
    make.__doc__ = (f"Legacy ``torch.{name}``: ``{name}([1, 2])`` is ``tensor([1, 2], dtype={dtype})`` and "
                    f"``{name}(2, 3)`` an uninitialised tensor of that shape. A function here, not a class: "
                    "``isinstance(t, {name})`` is not supported (compare ``t.dtype``).")
    return make


FloatTensor = _legacy(float32, "FloatTensor")
DoubleTensor = _legacy(float64, "DoubleTensor")
LongTensor = _legacy(int64, "LongTensor")
IntTensor = _legacy(int32, "IntTensor")
BoolTensor = _legacy(np.bool_, "BoolTensor")
