"""Matrix products (batched, broadcasting, vectors) with their gradients."""
from __future__ import annotations

import numpy as np

from ..autograd import Function, ShapeError, unbroadcast
from ..backend import array_module


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


class Einsum(Function):
    """Einstein summation over explicit subscripts ("ij,jk->ik", no ellipsis: Tensor.einsum writes it out);
    d operand_i = the same summation of g with the other operands, out to operand i's subscripts (broadcast
    over letters only it had, summed where it was broadcast, and put on the diagonal for repeated letters)."""

    @staticmethod
    def forward(ctx, *operands, inputs, output):
        ctx.operands, ctx.subscripts, ctx.output = operands, inputs, output
        return np.einsum(",".join(inputs) + "->" + output, *operands, optimize=len(operands) > 2)

    @staticmethod
    def backward(ctx, g):
        operands, subscripts, output = ctx.operands, ctx.subscripts, ctx.output
        sizes = {}
        for x, letters in zip(operands, subscripts):
            for c, n in zip(letters, x.shape):
                sizes[c] = max(sizes.get(c, 1), n)
        grads = []
        for i, (x, letters) in enumerate(zip(operands, subscripts)):
            if ctx.inputs[i] is None:
                grads.append(None)
                continue
            others = [s for j, s in enumerate(subscripts) if j != i]
            unique = "".join(dict.fromkeys(letters))
            reached = "".join(c for c in unique if c in output or any(c in s for s in others))
            spec = ",".join([output] + others) + "->" + reached
            part = np.einsum(spec, g, *(o for j, o in enumerate(operands) if j != i), optimize=len(others) > 1)
            part = part.reshape([sizes[c] if c in reached else 1 for c in unique])
            own = [x.shape[letters.index(c)] for c in unique]
            part = np.broadcast_to(part, [sizes[c] for c in unique])
            part = unbroadcast(part, tuple(own))
            if len(unique) == len(letters):
                grads.append(part.transpose([unique.index(c) for c in letters]) if unique != letters else part)
            else:  # a repeated letter: part goes on that diagonal (advanced indexing works for CuPy too)
                xp = array_module(g)
                grid = [xp.arange(n).reshape((1,) * k + (n,) + (1,) * (len(unique) - k - 1))
                        for k, n in enumerate(part.shape)]
                grad = xp.zeros(x.shape, dtype=g.dtype)
                grad[tuple(grid[unique.index(c)] for c in letters)] = part
                grads.append(grad)
        return tuple(grads)
