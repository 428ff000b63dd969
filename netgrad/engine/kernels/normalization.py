"""Batch and layer normalisation as single graph nodes."""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Function
from ..backend import array_module


def _channels_last(a, axis: int, like=None):
    """``a`` as a (values, channels) matrix when that is a view (the channel axis innermost in memory, as in a
    convolution's output), else None. With ``like``, the values are ordered as in ``like``'s matrix."""
    order = [k for k in range(a.ndim) if k != axis]
    order.sort(key=lambda k: -(a if like is None else like).strides[k])
    moved = a.transpose(*order, axis)
    return moved.reshape(-1, a.shape[axis]) if moved.flags.c_contiguous else None


def _channel_sum(a, axes: tuple, axis: int, b=None):
    """sum(a) or sum(a b) over every axis but the channel ``axis``. For channels-last data, as BLAS's product
    with a vector of ones, or one einsum for the product: a pass each, where NumPy's reduction over the outer
    axes of an array walks it in runs of one row of channels."""
    xp = array_module(a)
    matrix = _channels_last(a, axis) if a.ndim > 2 else None
    other = None if b is None or matrix is None else _channels_last(b, axis, like=a)
    if matrix is None or (b is not None and other is None):
        return (a if b is None else a * b).sum(axis=axes)
    if b is None:
        return xp.ones(matrix.shape[0], dtype=matrix.dtype) @ matrix
    return xp.einsum("ij,ij->j", matrix, other)


class BatchNorm(Function):
    """Batch normalisation over every axis but the channel ``axis``, with an optional affine transform.

    Training (batch statistics mu, var over the m values of each channel):
        x_hat = (x - mu) / sqrt(var + eps),  y = gamma x_hat + beta,
        dx = gamma / (m sqrt(var + eps)) * (m g - sum g - x_hat sum(g x_hat)),
        dgamma = sum(g x_hat),  dbeta = sum g.
    The running statistics are updated in place, with one of two conventions:
        "torch": running = (1 - momentum) running + momentum batch, the unbiased var * m / (m - 1) for the variance;
        "keras": running = momentum running + (1 - momentum) batch, the biased variance.
    Evaluation uses the running statistics as constants: dx = g gamma / sqrt(running_var + eps).
    """

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, training, momentum, eps, axis=1,
                convention="torch"):
        channels = x.shape[axis]
        shape = tuple(channels if i == axis else 1 for i in range(x.ndim))
        axes = tuple(i for i in range(x.ndim) if i != axis)
        count = x.size // channels
        if training:
            mean = _channel_sum(x, axes, axis) / count
            centered = x - mean.reshape(shape)
            var = _channel_sum(centered, axes, axis, centered) / count
            if convention == "torch":
                keep, take, take_var = 1 - momentum, momentum, momentum * count / max(count - 1, 1)
            else:
                keep, take, take_var = momentum, 1.0 - momentum, 1.0 - momentum
            if running_mean is not None:
                running_mean *= keep
                running_mean += take * mean
            if running_var is not None:
                running_var *= keep
                running_var += take_var * var
        else:
            mean, var = running_mean, running_var
            centered = x - mean.reshape(shape)
        inv_std = (1.0 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        x_hat = centered
        x_hat *= inv_std.reshape(shape)
        ctx.x_hat, ctx.inv_std, ctx.weight, ctx.training = x_hat, inv_std, weight, training
        ctx.shape, ctx.axes, ctx.count = shape, axes, count
        if weight is None:
            return x_hat.copy() if bias is None else x_hat + bias.reshape(shape)
        out = x_hat * weight.reshape(shape)
        if bias is not None:
            out += bias.reshape(shape)
        return out

    @staticmethod
    def backward(ctx, g):
        x_hat, inv_std, weight, shape, axes = ctx.x_hat, ctx.inv_std, ctx.weight, ctx.shape, ctx.axes
        need_x, need_w, need_b = ctx.inputs[:3]
        axis = next(k for k in range(g.ndim) if k not in axes)
        sum_g = _channel_sum(g, axes, axis)
        sum_g_xhat = _channel_sum(g, axes, axis, x_hat)
        grad_x = None
        if need_x is not None:
            scale = inv_std if weight is None else weight * inv_std
            if ctx.training:
                m = ctx.count
                grad_x = g * m
                grad_x -= sum_g.reshape(shape)
                grad_x -= x_hat * sum_g_xhat.reshape(shape)
                grad_x *= (scale / m).reshape(shape)
            else:
                grad_x = g * scale.reshape(shape)
        grad_w = sum_g_xhat if need_w is not None else None
        grad_b = sum_g if need_b is not None else None
        return grad_x, grad_w, grad_b, None, None, None, None, None


class LayerNorm(Function):
    """Normalisation over the last k axes of each sample: x_hat = (x - mu) / sqrt(var + eps), y = gamma x_hat + beta.

    dx = 1 / (n sqrt(var + eps)) * (n dx_hat - sum dx_hat - x_hat sum(dx_hat x_hat)) with dx_hat = g gamma,
    sums over the n normalised values of the sample; dgamma, dbeta sum g x_hat and g over the leading axes.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, k, eps):
        axes = tuple(range(x.ndim - k, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        x_hat = x - mean
        var = np.mean(x_hat * x_hat, axis=axes, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + eps)
        x_hat *= inv_std
        ctx.x_hat, ctx.inv_std, ctx.weight, ctx.axes = x_hat, inv_std, weight, axes
        if weight is None:
            return x_hat.copy() if bias is None else x_hat + bias
        out = x_hat * weight
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, g):
        x_hat, inv_std, weight, axes = ctx.x_hat, ctx.inv_std, ctx.weight, ctx.axes
        need_x, need_w, need_b = ctx.inputs[:3]
        leading = tuple(range(x_hat.ndim - len(axes)))
        grad_x = None
        if need_x is not None:
            dx_hat = g if weight is None else g * weight
            n = math.prod(x_hat.shape[a] for a in axes)
            grad_x = dx_hat * n
            grad_x -= dx_hat.sum(axis=axes, keepdims=True)
            grad_x -= x_hat * (dx_hat * x_hat).sum(axis=axes, keepdims=True)
            grad_x *= inv_std / n
        grad_w = (g * x_hat).sum(axis=leading) if need_w is not None else None
        grad_b = g.sum(axis=leading) if need_b is not None else None
        return grad_x, grad_w, grad_b, None, None
