"""Convolution as one matrix product (im2col), forward next to its hand-derived backward.

For an input x of shape (N, C, H, W) and a weight w of shape (O, C/G, kh, kw) (G groups), the input is first
laid out batch-last, (C, H', W', N) with its zero padding, and its patches are copied once into the columns
matrix, patch values down and output positions across:

    cols[(c, i, j), (p, q, n)] = x_pad[n, c, p*sh + i*dh, q*sw + j*dw]     K = C kh kw rows, M = Ho Wo N columns
    y^T = [cols ; 1]^T (M x K+1) @ [w | b]^T (K+1 x O)                      (one GEMM; one per group)

and the backward pass is two more products and the scatter-add of im2col's transpose (col2im):

    [dw | db] = dy (O x M) @ [cols ; 1]^T,   dcols = w^T @ dy,   dx = col2im(dcols).

The row of ones carries the bias through the same GEMMs (no pass over the output to add it, none over the
gradient to sum it). The rows of cols are (c, i, j), the order of w's trailing axes, so w reshapes to a matrix
for free. The columns end with the batch: every copy in im2col and every addition in col2im then moves runs of
Wo N contiguous values (not Wo). The product, computed as its transpose of shape (Ho Wo N, O) (BLAS splits
that one better over threads), is returned as its (N, O, Ho, Wo) view without a copy: channels innermost.
Pooling and ReLU work in that layout as it is, and a gradient that comes back in it is a matrix without a
copy. A 1-D convolution is the 2-D one with a height of 1.
"""
from __future__ import annotations

import itertools

from ..autograd import Function
from ..backend import array_module


def output_size(size: int, kernel: int, stride: int, before: int, after: int, dilation: int) -> int:
    """floor((size + before + after - dilation (kernel - 1) - 1) / stride) + 1."""
    return (size + before + after - dilation * (kernel - 1) - 1) // stride + 1


def batch_last(x, padding: tuple = ((0, 0), (0, 0))):
    """x (N, C, H, W) as a C-contiguous (C, H', W', N) array with ``padding`` ((top, bottom), (left, right)) of
    zeros around each plane: a view when x already is one and there is no padding, else one copy."""
    xp = array_module(x)
    (top, bottom), (left, right) = padding
    moved = x.transpose(1, 2, 3, 0)
    if not (top or bottom or left or right):
        return xp.ascontiguousarray(moved)
    n, c, h, w = x.shape
    out = xp.zeros((c, h + top + bottom, w + left + right, n), dtype=x.dtype)
    out[:, top:top + h, left:left + w] = moved
    return out


def strided_view(x, shape: tuple, strides: tuple):
    """``as_strided`` that keeps x's array type (a device's array stays one)."""
    view = array_module(x).lib.stride_tricks.as_strided(x, shape=shape, strides=strides)
    return view if type(view) is type(x) else view.view(type(x))


def im2col(x, kernel: tuple, stride: tuple, dilation: tuple, out_shape: tuple, bias_row: bool = False):
    """The (C kh kw, Ho Wo N) columns matrix of a padded batch-last x (C, H', W', N): one strided copy; with
    ``bias_row``, one more row of ones below."""
    xp = array_module(x)
    c, n = x.shape[0], x.shape[3]
    s_c, s_h, s_w, s_n = x.strides
    view = strided_view(x, (c, *kernel, *out_shape, n),
                        (s_c, s_h * dilation[0], s_w * dilation[1], s_h * stride[0], s_w * stride[1], s_n))
    rows = c * kernel[0] * kernel[1]
    cols = xp.empty((rows + bias_row, out_shape[0] * out_shape[1] * n), dtype=x.dtype)
    cols[:rows].reshape(view.shape)[...] = view
    if bias_row:
        cols[rows] = 1
    return cols


