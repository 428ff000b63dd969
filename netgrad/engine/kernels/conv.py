"""Convolution as one matrix product (im2col), forward next to its hand-derived backward.

For an input x of shape (N, C, H, W) and a weight w of shape (O, C/G, kh, kw) (G groups), the input's
patches are copied once into the columns matrix, patch values down and output positions across:

    cols[(c, i, j), (n, p, q)] = x_pad[n, c, p*sh + i*dh, q*sw + j*dw]       K = C kh kw rows, M = N Ho Wo columns
    y = w (O x K) @ cols (K x M) + b                                         (one GEMM per group)

and the backward pass is two more products and the scatter-add of im2col's transpose (col2im):

    dw = dy (O x M) @ cols^T,   db = sum_M dy,   dcols = w^T @ dy,   dx = col2im(dcols).

The rows of cols are (c, i, j), the order of w's trailing axes, so w reshapes to a matrix for free; the
columns are (n, p, q), so the product has shape (O, N, Ho, Wo): the result is returned as its (N, O, Ho, Wo)
view without a copy (channel-major in memory), which the next layer reads as it is. A gradient that arrives
in that layout is a matrix without a copy too. A 1-D convolution is the 2-D one with a height of 1.
"""
from __future__ import annotations

import itertools

from ..autograd import Function
from ..backend import array_module


def output_size(size: int, kernel: int, stride: int, before: int, after: int, dilation: int) -> int:
    """floor((size + before + after - dilation (kernel - 1) - 1) / stride) + 1."""
    return (size + before + after - dilation * (kernel - 1) - 1) // stride + 1


def pad_channel_major(x, padding: tuple, fill: float = 0.0, size: tuple | None = None):
    """x (N, C, H, W) copied into a ``fill``-ed array of shape (C, N, H', W') with ``padding`` ((top, bottom),
    (left, right)) around it (rows or columns past ``size``, when given, are dropped); returned as its
    (N, C, H', W') view."""
    xp = array_module(x)
    (top, bottom), (left, right) = padding
    n, c, h, w = x.shape
    height, width = (h + top + bottom, w + left + right) if size is None else size
    out = xp.full((c, n, height, width), fill, dtype=x.dtype)
    rows, columns = min(h, height - top), min(w, width - left)
    out[:, :, top:top + rows, left:left + columns] = x[:, :, :rows, :columns].swapaxes(0, 1)
    return out.swapaxes(0, 1)


def _matrix(a, rows: int):
    """An (N, C, ...) array as the (C, N ...) matrix of ``rows`` rows: free for a channel-major array."""
    xp = array_module(a)
    return xp.reshape(a.swapaxes(0, 1), (rows, -1))


def im2col(x, kernel: tuple, stride: tuple, dilation: tuple, out_shape: tuple):
    """The (C kh kw, N Ho Wo) columns matrix of an already padded x (N, C, H, W): one strided copy."""
    xp = array_module(x)
    n, c = x.shape[:2]
    s_n, s_c, s_h, s_w = x.strides
    view = xp.lib.stride_tricks.as_strided(
        x, shape=(c, *kernel, n, *out_shape),
        strides=(s_c, s_h * dilation[0], s_w * dilation[1], s_n, s_h * stride[0], s_w * stride[1]))
    return xp.ascontiguousarray(view).reshape(c * kernel[0] * kernel[1], -1)


def col2im(cols, x_shape: tuple, kernel: tuple, stride: tuple, dilation: tuple, padding: tuple, out_shape: tuple):
    """The transpose of :func:`im2col`: each column entry added back where it was read; padding dropped.

    One strided addition per kernel offset (kh kw of them), each over the whole batch."""
    xp = array_module(cols)
    n, c, h, w = x_shape
    (top, bottom), (left, right) = padding
    (sh, sw), (dh, dw), (ho, wo) = stride, dilation, out_shape
    patches = cols.reshape(c, *kernel, n, ho, wo)
    grad = xp.zeros((c, n, h + top + bottom, w + left + right), dtype=cols.dtype)
    for i, j in itertools.product(range(kernel[0]), range(kernel[1])):
        grad[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw] += patches[:, i, j]
    return grad[:, :, top:top + h, left:left + w].swapaxes(0, 1)


