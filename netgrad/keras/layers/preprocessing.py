"""Keras's preprocessing layers: ``Normalization`` (statistics learned by ``adapt``), ``Rescaling``."""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ...engine import Tensor
from .layer import Layer

__all__ = ["Normalization", "Rescaling"]


class Normalization(Layer):
    """Standardises features with a mean and variance learned from data: ``(x - mean) / sqrt(var)``.

    ``layer.adapt(X_train)`` computes the mean and (biased) variance of each feature; or give ``mean`` and
    ``variance`` directly. The denominator is max(sqrt(var), 1e-7), so constant features do not divide by 0.

    Args:
        axis: The axis (or axes) that keep their own statistics (default -1: one per feature); None for a
            single mean and variance over everything.
        mean, variance: Fixed statistics instead of ``adapt``.
        invert: Undo the normalisation instead: ``mean + x * sqrt(var)``.
    """

    def __init__(self, axis: int | Iterable[int] | None = -1, mean: Any = None, variance: Any = None,
                 invert: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = () if axis is None else (int(axis),) if isinstance(axis, (int, np.integer)) else tuple(axis)
        if (mean is None) != (variance is None):
            raise ValueError(f"When setting values directly, both `mean` and `variance` must be set. Received: "
                             f"mean={mean} and variance={variance}")
        if mean is not None and np.shape(mean) != np.shape(variance):
            raise ValueError(f"`mean` and `variance` must have the same shape; got {np.shape(mean)} and "
                             f"{np.shape(variance)}")
        self.input_mean = None if mean is None else np.asarray(mean, dtype=self.dtype)
        self.input_variance = None if variance is None else np.asarray(variance, dtype=self.dtype)
        self.invert = bool(invert)

    def build(self, input_shape: tuple) -> None:
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). Received inputs with ndim={ndim}, "
                             f"while axis={self.axis}")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for a in self._keep_axis:
            if input_shape[a] is None:
                raise ValueError(f"Normalization {self.name!r}: axis {a} must have a known size, input shape "
                                 f"{tuple(input_shape)}")
        self._reduce_axis = tuple(a for a in range(ndim) if a not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[a] if a in self._keep_axis else 1 for a in range(ndim))
        stats_shape = tuple(input_shape[a] for a in self._keep_axis)
        if self.input_mean is None:
            self.mean = self.add_weight(stats_shape, "zeros", trainable=False, name="mean")
            self.variance = self.add_weight(stats_shape, "ones", trainable=False, name="variance")
            self.count = self.add_weight((), "zeros", dtype="int64", trainable=False, name="count")

    def _statistics(self) -> tuple[np.ndarray, np.ndarray]:
        if self.input_mean is not None:
            mean, variance = self.input_mean, self.input_variance
            if mean.ndim:
                mean, variance = mean.reshape(self._broadcast_shape), variance.reshape(self._broadcast_shape)
            return mean, variance
        return self.mean._data.reshape(self._broadcast_shape), self.variance._data.reshape(self._broadcast_shape)

    def adapt(self, data: Any) -> None:
        """Compute the mean and variance of ``data``: an array, a Tensor, or an iterable of batches (such as a
        DataLoader; of an ``(x, y)`` batch only ``x`` is used), merged exactly."""
        if self.input_mean is not None:
            raise ValueError(f"Normalization {self.name!r} was given a fixed mean and variance; it cannot adapt")
        if isinstance(data, (np.ndarray, Tensor)) or (isinstance(data, (list, tuple)) and data and
                                                       not isinstance(data[0], (np.ndarray, Tensor, tuple, list))):
            batches: Iterable[Any] = [data]
        elif isinstance(data, (list, tuple)) and data and isinstance(data[0], (int, float)):
            batches = [np.asarray(data)]
        else:
            batches = data
        total_mean = total_var = None
        total_count = 0
        for batch in batches:
            if isinstance(batch, (tuple, list)) and batch and isinstance(batch[0], (np.ndarray, Tensor)):
                batch = batch[0]
            array = np.asarray(batch._data if isinstance(batch, Tensor) else batch, dtype=np.float64)
            if array.ndim == 0:
                raise ValueError("adapt() needs data with a batch axis")
            if not self.built:
                self._maybe_build((None,) + array.shape[1:])
            for a in self._keep_axis:
                if self._build_input_shape[a] is not None and array.shape[a] != self._build_input_shape[a]:
                    raise ValueError(f"Normalization {self.name!r} was built for input shape "
                                     f"{self._build_input_shape}, but adapt() got data of shape {array.shape}")
            count = math.prod(array.shape[a] for a in self._reduce_axis)
            if count == 0:
                continue
            mean = array.mean(axis=self._reduce_axis)
            var = array.var(axis=self._reduce_axis)
            if total_mean is None:
                total_mean, total_var, total_count = mean, var, count
                continue
            # merge two (mean, variance, count) summaries exactly (Chan et al.)
            new_count = total_count + count
            weight = count / new_count
            new_mean = total_mean * (1 - weight) + mean * weight
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1 - weight) + \
                (var + (mean - new_mean) ** 2) * weight
            total_mean, total_count = new_mean, new_count
        if total_mean is None:
            raise ValueError("adapt() received no data")
        self.mean._data[...] = total_mean
        self.variance._data[...] = total_var
        self.count._data[...] = total_count

    def call(self, inputs: Tensor) -> Tensor:
        mean, variance = self._statistics()
        scale = np.maximum(np.sqrt(variance), 1e-7).astype(inputs._data.dtype)
        mean = mean.astype(inputs._data.dtype, copy=False)
        if self.invert:
            return inputs * scale + mean
        return (inputs - mean) / scale

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": list(self.axis), "invert": self.invert,
                "mean": None if self.input_mean is None else self.input_mean.tolist(),
                "variance": None if self.input_variance is None else self.input_variance.tolist()}


class Rescaling(Layer):
    """``inputs * scale + offset``, e.g. ``Rescaling(1 / 255)`` for pixel values."""

    def __init__(self, scale: float, offset: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale, self.offset = float(scale), float(offset)

    def call(self, inputs: Tensor) -> Tensor:
        out = inputs * self.scale
        return out + self.offset if self.offset else out

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}
