"""Pooling: max (keeping its argmax), average and adaptive average, forward next to backward.

Every pooling acts on each (n, c) plane alone, so the kernels work on whichever of (N, C) or (C, N) order
the input has in memory (a convolution's output is channel-major) and hand back the same order. The cells
of every kh x kw window are copied once (one strided pass) into a contiguous array, one row per kernel
offset (i, j):

    cells[(i, j), (n, c, p, q)] = x_pad[n, c, p*sh + i*dh, q*sw + j*dw],

so a pooling is kh kw contiguous passes over the output, never a Python loop over the batch or the
positions; the backward pass writes the cells' gradients back the same way (col2im's pattern).
Output sizes follow PyTorch: floor((H + 2p - d (k - 1) - 1) / s) + 1, or the ceiling with ``ceil_mode``
(minus one when the last window would start in the right padding), with (before, after) padding per axis
(PyTorch pads both sides alike; Keras' 'same' puts the odd cell after). 1-D pooling is 2-D with a height of 1.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from ..autograd import Function
from .conv import array_module, pad_channel_major


def pooled_size(size: int, kernel: int, stride: int, padding: tuple, dilation: int, ceil_mode: bool) -> int:
    """The number of windows along one axis with (before, after) ``padding`` (PyTorch's rule for ``ceil_mode``)."""
    span = size + padding[0] + padding[1] - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding[0]:
        out -= 1
    return out


def _planes_first(x):
    """x (A, B, H, W) with A and B swapped when B is the outer one in memory, and whether they were."""
    swapped = x.strides[1] > x.strides[0]
    return (x.swapaxes(0, 1) if swapped else x), swapped


def _geometry(x_shape: tuple, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple, ceil_mode: bool):
    """Output size, and the padded size the windows read: (Ho, Wo), (H', W')."""
    out = tuple(pooled_size(x_shape[2 + a], kernel[a], stride[a], padding[a], dilation[a], ceil_mode)
                for a in range(2))
    if min(out) < 1:
        raise ValueError(f"the input of spatial size {tuple(x_shape[2:])} with padding {padding} is smaller than "
                         f"the pooling window {kernel}; the output would be empty")
    needed = tuple((out[a] - 1) * stride[a] + dilation[a] * (kernel[a] - 1) + 1 for a in range(2))
    return out, needed


def _windowed(x, padding: tuple, needed: tuple, fill: float):
    """x's planes with ``padding`` around and cropped or filled to the ``needed`` size the windows cover."""
    (top, left), (height, width) = (padding[0][0], padding[1][0]), needed
    if top == 0 and left == 0 and height <= x.shape[2] and width <= x.shape[3]:
        return x
    return pad_channel_major(x.swapaxes(0, 1), ((top, 0), (left, 0)), fill, needed).swapaxes(0, 1)


def _cells_view(planes, kernel: tuple, stride: tuple, dilation: tuple, out: tuple):
    """The (kh, kw, A, B, Ho, Wo) strided view of every window's cells: [i, j, a, b, p, q] is cell (i, j) of
    window (p, q) of plane (a, b). No copy; overlapping windows share memory."""
    xp = array_module(planes)
    s_a, s_b, s_h, s_w = planes.strides
    return xp.lib.stride_tricks.as_strided(
        planes, shape=(*kernel, *planes.shape[:2], *out),
        strides=(s_h * dilation[0], s_w * dilation[1], s_a, s_b, s_h * stride[0], s_w * stride[1]))


def _cells(planes, kernel: tuple, stride: tuple, dilation: tuple, out: tuple):
    """The window cells copied once into a contiguous (kh kw, A B Ho Wo) array: one strided pass, after which
    every pass over a kernel offset runs on a contiguous row (strided rows of a few values each cost
    NumPy many times more)."""
    xp = array_module(planes)
    return xp.ascontiguousarray(_cells_view(planes, kernel, stride, dilation, out)).reshape(kernel[0] * kernel[1], -1)


def _overlapping(kernel: tuple, stride: tuple, dilation: tuple) -> bool:
    return any(stride[a] < dilation[a] * (kernel[a] - 1) + 1 for a in range(2))


def _scatter(grad_cells, x_shape: tuple, kernel, stride, padding, dilation, out, needed):
    """The transpose of :func:`_cells`: each cell's gradient put back where the cell was read (added up where
    windows overlap), padding dropped; the planes come back as (A, B, H, W)."""
    xp = array_module(grad_cells)
    top, left = padding[0][0], padding[1][0]
    rows, columns = max(needed[0], top + x_shape[2]), max(needed[1], left + x_shape[3])
    grad = xp.zeros((x_shape[0], x_shape[1], rows, columns), dtype=grad_cells.dtype)
    grad_cells = grad_cells.reshape(*kernel, *x_shape[:2], *out)
    if _overlapping(kernel, stride, dilation):  # one strided addition per offset, as in col2im
        for i, j in itertools.product(range(kernel[0]), range(kernel[1])):
            grad[:, :, i * dilation[0]:i * dilation[0] + stride[0] * (out[0] - 1) + 1:stride[0],
                 j * dilation[1]:j * dilation[1] + stride[1] * (out[1] - 1) + 1:stride[1]] += grad_cells[i, j]
    else:  # every cell belongs to one window: one strided copy through the (then unaliased) view
        _cells_view(grad, kernel, stride, dilation, out)[...] = grad_cells
    return grad[:, :, top:top + x_shape[2], left:left + x_shape[3]]


def _unplanes(a, swapped: bool, one_d: bool):
    a = a.swapaxes(0, 1) if swapped else a
    return a[:, :, 0, :] if one_d else a


def _gradient_planes(ctx, g):
    """The upstream gradient as a contiguous (A B Ho Wo) vector, in the planes' order."""
    xp = array_module(g)
    if ctx.one_d:
        g = g[:, :, None, :]
    return xp.ascontiguousarray(g.swapaxes(0, 1) if ctx.swapped else g).reshape(-1)


def _as_2d(x, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple):
    """A 1-D (N, C, L) call (1-tuples) as a 2-D one of height 1 (pairs), and whether it was 1-D."""
    if x.ndim == 3:
        return x[:, :, None, :], (1, *kernel), (1, *stride), ((0, 0), *padding), (1, *dilation), True
    return x, kernel, stride, padding, dilation, False


class MaxPool(Function):
    """y = max over each window;  dx[argmax] += dy (the first maximum of a window takes its gradient).

    The argmax is kept as the window offset k = i kw + j of the maximum (one byte per output value).
    ``kernel``, ``stride`` and ``dilation`` hold an entry per spatial axis (two in 2-D, one in 1-D), ``padding``
    a (before, after) pair per spatial axis."""

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, ceil_mode):
        x, kernel, stride, padding, dilation, one_d = _as_2d(x, kernel, stride, padding, dilation)
        planes, swapped = _planes_first(x)
        out_shape, needed = _geometry(planes.shape, kernel, stride, padding, dilation, ceil_mode)
        cells = _cells(_windowed(planes, padding, needed, -math.inf), kernel, stride, dilation, out_shape)
        out, argmax = _window_max(cells)
        if ctx.inputs is not None:
            ctx.argmax, ctx.x_shape, ctx.swapped, ctx.one_d = argmax, planes.shape, swapped, one_d
            ctx.geometry = (kernel, stride, padding, dilation, out_shape, needed)
        return _unplanes(out.reshape(*planes.shape[:2], *out_shape), swapped, one_d)

    @staticmethod
    def backward(ctx, g):
        xp = array_module(g)
        g, argmax = _gradient_planes(ctx, g), ctx.argmax
        grad_cells = xp.zeros((ctx.geometry[0][0] * ctx.geometry[0][1], g.size), dtype=g.dtype)
        for k in range(grad_cells.shape[0]):
            xp.copyto(grad_cells[k], g, where=argmax == k)
        grad = _scatter(grad_cells, ctx.x_shape, *ctx.geometry)
        return _unplanes(grad, ctx.swapped, ctx.one_d), None, None, None, None, None


