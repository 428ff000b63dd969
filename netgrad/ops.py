"""Primitive differentiable operations: each a :class:`~netgrad.autograd.Function`, forward next to backward.

Sections: elementwise, reductions, shape, matmul and the fused ``linear``. Every ``forward`` takes and returns
NumPy arrays; every ``backward`` returns one gradient per positional input (``None`` where the input does
not need one: ``ctx.inputs[i] is None``). Composite operations are built from these in ``tensor.py``.
"""
from __future__ import annotations

import math

import numpy as np

from .autograd import Function, ShapeError, unbroadcast

# ------------------------------------------------------------------------------------------- elementwise


def _shape(x) -> tuple:
    return x.shape if type(x) is np.ndarray else np.shape(x)


def _constant(value: float) -> dict:
    """``value`` as a read-only 0-d array of each float dtype. A ufunc takes such an operand as it is,
    where a Python number is converted anew on every call (which costs more than the arithmetic on a small
    array); the result is the same, as NumPy casts the number to the array's dtype either way."""
    arrays = {}
    for dtype in (np.float16, np.float32, np.float64):
        array = np.full((), value, dtype)
        array.flags.writeable = False
        arrays[np.dtype(dtype)] = array
    return arrays


_ZERO, _ONE = _constant(0.0), _constant(1.0)


class Add(Function):
    """a + b;  da = g, db = g (summed over broadcast axes)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (_shape(a), _shape(b))
        return a + b

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.inputs
        shape_a, shape_b = ctx.shapes
        return (unbroadcast(g, shape_a) if need_a is not None else None,
                unbroadcast(g, shape_b) if need_b is not None else None)


class Sub(Function):
    """a - b;  da = g, db = -g."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (_shape(a), _shape(b))
        return a - b

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.inputs
        shape_a, shape_b = ctx.shapes
        return (unbroadcast(g, shape_a) if need_a is not None else None,
                unbroadcast(-g, shape_b) if need_b is not None else None)


