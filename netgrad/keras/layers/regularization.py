"""Keras's regularisation layers: ``Dropout``."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ...engine import Tensor
from ...engine.backend import array_module, device_of, generator_for, to_device
from .layer import Layer

__all__ = ["Dropout"]


class Dropout(Layer):
    """Inverted dropout: in training, each input is zeroed with probability ``rate`` and the others are scaled
    by 1 / (1 - rate), so the expected output equals the input; in inference, the identity.

    Args:
        rate: The fraction of inputs to drop, in [0, 1].
        noise_shape: The shape of the mask, broadcast over the input (None entries take the input's size);
            e.g. ``(None, 1)`` drops whole rows.
        seed: A seed for this layer's own generator (default: netgrad's global generator).
    """

    def __init__(self, rate: float, noise_shape: Iterable[int | None] | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             f"Received: rate={rate!r}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._generator = None if seed is None else np.random.default_rng(seed)

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        shape = tuple(inputs.shape)
        if self.noise_shape is not None:
            if len(self.noise_shape) != len(shape):
                raise ValueError(f"{self.name}: noise_shape {self.noise_shape} must have one entry per input axis "
                                 f"(input shape {shape})")
            shape = tuple(size if n is None else n for n, size in zip(self.noise_shape, shape))
        data = inputs._data
        if self.rate == 1:
            return inputs * array_module(data).zeros(shape, dtype=data.dtype)
        if self._generator is not None:  # the layer's own seeded generator draws on the host, the mask moves
            keep = to_device(self._generator.random(shape) >= self.rate, *device_of(data))
        else:  # the global generator of the input's device (seeded by netgrad.manual_seed), as nn.Dropout's
            keep = generator_for(data).random(shape) >= self.rate
        return inputs * (keep / (1.0 - self.rate)).astype(data.dtype)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        noise_shape = None if self.noise_shape is None else list(self.noise_shape)
        return {**super().get_config(), "rate": self.rate, "noise_shape": noise_shape, "seed": self.seed}
