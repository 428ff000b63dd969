"""The Tensor: a NumPy array plus the autograd bookkeeping, with PyTorch's names, semantics and repr."""
from __future__ import annotations

import math
import numbers
from collections import namedtuple
from typing import Any, Iterable, Sequence

import numpy as np

from . import autograd, ops
from .autograd import ShapeError
from .random import get_generator

# ------------------------------------------------------------------------------------------------ dtypes


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
int32 = dtype("int32")
int64 = dtype("int64")
uint8 = dtype("uint8")
bool_ = dtype("bool")
_DTYPES = {d.numpy: d for d in (float16, float32, float64, int32, int64, uint8, bool_)}
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

# ------------------------------------------------------------------------------------- array conversion


def _as_array(data: Any, dt: Any = None) -> np.ndarray:
    """Data of any kind as a fresh array, with PyTorch's dtype inference (Python floats -> default dtype)."""
    if isinstance(data, Tensor):
        array = data._data.copy()
    elif isinstance(data, np.ndarray):
        array = data.copy()
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
            data = [x._data if isinstance(x, Tensor) else x for x in data]
        try:
            array = np.array(data)
        except (ValueError, TypeError) as error:
            raise TypeError(f"cannot make a tensor from {type(data).__name__}: {error}") from None
        if array.dtype.kind == "f" and dt is None:
            array = array.astype(_default_dtype)
        elif array.dtype.kind in "iu" and dt is None:
            array = array.astype(np.int64)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"a tensor holds numbers or booleans, not {array.dtype} (got {type(data).__name__}"
            f"{' of ' + repr(data)[:60] if not isinstance(data, np.ndarray) else ''})")
    if dt is not None:
        array = array.astype(_numpy_dtype(dt), copy=False)
    return array


def _flat(data: Any) -> Iterable:
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


