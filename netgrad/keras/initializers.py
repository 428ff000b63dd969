"""Keras's weight initialisers: ``initializer(shape, dtype)`` returns a NumPy array.

Fans follow Keras's convention for a Dense kernel of shape (input_dim, units): fan_in = shape[0],
fan_out = shape[1] (for more dimensions the leading axes are the receptive field). The notes' table:

==============================  ============================  ===================
initialiser                     activations                   variance
==============================  ============================  ===================
Glorot (``glorot_uniform``)     none, tanh, logistic, softmax  2 / (fan_in + fan_out)
He (``he_normal``)              ReLU and its variants          2 / fan_in
LeCun (``lecun_normal``)        SELU                           1 / fan_in
==============================  ============================  ===================

Keras's "normal" variance-scaling initialisers draw from a normal truncated at two standard deviations,
with the standard deviation divided by 0.8796 so that the truncated draw has the stated variance.
Random draws come from ``netgrad.random.get_generator()`` (so ``netgrad.manual_seed`` fixes them) unless an
initialiser is given its own ``seed``; as in Keras 3, a seeded initialiser returns the same values every call.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..engine import Tensor
from ..random import get_generator
from .backend import standardize_dtype, to_snake_case
from .names import Catalogue

__all__ = [
    "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity", "Initializer", "LecunNormal",
    "LecunUniform", "Ones", "Orthogonal", "RandomNormal", "RandomUniform", "TruncatedNormal", "VarianceScaling",
    "Zeros", "compute_fans", "deserialize", "get", "serialize",
]

# the standard deviation of a standard normal truncated to [-2, 2]
_TRUNCATED_STDDEV = 0.87962566103423978


def compute_fans(shape: tuple) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight: (shape[0], shape[1]) for a matrix, receptive field times channels
    for more dimensions, ``shape[0]`` twice for a vector and 1 for a scalar."""
    shape = tuple(int(n) for n in shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    shape = tuple(shape)
    if any(n is None or int(n) < 0 for n in shape):
        raise ValueError(f"an initializer needs a fully known, non-negative shape, got {shape}")
    return tuple(int(n) for n in shape)


def _float_dtype(dtype: Any) -> np.dtype:
    dtype = np.dtype(standardize_dtype(dtype))
    if dtype.kind != "f":
        raise ValueError(f"this initializer draws floats and cannot fill a weight of dtype {dtype}")
    return dtype


class Initializer:
    """Base class: ``__call__(shape, dtype=None)`` returns a new tensor; ``get_config`` its arguments."""

    def __call__(self, shape: Any, dtype: Any = None) -> Tensor:
        """A new tensor of ``shape`` and ``dtype`` (Keras 3's initializers return tensors)."""
        return Tensor._wrap(self._values(shape, dtype))

    def _values(self, shape: Any, dtype: Any = None) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(shape, dtype=None)")

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Initializer":
        return cls(**config)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class Zeros(Initializer):
    """All zeros."""

    def _values(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return np.zeros(_shape(shape), dtype=standardize_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def _values(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return np.ones(_shape(shape), dtype=standardize_dtype(dtype))


class Constant(Initializer):
    """Every element equal to ``value``."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def _values(self, shape: Any, dtype: Any = None) -> np.ndarray:
        return np.full(_shape(shape), self.value, dtype=standardize_dtype(dtype))

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def _values(self, shape: Any, dtype: Any = None) -> np.ndarray:
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity initializer can only be used for 2D matrices, got shape {shape}")
        return self.gain * np.eye(*shape, dtype=_float_dtype(dtype))

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain}


class RandomInitializer(Initializer):
    """An initialiser that draws random numbers: from its own ``seed`` if given, else the global generator."""

    def __init__(self, seed: int | None = None) -> None:
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise ValueError(f"seed must be an integer or None, got {seed!r}")
        self.seed = seed

    def _generator(self) -> np.random.Generator:
        return get_generator() if self.seed is None else np.random.default_rng(self.seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


def _truncated_normal(generator: np.random.Generator, shape: tuple, mean: float, stddev: float) -> np.ndarray:
    """Normal draws, each outside mean +- 2 stddev drawn again (Keras's truncated normal)."""
    values = generator.standard_normal(shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = generator.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return mean + stddev * values


class RandomNormal(RandomInitializer):
    """Normal draws N(mean, stddev^2); Keras's defaults mean=0, stddev=0.05."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def _values(self, shape: Any, dtype: Any = None) -> np.ndarray:
        values = self._generator().normal(self.mean, self.stddev, _shape(shape))
        return values.astype(_float_dtype(dtype))

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomInitializer):
    """Normal draws N(mean, stddev^2) kept within two standard deviations of the mean."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def _values(self, shape: Any, dtype: Any = None) -> np.ndarray:
        values = _truncated_normal(self._generator(), _shape(shape), self.mean, self.stddev)
        return values.astype(_float_dtype(dtype))

    def get_config(self) -> dict[str, Any]:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(RandomInitializer):
    """Uniform draws in [minval, maxval); Keras's defaults -0.05 and 0.05."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def _values(self, shape: Any, dtype: Any = None) -> np.ndarray:
        values = self._generator().uniform(self.minval, self.maxval, _shape(shape))
        return values.astype(_float_dtype(dtype))

    def get_config(self) -> dict[str, Any]:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class VarianceScaling(RandomInitializer):
    """Draws whose variance is ``scale / n``, n = fan_in, fan_out or their mean (``mode``).

    ``distribution``: 'truncated_normal' (stddev sqrt(scale / n) / 0.8796, truncated at two stddevs),
    'untruncated_normal' (stddev sqrt(scale / n)) or 'uniform' (in [-limit, limit], limit = sqrt(3 scale / n)).
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal",
                 seed: int | None = None) -> None:
        super().__init__(seed)
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in self._MODES:
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Valid values: {', '.join(self._MODES)}")
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}. Valid values: "
                             f"{', '.join(self._DISTRIBUTIONS)}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def _values(self, shape: Any, dtype: Any = None) -> np.ndarray:
        shape, dtype = _shape(shape), _float_dtype(dtype)
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        generator = self._generator()
        if self.distribution == "truncated_normal":
            values = _truncated_normal(generator, shape, 0.0, math.sqrt(variance) / _TRUNCATED_STDDEV)
        elif self.distribution == "untruncated_normal":
            values = generator.normal(0.0, math.sqrt(variance), shape)
        else:
            limit = math.sqrt(3.0 * variance)
            values = generator.uniform(-limit, limit, shape)
        return values.astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


class _NamedVarianceScaling(VarianceScaling):
    """A VarianceScaling preset whose only argument is ``seed``."""

    _preset: tuple[float, str, str]

    def __init__(self, seed: int | None = None) -> None:
        scale, mode, distribution = self._preset
        super().__init__(scale, mode, distribution, seed)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed}


class GlorotUniform(_NamedVarianceScaling):
    """Glorot (Xavier) uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)). Keras's default kernel."""

    _preset = (1.0, "fan_avg", "uniform")


class GlorotNormal(_NamedVarianceScaling):
    """Glorot normal: truncated normal with stddev sqrt(2 / (fan_in + fan_out))."""

    _preset = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_NamedVarianceScaling):
    """He uniform: U(-limit, limit), limit = sqrt(6 / fan_in)."""

    _preset = (2.0, "fan_in", "uniform")


class HeNormal(_NamedVarianceScaling):
    """He normal: truncated normal with stddev sqrt(2 / fan_in) (for ReLU layers)."""

    _preset = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_NamedVarianceScaling):
    """LeCun uniform: U(-limit, limit), limit = sqrt(3 / fan_in)."""

    _preset = (1.0, "fan_in", "uniform")


class LecunNormal(_NamedVarianceScaling):
    """LeCun normal: truncated normal with stddev sqrt(1 / fan_in) (for SELU layers)."""

    _preset = (1.0, "fan_in", "truncated_normal")


class Orthogonal(RandomInitializer):
    """``gain`` times a random orthogonal matrix (the Q of the QR decomposition of a normal draw).

    A shape of more than two dimensions is treated as a (prod(shape[:-1]), shape[-1]) matrix.
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = gain

    def _values(self, shape: Any, dtype: Any = None) -> np.ndarray:
        shape, dtype = _shape(shape), _float_dtype(dtype)
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional, got shape {shape}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        q, r = np.linalg.qr(self._generator().standard_normal(flat))
        q *= np.sign(np.diag(r))  # makes the draw uniform over orthogonal matrices
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed}


# ----------------------------------------------------------------------------------------------- lookup

_CLASSES = (Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
            GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal, Orthogonal)
_BY_NAME: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
_BY_NAME.update(normal=RandomNormal, uniform=RandomUniform, zero=Zeros, one=Ones)


_catalogue = Catalogue("initializer", _BY_NAME, base=Initializer)
serialize = _catalogue.serialize
deserialize = _catalogue.deserialize


def get(identifier: Any) -> Initializer | Callable | None:
    """An initialiser from a name (``'he_normal'``), a config dict, an instance, a class, a callable or an
    array of initial values.

    Raises:
        ValueError: for an unknown name; the message lists the valid ones.
    """
    if isinstance(identifier, (np.ndarray, np.generic)):
        values = np.asarray(identifier)

        def from_values(shape: Any, dtype: Any = None) -> np.ndarray:
            if tuple(_shape(shape)) != values.shape:
                raise ValueError(f"the initial values have shape {values.shape}, but the weight has shape "
                                 f"{tuple(_shape(shape))}")
            return values.astype(standardize_dtype(dtype))

        return from_values
    return _catalogue.get(identifier)