class Mul(Function):
    """a * b;  da = g * b, db = g * a."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return a * b

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.inputs
        a, b = ctx.a, ctx.b
        return (unbroadcast(g * b, _shape(a)) if need_a is not None else None,
                unbroadcast(g * a, _shape(b)) if need_b is not None else None)


class Div(Function):
    """a / b;  da = g / b, db = -g * a / b^2."""

    @staticmethod
    def forward(ctx, a, b):
        out = a / b
        ctx.a, ctx.b, ctx.out = a, b, out
        return out

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.inputs
        a, b = ctx.a, ctx.b
        return (unbroadcast(g / b, _shape(a)) if need_a is not None else None,
                unbroadcast(-g * ctx.out / b, _shape(b)) if need_b is not None else None)


class Pow(Function):
    """a ** b;  da = g * b * a^(b-1), db = g * a^b * ln(a)."""

    @staticmethod
    def forward(ctx, a, b):
        out = a ** b
        ctx.a, ctx.b, ctx.out = a, b, out
        return out

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.inputs
        a, b = ctx.a, ctx.b
        grad_a = grad_b = None
        if need_a is not None:
            grad_a = unbroadcast(g * b * a ** (b - 1), _shape(a))
        if need_b is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                grad_b = unbroadcast(g * ctx.out * np.log(a), _shape(b))
        return grad_a, grad_b


class Neg(Function):
    """-x;  dx = -g."""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


class Exp(Function):
    """e^x;  dx = g * e^x."""

    @staticmethod
    def forward(ctx, x):
        ctx.out = np.exp(x)
        return ctx.out

    @staticmethod
    def backward(ctx, g):
        return g * ctx.out


class Log(Function):
    """ln x;  dx = g / x."""

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        return g / ctx.x


class Sqrt(Function):
    """sqrt(x);  dx = g / (2 sqrt(x))."""

    @staticmethod
    def forward(ctx, x):
        ctx.out = np.sqrt(x)
        return ctx.out

    @staticmethod
    def backward(ctx, g):
        return g / (2 * ctx.out)


class Abs(Function):
    """|x|;  dx = g * sign(x) (0 at 0, like PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        return g * np.sign(ctx.x)


class Sin(Function):
    """sin x;  dx = g cos x."""

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        return g * np.cos(ctx.x)


class Cos(Function):
    """cos x;  dx = -g sin x."""

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        return -g * np.sin(ctx.x)


class Tanh(Function):
    """tanh x;  dx = g (1 - tanh^2 x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.out = np.tanh(x)
        return ctx.out

    @staticmethod
    def backward(ctx, g):
        return tanh_backward(g, ctx.out)


def tanh_backward(g: np.ndarray, out: np.ndarray) -> np.ndarray:
    """g (1 - y^2) for y = tanh x (also used by the fused Linear + Tanh node)."""
    return g * (_ONE.get(out.dtype, 1) - out * out)


def sigmoid_array(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Stable logistic function 1 / (1 + e^-x) = exp(-log(1 + e^-x)); logaddexp never overflows.

    ``out`` (which may be ``x`` itself) receives the result instead of a new array."""
    out = np.negative(x, out=out)
    np.logaddexp(_ZERO.get(out.dtype, 0), out, out=out)
    np.negative(out, out=out)
    return np.exp(out, out=out)


class Sigmoid(Function):
    """sigma(x) = 1 / (1 + e^-x);  dx = g sigma(x) (1 - sigma(x))."""

    @staticmethod
    def forward(ctx, x):
        ctx.out = sigmoid_array(x)
        return ctx.out

    @staticmethod
    def backward(ctx, g):
        return sigmoid_backward(g, ctx.out)


def sigmoid_backward(g: np.ndarray, out: np.ndarray) -> np.ndarray:
    """g y (1 - y) for y = sigma(x) (also used by the fused Linear + Sigmoid node)."""
    return g * out * (_ONE.get(out.dtype, 1) - out)


class ReLU(Function):
    """max(x, 0);  dx = g where x > 0, else 0."""

    @staticmethod
    def forward(ctx, x):
        ctx.out = np.maximum(x, 0)
        return ctx.out

    @staticmethod
    def backward(ctx, g):
        return g * (ctx.out > 0)


class Clamp(Function):
    """min(max(x, low), high);  dx = g where low <= x <= high (PyTorch's convention at the edges)."""

    @staticmethod
    def forward(ctx, x, low, high):
        ctx.x, ctx.low, ctx.high = x, low, high
        return np.clip(x, low, high)

    @staticmethod
    def backward(ctx, g):
        x, low, high = ctx.x, ctx.low, ctx.high
        mask = np.ones(x.shape, dtype=bool)
        if low is not None:
            mask &= x >= low
        if high is not None:
            mask &= x <= high
        return g * mask, None, None


class Maximum(Function):
    """max(a, b) elementwise; ties split the gradient evenly (as PyTorch does)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        return _split_extremum(ctx, g, ctx.a > ctx.b)


class Minimum(Function):
    """min(a, b) elementwise; ties split the gradient evenly (as PyTorch does)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        return _split_extremum(ctx, g, ctx.a < ctx.b)


def _split_extremum(ctx, g, a_wins):
    a, b = ctx.a, ctx.b
    tie = a == b
    share = np.where(tie, g / 2, g)
    need_a, need_b = ctx.inputs
    return (unbroadcast(np.where(a_wins | tie, share, 0), _shape(a)) if need_a is not None else None,
            unbroadcast(np.where(a_wins & ~tie, 0, share), _shape(b)) if need_b is not None else None)


class Where(Function):
    """condition ? a : b;  da = g where condition, db = g elsewhere."""

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.condition, ctx.shapes = condition, (_shape(a), _shape(b))
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, g):
        _, need_a, need_b = ctx.inputs
        condition = ctx.condition
        shape_a, shape_b = ctx.shapes
        return (None,
                unbroadcast(np.where(condition, g, 0), shape_a) if need_a is not None else None,
                unbroadcast(np.where(condition, 0, g), shape_b) if need_b is not None else None)


# -------------------------------------------------------------------------------------------- reductions


def _expand_reduced(g, shape, axis, keepdim):
    """Broadcast the gradient of a reduction over ``axis`` back to the input ``shape``."""
    if not keepdim and axis is not None:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, shape)


class Sum(Function):
    """sum over axis;  dx = g broadcast back."""

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.shape, ctx.axis, ctx.keepdim = x.shape, axis, keepdim
        return np.asarray(x.sum(axis=axis, keepdims=keepdim))

    @staticmethod
    def backward(ctx, g):
        return _expand_reduced(g, ctx.shape, ctx.axis, ctx.keepdim), None, None


class Mean(Function):
    """mean over axis (n elements each);  dx = g / n broadcast back."""

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.shape, ctx.axis, ctx.keepdim = x.shape, axis, keepdim
        out = np.asarray(x.mean(axis=axis, keepdims=keepdim))
        ctx.count = x.size // out.size if out.size else 1
        return out

    @staticmethod
    def backward(ctx, g):
        return _expand_reduced(g / ctx.count, ctx.shape, ctx.axis, ctx.keepdim), None, None


