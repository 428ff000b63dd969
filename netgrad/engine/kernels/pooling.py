"""Pooling: max (keeping its argmax), average and adaptive average, forward next to backward.

Every pooling acts on each (n, c) plane alone, so the kernels work on the input in whichever layout it has in
memory and hand back the same layout. The input is viewed as (A, H, W, B): the two non-spatial axes as an outer
A and an inner B, B being the one innermost in memory (a convolution's batch-last output is (C, H, W, N), a Keras
channels-last input (N, H, W, C)), or B = 1 and A = N C when both are outside the planes. Then a pass over one
kernel offset moves runs of B contiguous values, and no layout is ever copied into another.

Windows that tile the input (stride = kernel, no dilation: nearly every network's pooling) are reduced one axis
at a time: along the row (kw offsets) and then across the rows (kh offsets), with ``kh + kw`` passes instead of
``kh kw``. Other windows (overlapping, dilated) are copied once into a contiguous array of cells, one row per
kernel offset (i, j):

    cells[(i, j), (a, p, q, b)] = x_pad[a, p*sh + i*dh, q*sw + j*dw, b],

and the backward pass writes the cells' gradients back the same way (col2im's pattern).
Output sizes follow PyTorch: floor((H + 2p - d (k - 1) - 1) / s) + 1, or the ceiling with ``ceil_mode``
(minus one when the last window would start in the right padding), with (before, after) padding per axis
(PyTorch pads both sides alike; Keras' 'same' puts the odd cell after). 1-D pooling is 2-D with a height of 1.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from ..autograd import Function
from ..backend import array_module
from .conv import strided_view


def pooled_size(size: int, kernel: int, stride: int, padding: tuple, dilation: int, ceil_mode: bool) -> int:
    """The number of windows along one axis with (before, after) ``padding`` (PyTorch's rule for ``ceil_mode``)."""
    span = size + padding[0] + padding[1] - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding[0]:
        out -= 1
    return out


class _Layout:
    """How an (N, C, H, W) array is seen as (A, H, W, B), and back."""

    def __init__(self, x):
        s_n, s_c, s_h, s_w = x.strides
        self.shape = x.shape
        if min(s_n, s_c) < min(s_h, s_w):  # one non-spatial axis is innermost: it is B
            self.inner = 0 if s_n < s_c else 1
        else:  # planes: B = 1, A = N C in memory order
            self.inner = None
            self.swapped = s_c > s_n

    def view(self, x):
        """x (N, C, H, W) -- or a gradient of the output's shape -- as (A, H, W, B)."""
        xp = array_module(x)
        if self.inner == 0:
            return x.transpose(1, 2, 3, 0)
        if self.inner == 1:
            return x.transpose(0, 2, 3, 1)
        planes = x.swapaxes(0, 1) if self.swapped else x
        return xp.reshape(planes, (-1, *x.shape[2:], 1))

    def restore(self, a):
        """An (A, Ho, Wo, B) array as the (N, C, Ho, Wo) view of it."""
        if self.inner == 0:
            return a.transpose(3, 0, 1, 2)
        if self.inner == 1:
            return a.transpose(0, 3, 1, 2)
        n, c = self.shape[:2]
        planes = a.reshape(*((c, n) if self.swapped else (n, c)), *a.shape[1:3])
        return planes.swapaxes(0, 1) if self.swapped else planes


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
    """An (A, H, W, B) x with ``padding`` around and cropped or filled to the ``needed`` size the windows
    cover: x itself when nothing is added."""
    (top, left), (height, width) = (padding[0][0], padding[1][0]), needed
    a, h, w, b = x.shape
    if top == 0 and left == 0 and height <= h and width <= w:
        return x
    xp = array_module(x)
    out = xp.full_like(x, fill, shape=(a, height, width, b))
    rows, columns = min(h, height - top), min(w, width - left)
    out[:, top:top + rows, left:left + columns] = x[:, :rows, :columns]
    return out


def _tiles(kernel: tuple, stride: tuple, dilation: tuple) -> bool:
    """Whether the windows tile the input: stride = kernel and no dilation."""
    return tuple(stride) == tuple(kernel) and tuple(dilation) == (1, 1)


def _cells_view(x, kernel: tuple, stride: tuple, dilation: tuple, out: tuple):
    """The (kh, kw, A, Ho, Wo, B) strided view of every window's cells of an (A, H, W, B) x: [i, j, a, p, q, b]
    is cell (i, j) of window (p, q). No copy; overlapping windows share memory."""
    s_a, s_h, s_w, s_b = x.strides
    return strided_view(x, (*kernel, x.shape[0], *out, x.shape[3]),
                        (s_h * dilation[0], s_w * dilation[1], s_a, s_h * stride[0], s_w * stride[1], s_b))


def _cells(x, kernel: tuple, stride: tuple, dilation: tuple, out: tuple):
    """The window cells copied once into a contiguous (kh kw, A Ho Wo B) array (one strided pass)."""
    xp = array_module(x)
    return xp.ascontiguousarray(_cells_view(x, kernel, stride, dilation, out)).reshape(kernel[0] * kernel[1], -1)


def _scatter(grad_cells, x_shape: tuple, kernel, stride, padding, dilation, out, needed):
    """The transpose of :func:`_cells`: each cell's gradient put back where the cell was read (added up where
    windows overlap), padding dropped: an (A, H, W, B) array."""
    xp = array_module(grad_cells)
    top, left = padding[0][0], padding[1][0]
    a, h, w, b = x_shape
    rows, columns = max(needed[0], top + h), max(needed[1], left + w)
    grad = xp.zeros((a, rows, columns, b), dtype=grad_cells.dtype)
    grad_cells = grad_cells.reshape(*kernel, a, *out, b)
    if any(stride[k] < dilation[k] * (kernel[k] - 1) + 1 for k in range(2)):  # overlapping: add, as in col2im
        for i, j in itertools.product(range(kernel[0]), range(kernel[1])):
            grad[:, i * dilation[0]:i * dilation[0] + stride[0] * (out[0] - 1) + 1:stride[0],
                 j * dilation[1]:j * dilation[1] + stride[1] * (out[1] - 1) + 1:stride[1]] += grad_cells[i, j]
    else:  # every cell belongs to one window: one strided copy through the (then unaliased) view
        _cells_view(grad, kernel, stride, dilation, out)[...] = grad_cells
    return grad[:, top:top + h, left:left + w]


def _running_max(offsets) -> tuple:
    """The elementwise maximum of a sequence of equally shaped arrays, and the index of the first one that
    holds it (uint8): ``arg = max(arg, k [x_k > best])`` needs no branch, as later offsets have larger k."""
    xp = array_module(offsets[0])
    best = xp.maximum(offsets[0], offsets[1])
    arg = xp.greater(offsets[1], offsets[0]).view(np.uint8)
    for k in range(2, len(offsets)):
        step = xp.greater(offsets[k], best).view(np.uint8)
        step *= np.uint8(k)
        xp.maximum(arg, step, out=arg)
        xp.maximum(best, offsets[k], out=best)
    return best, arg


def _axis_order(a) -> tuple:
    return tuple(sorted((k for k in range(a.ndim) if a.shape[k] > 1), key=lambda k: -a.strides[k]))


def _in_layout_of(a, like):
    """``a`` laid out in memory as ``like`` (same shape) is: ``a`` itself when it is, else a copy. Elementwise
    passes over arrays of different layouts run many times slower than over arrays of one layout."""
    if _axis_order(a) == _axis_order(like):
        return a
    out = array_module(a).empty_like(like, dtype=a.dtype)
    out[...] = a
    return out


def _split_rows(x, kh: int):
    """An (A, Ho kh, Wo, B) array as its (A, Ho, kh, Wo, B) view, whatever its strides."""
    s_a, s_h, s_w, s_b = x.strides
    a, rows, wo, b = x.shape
    return strided_view(x, (a, rows // kh, kh, wo, b), (s_a, s_h * kh, s_h, s_w, s_b))


def _tiled_max(x, kernel: tuple, out: tuple) -> tuple:
    """Max pooling of tiling windows, along the rows then across them: the first maximum in row-major order
    wins ties, as in PyTorch. Returns the output (A, Ho, Wo, B), the column offsets (A, Ho kh, Wo, B) and the
    row offsets (A, Ho, Wo, B) of the maxima (None for a kernel extent of 1). Arrays keep x's layout."""
    (kh, kw), (ho, wo) = kernel, out
    s_a, s_h, s_w, s_b = x.strides
    a, b = x.shape[0], x.shape[3]
    rows = strided_view(x, (kw, a, ho * kh, wo, b), (s_w, s_a, s_h, s_w * kw, s_b))
    row_max, columns = _running_max(rows) if kw > 1 else (rows[0], None)
    across = _split_rows(row_max, kh)
    if kh == 1:
        return across[:, :, 0].copy(order="K"), columns, None
    best, offsets = _running_max([across[:, :, i] for i in range(kh)])
    return best, columns, offsets


def _tiled_max_backward(g, columns, offsets, x_shape: tuple, kernel: tuple, padding: tuple, out: tuple,
                        needed: tuple):
    """dx of :func:`_tiled_max`: dy sent down to the maximum's row, then along it to its column; cells outside
    every window get zero; padding dropped. Returns (A, H, W, B) in the input's layout."""
    xp = array_module(g)
    (kh, kw), (ho, wo), (top, left) = kernel, out, (padding[0][0], padding[1][0])
    a, h, w, b = x_shape
    like = columns if columns is not None else offsets
    g = _in_layout_of(g, offsets) if offsets is not None else g
    rows = xp.empty_like(like, dtype=g.dtype, shape=(a, ho * kh, wo, b))
    split = _split_rows(rows, kh)
    for i in range(kh):
        xp.multiply(g, offsets == i, out=split[:, :, i]) if offsets is not None else xp.copyto(split[:, :, i], g)
    grad = xp.empty_like(like, dtype=g.dtype, shape=(a, max(top + h, needed[0]), max(left + w, needed[1]), b))
    grad[:, ho * kh:] = 0
    grad[:, :ho * kh, wo * kw:] = 0
    s_a, s_h, s_w, s_b = grad.strides
    cells = strided_view(grad, (kw, a, ho * kh, wo, b), (s_w, s_a, s_h, s_w * kw, s_b))
    for j in range(kw):
        xp.multiply(rows, columns == j, out=cells[j]) if columns is not None else xp.copyto(cells[j], rows)
    return grad[:, top:top + h, left:left + w]


def _as_2d(x, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple):
    """A 1-D (N, C, L) call (1-tuples) as a 2-D one of height 1 (pairs), and whether it was 1-D."""
    if x.ndim == 3:
        return x[:, :, None, :], (1, *kernel), (1, *stride), ((0, 0), *padding), (1, *dilation), True
    return x, kernel, stride, padding, dilation, False


def _max_pool(x, kernel, stride, padding, dilation, ceil_mode):
    """The forward of :class:`MaxPool` on 2-D arguments: (output (A, Ho, Wo, B), layout, what backward needs)."""
    layout = _Layout(x)
    planes = layout.view(x)
    out_shape, needed = _geometry(x.shape, kernel, stride, padding, dilation, ceil_mode)
    windows = _windowed(planes, padding, needed, -math.inf)
    if _tiles(kernel, stride, dilation) and kernel[0] * kernel[1] > 1:
        out, columns, offsets = _tiled_max(windows, kernel, out_shape)
        saved = (columns, offsets)
    else:
        cells = _cells(windows, kernel, stride, dilation, out_shape)
        out, argmax = _running_max(cells) if len(cells) > 1 else (cells[0].copy(), np.zeros(0, np.uint8))
        out = out.reshape(planes.shape[0], *out_shape, planes.shape[3])
        saved = (argmax,)
    return out, layout, saved, (planes.shape, out_shape, needed)


class MaxPool(Function):
    """y = max over each window;  dx[argmax] += dy (the first maximum of a window in row-major order takes the
    gradient, as in PyTorch).

    The argmax is kept as bytes: the window offset k = i kw + j of the maximum, or for tiling windows its
    column offset in the row and its row offset. ``kernel``, ``stride`` and ``dilation`` hold an entry per
    spatial axis (two in 2-D, one in 1-D), ``padding`` a (before, after) pair per spatial axis."""

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, ceil_mode):
        x, kernel, stride, padding, dilation, one_d = _as_2d(x, kernel, stride, padding, dilation)
        out, layout, saved, shapes = _max_pool(x, kernel, stride, padding, dilation, ceil_mode)
        if ctx.inputs is not None:
            ctx.saved, ctx.layout, ctx.one_d, ctx.shapes = saved, layout, one_d, shapes
            ctx.geometry = (kernel, stride, padding, dilation)
        out = layout.restore(out)
        return out[:, :, 0, :] if one_d else out

    @staticmethod
    def backward(ctx, g):
        xp = array_module(g)
        kernel, stride, padding, dilation = ctx.geometry
        planes_shape, out_shape, needed = ctx.shapes
        g = ctx.layout.view(g[:, :, None, :] if ctx.one_d else g)
        if len(ctx.saved) == 2:
            grad = _tiled_max_backward(g, *ctx.saved, planes_shape, kernel, padding, out_shape, needed)
        else:
            (argmax,), g = ctx.saved, g.reshape(-1) if g.flags.c_contiguous else xp.ascontiguousarray(g).reshape(-1)
            grad_cells = xp.empty((kernel[0] * kernel[1], g.size), dtype=g.dtype)
            for k in range(len(grad_cells)):
                xp.multiply(g, argmax == k, out=grad_cells[k]) if argmax.size else xp.copyto(grad_cells[k], g)
            grad = _scatter(grad_cells, planes_shape, kernel, stride, padding, dilation, out_shape, needed)
        grad = ctx.layout.restore(grad)
        return grad[:, :, 0, :] if ctx.one_d else grad, None, None, None, None, None


class MaxPoolReLU(MaxPool):
    """relu(max-pool(x)) as one node: the same values and gradients as max-pool(relu(x)) (ReLU is increasing,
    and a window whose maximum is not positive sends no gradient either way), with the ReLU on the pooled
    output, kh kw times smaller than its input; the gradient is masked by y > 0 and goes back as
    :class:`MaxPool`'s."""

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, ceil_mode):
        out = MaxPool.forward(ctx, x, kernel, stride, padding, dilation, ceil_mode)
        array_module(out).maximum(out, 0, out=out)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        return MaxPool.backward(ctx, g * (ctx.out > 0))


def max_pool_indices(x, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple, ceil_mode: bool):
    """PyTorch's ``return_indices``: the flat index h W + w of each window's maximum in its plane (int64)."""
    x, kernel, stride, padding, dilation, one_d = _as_2d(x, kernel, stride, padding, dilation)
    xp = array_module(x)
    layout = _Layout(x)
    planes = layout.view(x)
    out_shape, needed = _geometry(x.shape, kernel, stride, padding, dilation, ceil_mode)
    cells = _cells(_windowed(planes, padding, needed, -math.inf), kernel, stride, dilation, out_shape)
    argmax = _running_max(cells)[1] if len(cells) > 1 else xp.zeros(cells.shape[1], np.uint8)
    argmax = argmax.astype(np.int64).reshape(planes.shape[0], *out_shape, planes.shape[3])
    rows = (xp.arange(out_shape[0])[:, None, None] * stride[0] - padding[0][0]
            + (argmax // kernel[1]) * dilation[0])
    columns = xp.arange(out_shape[1])[:, None] * stride[1] - padding[1][0] + (argmax % kernel[1]) * dilation[1]
    out = layout.restore(rows * planes.shape[2] + columns)
    return out[:, :, 0, :] if one_d else out


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
        layout = _Layout(x)
        planes = layout.view(x)
        out_shape, needed = _geometry(x.shape, kernel, stride, padding, dilation, ceil_mode)
        cells = _cells(_windowed(planes, padding, needed, 0.0), kernel, stride, dilation, out_shape)
        out = cells.sum(axis=0).reshape(planes.shape[0], *out_shape, planes.shape[3])
        if divisor_override:
            scale = xp.asarray(1.0 / divisor_override, dtype=x.dtype)
        else:
            counts = [_window_counts(x.shape[2 + a], kernel[a], stride[a], padding[a], out_shape[a],
                                     count_include_pad) for a in range(2)]
            scale = xp.asarray(1.0 / np.outer(*counts)[:, :, None], dtype=x.dtype)
        out *= scale
        if ctx.inputs is not None:
            ctx.scale, ctx.layout, ctx.one_d = scale, layout, one_d
            ctx.geometry = (kernel, stride, padding, dilation, out_shape, needed)
            ctx.planes_shape = planes.shape
        out = layout.restore(out)
        return out[:, :, 0, :] if one_d else out

    @staticmethod
    def backward(ctx, g):
        xp = array_module(g)
        kernel = ctx.geometry[0]
        spread = xp.ascontiguousarray(ctx.layout.view(g[:, :, None, :] if ctx.one_d else g) * ctx.scale).reshape(-1)
        grad_cells = xp.broadcast_to(spread, (kernel[0] * kernel[1], spread.size))
        grad = ctx.layout.restore(_scatter(grad_cells, ctx.planes_shape, *ctx.geometry))
        return grad[:, :, 0, :] if ctx.one_d else grad, None, None, None, None, None, None


def adaptive_pool_matrix(size: int, out: int, dtype) -> np.ndarray:
    """A (out, size) averaging matrix: row i averages cells floor(i size / out) .. ceil((i + 1) size / out) - 1."""
    matrix = np.zeros((out, size), dtype=dtype)
    for i in range(out):
        start, end = (i * size) // out, -((-(i + 1) * size) // out)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


class AdaptiveAvgPool(Function):
    """Average pooling to a fixed (Ho, Wo), as one product with the averaging matrix A = A_h (x) A_w:

        y = A @ x (H W x B) per a,   dx = A^T @ dy       (x seen as (A, H W, B); B = 1: one (A, H W) @ A^T)."""

    @staticmethod
    def forward(ctx, x, out_shape):
        xp = array_module(x)
        layout = _Layout(x)
        planes = layout.view(x)
        a, h, w, b = planes.shape
        matrix = np.kron(adaptive_pool_matrix(h, out_shape[0], x.dtype), adaptive_pool_matrix(w, out_shape[1], x.dtype))
        matrix = xp.asarray(matrix)
        if b == 1:
            out = xp.reshape(planes, (a, h * w)) @ matrix.T
        else:
            out = matrix @ xp.reshape(planes, (a, h * w, b))
        if ctx.inputs is not None:
            ctx.matrix, ctx.layout, ctx.planes_shape = matrix, layout, planes.shape
        return layout.restore(out.reshape(a, *out_shape, b))

    @staticmethod
    def backward(ctx, g):
        xp = array_module(g)
        a, h, w, b = ctx.planes_shape
        g = ctx.layout.view(g)
        if b == 1:
            grad = xp.reshape(g, (a, -1)) @ ctx.matrix
        else:
            grad = ctx.matrix.T @ xp.reshape(g, (a, -1, b))
        return ctx.layout.restore(grad.reshape(a, h, w, b)), None