def col2im(cols, x_shape: tuple, kernel: tuple, stride: tuple, dilation: tuple, padding: tuple, out_shape: tuple):
    """The transpose of :func:`im2col`: each column entry added back where it was read, padding dropped; the
    (N, C, H, W) result is a view of a batch-last array.

    One strided addition per kernel offset (kh kw of them), each over the whole batch."""
    xp = array_module(cols)
    n, c, h, w = x_shape
    (top, bottom), (left, right) = padding
    (sh, sw), (dh, dw), (ho, wo) = stride, dilation, out_shape
    patches = cols[:c * kernel[0] * kernel[1]].reshape(c, *kernel, ho, wo, n)
    grad = xp.zeros((c, h + top + bottom, w + left + right, n), dtype=cols.dtype)
    for i, j in itertools.product(range(kernel[0]), range(kernel[1])):
        grad[:, i * dh:i * dh + sh * (ho - 1) + 1:sh, j * dw:j * dw + sw * (wo - 1) + 1:sw] += patches[:, i, j]
    return grad[:, top:top + h, left:left + w].transpose(3, 0, 1, 2)


def _matrix(g, rows: int):
    """An (N, O, Ho, Wo) gradient as the (O, Ho Wo N) matrix: free when g is laid out (Ho, Wo, N, O) in memory
    (the output's layout; the matrix is then a transposed view) or (O, Ho, Wo, N), else one copy."""
    xp = array_module(g)
    if g.strides[1] < g.strides[0]:
        return xp.reshape(g.transpose(2, 3, 0, 1), (-1, rows)).T
    return xp.reshape(g.transpose(1, 2, 3, 0), (rows, -1))


class Convolution(Function):
    """y = conv(x, w) + b for 1-D (N, C, L) and 2-D (N, C, H, W) inputs, as one im2col GEMM per group.

    ``stride`` and ``dilation`` hold one entry per spatial axis, ``padding`` a (before, after) pair of zeros
    per spatial axis: ((top, bottom), (left, right)) in 2-D, ((before, after),) in 1-D.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation, groups):
        xp = array_module(x)
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
        bias_row = bias is not None and groups == 1
        cols = im2col(batch_last(x, padding), kernel, stride, dilation, out_shape, bias_row)
        matrix = weight.reshape(out_channels, -1)
        if bias_row:
            matrix = xp.concatenate((matrix, bias[:, None]), axis=1)
        if groups == 1:  # as y^T = cols^T @ [w | b]^T, which BLAS splits better over threads than w @ cols
            out = (cols.T @ matrix.T).reshape(*out_shape, n, out_channels).transpose(2, 3, 0, 1)
        else:
            out = (matrix.reshape(groups, out_channels // groups, -1) @ cols.reshape(groups, -1, cols.shape[1]))
            out = out.reshape(out_channels, *out_shape, n).transpose(3, 0, 1, 2)
            if bias is not None:
                out += bias[:, None, None]
        if ctx.inputs is not None:
            ctx.cols, ctx.weight, ctx.x_shape, ctx.one_d = cols, weight, x.shape, one_d
            ctx.geometry = (stride, padding, dilation, groups, out_shape)
        return out[:, :, 0, :] if one_d else out

    @staticmethod
    def backward(ctx, g):
        need_x, need_w, need_b = ctx.inputs[:3]
        weight, cols, one_d = ctx.weight, ctx.cols, ctx.one_d
        stride, padding, dilation, groups, out_shape = ctx.geometry
        out_channels = weight.shape[0]
        if one_d:
            g = g[:, :, None, :]
        g = _matrix(g, out_channels)  # (O, Ho Wo N)
        grad_x = grad_w = grad_b = None
        if groups == 1:
            if need_w is not None or need_b is not None:
                grad_wb = (cols @ g.T).T  # [dw | db] when cols ends with the row of ones
                grad_w = grad_wb[:, :weight[0].size].reshape(weight.shape)
                if need_b is not None:
                    grad_b = grad_wb[:, -1]
            if need_x is not None:
                grad_cols = weight.reshape(out_channels, -1).T @ g
        else:
            g_groups = g.reshape(groups, out_channels // groups, -1)
            w_groups = weight.reshape(groups, out_channels // groups, -1)
            if need_w is not None:
                grad_w = (g_groups @ cols.reshape(groups, -1, cols.shape[1]).swapaxes(1, 2)).reshape(weight.shape)
            if need_x is not None:
                grad_cols = (w_groups.swapaxes(1, 2) @ g_groups).reshape(cols.shape)
            if need_b is not None:
                grad_b = g.sum(axis=1)
        if need_x is not None:
            grad_x = col2im(grad_cols, ctx.x_shape, weight.shape[2:], stride, dilation, padding, out_shape)
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
