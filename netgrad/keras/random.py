"""``keras.random``: random tensors drawn from netgrad's generator (``netgrad.manual_seed`` seeds them).

``seed`` follows Keras 3: None draws from the global generator (``keras.utils.set_random_seed`` /
``netgrad.manual_seed``), an integer gives the same draw every time, and a :class:`SeedGenerator` (created
once, e.g. in a layer's ``__init__``) gives a new, reproducible draw on each call.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import Tensor
from ..random import get_generator
from .backend import standardize_dtype
from .ops.core import convert_to_tensor

__all__ = ["SeedGenerator", "dropout", "normal", "randint", "shuffle", "truncated_normal", "uniform"]


class SeedGenerator:
    """A generator of its own: ``keras.random.normal(shape, seed=self.seed_generator)`` advances it."""

    def __init__(self, seed: int | None = None, name: str | None = None) -> None:
        self.seed = int(get_generator().integers(2 ** 31)) if seed is None else int(seed)
        self.name = name
        self.generator = np.random.default_rng(self.seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


def _generator(seed: Any) -> np.random.Generator:
    if seed is None:
        return get_generator()
    if isinstance(seed, SeedGenerator):
        return seed.generator
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(int(seed))
    raise ValueError(f"seed must be None, an integer or a keras.random.SeedGenerator, got {seed!r}")


def _shape(shape: Any) -> tuple[int, ...]:
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(n) for n in shape)


def normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None, seed: Any = None) -> Tensor:
    """Draws from N(mean, stddev^2)."""
    values = _generator(seed).normal(mean, stddev, _shape(shape))
    return Tensor._wrap(values.astype(standardize_dtype(dtype)))


def uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None, seed: Any = None) -> Tensor:
    """Draws from U[minval, maxval)."""
    values = _generator(seed).uniform(minval, maxval, _shape(shape))
    return Tensor._wrap(values.astype(standardize_dtype(dtype)))


def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: Any = None) -> Tensor:
    """Draws from N(mean, stddev^2), redrawing those more than two standard deviations from the mean."""
    generator, shape = _generator(seed), _shape(shape)
    values = generator.standard_normal(shape)
    outside = np.abs(values) > 2
    while outside.any():
        values[outside] = generator.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2
    return Tensor._wrap((mean + stddev * values).astype(standardize_dtype(dtype)))


def randint(shape: Any, minval: int, maxval: int, dtype: Any = "int32", seed: Any = None) -> Tensor:
    """Integers drawn uniformly from [minval, maxval)."""
    values = _generator(seed).integers(minval, maxval, _shape(shape))
    return Tensor._wrap(values.astype(standardize_dtype(dtype)))


def dropout(inputs: Any, rate: float, noise_shape: Any = None, seed: Any = None) -> Tensor:
    """Inverted dropout: each value zeroed with probability ``rate``, the others scaled by 1 / (1 - rate)."""
    if not 0 <= rate < 1:
        raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
    inputs = convert_to_tensor(inputs)
    shape = tuple(inputs.shape) if noise_shape is None else _shape(noise_shape)
    keep = _generator(seed).random(shape) >= rate
    return inputs * (keep / (1.0 - rate)).astype(inputs._data.dtype)


def shuffle(x: Any, axis: int = 0, seed: Any = None) -> Tensor:
    """``x`` with its entries along ``axis`` in a random order (differentiable: a gather)."""
    x = convert_to_tensor(x)
    order = _generator(seed).permutation(x.shape[axis])
    return x[(slice(None),) * (axis % x.ndim) + (order,)]
