"""Convolution layers with PyTorch's API and (N, C, L) / (N, C, H, W) layout: ``Conv1d``, ``Conv2d``, and
their functional forms ``conv1d``, ``conv2d`` (re-exported by ``netgrad.nn.functional``).

    y[n, o] = b[o] + sum_{c in group(o)} (w[o, c] * x[n, c])       (* the cross-correlation, as in PyTorch)

Output size per spatial axis: floor((L + before + after - dilation (k - 1) - 1) / stride) + 1.
The arithmetic is one Function (:class:`netgrad.engine.kernels.conv.Convolution`): im2col and one GEMM.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..engine.autograd import ShapeError
from ..engine.dtypes import _float_dtype
from ..engine.kernels.conv import Convolution
from ..engine.tensor import Tensor
from . import init
from .module import Module, Parameter

__all__ = ["conv1d", "conv2d", "Conv1d", "Conv2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def ntuple(value: Any, n: int, name: str, owner: str, minimum: int = 1) -> tuple:
    """``value`` (an int or a sequence of n ints, each >= ``minimum``) as an n-tuple; ValueError otherwise."""
    items = (value,) * n if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
    try:
        items = tuple(items)
    except TypeError:
        items = ()
    if len(items) != n or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < minimum
                              for v in items):
        kind = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{owner}: {name} must be a {kind} integer or a tuple of {n} {kind} integers, "
                         f"got {value!r}")
    return tuple(int(v) for v in items)


def _padding(padding: Any, kernel: tuple, stride: tuple, dilation: tuple, owner: str) -> tuple:
    """PyTorch's ``padding`` (ints, 'valid' or 'same') as one (before, after) pair per spatial axis."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * len(kernel)
        if padding != "same":
            raise ValueError(f"{owner}: invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
        if any(s != 1 for s in stride):
            raise ValueError(f"{owner}: padding='same' is not supported for strided convolutions "
                             f"(stride={stride}); use an explicit padding")
        # the total d (k - 1) split with the smaller half first, as PyTorch does
        return tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation))
    return tuple((p, p) for p in ntuple(padding, len(kernel), "padding", owner, minimum=0))


def _check_input(data: np.ndarray, weight: np.ndarray, groups: int, owner: str) -> None:
    """Raise the error that explains why ``data`` does not fit a convolution with this weight."""
    dims = weight.ndim - 2
    layout = "(N, C, L)" if dims == 1 else "(N, C, H, W)"
    if data.ndim != dims + 2:
        hint = ""
        if data.ndim == dims + 1:
            hint = f"; add the channel axis, e.g. x.unsqueeze(1) for one channel, to get {layout}"
        elif dims == 2 and data.ndim == 2:
            hint = "; did you forget to reshape flat images to (N, 1, H, W)?"
        raise ShapeError(f"{owner} expected a {dims + 2}-D input {layout} (or {dims + 1}-D unbatched), got "
                         f"{data.ndim}-D input of shape {data.shape}{hint}")
    channels = weight.shape[1] * groups
    if data.shape[1] != channels:
        hint = ""
        if data.shape[-1] == channels:
            hint = (f"; is the input channels-last? netgrad (like PyTorch) expects {layout}: "
                    f"x.permute(0, {dims + 1}, {', '.join(str(a) for a in range(1, dims + 1))})")
        raise ShapeError(f"{owner} expected {channels} input channels, got {data.shape[1]} (input shape "
                         f"{data.shape}){hint}")
    if data.dtype != weight.dtype:
        raise TypeError(f"{owner} has {weight.dtype} weights but got a {data.dtype} input; convert the input "
                        "(x.float() for float32) or the model (model.double() for float64)")


