"""Fully connected layers as single graph nodes: y = x W^T + b (or x W + b for a weight kept (in, out), as Keras's
kernel is), alone or fused with ReLU, sigmoid or tanh."""
from __future__ import annotations

import numpy as np

from ..autograd import Function, ShapeError
from ..backend import array_module
from ..numerics import sigmoid_array, sigmoid_backward, tanh_backward

_ROW_ONES: dict = {}  # dtype -> the last vector of ones column_sums needed


def column_sums(g: np.ndarray) -> np.ndarray:
    """sum_i g_ij of a 2-D array, as the product 1^T g: one BLAS call, which costs less than a reduction
    along axis 0 does on a small array (a bias gradient)."""
    ones = _ROW_ONES.get(g.dtype)
    if ones is None or ones.shape[0] != g.shape[0] or type(ones) is not type(g):
        ones = _ROW_ONES[g.dtype] = array_module(g).ones(g.shape[0], g.dtype)
    return ones @ g


class Linear(Function):
    """y = x W^T + b with W (out, in), or y = x W + b with W (in, out) when ``weight_in_out`` (Keras's kernel);
    one node.  dx = g W (g W^T), dW = g^T x (x^T g), db = sum_rows g."""

    fresh_gradients = True

    @staticmethod
    def forward(ctx, x, weight, bias=None, weight_in_out=False):
        if weight_in_out:
            weight = weight.T  # an (out, in) view: the rest is the same for both layouts
        if x.shape[-1] != weight.shape[1]:
            shape = f"{weight.T.shape}, (in, out)" if weight_in_out else f"{weight.shape}"
            raise ShapeError(f"linear: input has {x.shape[-1]} features (shape {x.shape}) but the weight "
                             f"expects {weight.shape[1]} (weight shape {shape})")
        ctx.x, ctx.weight, ctx.weight_in_out = x, weight, weight_in_out
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
        grad_w = None
        if inputs[1] is not None:
            grad_w = x.T @ g if ctx.weight_in_out else g.T @ x
        grad_b = column_sums(g) if len(inputs) > 2 and inputs[2] is not None else None
        return grad_x, grad_w, grad_b


class LinearReLU(Function):
    """y = max(x W^T + b, 0) as one node (what ``Sequential`` runs for Linear then ReLU);
    dz = g (y > 0), then the linear map's backward with dz. ``weight_in_out`` as in :class:`Linear`.

    The linear map is the Function in ``linear``; its output is a fresh array, so the activation overwrites it
    in place."""

    fresh_gradients = True

    linear: type[Function] = Linear

    @staticmethod
    def forward(ctx, x, weight, bias=None, weight_in_out=False):
        linear = ctx.linear
        out = linear.forward(ctx, x, weight, bias, True) if weight_in_out else linear.forward(ctx, x, weight, bias)
        ctx.out = np.maximum(out, 0, out=out)
        return out

    @staticmethod
    def backward(ctx, g):
        return ctx.linear.backward(ctx, g * (ctx.out > 0))


class LinearSigmoid(Function):
    """y = sigmoid(x W^T + b) as one node;  dz = g y (1 - y), then the linear map's backward with dz."""

    fresh_gradients = True

    linear: type[Function] = Linear

    @staticmethod
    def forward(ctx, x, weight, bias=None, weight_in_out=False):
        linear = ctx.linear
        out = linear.forward(ctx, x, weight, bias, True) if weight_in_out else linear.forward(ctx, x, weight, bias)
        ctx.out = sigmoid_array(out, out=out)
        return out

    @staticmethod
    def backward(ctx, g):
        return ctx.linear.backward(ctx, sigmoid_backward(g, ctx.out))


class LinearTanh(Function):
    """y = tanh(x W^T + b) as one node;  dz = g (1 - y^2), then the linear map's backward with dz."""

    fresh_gradients = True

    linear: type[Function] = Linear

    @staticmethod
    def forward(ctx, x, weight, bias=None, weight_in_out=False):
        linear = ctx.linear
        out = linear.forward(ctx, x, weight, bias, True) if weight_in_out else linear.forward(ctx, x, weight, bias)
        ctx.out = np.tanh(out, out=out)
        return out

    @staticmethod
    def backward(ctx, g):
        return ctx.linear.backward(ctx, tanh_backward(g, ctx.out))
