"""The Tensor: an array plus the autograd bookkeeping, with PyTorch's names, semantics and repr."""
from __future__ import annotations

import math
import numbers
import weakref
from collections import namedtuple
from typing import Any, Iterable, Sequence

import numpy as np

from ..random import get_generator
from . import autograd, dtypes, ops
from .autograd import ShapeError, TensorBase
from .backend import StandinArray, array_module, device_of, is_on, placement, to_device
from .device import _CPU, device
from .dtypes import _DTYPES, _numpy_dtype, dtype
from .printing import format_tensor
from .products import ProductMethods
from .selecting import SelectMethods
from .shaping import ShapeMethods
from .tensor_math import MathMethods

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
            array = array.astype(dtypes._default_dtype)
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


class Size(tuple):
    """A tensor's shape, as ``torch.Size``: a tuple of ints with ``numel()``."""

    __slots__ = ()

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))

    def __repr__(self) -> str:
        return f"netgrad.Size({list(self)})"


def _axis(dim: Any, ndim: int) -> Any:
    if dim is None or isinstance(dim, (int, np.integer)):
        return dim
    return tuple(dim)


_python_scalar = (int, float, bool)

# ---------------------------------------------------------------------------------------------- the Tensor

_new = object.__new__
ReturnTypes = namedtuple("return_types", ["values", "indices"])