def _convolve(input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any, padding: Any, dilation: Any,
              groups: int, dims: int, owner: str, function: type = Convolution) -> Tensor:
    data = input._data if isinstance(input, Tensor) else np.asarray(input)
    weight_data = weight._data
    if weight_data.ndim != dims + 2:
        raise ShapeError(f"{owner}: expected a {dims + 2}-D weight (out_channels, in_channels / groups, "
                         f"{'kL' if dims == 1 else 'kH, kW'}), got shape {weight_data.shape}")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1 \
            or weight_data.shape[0] % groups:
        raise ValueError(f"{owner}: groups must be a positive integer dividing out_channels "
                         f"({weight_data.shape[0]}), got {groups!r}")
    kernel = weight_data.shape[2:]
    stride = ntuple(stride, dims, "stride", owner)
    dilation = ntuple(dilation, dims, "dilation", owner)
    pads = _padding(padding, kernel, stride, dilation, owner)
    unbatched = data.ndim == dims + 1
    if unbatched:
        input = input.unsqueeze(0) if isinstance(input, Tensor) else data[None]
        data = data[None]
    _check_input(data, weight_data, groups, owner)
    for axis, (k, d, (before, after)) in enumerate(zip(kernel, dilation, pads)):
        if data.shape[2 + axis] + before + after < d * (k - 1) + 1:
            raise ShapeError(f"{owner}: the input's spatial size {data.shape[2:]} (padding {pads}) is smaller "
                             f"than the kernel {tuple(kernel)} (dilation {dilation}); use a smaller kernel, "
                             "padding, or fewer pooling layers before this one")
    out = function.apply(input, weight, bias, stride, pads, dilation, int(groups))
    return out.squeeze(0) if unbatched else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution of (N, C_in, L) by a weight (C_out, C_in / groups, k): (N, C_out, L_out)."""
    return _convolve(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution of (N, C_in, H, W) by a weight (C_out, C_in / groups, kH, kW): (N, C_out, H_out, W_out).

    ``padding`` is an int, a pair, ``'valid'`` (none) or ``'same'`` (output size = input size, stride 1)."""
    return _convolve(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


class _ConvNd(Module):
    """What Conv1d and Conv2d share: arguments, checks, parameters, initialisation and ``extra_repr``."""

    _dims = 0

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        name, dims = type(self).__name__, self._dims
        for value, what in ((in_channels, "in_channels"), (out_channels, "out_channels"), (groups, "groups")):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name}: {what} must be a positive integer, got {value!r}")
        if in_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) must be divisible by groups ({groups})")
        if out_channels % groups:
            raise ValueError(f"{name}: out_channels ({out_channels}) must be divisible by groups ({groups})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {_PADDING_MODES}, but got "
                             f"padding_mode={padding_mode!r}")
        if padding_mode != "zeros":
            raise ValueError(f"{name}: netgrad pads with zeros only (padding_mode='zeros'), got "
                             f"padding_mode={padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = int(in_channels), int(out_channels), int(groups)
        self.kernel_size = ntuple(kernel_size, dims, "kernel_size", name)
        self.stride = ntuple(stride, dims, "stride", name)
        self.dilation = ntuple(dilation, dims, "dilation", name)
        _padding(padding, self.kernel_size, self.stride, self.dilation, name)  # checks it
        self.padding = padding if isinstance(padding, str) else ntuple(padding, dims, "padding", name, 0)
        self.padding_mode = padding_mode
        float_dtype = _float_dtype(dtype)
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, dtype=float_dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_channels, dtype=float_dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: w by ``kaiming_uniform_(a=sqrt(5))``, i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and
        b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), with fan_in = in_channels / groups * prod(kernel_size)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_channels // self.groups * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return _convolve(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups,
                         self._dims, f"{type(self).__name__}({self.extra_repr()})")

    def _forward_fused(self, function: type, input: Tensor) -> Tensor:
        """``forward`` and then an activation, as the single node ``function`` (``ConvolutionReLU``)."""
        return _convolve(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups,
                         self._dims, f"{type(self).__name__}({self.extra_repr()})", function)

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self._dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) (or unbatched (C_in, L)): weight (C_out, C_in / groups, k).

    >>> nn.Conv1d(4, 8, 3, padding="same")(netgrad.ones(2, 4, 10)).shape
    (2, 8, 10)
    """

    _dims = 1
    _fusion = "_after_conv"  # an activation class's fused convolution + activation node (see Sequential)


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) (or unbatched (C_in, H, W)): weight (C_out, C_in / groups, kH, kW).

    It has C_out (C_in / groups) kH kW + C_out parameters; padding='same' keeps H and W (stride 1 only).

    >>> nn.Conv2d(1, 32, 3)(netgrad.ones(64, 1, 28, 28)).shape
    (64, 32, 26, 26)
    """

    _dims = 2
    _fusion = "_after_conv"
