"""Keras's pooling layers: ``MaxPooling1D/2D``, ``AveragePooling1D/2D``, ``GlobalAveragePooling1D/2D``,
``GlobalMaxPooling1D/2D``, channels-last by default.

``padding='same'`` follows Keras: output size ceil(L / stride), the odd padding cell after the input; padding
never wins a maximum and is left out of an average's count. The arithmetic is the engine's pooling
(:mod:`netgrad.engine.kernels.pooling`), reading channels-last inputs through transposed views.
"""
from __future__ import annotations

from typing import Any

from ...engine.kernels.pooling import AvgPool, MaxPool
from ...engine.tensor import Tensor
from .convolutional import _tuple, conv_output_length, keras_padding
from .layer import Layer

__all__ = ["MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D", "GlobalAveragePooling1D",
           "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D"]


def _data_format(data_format: str | None, owner: str) -> str:
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{owner}: the `data_format` argument must be one of 'channels_last', 'channels_first'. "
                         f"Received: data_format={data_format!r}")
    return data_format


def _check_rank(layer: Layer, shape: tuple, dims: int) -> None:
    if len(shape) != dims + 2:
        hint = "; add the channel axis, e.g. x[..., None]" if len(shape) == dims + 1 else ""
        raise ValueError(f"Input 0 of layer {layer.name!r} is incompatible with the layer: expected ndim={dims + 2}, "
                         f"found ndim={len(shape)}. Full shape received: {shape}{hint}")


class _Pooling(Layer):
    """What the windowed poolings share: arguments, output shapes, the layout change, the config."""

    _dims = 0
    _function: Any = None

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid", data_format: str | None = None,
                 **kwargs: Any) -> None:
        owner = type(self).__name__
        padding = str(padding).lower()
        if padding not in ("valid", "same"):
            raise ValueError(f"{owner}: the `padding` argument must be one of ('valid', 'same'). Received: "
                             f"padding={padding!r}")
        data_format = _data_format(data_format, owner)
        super().__init__(**kwargs)
        self.pool_size = _tuple(pool_size, self._dims, "pool_size", owner)
        self.strides = self.pool_size if strides is None else _tuple(strides, self._dims, "strides", owner)
        self.padding, self.data_format = padding, data_format

    def call(self, inputs: Tensor) -> Tensor:
        shape = tuple(inputs.shape)
        _check_rank(self, shape, self._dims)
        last = self.data_format == "channels_last"
        spatial = shape[1:-1] if last else shape[2:]
        if self.padding == "valid" and any(n < k for n, k in zip(spatial, self.pool_size)):
            raise ValueError(f"Layer {self.name!r}: the input's spatial size {spatial} is smaller than the pool size "
                             f"{self.pool_size}; use padding='same' or fewer pooling layers")
        pads = tuple(keras_padding(n, k, s, 1, self.padding) for n, k, s in zip(spatial, self.pool_size, self.strides))
        x = inputs.permute(0, self._dims + 1, *range(1, self._dims + 1)) if last else inputs
        out = self._pool(x, pads)
        return out.permute(0, *range(2, self._dims + 2), 1) if last else out

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        input_shape = tuple(input_shape)
        last = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if last else input_shape[2:]
        out = tuple(conv_output_length(n, k, s, 1, self.padding)
                    for n, k, s in zip(spatial, self.pool_size, self.strides))
        return (input_shape[0], *out, input_shape[-1]) if last else (input_shape[0], input_shape[1], *out)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}


class _MaxPooling(_Pooling):
    def _pool(self, x: Tensor, pads: tuple) -> Tensor:
        return MaxPool.apply(x, self.pool_size, self.strides, pads, (1,) * self._dims, False)


class _AveragePooling(_Pooling):
    def _pool(self, x: Tensor, pads: tuple) -> Tensor:
        return AvgPool.apply(x, self.pool_size, self.strides, pads, False, False, None)


class MaxPooling1D(_MaxPooling):
    """The maximum of each window of ``pool_size`` steps of (N, steps, C)."""

    _dims = 1


class MaxPooling2D(_MaxPooling):
    """The maximum of each ``pool_size`` window of (N, H, W, C) images; ``strides`` default to ``pool_size``.

    >>> layers.MaxPooling2D().compute_output_shape((None, 26, 26, 32))
    (None, 13, 13, 32)
    """

    _dims = 2


class AveragePooling1D(_AveragePooling):
    """The mean of each window of ``pool_size`` steps of (N, steps, C)."""

    _dims = 1


class AveragePooling2D(_AveragePooling):
    """The mean of each ``pool_size`` window of (N, H, W, C) images (padding cells not counted)."""

    _dims = 2


class _GlobalPooling(Layer):
    """A reduction over every spatial axis: (N, ..., C) -> (N, C), or (N, 1, ..., 1, C) with ``keepdims``."""

    _dims = 0

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        data_format = _data_format(data_format, type(self).__name__)
        super().__init__(**kwargs)
        self.data_format, self.keepdims = data_format, bool(keepdims)

    def _axes(self) -> tuple:
        return tuple(range(1, self._dims + 1)) if self.data_format == "channels_last" else \
            tuple(range(2, self._dims + 2))

    def call(self, inputs: Tensor) -> Tensor:
        _check_rank(self, tuple(inputs.shape), self._dims)
        return self._reduce(inputs, self._axes())

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if a in axes else n for a, n in enumerate(input_shape))
        return tuple(n for a, n in enumerate(input_shape) if a not in axes)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over the steps of (N, steps, C): (N, C)."""

    _dims = 1

    def _reduce(self, inputs: Tensor, axes: tuple) -> Tensor:
        return inputs.mean(axes, keepdim=self.keepdims)


class GlobalAveragePooling2D(_GlobalPooling):
    """The mean of each channel over the image, (N, H, W, C) -> (N, C): a head with no weights."""

    _dims = 2

    def _reduce(self, inputs: Tensor, axes: tuple) -> Tensor:
        return inputs.mean(axes, keepdim=self.keepdims)


class _GlobalMaxPooling(_GlobalPooling):
    def _reduce(self, inputs: Tensor, axes: tuple) -> Tensor:
        """The spatial axes flattened into one, then its maximum (the first one takes the gradient)."""
        shape = tuple(inputs.shape)
        if self.data_format == "channels_last":
            out = inputs.reshape(shape[0], -1, shape[-1]).amax(1)
        else:
            out = inputs.reshape(shape[0], shape[1], -1).amax(2)
        return out.reshape(self.compute_output_shape(shape)) if self.keepdims else out


class GlobalMaxPooling1D(_GlobalMaxPooling):
    """The maximum over the steps of (N, steps, C): (N, C)."""

    _dims = 1


class GlobalMaxPooling2D(_GlobalMaxPooling):
    """The maximum of each channel over the image, (N, H, W, C) -> (N, C)."""

    _dims = 2
