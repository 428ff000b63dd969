"""Division with rounding: the remainder (Python's sign convention, as ``torch.remainder``); forward next to
backward. Floor division has no gradient in PyTorch, so it needs no Function (``Tensor.__floordiv__``)."""
from __future__ import annotations

import numpy as np

from ..autograd import Function, unbroadcast


class Remainder(Function):
    """a - floor(a / b) b (the sign of b);  da = g, db = -floor(a / b) g."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return np.mod(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.a, ctx.b
        need_a, need_b = ctx.inputs
        return (unbroadcast(g, np.shape(a)) if need_a is not None else None,
                unbroadcast(-np.floor_divide(a, b) * g, np.shape(b)) if need_b is not None else None)


class FloorDivide(Function):
    """floor(a / b): in the graph when an operand is (as in PyTorch), but with no derivative."""

    @staticmethod
    def forward(ctx, a, b):
        return np.floor_divide(a, b)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for floor_divide is not implemented (floor(a / b) is piecewise constant: "
                           "detach it, or use a / b for a gradient)")