def _window_max(cells) -> tuple:
    """The maximum of each window (a column of ``cells``) and its offset k (the first one on ties)."""
    xp = array_module(cells)
    out = cells[0].copy()
    argmax = xp.zeros(out.shape, dtype=np.uint8 if len(cells) < 256 else np.int32)
    for k in range(1, len(cells)):
        xp.copyto(argmax, k, where=cells[k] > out)
        xp.maximum(out, cells[k], out=out)
    return out, argmax


def max_pool_indices(x, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple, ceil_mode: bool):
    """PyTorch's ``return_indices``: the flat index h W + w of each window's maximum in its plane (int64)."""
    x, kernel, stride, padding, dilation, one_d = _as_2d(x, kernel, stride, padding, dilation)
    planes, swapped = _planes_first(x)
    out_shape, needed = _geometry(planes.shape, kernel, stride, padding, dilation, ceil_mode)
    cells = _cells(_windowed(planes, padding, needed, -math.inf), kernel, stride, dilation, out_shape)
    argmax = _window_max(cells)[1].astype(np.int64).reshape(*planes.shape[:2], *out_shape)
    xp = array_module(argmax)
    rows = xp.arange(out_shape[0])[:, None] * stride[0] - padding[0][0] + (argmax // kernel[1]) * dilation[0]
    columns = xp.arange(out_shape[1]) * stride[1] - padding[1][0] + (argmax % kernel[1]) * dilation[1]
    return _unplanes(rows * planes.shape[3] + columns, swapped, one_d)


def _window_counts(size: int, kernel: int, stride: int, padding: tuple, out: int, count_include_pad: bool):
    """How many cells each window along one axis averages: padding counts, the ceil_mode overhang never."""
    start = np.arange(out) * stride - padding[0]
    end = np.minimum(start + kernel, size + padding[1])
    if not count_include_pad:
        start, end = np.maximum(start, 0), np.minimum(end, size)
    return end - start


class AvgPool(Function):
    """y = (1 / |window|) sum over each window;  dx = the same spread of dy / |window| back over the window.

    |window| counts padding cells with ``count_include_pad`` (PyTorch's default), or is ``divisor_override``.
    """

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
        xp = array_module(x)
        x, kernel, stride, padding, dilation, one_d = _as_2d(x, kernel, stride, padding, (1,) * len(kernel))
        planes, swapped = _planes_first(x)
        out_shape, needed = _geometry(planes.shape, kernel, stride, padding, dilation, ceil_mode)
        cells = _cells(_windowed(planes, padding, needed, 0.0), kernel, stride, dilation, out_shape)
        out = cells.sum(axis=0).reshape(*planes.shape[:2], *out_shape)
        if divisor_override:
            scale = xp.asarray(1.0 / divisor_override, dtype=x.dtype)
        else:
            counts = [_window_counts(planes.shape[2 + a], kernel[a], stride[a], padding[a], out_shape[a],
                                     count_include_pad) for a in range(2)]
            scale = xp.asarray(1.0 / np.outer(*counts), dtype=x.dtype)
        out *= scale
        if ctx.inputs is not None:
            ctx.scale, ctx.x_shape, ctx.swapped, ctx.one_d = scale, planes.shape, swapped, one_d
            ctx.geometry = (kernel, stride, padding, dilation, out_shape, needed)
        return _unplanes(out, swapped, one_d)

    @staticmethod
    def backward(ctx, g):
        xp = array_module(g)
        kernel, out_shape = ctx.geometry[0], ctx.geometry[4]
        spread = (_gradient_planes(ctx, g).reshape(*ctx.x_shape[:2], *out_shape) * ctx.scale).reshape(-1)
        grad_cells = xp.broadcast_to(spread, (kernel[0] * kernel[1], spread.size))
        grad = _scatter(grad_cells, ctx.x_shape, *ctx.geometry)
        return _unplanes(grad, ctx.swapped, ctx.one_d), None, None, None, None, None, None


def adaptive_pool_matrix(size: int, out: int, dtype) -> np.ndarray:
    """A (out, size) averaging matrix: row i averages cells floor(i size / out) .. ceil((i + 1) size / out) - 1."""
    matrix = np.zeros((out, size), dtype=dtype)
    for i in range(out):
        start, end = (i * size) // out, -((-(i + 1) * size) // out)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


class AdaptiveAvgPool(Function):
    """Average pooling to a fixed (Ho, Wo), as one product with the averaging matrix A = A_h (x) A_w:

        y = x (P x HW) @ A^T,   dx = dy @ A      (P = N C planes)."""

    @staticmethod
    def forward(ctx, x, out_shape):
        xp = array_module(x)
        planes, swapped = _planes_first(x)
        a, b, h, w = planes.shape
        matrix = np.kron(adaptive_pool_matrix(h, out_shape[0], x.dtype), adaptive_pool_matrix(w, out_shape[1], x.dtype))
        matrix = xp.asarray(matrix)
        out = xp.reshape(planes, (a * b, h * w)) @ matrix.T
        if ctx.inputs is not None:
            ctx.matrix, ctx.x_shape, ctx.swapped = matrix, planes.shape, swapped
        return _unplanes(out.reshape(a, b, *out_shape), swapped, False)

    @staticmethod
    def backward(ctx, g):
        xp = array_module(g)
        a, b = ctx.x_shape[:2]
        g = g.swapaxes(0, 1) if ctx.swapped else g
        grad = (xp.reshape(g, (a * b, -1)) @ ctx.matrix).reshape(ctx.x_shape)
        return _unplanes(grad, ctx.swapped, False), None
