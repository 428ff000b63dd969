"""Matrix products (batched, broadcasting, vectors) with their gradients."""
from __future__ import annotations

import numpy as np

from ..autograd import Function, ShapeError, unbroadcast


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