def _size(size: Sequence) -> tuple:
    """zeros(2, 3) and zeros((2, 3)) alike."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(int(s) for s in size)


def _axis(dim: Any, ndim: int) -> Any:
    if dim is None or isinstance(dim, (int, np.integer)):
        return dim
    return tuple(dim)


_python_scalar = (int, float, bool)

# ---------------------------------------------------------------------------------------------- the Tensor

_new = object.__new__
ReturnTypes = namedtuple("return_types", ["values", "indices"])


class Tensor:
    """A multi-dimensional array that records the operations applied to it, for reverse-mode autodiff.

    >>> a = netgrad.tensor([3.0], requires_grad=True)
    >>> (2 * a * a).backward()
    >>> a.grad
    tensor([12.])
    """

    __slots__ = ("_data", "_grad", "requires_grad", "_grad_fn", "__weakref__")
    __array_ufunc__ = None  # ndarray (op) Tensor defers to Tensor's reflected operators

    def __init__(self, data: Any = (), requires_grad: bool = False, dtype: Any = None) -> None:
        self._data = _as_array(data, dtype)
        self._grad = None
        self._grad_fn = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, array: np.ndarray, requires_grad: bool = False) -> "Tensor":
        """A tensor around ``array`` itself (no copy, no checks): the engine's fast path."""
        t = _new(cls)
        t._data = array
        t._grad = None
        t._grad_fn = None
        t.requires_grad = requires_grad
        return t

    @staticmethod
    def _make(array: np.ndarray, node: Any) -> "Tensor":
        t = _new(Tensor)
        t._data = array
        t._grad = None
        t._grad_fn = node
        t.requires_grad = node is not None
        return t

    # ---------------------------------------------------------------------------------------- attributes

    @property
    def data(self) -> "Tensor":
        """The same values as a tensor outside the graph (shares memory)."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value._data if isinstance(value, Tensor) else _as_array(value, self._data.dtype)

    @property
    def grad(self) -> "Tensor | None":
        """The accumulated gradient (a tensor sharing memory with the stored one) or None."""
        g = self._grad
        return None if g is None else Tensor._wrap(g)

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is None:
            self._grad = None
            return
        array = value._data if isinstance(value, Tensor) else np.asarray(value)
        if array.shape != self._data.shape:
            raise ShapeError(f"assigned grad has shape {array.shape} but the tensor has shape {self._data.shape}")
        self._grad = array

    @property
    def grad_fn(self) -> Any:
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def shape(self) -> tuple:
        return self._data.shape

    def size(self, dim: int | None = None) -> Any:
        return self._data.shape if dim is None else self._data.shape[dim]

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    @property
    def dtype(self) -> dtype:
        array_dtype = self._data.dtype
        return _DTYPES.get(array_dtype) or _DTYPES.setdefault(array_dtype, dtype(array_dtype.name))

    @property
    def device(self) -> device:
        return _CPU

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"the truth value of a tensor with {self._data.size} elements is ambiguous; "
                               "use .any() or .all()")
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype)

    # -------------------------------------------------------------------------------------- conversions

    def numpy(self) -> np.ndarray:
        """The underlying array itself (no copy; like PyTorch, it shares memory with the tensor)."""
        if self.requires_grad:
            raise RuntimeError("can't call numpy() on a tensor that requires grad; use tensor.detach().numpy()")
        return self._data

    def item(self) -> Any:
        if self._data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape {self._data.shape}")
        return self._data.item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def detach(self) -> "Tensor":
        return Tensor._wrap(self._data)

    def detach_(self) -> "Tensor":
        self._grad_fn = None
        self.requires_grad = False
        return self

    def clone(self) -> "Tensor":
        return ops.Mul.apply(self, 1) if self.requires_grad else Tensor._wrap(self._data.copy())

    def to(self, *args: Any, **kwargs: Any) -> "Tensor":
        """``to(dtype)``, ``to('cpu')``, ``to(other_tensor)``; a no-op when nothing changes."""
        target = kwargs.get("dtype")
        for a in args:
            if isinstance(a, Tensor):
                target = a.dtype
            elif isinstance(a, (str, device)):
                device(str(a))
            else:
                target = a
        if target is None or _numpy_dtype(target) == self._data.dtype:
            return self
        return self.type(target)

    def type(self, dt: Any) -> "Tensor":
        """A copy of the tensor with another dtype (differentiable between floating types)."""
        nd = _numpy_dtype(dt)
        if nd == self._data.dtype:
            return self
        if self.requires_grad and nd.kind == "f":
            return Cast.apply(self, nd)
        return Tensor._wrap(self._data.astype(nd))

    def float(self) -> "Tensor":
        return self.type(np.float32)

    def double(self) -> "Tensor":
        return self.type(np.float64)

    def half(self) -> "Tensor":
        return self.type(np.float16)

    def long(self) -> "Tensor":
        return self.type(np.int64)

    def int(self) -> "Tensor":
        return self.type(np.int32)

    def bool(self) -> "Tensor":
        return self.type(np.bool_)

    def type_as(self, other: "Tensor") -> "Tensor":
        return self.type(other._data.dtype)

    def cpu(self) -> "Tensor":
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> "Tensor":
        raise RuntimeError("netgrad runs on the CPU only")

    def contiguous(self) -> "Tensor":
        return self

    # ----------------------------------------------------------------------------------------- autograd

    def backward(self, gradient: Any = None, retain_graph: bool = False) -> None:
        """Accumulate the gradient of this tensor into ``.grad`` of every leaf it depends on."""
        autograd.backward(self, gradient, retain_graph)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(f"only floating-point tensors can require gradients, this one is {self.dtype}")
        if not requires_grad and self._grad_fn is not None:
            raise RuntimeError("requires_grad can only be switched off on leaf tensors; use .detach()")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` of this non-leaf tensor after backward (leaves always keep theirs)."""
        if self._grad_fn is None:
            if not self.requires_grad:
                raise RuntimeError("can't retain_grad on a tensor that has requires_grad=False")
            return
        autograd._retained[self._grad_fn] = __import__("weakref").ref(self)

    # ------------------------------------------------------------------------------------------ in place

    def _check_inplace(self) -> None:
        if self.requires_grad and autograd._grad_state.enabled:
            raise RuntimeError(
                "a tensor that requires grad is being used in an in-place operation; wrap the update in "
                "`with netgrad.no_grad():` (or update `.data`)")

    def zero_(self) -> "Tensor":
        self._check_inplace()
        self._data[...] = 0
        return self

    def fill_(self, value: Any) -> "Tensor":
        self._check_inplace()
        self._data[...] = value._data if isinstance(value, Tensor) else value
        return self

    def copy_(self, source: Any) -> "Tensor":
        self._check_inplace()
        self._data[...] = source._data if isinstance(source, Tensor) else source
        return self

    def _inplace(self, ufunc: np.ufunc, other: Any, function: type) -> "Tensor":
        other_data = other._data if isinstance(other, Tensor) else other
        if autograd._grad_state.enabled and (self.requires_grad or (isinstance(other, Tensor) and other.requires_grad)):
            if self._grad_fn is None and self.requires_grad:
                self._check_inplace()
            return function.apply(self, other)  # recorded out of place; the name is rebound
        ufunc(self._data, other_data, out=self._data, casting="same_kind")
        return self

    def add_(self, other: Any, alpha: Any = 1) -> "Tensor":
        return self._inplace(np.add, other if alpha == 1 else other * alpha, ops.Add)

    def sub_(self, other: Any, alpha: Any = 1) -> "Tensor":
        return self._inplace(np.subtract, other if alpha == 1 else other * alpha, ops.Sub)

    def mul_(self, other: Any) -> "Tensor":
        return self._inplace(np.multiply, other, ops.Mul)

    def div_(self, other: Any) -> "Tensor":
        return self._inplace(np.divide, other, ops.Div)

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":  # noqa: A002
        self._check_inplace()
        np.clip(self._data, min, max, out=self._data)
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> "Tensor":
        self._check_inplace()
        self._data[...] = get_generator().uniform(a, b, self._data.shape)
        return self

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> "Tensor":
        self._check_inplace()
        self._data[...] = get_generator().normal(mean, std, self._data.shape)
        return self

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def __setitem__(self, key: Any, value: Any) -> None:
        self._check_inplace()
        self._data[_index_key(key)] = value._data if isinstance(value, Tensor) else value

    # ---------------------------------------------------------------------------------------- arithmetic

    def _operand(self, other: Any) -> Any:
        """A Python scalar stays a (weakly typed) scalar; anything else becomes an array or Tensor."""
        if isinstance(other, Tensor) or type(other) in _python_scalar:
            return other
        if isinstance(other, numbers.Number) and not isinstance(other, np.ndarray):
            return other.item() if hasattr(other, "item") else other
        array = np.asarray(other)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"unsupported operand for a tensor: {type(other).__name__} {other!r:.60}")
        if array.dtype.kind == "f" and self._data.dtype.kind == "f":
            array = array.astype(self._data.dtype, copy=False)  # arrays do not upcast a float32 tensor
        return array

    def __add__(self, other: Any) -> "Tensor":
        return ops.Add.apply(self, self._operand(other))

    def __radd__(self, other: Any) -> "Tensor":
        return ops.Add.apply(self._operand(other), self)

    def __sub__(self, other: Any) -> "Tensor":
        return ops.Sub.apply(self, self._operand(other))

    def __rsub__(self, other: Any) -> "Tensor":
        return ops.Sub.apply(self._operand(other), self)

    def __mul__(self, other: Any) -> "Tensor":
        return ops.Mul.apply(self, self._operand(other))

    def __rmul__(self, other: Any) -> "Tensor":
        return ops.Mul.apply(self._operand(other), self)

    def __truediv__(self, other: Any) -> "Tensor":
        other = self._operand(other)
        if self._data.dtype.kind != "f" and not isinstance(other, (float, Tensor)):
            return ops.Div.apply(self.type(_default_dtype), other)  # int / int is a float, as in PyTorch
        return ops.Div.apply(self, other)

    def __rtruediv__(self, other: Any) -> "Tensor":
        return ops.Div.apply(self._operand(other), self)

    def __pow__(self, exponent: Any) -> "Tensor":
        return ops.Pow.apply(self, self._operand(exponent))

    def __rpow__(self, base: Any) -> "Tensor":
        return ops.Pow.apply(self._operand(base), self)

    def __matmul__(self, other: Any) -> "Tensor":
        return ops.MatMul.apply(self, other if isinstance(other, Tensor) else tensor(other, dtype=self.dtype))

    def __rmatmul__(self, other: Any) -> "Tensor":
        return ops.MatMul.apply(tensor(other, dtype=self.dtype), self)

    def __neg__(self) -> "Tensor":
        return ops.Neg.apply(self)

    def __pos__(self) -> "Tensor":
        return self

    def __abs__(self) -> "Tensor":
        return ops.Abs.apply(self)

    add = __add__
    sub = subtract = __sub__
    mul = multiply = __mul__
    div = divide = true_divide = __truediv__
    pow = __pow__
    matmul = __matmul__
    neg = negative = __neg__

    def mm(self, other: "Tensor") -> "Tensor":
        return self.matmul(other)

    def dot(self, other: "Tensor") -> "Tensor":
        return self.matmul(other)

    # ------------------------------------------------------------------------------- comparisons (no grad)

    def _compare(self, other: Any, ufunc: np.ufunc) -> "Tensor":
        other = other._data if isinstance(other, Tensor) else other
        return Tensor._wrap(ufunc(self._data, other))

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self._compare(other, np.not_equal)

    def __lt__(self, other: Any) -> "Tensor":
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> "Tensor":
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> "Tensor":
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> "Tensor":
        return self._compare(other, np.greater_equal)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __and__(self, other: Any) -> "Tensor":
        return self._compare(other, np.logical_and if self._data.dtype == np.bool_ else np.bitwise_and)

    def __or__(self, other: Any) -> "Tensor":
        return self._compare(other, np.logical_or if self._data.dtype == np.bool_ else np.bitwise_or)

    def __invert__(self) -> "Tensor":
        return Tensor._wrap(~self._data)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        return Tensor._wrap(np.asarray(np.argmax(self._data, axis=dim, keepdims=keepdim), dtype=np.int64))

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        return Tensor._wrap(np.asarray(np.argmin(self._data, axis=dim, keepdims=keepdim), dtype=np.int64))

    def any(self, dim: int | None = None) -> "Tensor":
        return Tensor._wrap(np.asarray(self._data.any(axis=dim)))

    def all(self, dim: int | None = None) -> "Tensor":
        return Tensor._wrap(np.asarray(self._data.all(axis=dim)))

    def isnan(self) -> "Tensor":
        return Tensor._wrap(np.isnan(self._data))

    def isfinite(self) -> "Tensor":
        return Tensor._wrap(np.isfinite(self._data))

    def sign(self) -> "Tensor":
        return Tensor._wrap(np.sign(self._data))

    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08) -> bool:
        return bool(np.allclose(self._data, np.asarray(other), rtol=rtol, atol=atol))

    def equal(self, other: Any) -> bool:
        return bool(np.array_equal(self._data, np.asarray(other)))

    # ---------------------------------------------------------------------------------------- elementwise

    def exp(self) -> "Tensor":
        return ops.Exp.apply(self)

    def log(self) -> "Tensor":
        return ops.Log.apply(self)

    def sqrt(self) -> "Tensor":
        return ops.Sqrt.apply(self)

    def abs(self) -> "Tensor":
        return ops.Abs.apply(self)

    def sin(self) -> "Tensor":
        return ops.Sin.apply(self)

    def cos(self) -> "Tensor":
        return ops.Cos.apply(self)

    def tanh(self) -> "Tensor":
        return ops.Tanh.apply(self)

    def sigmoid(self) -> "Tensor":
        return ops.Sigmoid.apply(self)

    def relu(self) -> "Tensor":
        return ops.ReLU.apply(self)

    def square(self) -> "Tensor":
        return ops.Mul.apply(self, self)

    def rsqrt(self) -> "Tensor":
        return ops.Pow.apply(self, -0.5)

    def reciprocal(self) -> "Tensor":
        return ops.Div.apply(1.0, self)

    def clamp(self, min: Any = None, max: Any = None) -> "Tensor":  # noqa: A002
        if min is None and max is None:
            raise ValueError("clamp needs at least one of min and max")
        return ops.Clamp.apply(self, min, max)

    clip = clamp

    def maximum(self, other: Any) -> "Tensor":
        return ops.Maximum.apply(self, self._operand(other))

    def minimum(self, other: Any) -> "Tensor":
        return ops.Minimum.apply(self, self._operand(other))

    def where(self, condition: Any, other: Any) -> "Tensor":
        """``self`` where ``condition`` holds, ``other`` elsewhere."""
        return where(condition, self, other)

    # ----------------------------------------------------------------------------------------- reductions

    def sum(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        return ops.Sum.apply(self, _axis(dim, self.ndim), keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        if self._data.dtype.kind != "f":
            raise RuntimeError(f"mean() needs a floating-point tensor, got {self.dtype}; call .float() first")
        return ops.Mean.apply(self, _axis(dim, self.ndim), keepdim)

    def var(self, dim: Any = None, unbiased: bool = True, keepdim: bool = False, *,
            correction: Any = None) -> "Tensor":
        """Variance with Bessel's correction by default (divide by n - 1), as in PyTorch."""
        correction = (1 if unbiased else 0) if correction is None else correction
        return ops.Var.apply(self, _axis(dim, self.ndim), correction, keepdim)

    def std(self, dim: Any = None, unbiased: bool = True, keepdim: bool = False, *,
            correction: Any = None) -> "Tensor":
        correction = (1 if unbiased else 0) if correction is None else correction
        return ops.Std.apply(self, _axis(dim, self.ndim), correction, keepdim)

    def prod(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        return ops.Prod.apply(self, dim, keepdim)

    def _extremum(self, dim: Any, keepdim: bool, largest: bool) -> Any:
        if dim is None:
            return ops.ExtremumAll.apply(self, largest)
        if isinstance(dim, Tensor):  # torch.max(a, b) is the elementwise maximum
            return self.maximum(dim) if largest else self.minimum(dim)
        indices = (np.argmax if largest else np.argmin)(self._data, axis=dim)
        values = ops.Extremum.apply(self, indices, dim, keepdim)
        if keepdim:
            indices = np.expand_dims(indices, dim)
        return ReturnTypes(values, Tensor._wrap(indices.astype(np.int64)))

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Largest value; with ``dim``, the named tuple ``(values, indices)`` like PyTorch."""
        return self._extremum(dim, keepdim, True)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Smallest value; with ``dim``, the named tuple ``(values, indices)`` like PyTorch."""
        return self._extremum(dim, keepdim, False)

    def amax(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        return self.max() if dim is None else self.max(dim, keepdim).values

    def amin(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        return self.min() if dim is None else self.min(dim, keepdim).values

    def logsumexp(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        return ops.LogSumExp.apply(self, _axis(dim, self.ndim), keepdim)

    def softmax(self, dim: int = -1) -> "Tensor":
        return ops.Softmax.apply(self, dim)

    def log_softmax(self, dim: int = -1) -> "Tensor":
        return ops.LogSoftmax.apply(self, dim)

    def norm(self, p: Any = 2, dim: Any = None, keepdim: bool = False) -> "Tensor":
        if p == 2 or p == "fro":
            return (self * self).sum(dim, keepdim).sqrt()
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p == math.inf:
            return self.abs().amax(dim, keepdim)
        return (self.abs() ** p).sum(dim, keepdim) ** (1.0 / p)

    # ---------------------------------------------------------------------------------------------- shape

    def reshape(self, *shape: Any) -> "Tensor":
        shape = _size(shape)
        try:
            return ops.Reshape.apply(self, shape)
        except ShapeError:
            raise ShapeError(f"shape {shape} is invalid for a tensor of {self._data.size} elements "
                             f"(shape {self._data.shape})") from None

    view = reshape

    def view_as(self, other: "Tensor") -> "Tensor":
        return self.reshape(other.shape)

    reshape_as = view_as

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        shape = self._data.shape
        if not shape:
            return self.reshape(1)
        start, end = start_dim % len(shape), end_dim % len(shape)
        return self.reshape(shape[:start] + (-1,) + shape[end + 1:])

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        axes = list(range(self._data.ndim))
        axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
        return ops.Permute.apply(self, tuple(axes))

    def t(self) -> "Tensor":
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, got shape {self._data.shape}")
        return self if self._data.ndim < 2 else self.transpose(0, 1)

    @property
    def T(self) -> "Tensor":  # noqa: N802
        return ops.Permute.apply(self, tuple(reversed(range(self._data.ndim))))

    @property
    def mT(self) -> "Tensor":  # noqa: N802
        return self.transpose(-2, -1)

    def permute(self, *dims: Any) -> "Tensor":
        return ops.Permute.apply(self, _size(dims))

    def squeeze(self, dim: Any = None) -> "Tensor":
        shape = self._data.shape
        if dim is None:
            return self.reshape(tuple(n for n in shape if n != 1))
        dims = {d % max(1, len(shape)) for d in ((dim,) if isinstance(dim, int) else dim)}
        return self.reshape(tuple(n for i, n in enumerate(shape) if not (i in dims and n == 1)))

    def unsqueeze(self, dim: int) -> "Tensor":
        shape = list(self._data.shape)
        shape.insert(dim if dim >= 0 else len(shape) + dim + 1, 1)
        return self.reshape(tuple(shape))

    def expand(self, *sizes: Any) -> "Tensor":
        sizes = _size(sizes)
        shape = self._data.shape
        target = tuple(shape[i - len(sizes) + len(shape)] if n == -1 else n for i, n in enumerate(sizes))
        return ops.Expand.apply(self, target)

    def expand_as(self, other: "Tensor") -> "Tensor":
        return self.expand(other.shape)

    def repeat(self, *sizes: Any) -> "Tensor":
        sizes = _size(sizes)
        x = self.reshape((1,) * (len(sizes) - self.ndim) + self.shape)
        expanded_shape, final_shape, index_shape = [], [], []
        for n, r in zip(x.shape, sizes):
            expanded_shape += [r, n]
            final_shape.append(r * n)
            index_shape += [1, n]
        return x.reshape(tuple(index_shape)).expand(tuple(expanded_shape)).reshape(tuple(final_shape))

    def __getitem__(self, key: Any) -> "Tensor":
        return ops.Index.apply(self, _index_key(key))

    def __repr__(self) -> str:
        return _format(self)


def _index_key(key: Any) -> Any:
    """Tensors inside an index become arrays (so a[t] works like a[t.numpy()])."""
    if isinstance(key, Tensor):
        return key._data
    if isinstance(key, tuple):
        return tuple(k._data if isinstance(k, Tensor) else k for k in key)
    if isinstance(key, list):
        return np.asarray(key)
    return key


class Cast(autograd.Function):
    """x as another floating dtype;  dx = g cast back."""

    @staticmethod
    def forward(ctx, x, dt):
        ctx.dtype = x.dtype
        return x.astype(dt)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.dtype), None


autograd.Tensor = Tensor

# --------------------------------------------------------------------------------------------------- repr


def _format(t: Tensor) -> str:
    data = t._data
    suffix = []
    if data.dtype not in (np.float32, np.int64, np.bool_) or (data.dtype == np.float32 and
                                                                _default_dtype != np.float32):
        if not (data.dtype == _default_dtype):
            suffix.append(f"dtype={_DTYPES.get(data.dtype, data.dtype)!r}")
    if t._grad_fn is not None:
        suffix.append(f"grad_fn={t._grad_fn!r}")
    elif t.requires_grad:
        suffix.append("requires_grad=True")
    if data.size == 0:
        body = f"[], size={data.shape}" if data.ndim > 1 else "[]"
    else:
        body = np.array2string(data, separator=", ", prefix="tensor(", formatter=_formatter(data),
                               threshold=1000, edgeitems=3, max_line_width=80)
    return "tensor(" + ", ".join([body] + suffix) + ")"


def _formatter(data: np.ndarray) -> dict:
    """PyTorch's choice of number format: integers as '3.', else 4 decimals, scientific for wide ranges."""
    if data.dtype.kind == "b":
        return {"bool": lambda v: "True" if v else "False"}
    if data.dtype.kind in "iu":
        width = max(len(str(data.min())), len(str(data.max())))
        return {"int": lambda v: str(v).rjust(width)}
    finite = np.abs(data[np.isfinite(data)]).astype(np.float64)
    if finite.size and np.all(finite == np.round(finite)) and finite.max() < 1e8:
        fmt = "{:.0f}."
    elif finite.size and (finite.max() >= 1e8 or (finite[finite > 0].min(initial=1) < 1e-4)
                          or finite.max() / max(finite[finite > 0].min(initial=1), 1e-300) > 1000):
        fmt = "{:.4e}"
    else:
        fmt = "{:.4f}"

    def show(v: Any) -> str:
        return ("nan" if np.isnan(v) else "inf" if v > 0 else "-inf") if not np.isfinite(v) else fmt.format(v)

    width = max(len(show(v)) for v in data.reshape(-1)[:2000])
    return {"float_kind": lambda v: show(v).rjust(width)}


# ------------------------------------------------------------------------------------------------ creation


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A new tensor holding a copy of ``data`` (Python floats become the default dtype, float32)."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory when it already is an array of the right dtype."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.type(dtype)
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        return Tensor._wrap(data if dtype is None else data.astype(_numpy_dtype(dtype), copy=False))
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (its dtype kept, as in PyTorch)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: unsupported dtype {array.dtype}")
    return Tensor._wrap(array)


def _factory(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(array)
    return t.requires_grad_() if requires_grad else t


def _float_dtype(dt: Any) -> np.dtype:
    return _default_dtype if dt is None else _numpy_dtype(dt)


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _factory(np.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _factory(np.ones(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _factory(np.empty(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    if dtype is None:
        dtype = _default_dtype if isinstance(fill_value, float) else np.asarray(fill_value).dtype
        dtype = np.int64 if np.dtype(dtype).kind in "iu" else dtype
    return _factory(np.full(_size((size,) if isinstance(size, int) else (size,)), fill_value,
                            dtype=_numpy_dtype(dtype)), requires_grad)


def zeros_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _factory(np.zeros(t.shape, dtype=_numpy_dtype(dtype or t.dtype)), requires_grad)


def ones_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _factory(np.ones(t.shape, dtype=_numpy_dtype(dtype or t.dtype)), requires_grad)


def empty_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _factory(np.empty(t.shape, dtype=_numpy_dtype(dtype or t.dtype)), requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _factory(np.full(t.shape, fill_value, dtype=_numpy_dtype(dtype or t.dtype)), requires_grad)


def rand_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randn_like(t: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, dtype: Any = None, requires_grad: bool = False,
           device: Any = None) -> Tensor:
    """Values from ``start`` (inclusive) to ``end`` (exclusive); integers give int64, floats the default dtype."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if is_int else _default_dtype
    return _factory(np.arange(start, end, step, dtype=_numpy_dtype(dtype)), requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _factory(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _factory(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False, generator: Any = None) -> Tensor:
    """Uniform samples on [0, 1) from the global generator."""
    rng = generator or get_generator()
    return _factory(rng.random(_size(size), dtype=np.float64).astype(_float_dtype(dtype)), requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False, generator: Any = None) -> Tensor:
    """Standard normal samples from the global generator."""
    rng = generator or get_generator()
    return _factory(rng.standard_normal(_size(size)).astype(_float_dtype(dtype)), requires_grad)


def randint(low: int, high: int | None = None, size: Any = None, dtype: Any = None,
            generator: Any = None) -> Tensor:
    """Integers uniform on [low, high), int64 (``randint(high, size)`` also works, as in PyTorch)."""
    if size is None:
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    rng = generator or get_generator()
    return Tensor._wrap(rng.integers(low, high, size=_size((size,) if isinstance(size, int) else (size,)),
                                     dtype=np.int64).astype(_numpy_dtype(dtype or np.int64)))


def randperm(n: int, generator: Any = None) -> Tensor:
    rng = generator or get_generator()
    return Tensor._wrap(rng.permutation(n).astype(np.int64))


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


def where(condition: Any, input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input`` where ``condition`` holds, else ``other`` (broadcast together)."""
    condition = condition._data if isinstance(condition, Tensor) else np.asarray(condition, dtype=bool)
    like = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else tensor(input)
    return ops.Where.apply(condition, like._operand(input), like._operand(other))


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> int:
    return t.numel()
