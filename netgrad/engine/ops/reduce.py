"""Reductions: sum, mean, var, std, prod, max/min, log-sum-exp, softmax; forward next to backward."""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..backend import array_module
from ..numerics import log_softmax_array, softmax_array


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
        return x.sum(axis=axis, keepdims=keepdim)  # a NumPy scalar for a full sum: apply makes it an array

    @staticmethod
    def backward(ctx, g):
        return _expand_reduced(g, ctx.shape, ctx.axis, ctx.keepdim), None, None


class Mean(Function):
    """mean over axis (n elements each);  dx = g / n broadcast back."""

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.shape, ctx.axis, ctx.keepdim = x.shape, axis, keepdim
        out = x.mean(axis=axis, keepdims=keepdim)
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
            return x.var(axis=axis, ddof=correction, keepdims=keepdim)

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
        return x.prod(axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        x, axis = ctx.x, ctx.axis
        flat = x.reshape(-1) if axis is None else np.moveaxis(x, axis, -1)
        ones = array_module(x).ones(flat.shape[:-1] + (1,), dtype=x.dtype)
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
        grad = array_module(g).zeros(ctx.shape, dtype=g.dtype)
        index = np.expand_dims(ctx.indices, axis)
        np.put_along_axis(grad, index, g if ctx.keepdim else np.expand_dims(g, axis), axis)
        return grad, None, None, None


class ExtremumAll(Function):
    """max / min of all elements;  ties share the gradient evenly (like PyTorch's amax)."""

    @staticmethod
    def forward(ctx, x, largest):
        out = x.max(keepdims=True).reshape(()) if largest else x.min(keepdims=True).reshape(())
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


class CumSum(Function):
    """y_i = sum_{j <= i} x_j along axis;  dx_i = sum_{j >= i} g_j (a reversed cumulative sum)."""

    @staticmethod
    def forward(ctx, x, axis):
        ctx.axis = axis
        return np.cumsum(x, axis=axis)

    @staticmethod
    def backward(ctx, g):
        axis = ctx.axis
        return np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis), None


class CumProd(Function):
    """y_i = prod_{j <= i} x_j along axis;  dx_i = sum_{j >= i} g_j prod_{k <= j, k != i} x_k.

    Without zeros that is sum_{j >= i} g_j y_j / x_i; with a zero, each position is recomputed with x_i = 1."""

    @staticmethod
    def forward(ctx, x, axis):
        ctx.x, ctx.axis = x, axis
        ctx.out = np.cumprod(x, axis=axis)
        return ctx.out

    @staticmethod
    def backward(ctx, g):
        x, axis, out = ctx.x, ctx.axis, ctx.out
        if x.all():
            return np.flip(np.cumsum(np.flip(g * out, axis), axis=axis), axis) / x, None
        moved, g_moved = np.moveaxis(x, axis, -1), np.moveaxis(g, axis, -1)
        grad = np.empty_like(moved)
        for i in range(moved.shape[-1]):
            others = moved.copy()
            others[..., i] = 1
            grad[..., i] = (g_moved[..., i:] * np.cumprod(others, axis=-1)[..., i:]).sum(-1)
        return np.moveaxis(grad, -1, axis), None
