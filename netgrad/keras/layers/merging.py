"""Keras's merging layers: a list of tensors in, one out (``Concatenate``, ``Add``, ``Subtract``, ``Multiply``,
``Average``, ``Maximum``, ``Minimum``) and their functional forms (``layers.concatenate([a, b])``).

They run eagerly, inside subclassed models, and on lists of KerasTensors in functional models.
"""
from __future__ import annotations

from functools import reduce
from typing import Any, Sequence

from ...engine import Tensor, cat
from .layer import Layer

__all__ = ["Add", "Average", "Concatenate", "Maximum", "Minimum", "Multiply", "Subtract", "add", "average",
           "concatenate", "maximum", "minimum", "multiply", "subtract"]


class _Merge(Layer):
    """Base class: checks that ``inputs`` is a list of at least two tensors of compatible shapes."""

    minimum_inputs = 2

    def _checked(self, inputs: Any) -> list[Tensor]:
        if not isinstance(inputs, (list, tuple)) or len(inputs) < self.minimum_inputs:
            raise ValueError(f"A merge layer ({type(self).__name__} {self.name!r}) should be called on a list of at "
                             f"least {self.minimum_inputs} inputs, got {type(inputs).__name__}")
        return list(inputs)

    def call(self, inputs: Any) -> Tensor:
        return reduce(self._merge, self._checked(inputs))

    def _merge(self, a: Tensor, b: Tensor) -> Tensor:
        raise NotImplementedError

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape[0])


class Add(_Merge):
    """The elementwise sum of the inputs."""

    def _merge(self, a: Tensor, b: Tensor) -> Tensor:
        return a + b


class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    def call(self, inputs: Any) -> Tensor:
        inputs = self._checked(inputs)
        if len(inputs) != 2:
            raise ValueError(f"A `Subtract` layer should be called on exactly 2 inputs, got {len(inputs)}")
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """The elementwise product of the inputs."""

    def _merge(self, a: Tensor, b: Tensor) -> Tensor:
        return a * b


class Average(_Merge):
    """The elementwise mean of the inputs."""

    def call(self, inputs: Any) -> Tensor:
        inputs = self._checked(inputs)
        return reduce(lambda a, b: a + b, inputs) / float(len(inputs))


class Maximum(_Merge):
    """The elementwise maximum of the inputs."""

    def _merge(self, a: Tensor, b: Tensor) -> Tensor:
        return a.maximum(b)


class Minimum(_Merge):
    """The elementwise minimum of the inputs."""

    def _merge(self, a: Tensor, b: Tensor) -> Tensor:
        return a.minimum(b)


class Concatenate(_Merge):
    """The inputs joined along ``axis`` (default -1, the features); other axes must agree."""

    minimum_inputs = 1

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)

    def call(self, inputs: Any) -> Tensor:
        inputs = self._checked(inputs)
        shapes = [tuple(t.shape) for t in inputs]
        ndim = len(shapes[0])
        axis = self.axis % ndim
        if any(len(s) != ndim or s[:axis] + s[axis + 1:] != shapes[0][:axis] + shapes[0][axis + 1:]
               for s in shapes):
            raise ValueError(f"A `Concatenate` layer requires inputs with matching shapes except for the concatenation "
                             f"axis. Received: input_shape={shapes}")
        return cat(inputs, axis)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shapes = [tuple(s) for s in input_shape]
        axis = self.axis % len(shapes[0])
        sizes = [s[axis] for s in shapes]
        total = None if any(n is None for n in sizes) else sum(sizes)
        return shapes[0][:axis] + (total,) + shapes[0][axis + 1:]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs: Sequence[Any], axis: int = -1, **kwargs: Any) -> Tensor:
    """``Concatenate(axis=axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def add(inputs: Sequence[Any], **kwargs: Any) -> Tensor:
    return Add(**kwargs)(inputs)


def subtract(inputs: Sequence[Any], **kwargs: Any) -> Tensor:
    return Subtract(**kwargs)(inputs)


def multiply(inputs: Sequence[Any], **kwargs: Any) -> Tensor:
    return Multiply(**kwargs)(inputs)


def average(inputs: Sequence[Any], **kwargs: Any) -> Tensor:
    return Average(**kwargs)(inputs)


def maximum(inputs: Sequence[Any], **kwargs: Any) -> Tensor:
    return Maximum(**kwargs)(inputs)


def minimum(inputs: Sequence[Any], **kwargs: Any) -> Tensor:
    return Minimum(**kwargs)(inputs)
