"""Pooling layers with PyTorch's API: ``MaxPool1d/2d``, ``AvgPool1d/2d``, ``AdaptiveAvgPool2d``, and their
functional forms (re-exported by ``netgrad.nn.functional``).

Each (n, c) plane is pooled alone. Output size per axis: floor((L + 2 padding - dilation (k - 1) - 1) /
stride) + 1, or the ceiling with ``ceil_mode=True`` (a last window that would start in the right padding is
dropped). ``stride`` defaults to ``kernel_size``. The arithmetic is in :mod:`netgrad.engine.kernels.pooling`.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.autograd import ShapeError
from ..engine.kernels.pooling import AdaptiveAvgPool, AvgPool, MaxPool, max_pool_indices
from ..engine.tensor import Tensor
from .conv import ntuple
from .module import Module

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool2d",
           "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool2d"]


def _window_arguments(kernel_size: Any, stride: Any, padding: Any, dilation: Any, dims: int, owner: str) -> tuple:
    """The pooling hyper-parameters as dims-tuples, checked as PyTorch does (padding <= half the window)."""
    kernel = ntuple(kernel_size, dims, "kernel_size", owner)
    empty = stride is None or isinstance(stride, (list, tuple)) and len(stride) == 0  # PyTorch: [] means None
    stride = kernel if empty else ntuple(stride, dims, "stride", owner)
    padding = ntuple(padding, dims, "padding", owner, minimum=0)
    dilation = ntuple(dilation, dims, "dilation", owner)
    for k, p, d in zip(kernel, padding, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise ValueError(f"{owner}: pad should be at most half of effective kernel size, but got "
                             f"padding={padding}, kernel_size={kernel} and dilation={dilation}")
    return kernel, stride, padding, dilation


def _batched(input: Any, dims: int, owner: str) -> tuple:
    """The input with a batch axis (an unbatched (C, ...) input gets one), and whether it had none."""
    data = input._data if isinstance(input, Tensor) else np.asarray(input)
    if data.ndim not in (dims + 1, dims + 2):
        layout = "(N, C, L)" if dims == 1 else "(N, C, H, W)"
        hint = "; add the channel axis, e.g. x.unsqueeze(1)" if data.ndim == dims else ""
        raise ShapeError(f"{owner} expected a {dims + 2}-D input {layout} (or {dims + 1}-D unbatched), got "
                         f"{data.ndim}-D input of shape {data.shape}{hint}")
    tensor = input if isinstance(input, Tensor) else Tensor._wrap(data)
    if data.ndim == dims + 1:
        return tensor.unsqueeze(0), True
    return tensor, False


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, dims, owner,
              function=MaxPool):
    kernel, stride, padding, dilation = _window_arguments(kernel_size, stride, padding, dilation, dims, owner)
    x, unbatched = _batched(input, dims, owner)
    pads = tuple((p, p) for p in padding)
    out = function.apply(x, kernel, stride, pads, dilation, bool(ceil_mode))
    if unbatched:
        out = out.squeeze(0)
    if not return_indices:
        return out
    indices = max_pool_indices(x._data, kernel, stride, pads, dilation, bool(ceil_mode))
    return out, Tensor._wrap(indices[0] if unbatched else indices)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Tensor:
    """The maximum of each window of (N, C, L); with ``return_indices`` also each maximum's position."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1, "max_pool1d")


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False, return_indices: bool = False) -> Tensor:
    """The maximum of each window of (N, C, H, W); with ``return_indices`` also its flat index h W + w."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2, "max_pool2d")


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, dims,
              owner):
    kernel, stride, padding, _ = _window_arguments(kernel_size, stride, padding, 1, dims, owner)
    if divisor_override is not None and (isinstance(divisor_override, bool) or divisor_override == 0):
        raise ValueError(f"{owner}: divisor_override must be a non-zero integer, got {divisor_override!r}")
    x, unbatched = _batched(input, dims, owner)
    pads = tuple((p, p) for p in padding)
    out = AvgPool.apply(x, kernel, stride, pads, bool(ceil_mode), bool(count_include_pad), divisor_override)
    return out.squeeze(0) if unbatched else out


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """The mean of each window of (N, C, L); padding zeros count unless ``count_include_pad=False``."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, "avg_pool1d")


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """The mean of each window of (N, C, H, W) (or its sum / ``divisor_override``)."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2,
                     "avg_pool2d")


def _adaptive_size(output_size: Any, owner: str) -> tuple:
    items = (output_size, output_size) if output_size is None or isinstance(output_size, (int, np.integer)) \
        else tuple(output_size)
    if len(items) != 2 or any(s is not None and (isinstance(s, bool) or not isinstance(s, (int, np.integer))
                                                 or s < 1) for s in items):
        raise ValueError(f"{owner}: output_size must be a positive integer or a pair of positive integers "
                         f"(or None to keep that size), got {output_size!r}")
    return items


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of (N, C, H, W) to (N, C, *output_size), windows [floor(i H / Ho), ceil((i + 1) H / Ho))."""
    size = _adaptive_size(output_size, "adaptive_avg_pool2d")
    x, unbatched = _batched(input, 2, "adaptive_avg_pool2d")
    shape = x.shape
    size = tuple(int(shape[2 + a] if s is None else s) for a, s in enumerate(size))
    out = AdaptiveAvgPool.apply(x, size)
    return out.squeeze(0) if unbatched else out


