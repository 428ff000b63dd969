"""Weight initialisers (PyTorch's ``torch.nn.init``): each fills a tensor in place and returns it.

Random values come from the global generator (``netgrad.manual_seed`` makes them reproducible) unless a
``generator`` (a ``numpy.random.Generator``) is given. Writing happens on the raw array, so parameters that
require grad can be initialised without ``no_grad``.

Which scheme for which activation (the lecture notes' table; Glorot & Bengio 2010, He et al. 2015,
LeCun et al. 1998), keeping the variance of activations and gradients roughly constant from layer to layer:

=============  =================================  =====================================
initialiser    activations                        variance of the weights (normal)
=============  =================================  =====================================
Glorot/Xavier  none, tanh, logistic, softmax      1 / fan_avg = 2 / (fan_in + fan_out)
He/Kaiming     ReLU and its variants              2 / fan_in
LeCun          SELU                               1 / fan_in
=============  =================================  =====================================

A uniform distribution U(-a, a) has variance a^2 / 3, so each uniform version uses a = sqrt(3 * variance).
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..engine import Tensor
from ..engine.backend import device_of, to_device
from ..random import get_generator

__all__ = [
    "calculate_gain", "zeros_", "ones_", "constant_", "uniform_", "normal_", "xavier_uniform_",
    "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "lecun_uniform_", "lecun_normal_",
]

_LINEAR_LIKE = ("linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for an activation (PyTorch's table).

    ======================  ==================================
    nonlinearity            gain
    ======================  ==================================
    linear / identity /     1
    conv / sigmoid
    tanh                    5/3
    relu                    sqrt(2)
    leaky_relu              sqrt(2 / (1 + negative_slope^2)),
                            negative_slope = ``param`` or 0.01
    selu                    3/4
    ======================  ==================================
    """
    if nonlinearity in _LINEAR_LIKE:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity!r}; choose one of {', '.join(_LINEAR_LIKE)}, "
                     "tanh, relu, leaky_relu, selu")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """fan_in = in_features (x receptive field), fan_out = out_features (x receptive field) of a weight."""
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(f"Fan in and fan out can not be computed for a tensor with fewer than 2 dimensions "
                         f"(got shape {shape})")
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode!r} not supported, please use one of 'fan_in', 'fan_out'")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor: Tensor, values: Any) -> Tensor:
    on_device = to_device(values, *device_of(tensor._data)) if hasattr(values, "shape") else values
    tensor._data[...] = on_device
    return tensor


def _rng(generator: np.random.Generator | None) -> np.random.Generator:
    return get_generator() if generator is None else generator


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _fill(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _fill(tensor, 1)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``. (Constant weights make every unit of a layer learn the same thing: use for biases.)"""
    return _fill(tensor, val)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: np.random.Generator | None = None) -> Tensor:
    """Fill with samples of U(a, b)."""
    if a > b:
        raise ValueError(f"uniform_ expects a <= b, got a={a}, b={b}")
    return _fill(tensor, _rng(generator).uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: np.random.Generator | None = None) -> Tensor:
    """Fill with samples of N(mean, std^2)."""
    if std < 0:
        raise ValueError(f"normal_ expects std >= 0, got {std}")
    return _fill(tensor, _rng(generator).normal(mean, std, tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None) -> Tensor:
    """Glorot uniform: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)). For tanh, logistic, softmax, linear."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: np.random.Generator | None = None) -> Tensor:
    """Glorot normal: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)). For tanh, logistic, softmax, linear."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: np.random.Generator | None = None) -> Tensor:
    """He uniform: U(-b, b), b = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a). For ReLU and variants.

    ``a`` is the negative slope of a leaky ReLU; ``mode='fan_in'`` preserves the forward variance,
    ``'fan_out'`` the backward one. ``Linear``'s default is ``kaiming_uniform_(w, a=sqrt(5))``, i.e.
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    """
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: np.random.Generator | None = None) -> Tensor:
    """He normal: N(0, std^2), std = gain / sqrt(fan); variance 2 / fan_in for ReLU (``nonlinearity='relu'``)."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def lecun_uniform_(tensor: Tensor, generator: np.random.Generator | None = None) -> Tensor:
    """LeCun uniform: U(-a, a), a = sqrt(3 / fan_in) (variance 1 / fan_in). For SELU. Keras's ``lecun_uniform``."""
    bound = math.sqrt(3.0 / _fan(tensor, "fan_in"))
    return uniform_(tensor, -bound, bound, generator)


def lecun_normal_(tensor: Tensor, generator: np.random.Generator | None = None) -> Tensor:
    """LeCun normal: N(0, 1 / fan_in). For SELU (self-normalising networks).

    Keras's ``lecun_normal`` draws from a truncated normal rescaled to the same variance; this is the plain
    normal of the notes' table.
    """
    return normal_(tensor, 0.0, math.sqrt(1.0 / _fan(tensor, "fan_in")), generator)