class Convolution(Function):
    """y = conv(x, w) + b for 1-D (N, C, L) and 2-D (N, C, H, W) inputs, as one im2col GEMM per group.

    ``stride`` and ``dilation`` hold one entry per spatial axis, ``padding`` a (before, after) pair of zeros
    per spatial axis: ((top, bottom), (left, right)) in 2-D, ((before, after),) in 1-D.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation, groups):
        one_d = x.ndim == 3
        if one_d:
            x, weight = x[:, :, None, :], weight[:, :, None, :]
            stride, padding, dilation = (1, *stride), ((0, 0), *padding), (1, *dilation)
        out_channels, kernel = weight.shape[0], weight.shape[2:]
        n, _, h, w = x.shape
        (top, bottom), (left, right) = padding
        out_shape = (output_size(h, kernel[0], stride[0], top, bottom, dilation[0]),
                     output_size(w, kernel[1], stride[1], left, right, dilation[1]))
        if min(out_shape) < 1:
            raise ValueError(f"the padded input of size ({h + top + bottom} x {w + left + right}) is smaller than "
                             f"the dilated kernel ({dilation[0] * (kernel[0] - 1) + 1} x "
                             f"{dilation[1] * (kernel[1] - 1) + 1})")
        padded = pad_channel_major(x, padding) if top or bottom or left or right else x
        cols = im2col(padded, kernel, stride, dilation, out_shape)
        if groups == 1:
            out = weight.reshape(out_channels, -1) @ cols
        else:
            out = (weight.reshape(groups, out_channels // groups, -1) @ cols.reshape(groups, -1, cols.shape[1]))
            out = out.reshape(out_channels, -1)
        if bias is not None:
            out += bias[:, None]
        if ctx.inputs is not None:
            ctx.cols, ctx.weight, ctx.x_shape, ctx.one_d = cols, weight, x.shape, one_d
            ctx.geometry = (stride, padding, dilation, groups, out_shape)
        out = out.reshape(out_channels, n, *out_shape).swapaxes(0, 1)
        return out[:, :, 0, :] if one_d else out

    @staticmethod
    def backward(ctx, g):
        need_x, need_w, need_b = ctx.inputs[:3]
        weight, cols, one_d = ctx.weight, ctx.cols, ctx.one_d
        stride, padding, dilation, groups, out_shape = ctx.geometry
        out_channels = weight.shape[0]
        g = _matrix(g, out_channels)  # (O, N Ho Wo)
        grad_x = grad_w = grad_b = None
        if groups == 1:
            if need_w is not None:
                grad_w = (g @ cols.T).reshape(weight.shape)
            if need_x is not None:
                grad_cols = weight.reshape(out_channels, -1).T @ g
        else:
            g_groups = g.reshape(groups, out_channels // groups, -1)
            w_groups = weight.reshape(groups, out_channels // groups, -1)
            if need_w is not None:
                grad_w = (g_groups @ cols.reshape(groups, -1, cols.shape[1]).swapaxes(1, 2)).reshape(weight.shape)
            if need_x is not None:
                grad_cols = (w_groups.swapaxes(1, 2) @ g_groups).reshape(cols.shape)
        if need_x is not None:
            grad_x = col2im(grad_cols, ctx.x_shape, weight.shape[2:], stride, dilation, padding, out_shape)
        if need_b is not None:
            grad_b = g.sum(axis=1)
        if one_d:
            grad_x = None if grad_x is None else grad_x[:, :, 0, :]
            grad_w = None if grad_w is None else grad_w[:, :, 0, :]
        return grad_x, grad_w, grad_b, None, None, None, None


class ConvolutionReLU(Convolution):
    """relu(conv(x, w) + b) as one node, the ReLU in place on the product;  the gradient is masked by y > 0
    and then goes back as :class:`Convolution`'s."""

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation, groups):
        out = Convolution.forward(ctx, x, weight, bias, stride, padding, dilation, groups)
        array_module(out).maximum(out, 0, out=out)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        return Convolution.backward(ctx, g * (ctx.out > 0))
