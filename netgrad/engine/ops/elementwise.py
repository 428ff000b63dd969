"""Elementwise operations: arithmetic, unary functions, clamps, comparisons' selections; forward next to backward."""
from __future__ import annotations

import numpy as np

from ..autograd import Function, unbroadcast
from ..backend import array_module, device_of, to_device
from ..numerics import sigmoid_array, sigmoid_backward, tanh_backward


def _shape(x) -> tuple:
    return x.shape if type(x) is np.ndarray else np.shape(x)


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
    """a * b;  da = g * b, db = g * a. As PyTorch, b's values are kept only for da and a's only for db (so that
    ``y.add_(y * 2)`` may change y: a constant factor keeps nothing of it)."""

    @staticmethod
    def forward(ctx, a, b):
        inputs = ctx.inputs
        if inputs is not None:
            need_a, need_b = inputs
            ctx.a = a if need_b is not None else _shape(a)
            ctx.b = b if need_a is not None else _shape(b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.inputs
        a, b = ctx.a, ctx.b
        return (unbroadcast(g * b, a if need_b is None else _shape(a)) if need_a is not None else None,
                unbroadcast(g * a, b if need_a is None else _shape(b)) if need_b is not None else None)


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


class Sigmoid(Function):
    """sigma(x) = 1 / (1 + e^-x);  dx = g sigma(x) (1 - sigma(x))."""

    @staticmethod
    def forward(ctx, x):
        ctx.out = sigmoid_array(x)
        return ctx.out

    @staticmethod
    def backward(ctx, g):
        return sigmoid_backward(g, ctx.out)


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
        mask = array_module(x).ones(x.shape, dtype=bool)
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


class Cast(Function):
    """x as another floating dtype;  dx = g cast back."""

    @staticmethod
    def forward(ctx, x, dt):
        ctx.dtype = x.dtype
        return x.astype(dt)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.dtype), None


class Copy(Function):
    """The values of ``source`` (broadcast to the old tensor's shape, in its dtype), for ``copy_``, ``fill_``,
    ``zero_`` and the random fills;  d(old) = 0, d(source) = g summed back to its shape."""

    @staticmethod
    def forward(ctx, old, source):
        ctx.shape = np.shape(source)
        out = np.empty_like(old)
        out[...] = source
        return out

    @staticmethod
    def backward(ctx, g):
        need_old, need_source = ctx.inputs
        return (np.zeros_like(g) if need_old is not None else None,
                unbroadcast(g, ctx.shape) if need_source is not None else None)


class ToDevice(Function):
    """x copied to another device;  dx = g copied back."""

    @staticmethod
    def forward(ctx, x, kind, index):
        ctx.source = device_of(x)
        return to_device(x, kind, index)

    @staticmethod
    def backward(ctx, g):
        return to_device(g, *ctx.source), None, None