class Var(Function):
    """sum((x - mean)^2) / (n - correction);  dx = g * 2 (x - mean) / (n - correction)."""

    @staticmethod
    def forward(ctx, x, axis, correction, keepdim):
        mean = x.mean(axis=axis, keepdims=True)
        n = x.size // mean.size
        ctx.centered, ctx.divisor, ctx.kept_shape = x - mean, max(n - correction, 0), mean.shape
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(x.var(axis=axis, ddof=correction, keepdims=keepdim))

    @staticmethod
    def backward(ctx, g):
        g = g.reshape(ctx.kept_shape)
        scale = 2 / ctx.divisor if ctx.divisor else math.nan  # one sample, correction 1: nan, as in PyTorch
        return g * scale * ctx.centered, None, None, None


class Std(Function):
    """sqrt(var);  dx = g * (x - mean) / ((n - correction) std)."""

    @staticmethod
    def forward(ctx, x, axis, correction, keepdim):
        mean = x.mean(axis=axis, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            std = np.sqrt(x.var(axis=axis, ddof=correction, keepdims=True))
        ctx.centered, ctx.divisor, ctx.std = x - mean, max(x.size // mean.size - correction, 0), std
        return std if keepdim else np.squeeze(std, axis)

    @staticmethod
    def backward(ctx, g):
        g = g.reshape(ctx.std.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * ctx.centered / (ctx.divisor * ctx.std), None, None, None


class Prod(Function):
    """product over axis;  dx_i = g * prod_{j != i} x_j (exclusive cumulative products, so zeros are exact)."""

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.x, ctx.axis, ctx.keepdim = x, axis, keepdim
        return np.asarray(x.prod(axis=axis, keepdims=keepdim))

    @staticmethod
    def backward(ctx, g):
        x, axis = ctx.x, ctx.axis
        flat = x.reshape(-1) if axis is None else np.moveaxis(x, axis, -1)
        ones = np.ones(flat.shape[:-1] + (1,), dtype=x.dtype)
        before = np.concatenate([ones, np.cumprod(flat, axis=-1)[..., :-1]], axis=-1)
        after = np.concatenate([np.cumprod(flat[..., ::-1], axis=-1)[..., -2::-1], ones], axis=-1) \
            if flat.shape[-1] > 1 else ones
        others = before * after
        others = others.reshape(x.shape) if axis is None else np.moveaxis(others, -1, axis)
        return _expand_reduced(g, x.shape, axis, ctx.keepdim) * others, None, None


class Extremum(Function):
    """max / min along an axis, given the winning indices;  dx = g at each winner, 0 elsewhere."""

    @staticmethod
    def forward(ctx, x, indices, axis, keepdim):
        ctx.shape, ctx.indices, ctx.axis, ctx.keepdim = x.shape, indices, axis, keepdim
        index = np.expand_dims(indices, axis)
        out = np.take_along_axis(x, index, axis)
        return out if keepdim else np.squeeze(out, axis)

    @staticmethod
    def backward(ctx, g):
        axis = ctx.axis
        grad = np.zeros(ctx.shape, dtype=g.dtype)
        index = np.expand_dims(ctx.indices, axis)
        np.put_along_axis(grad, index, g if ctx.keepdim else np.expand_dims(g, axis), axis)
        return grad, None, None, None


class ExtremumAll(Function):
    """max / min of all elements;  ties share the gradient evenly (like PyTorch's amax)."""

    @staticmethod
    def forward(ctx, x, largest):
        out = np.asarray(x.max() if largest else x.min())
        ctx.mask = x == out
        return out

    @staticmethod
    def backward(ctx, g):
        mask = ctx.mask
        return g * mask / mask.sum(), None


class LogSumExp(Function):
    """log sum exp x over axis, computed as m + log sum exp(x - m);  dx = g * softmax(x)."""

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        m = x.max(axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        out = np.log(np.exp(x - m).sum(axis=axis, keepdims=True)) + m
        ctx.x, ctx.out, ctx.axis, ctx.keepdim = x, out, axis, keepdim
        return out if keepdim else np.squeeze(out, axis)

    @staticmethod
    def backward(ctx, g):
        g = g.reshape(ctx.out.shape)
        return g * np.exp(ctx.x - ctx.out), None, None


def softmax_array(x: np.ndarray, axis: int) -> np.ndarray:
    """exp(x - max) / sum exp(x - max): never overflows."""
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


def log_softmax_array(x: np.ndarray, axis: int) -> np.ndarray:
    """x - logsumexp(x): exact for logits of any size."""
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


class Softmax(Function):
    """y = softmax(x);  dx = y * (g - sum(g * y))."""

    @staticmethod
    def forward(ctx, x, axis):
        ctx.out, ctx.axis = softmax_array(x, axis), axis
        return ctx.out

    @staticmethod
    def backward(ctx, g):
        y = ctx.out
        return y * (g - (g * y).sum(axis=ctx.axis, keepdims=True)), None


class LogSoftmax(Function):
    """y = log softmax(x);  dx = g - softmax(x) * sum(g)."""

    @staticmethod
    def forward(ctx, x, axis):
        ctx.out, ctx.axis = log_softmax_array(x, axis), axis
        return ctx.out

    @staticmethod
    def backward(ctx, g):
        return g - np.exp(ctx.out) * g.sum(axis=ctx.axis, keepdims=True), None


# ------------------------------------------------------------------------------------------------- shape


class Reshape(Function):
    """reshape;  dx = g reshaped back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None


class Permute(Function):
    """axes permutation (transpose);  dx = g permuted by the inverse permutation."""

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        return g.transpose(np.argsort(ctx.axes)), None


class Expand(Function):
    """broadcast to a larger shape;  dx = g summed over the broadcast axes."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return unbroadcast(g, ctx.shape), None


class Concatenate(Function):
    """cat along an axis;  each input gets its slice of g."""

    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.axis = axis
        ctx.splits = np.cumsum([a.shape[axis] for a in arrays])[:-1]
        return np.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return tuple(np.split(g, ctx.splits, axis=ctx.axis))


class Stack(Function):
    """stack along a new axis;  input i gets g[..., i, ...]."""

    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.axis = axis
        return np.stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return tuple(np.moveaxis(g, ctx.axis, 0))


def _is_basic_index(key) -> bool:
    items = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or isinstance(k, (int, slice, np.integer)) for k in items)


class Index(Function):
    """x[key] (basic or advanced);  dx = g scattered back, repeated indices accumulating."""

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.dtype, ctx.key = x.shape, x.dtype, key
        return x[key]

    @staticmethod
    def backward(ctx, g):
        grad = np.zeros(ctx.shape, dtype=g.dtype)
        if _is_basic_index(ctx.key):
            grad[ctx.key] = g
        else:
            np.add.at(grad, ctx.key, g)
        return grad, None


# ------------------------------------------------------------------------------------------------ matmul


class MatMul(Function):
    """a @ b for 1-D, 2-D and batched operands;  da = g @ b^T, db = a^T @ g."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        if a.ndim == 0 or b.ndim == 0:
            raise ShapeError("matmul: both arguments need at least 1 dimension, "
                             f"got shapes {a.shape} and {b.shape}")
        if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            raise ShapeError(
                f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied "
                f"({a.shape[-1]} columns vs {b.shape[-2 if b.ndim > 1 else 0]} rows)")
        return a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.a, ctx.b
        need_a, need_b = ctx.inputs
        # Treat vectors as matrices (a: 1 x k, b: k x 1) and restore the axes matmul dropped from g.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if b.ndim == 1:
            g = g[..., None]
        if a.ndim == 1:
            g = g[..., None, :]
        grad_a = grad_b = None
        if need_a is not None:
            grad_a = unbroadcast(g @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if need_b is not None:
            grad_b = unbroadcast(np.swapaxes(a2, -1, -2) @ g, b2.shape).reshape(b.shape)
        return grad_a, grad_b


# ------------------------------------------------------------------------------------------------- fused


_ROW_ONES: dict = {}  # dtype -> the last vector of ones column_sums needed


def column_sums(g: np.ndarray) -> np.ndarray:
    """sum_i g_ij of a 2-D array, as the product 1^T g: one BLAS call, which costs less than a reduction
    along axis 0 does on a small array (a bias gradient)."""
    ones = _ROW_ONES.get(g.dtype)
    if ones is None or ones.shape[0] != g.shape[0]:
        ones = _ROW_ONES[g.dtype] = np.ones(g.shape[0], g.dtype)
    return ones @ g


class Linear(Function):
    """y = x W^T + b (W: out x in), one node;  dx = g W, dW = g^T x, db = sum_rows g."""

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        if x.shape[-1] != weight.shape[1]:
            raise ShapeError(f"linear: input has {x.shape[-1]} features (shape {x.shape}) but the weight "
                             f"expects {weight.shape[1]} (weight shape {weight.shape})")
        ctx.x, ctx.weight = x, weight
        out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, g):
        inputs = ctx.inputs
        x, weight = ctx.x, ctx.weight
        grad_x = g @ weight if inputs[0] is not None else None
        if g.ndim != 2:
            g = g.reshape(-1, g.shape[-1])
            x = x.reshape(-1, x.shape[-1])
        grad_w = g.T @ x if inputs[1] is not None else None
        grad_b = column_sums(g) if len(inputs) > 2 and inputs[2] is not None else None
        return grad_x, grad_w, grad_b
