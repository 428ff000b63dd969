"""Keras's convolution layers ``Conv1D`` and ``Conv2D``, channels-last by default.

The kernel has Keras's shape (kH, kW, C_in / groups, filters) and the input (N, H, W, C); the arithmetic is
the engine's one convolution (:class:`netgrad.engine.kernels.conv.Convolution`, im2col and one GEMM), which
reads the channels-last input through a transposed view, so nothing is copied to change the layout.
``padding='same'`` follows Keras: output size ceil(L / stride), the odd padding cell after the input.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...engine.kernels.conv import Convolution, ConvolutionReLU
from ...engine.tensor import Tensor
from .. import activations, initializers, regularizers
from .layer import Layer

__all__ = ["Conv1D", "Conv2D", "keras_padding", "conv_output_length"]


def _tuple(value: Any, n: int, name: str, owner: str) -> tuple:
    items = (value,) * n if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
    try:
        items = tuple(int(v) for v in items if not isinstance(v, bool) and v == int(v))
    except (TypeError, ValueError):
        items = ()
    if len(items) != n or min(items) < 1:
        raise ValueError(f"{owner}: the `{name}` argument must be a tuple of {n} positive integers (or one "
                         f"integer). Received: {name}={value!r}")
    return items


def keras_padding(size: int | None, kernel: int, stride: int, dilation: int, padding: str) -> tuple:
    """(before, after) zeros along one axis for Keras's 'valid', 'same' (odd cell after) or 'causal'."""
    span = dilation * (kernel - 1) + 1
    if padding == "valid" or size is None:
        return (0, 0)
    if padding == "causal":
        return (span - 1, 0)
    total = max((-(-size // stride) - 1) * stride + span - size, 0)
    return (total // 2, total - total // 2)


def conv_output_length(size: int | None, kernel: int, stride: int, dilation: int, padding: str) -> int | None:
    """The output length along one axis (None stays None)."""
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    before, after = keras_padding(size, kernel, stride, dilation, padding)
    return (size + before + after - dilation * (kernel - 1) - 1) // stride + 1


class _Conv(Layer):
    """What Conv1D and Conv2D share."""

    _dims = 0
    _paddings = ("valid", "same")

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 **kwargs: Any) -> None:
        owner, dims = type(self).__name__, self._dims
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters <= 0:
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly positive value. "
                             f"Received filters={filters!r}.")
        if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups <= 0 or filters % groups:
            raise ValueError(f"The number of filters must be evenly divisible by the number of groups. Received: "
                             f"groups={groups!r}, filters={filters}.")
        padding = str(padding).lower()
        if padding not in self._paddings:
            raise ValueError(f"{owner}: the `padding` argument must be one of {self._paddings}. Received: "
                             f"padding={padding!r}")
        data_format = data_format or "channels_last"
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"{owner}: the `data_format` argument must be one of 'channels_last', "
                             f"'channels_first'. Received: data_format={data_format!r}")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.filters, self.groups = int(filters), int(groups)
        self.kernel_size = _tuple(kernel_size, dims, "kernel_size", owner)
        self.strides = _tuple(strides, dims, "strides", owner)
        self.dilation_rate = _tuple(dilation_rate, dims, "dilation_rate", owner)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{owner}: `strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                             f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.padding, self.data_format = padding, data_format
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel = self.bias = None

    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) != self._dims + 2:
            self._reject_rank(tuple(input_shape))
        channels = input_shape[self._channel_axis()]
        if channels is None or channels % self.groups:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the number of input channels ({channels}) must be "
                             f"known and divisible by groups ({self.groups})")
        shape = (*self.kernel_size, channels // self.groups, self.filters)
        self.kernel = self.add_weight(shape, self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      name="kernel")
        if self.use_bias:
            self.bias = self.add_weight((self.filters,), self.bias_initializer, regularizer=self.bias_regularizer,
                                        name="bias")

    def _reject_rank(self, shape: tuple) -> None:
        hint = ""
        if len(shape) == self._dims + 1:
            hint = "; add the channel axis, e.g. a Reshape((28, 28, 1)) layer (or x[..., None])"
        elif len(shape) == 2 and self._dims == 2:
            hint = "; did you forget a Reshape((28, 28, 1)) layer for flat images?"
        raise ValueError(f"Input 0 of layer {self.name!r} is incompatible with the layer: expected ndim="
                         f"{self._dims + 2}, found ndim={len(shape)}. Full shape received: {shape}{hint}")

    def call(self, inputs: Tensor) -> Tensor:
        shape = tuple(inputs.shape)
        if len(shape) != self._dims + 2:
            self._reject_rank(shape)
        channels = self.kernel.shape[-2] * self.groups
        if shape[self._channel_axis()] != channels:
            raise ValueError(f"Input 0 of layer {self.name!r} is incompatible with the layer: expected axis "
                             f"{self._channel_axis()} of input shape to have value {channels}, but received input "
                             f"with shape {shape}")
        last = self.data_format == "channels_last"
        spatial = shape[1:-1] if last else shape[2:]
        pads = tuple(keras_padding(n, k, s, d, self.padding)
                     for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        for n, k, d, (before, after) in zip(spatial, self.kernel_size, self.dilation_rate, pads):
            if n + before + after < d * (k - 1) + 1:
                raise ValueError(f"Layer {self.name!r}: the input's spatial size {spatial} is smaller than the "
                                 f"kernel {self.kernel_size} (dilation {self.dilation_rate}); use padding='same' or a "
                                 "smaller kernel")
        order = tuple(range(self._dims + 2))
        to_first = (0, order[-1]) + order[1:-1]  # (N, ..., C) -> (N, C, ...)
        kernel = self.kernel.permute(self._dims + 1, self._dims, *range(self._dims))  # -> (O, C/G, k...)
        x = inputs.permute(*to_first) if last else inputs
        fused = self.activation is activations.relu
        out = (ConvolutionReLU if fused else Convolution).apply(x, kernel, self.bias, self.strides, pads,
                                                               self.dilation_rate, self.groups)
        if last:
            out = out.permute(0, *range(2, self._dims + 2), 1)
        return out if fused or self.activation is activations.linear else self.activation(out)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        input_shape = tuple(input_shape)
        last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if last else input_shape[2:]
        out = tuple(conv_output_length(n, k, s, d, self.padding)
                    for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate))
        return (input_shape[0], *out, self.filters) if last else (input_shape[0], self.filters, *out)

    def get_config(self) -> dict[str, Any]:
        def reg(r: Any) -> Any:
            return None if r is None else regularizers.serialize(r)

        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": reg(self.kernel_regularizer), "bias_regularizer": reg(self.bias_regularizer)}


class Conv1D(_Conv):
    """1-D convolution over (N, steps, channels): kernel (k, C_in / groups, filters); ``padding`` 'valid',
    'same' or 'causal' (zeros only before the sequence, so output t sees inputs up to t)."""

    _dims = 1
    _paddings = ("valid", "same", "causal")


class Conv2D(_Conv):
    """2-D convolution over (N, H, W, C) images: kernel (kH, kW, C_in / groups, filters), output
    ``activation(conv(inputs, kernel) + bias)``; kH kW C_in / groups filters + filters parameters.

    >>> layers.Conv2D(32, 3, activation="relu").compute_output_shape((None, 28, 28, 1))
    (None, 26, 26, 32)
    """

    _dims = 2