class Tensor(TensorBase, ShapeMethods, SelectMethods, ProductMethods, MathMethods):
    """A multi-dimensional array that records the operations applied to it, for reverse-mode autodiff.

    >>> a = netgrad.tensor([3.0], requires_grad=True)
    >>> (2 * a * a).backward()
    >>> a.grad
    tensor([12.])
    """

    __slots__ = ()
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
        if not isinstance(value, (Tensor, np.ndarray)):
            raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                            f"{type(value).__name__}")
        array = value._data if isinstance(value, Tensor) else value
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
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        return Size(self._data.shape) if dim is None else self._data.shape[dim]

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
        data = self._data
        if type(data) is np.ndarray:
            return _CPU
        return device(*device_of(data))

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

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
        data = self._host("numpy")
        return data if dtype is None else data.astype(dtype)

    def _host(self, what: str) -> np.ndarray:
        data = self._data
        if type(data) is not np.ndarray:
            raise TypeError(f"can't convert {self.device} device type tensor to {what}. Use Tensor.cpu() to copy the "
                            "tensor to host memory first.")
        return data

    # -------------------------------------------------------------------------------------- conversions

    def numpy(self) -> np.ndarray:
        """The underlying array itself (no copy; like PyTorch, it shares memory with the tensor)."""
        if self.requires_grad:
            raise RuntimeError("can't call numpy() on a tensor that requires grad; use tensor.detach().numpy()")
        return self._host("numpy")

    def item(self) -> Any:
        if self._data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, this one has shape {self._data.shape}")
        return self._data.item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def detach(self) -> "Tensor":
        """The same values outside the graph, sharing memory and the version counter (an in-place change of
        either is seen by a backward that saved the other, as in PyTorch; ``.data`` shares memory only)."""
        out = Tensor._wrap(self._data)
        out._changes = changes = autograd.shared_changes(self)
        if self._grad_fn is not None and len(changes) == 2:
            changes.append(weakref.ref(self))  # so that a change of ``out`` reaches the node that made ``self``
        return out

    def detach_(self) -> "Tensor":
        self._grad_fn = None
        self.requires_grad = False
        return self

    def clone(self) -> "Tensor":
        return ops.Mul.apply(self, 1) if self.requires_grad else Tensor._wrap(self._data.copy())

    def to(self, *args: Any, **kwargs: Any) -> "Tensor":
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)``: a copy on that device and
        of that dtype (differentiable), or this tensor itself when nothing changes."""
        target, where = kwargs.get("dtype"), kwargs.get("device")
        for a in args:
            if isinstance(a, Tensor):
                target, where = a.dtype, a.device
            elif isinstance(a, (str, device)) or (isinstance(a, int) and not isinstance(a, bool)):
                where = a
            elif a is not None:
                target = a
        out = self
        if where is not None:
            kind, index = placement(where)
            if not is_on(self._data, kind, index):
                out = ops.ToDevice.apply(self, kind, index) if self.requires_grad else \
                    Tensor._wrap(to_device(self._data, kind, index))
        if target is not None and _numpy_dtype(target) != out._data.dtype:
            out = out.type(target)
        return out

    def type(self, dt: Any) -> "Tensor":
        """A copy of the tensor with another dtype (differentiable between floating types)."""
        nd = _numpy_dtype(dt)
        if nd == self._data.dtype:
            return self
        if self.requires_grad and nd.kind == "f":
            return ops.Cast.apply(self, nd)
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
        return self.to("cpu")

    def cuda(self, device: Any = None) -> "Tensor":
        """A copy on the GPU (``cuda:0`` unless ``device`` names another)."""
        return self.to("cuda" if device is None else device if not isinstance(device, int) else f"cuda:{device}")

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
        autograd._retained[self._grad_fn] = weakref.ref(self)

    # ------------------------------------------------------------------------------------------ in place

    # In-place methods change this tensor's array and bump its version (see autograd.bump). In grad mode, when
    # the tensor or an operand needs a gradient, the change is also recorded: the operation runs on a copy of
    # the old values, its result is written into the array, and the tensor takes the new node as its grad_fn.

    def _recording(self, other: Any = None) -> bool:
        if not autograd._grad_state.enabled:
            return False
        if self.requires_grad:
            if self._grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            return True
        return isinstance(other, Tensor) and other.requires_grad

    def _record(self, function: type, *args: Any) -> "Tensor":
        """Make this tensor ``function(old self, *args)``: values written in place, node rebound."""
        old = Tensor._make(self._data.copy(), self._grad_fn)
        old.requires_grad = self.requires_grad
        out = function.apply(old, *args)
        data = self._data
        if out._data.shape != data.shape:
            raise RuntimeError(f"output with shape {list(data.shape)} doesn't match the broadcast shape "
                               f"{list(out._data.shape)}")
        np.copyto(data, out._data, casting="same_kind")
        autograd.bump(self)
        node = out._grad_fn
        node.before = old  # for the nodes that took this tensor before the change (autograd._inputs_as_made)
        self._grad_fn, self.requires_grad = node, True
        return self

    def _overwrite(self, source: Any) -> "Tensor":
        """copy_, fill_, zero_ and the random fills: every value replaced by (broadcast) ``source``."""
        if self._recording(source):
            return self._record(ops.Copy, source)
        self._data[...] = source._data if isinstance(source, Tensor) else source
        autograd.bump(self)
        return self

    def zero_(self) -> "Tensor":
        return self._overwrite(0)

    def fill_(self, value: Any) -> "Tensor":
        return self._overwrite(value)

    def copy_(self, source: Any) -> "Tensor":
        return self._overwrite(source)

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> "Tensor":
        return self._overwrite(get_generator().uniform(a, b, self._data.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> "Tensor":
        return self._overwrite(get_generator().normal(mean, std, self._data.shape))

    def _inplace(self, ufunc: np.ufunc, other: Any, function: type) -> "Tensor":
        if self._recording(other):
            return self._record(function, self._operand(other))
        ufunc(self._data, other._data if isinstance(other, Tensor) else other, out=self._data, casting="same_kind")
        autograd.bump(self)
        return self

    def add_(self, other: Any, alpha: Any = 1) -> "Tensor":
        return self._inplace(np.add, other if alpha == 1 else other * alpha, ops.Add)

    def sub_(self, other: Any, alpha: Any = 1) -> "Tensor":
        return self._inplace(np.subtract, other if alpha == 1 else other * alpha, ops.Sub)

    def mul_(self, other: Any) -> "Tensor":
        return self._inplace(np.multiply, other, ops.Mul)

    def div_(self, other: Any) -> "Tensor":
        return self._inplace(np.divide, other, ops.Div)

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":
        if self._recording():
            return self._record(ops.Clamp, min, max)
        np.clip(self._data, min, max, out=self._data)
        autograd.bump(self)
        return self

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    def __setitem__(self, key: Any, value: Any) -> None:
        key = _index_key(key)
        if self._recording(value):
            self._record(ops.SetItem, value._data if isinstance(value, Tensor) and not value.requires_grad
                         else value, key)
            return
        self._data[key] = value._data if isinstance(value, Tensor) else value
        autograd.bump(self)

    @property
    def _version(self) -> int:
        """How many times this tensor was changed in place (PyTorch's version counter)."""
        return autograd.version(self)

    # ---------------------------------------------------------------------------------------- arithmetic

    def _operand(self, other: Any) -> Any:
        """A Python scalar stays a (weakly typed) scalar; anything else becomes an array or Tensor."""
        if isinstance(other, Tensor) or type(other) in _python_scalar:
            return other
        if isinstance(other, numbers.Number) and not isinstance(other, np.ndarray):
            return other.item() if hasattr(other, "item") else other
        # a device's array (a GPU's, the stand-in's) stays where it is; the device check of the op compares it
        array = other if type(other) is StandinArray or type(other).__module__.startswith("cupy") else \
            np.asarray(other)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"unsupported operand for a tensor: {type(other).__name__} {other!r:.60}")
        if array.dtype.kind == "f" and self._data.dtype.kind == "f":
            array = array.astype(self._data.dtype, copy=False)  # arrays do not upcast a float32 tensor
        return array

    def _pair(self, other: Any) -> tuple:
        """``(self, other)`` cast to PyTorch's result type where NumPy's would differ: a Python float turns
        a bool or int tensor into the default float dtype, and two tensors follow :func:`_result_dtype`."""
        other = self._operand(other)
        if type(other) is float:
            return (self.type(dtypes._default_dtype) if self._data.dtype.kind in "biu" else self), other
        if isinstance(other, Tensor) and other._data.dtype is not self._data.dtype:
            dt = _result_dtype(self._data, other._data)
            return self.type(dt), other.type(dt)
        return self, other

    def __add__(self, other: Any) -> "Tensor":
        return ops.Add.apply(*self._pair(other))

    def __radd__(self, other: Any) -> "Tensor":
        a, b = self._pair(other)
        return ops.Add.apply(b, a)

    def __sub__(self, other: Any) -> "Tensor":
        return ops.Sub.apply(*self._pair(other))

    def __rsub__(self, other: Any) -> "Tensor":
        a, b = self._pair(other)
        return ops.Sub.apply(b, a)

    def __mul__(self, other: Any) -> "Tensor":
        return ops.Mul.apply(*self._pair(other))

    def __rmul__(self, other: Any) -> "Tensor":
        a, b = self._pair(other)
        return ops.Mul.apply(b, a)

    def __truediv__(self, other: Any) -> "Tensor":
        a, b = self._pair(other)
        if a._data.dtype.kind != "f" and not _is_float(b):  # int / int is a float, as in PyTorch
            a, b = a.type(dtypes._default_dtype), b.type(dtypes._default_dtype) if isinstance(b, Tensor) else b
        return ops.Div.apply(a, b)

    def __rtruediv__(self, other: Any) -> "Tensor":
        a, b = self._pair(other)
        if a._data.dtype.kind != "f" and not _is_float(b):
            a, b = a.type(dtypes._default_dtype), b.type(dtypes._default_dtype) if isinstance(b, Tensor) else b
        return ops.Div.apply(b, a)

    def __pow__(self, exponent: Any) -> "Tensor":
        return ops.Pow.apply(*self._pair(exponent))

    def __rpow__(self, base: Any) -> "Tensor":
        a, b = self._pair(base)
        return ops.Pow.apply(b, a)

    def __matmul__(self, other: Any) -> "Tensor":
        return ops.MatMul.apply(self, other if isinstance(other, Tensor) else Tensor(other, dtype=self.dtype))

    def __rmatmul__(self, other: Any) -> "Tensor":
        return ops.MatMul.apply(Tensor(other, dtype=self.dtype), self)

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

    def argmax(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None) -> "Tensor":
        dim, data = dim if axis is None else axis, self._data
        return Tensor._wrap(array_module(data).asarray(data.argmax(axis=dim, keepdims=keepdim), dtype=np.int64))

    def argmin(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None) -> "Tensor":
        dim, data = dim if axis is None else axis, self._data
        return Tensor._wrap(array_module(data).asarray(data.argmin(axis=dim, keepdims=keepdim), dtype=np.int64))

    def any(self, dim: int | None = None) -> "Tensor":
        return Tensor._wrap(array_module(self._data).asarray(self._data.any(axis=dim)))

    def all(self, dim: int | None = None) -> "Tensor":
        return Tensor._wrap(array_module(self._data).asarray(self._data.all(axis=dim)))

    def isnan(self) -> "Tensor":
        return Tensor._wrap(np.isnan(self._data))

    def isfinite(self) -> "Tensor":
        return Tensor._wrap(np.isfinite(self._data))

    def sign(self) -> "Tensor":
        return Tensor._wrap(np.sign(self._data))

    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08) -> bool:
        return bool(np.allclose(self._data, other._data if isinstance(other, Tensor) else other, rtol=rtol, atol=atol))

    def equal(self, other: Any) -> bool:
        return bool(np.array_equal(self._data, other._data if isinstance(other, Tensor) else other))

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

    def clamp(self, min: Any = None, max: Any = None) -> "Tensor":
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
        condition = condition._data if isinstance(condition, Tensor) else np.asarray(condition, dtype=bool)
        return ops.Where.apply(condition, self, self._operand(other))

    # ----------------------------------------------------------------------------------------- reductions

    def sum(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> "Tensor":
        return ops.Sum.apply(self, _axis(dim if axis is None else axis, self.ndim), keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> "Tensor":
        dim = dim if axis is None else axis
        if self._data.dtype.kind != "f":
            raise RuntimeError(f"mean() needs a floating-point tensor, got {self.dtype}; call .float() first")
        return ops.Mean.apply(self, _axis(dim, self.ndim), keepdim)

    def var(self, dim: Any = None, unbiased: bool = True, keepdim: bool = False, *,
            correction: Any = None, axis: Any = None) -> "Tensor":
        """Variance with Bessel's correction by default (divide by n - 1), as in PyTorch."""
        dim = dim if axis is None else axis
        correction = (1 if unbiased else 0) if correction is None else correction
        return ops.Var.apply(self, _axis(dim, self.ndim), correction, keepdim)

    def std(self, dim: Any = None, unbiased: bool = True, keepdim: bool = False, *,
            correction: Any = None, axis: Any = None) -> "Tensor":
        correction = (1 if unbiased else 0) if correction is None else correction
        return ops.Std.apply(self, _axis(dim if axis is None else axis, self.ndim), correction, keepdim)

    def prod(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None) -> "Tensor":
        return ops.Prod.apply(self, dim if axis is None else axis, keepdim)

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

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> Any:
        """Largest value; with ``dim``, the named tuple ``(values, indices)`` like PyTorch."""
        return self._extremum(dim if axis is None else axis, keepdim, True)

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> Any:
        """Smallest value; with ``dim``, the named tuple ``(values, indices)`` like PyTorch."""
        return self._extremum(dim if axis is None else axis, keepdim, False)

    def amax(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> "Tensor":
        dim = dim if axis is None else axis
        return self.max() if dim is None else self.max(dim, keepdim).values

    def amin(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> "Tensor":
        dim = dim if axis is None else axis
        return self.min() if dim is None else self.min(dim, keepdim).values

    def logsumexp(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None) -> "Tensor":
        return ops.LogSumExp.apply(self, _axis(dim if axis is None else axis, self.ndim), keepdim)

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
    def T(self) -> "Tensor":
        return ops.Permute.apply(self, tuple(reversed(range(self._data.ndim))))

    @property
    def mT(self) -> "Tensor":
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
        return format_tensor(self)

    def __format__(self, spec: str) -> str:
        """A 0-d tensor formats as its number (``f"{loss:>7f}"``), as in PyTorch."""
        return format(self._data.item(), spec) if self._data.ndim == 0 else object.__format__(self, spec)


def _index_key(key: Any) -> Any:
    """Tensors inside an index become arrays (so a[t] works like a[t.numpy()])."""
    if isinstance(key, Tensor):
        return key._data
    if isinstance(key, tuple):
        return tuple(k._data if isinstance(k, Tensor) else k for k in key)
    if isinstance(key, list):
        return np.asarray(key)
    return key



Tensor._result_type = Tensor

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def _is_float(operand: Any) -> bool:
    data = operand._data if isinstance(operand, Tensor) else operand
    return isinstance(data, float) or getattr(data, "dtype", np.dtype(int)).kind == "f"


def _result_dtype(x: np.ndarray, y: np.ndarray) -> np.dtype:
    """PyTorch's result type of two tensors: the higher category (bool < int < float) wins; within a
    category a dimensioned tensor's dtype wins over a 0-d tensor's, and otherwise the larger type."""
    cx, cy = _CATEGORY[x.dtype.kind], _CATEGORY[y.dtype.kind]
    if cx != cy:
        return x.dtype if cx > cy else y.dtype
    if (x.ndim == 0) != (y.ndim == 0):
        return y.dtype if x.ndim == 0 else x.dtype
    return np.promote_types(x.dtype, y.dtype)
