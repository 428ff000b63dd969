"""Keras's reshaping layers: ``Flatten``, ``Reshape``."""
from __future__ import annotations

import math
from typing import Any, Iterable

from ...engine import Tensor
from .layer import Layer

__all__ = ["Flatten", "Reshape"]


class Flatten(Layer):
    """Flattens each sample: ``(batch, d1, d2, ...)`` becomes ``(batch, d1 * d2 * ...)``."""

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.ndim < 1:
            raise ValueError(f"{self.name}: Flatten needs inputs with a batch axis, got a scalar")
        return inputs.reshape(inputs.shape[0], -1) if inputs.ndim != 2 else inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        size = None if any(n is None for n in rest) else math.prod(rest)
        return (input_shape[0], size)


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (one entry may be -1): ``Reshape((28, 28))``."""

    def __init__(self, target_shape: Iterable[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(int(n) for n in target_shape)
        if sum(n == -1 for n in self.target_shape) > 1 or any(n < -1 or n == 0 for n in self.target_shape):
            raise ValueError(f"Invalid target_shape {self.target_shape}: positive sizes and at most one -1")

    def call(self, inputs: Tensor) -> Tensor:
        size = math.prod(inputs.shape[1:])
        known = math.prod(n for n in self.target_shape if n != -1)
        if (-1 in self.target_shape and size % known) or (-1 not in self.target_shape and size != known):
            raise ValueError(f"{self.name}: cannot reshape samples of shape {tuple(inputs.shape[1:])} ({size} values) "
                             f"to {self.target_shape}")
        return inputs.reshape(inputs.shape[0], *self.target_shape)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        target = list(self.target_shape)
        if -1 in target and all(n is not None for n in input_shape[1:]):
            target[target.index(-1)] = math.prod(input_shape[1:]) // math.prod(n for n in target if n != -1)
        return (input_shape[0], *(None if n == -1 else n for n in target))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": list(self.target_shape)}