class _MaxPoolNd(Module):
    _dims = 0

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        _window_arguments(kernel_size, stride, padding, dilation, self._dims, type(self).__name__)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return _max_pool(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                         self.return_indices, self._dims, f"{type(self).__name__}({self.extra_repr()})")

    def _forward_fused(self, function: type, activation: Module, input: Tensor) -> Tensor:
        """``activation`` and then this pooling, as the single node ``function`` (``MaxPoolReLU``): the
        activation applied to the pooled values. With ``return_indices`` the two run one after the other."""
        if self.return_indices:
            return self.forward(activation(input))
        return _max_pool(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, False,
                         self._dims, f"{type(self).__name__}({self.extra_repr()})", function)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """The maximum of each window of (N, C, L): (N, C, L_out)."""

    _dims = 1
    _fusion_before = "_before_max_pool"  # an activation class's fused activation + max-pool node (see Sequential)


class MaxPool2d(_MaxPoolNd):
    """The maximum of each kH x kW window of (N, C, H, W): (N, C, H_out, W_out); gradient to the argmax.

    >>> nn.MaxPool2d(2)(netgrad.ones(64, 32, 26, 26)).shape
    (64, 32, 13, 13)
    """

    _dims = 2
    _fusion_before = "_before_max_pool"


class _AvgPoolNd(Module):
    _dims = 0

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        _window_arguments(kernel_size, stride, padding, 1, self._dims, type(self).__name__)
        if divisor_override is not None and (isinstance(divisor_override, bool) or divisor_override == 0):
            raise ValueError(f"{type(self).__name__}: divisor_override must be a non-zero integer, got "
                             f"{divisor_override!r}")
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return _avg_pool(input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                         self.divisor_override, self._dims, f"{type(self).__name__}({self.extra_repr()})")

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """The mean of each window of (N, C, L): (N, C, L_out)."""

    _dims = 1

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)
        # stored as 1-tuples, as PyTorch's AvgPool1d does
        self.kernel_size, self.stride, self.padding = (ntuple(v, 1, name, "AvgPool1d", minimum=0) for v, name in
                                                       ((self.kernel_size, "kernel_size"), (self.stride, "stride"),
                                                        (self.padding, "padding")))


class AvgPool2d(_AvgPoolNd):
    """The mean of each kH x kW window of (N, C, H, W): (N, C, H_out, W_out)."""

    _dims = 2


class AdaptiveAvgPool2d(Module):
    """Average pooling of (N, C, H, W) to a fixed (N, C, *output_size) whatever H and W are (None keeps one).

    >>> nn.AdaptiveAvgPool2d(1)(netgrad.ones(8, 64, 7, 7)).shape      # global average pooling
    (8, 64, 1, 1)
    """

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        _adaptive_size(output_size, "AdaptiveAvgPool2d")
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
