"""Activation functions beside their derivatives, from the closed forms the notes derive.

:data:`ACTIVATIONS` holds each function ``g`` and its derivative ``g'`` in NumPy, e.g. the sigmoid
``g(z) = 1 / (1 + e^-z)`` with ``g'(z) = g(z) (1 - g(z))``. :func:`plot_activations` draws them; given
netgrad callables (``netgrad.nn.ReLU()``, ``Tensor.tanh``...), it also evaluates those and differentiates
them with ``backward()``, drawing the results as dots on the closed-form curves: where autograd and the
algebra agree, the dots sit on the lines.
"""
from __future__ import annotations

import math
import os
from typing import Any, Callable, Mapping, NamedTuple, Sequence

import numpy as np

import netgrad

from ..engine.numerics import sigmoid_array, softplus_array
from ._backend import CLASS_COLORS, finish, pyplot

__all__ = ["ACTIVATIONS", "Activation", "plot_activations", "autograd_derivative"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_LEAKY_SLOPE = 0.01  # PyTorch's default negative_slope


class Activation(NamedTuple):
    """An activation's closed form: ``function(z)``, ``derivative(z)`` and the formula as text."""

    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    formula: str


_erf = np.vectorize(math.erf, otypes=[float])


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))


def _normal_pdf(z: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)


def _mish_derivative(z: np.ndarray) -> np.ndarray:
    t = np.tanh(softplus_array(z))
    return t + z * sigmoid_array(z) * (1.0 - t * t)


ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation(lambda z: z, np.ones_like, "g(z) = z"),
    "step": Activation(lambda z: (z > 0).astype(float), np.zeros_like, "g(z) = 1 if z > 0 else 0"),
    "sigmoid": Activation(sigmoid_array, lambda z: sigmoid_array(z) * (1 - sigmoid_array(z)), "g(z) = 1 / (1 + e^-z)"),
    "tanh": Activation(np.tanh, lambda z: 1 - np.tanh(z) ** 2, "g(z) = (e^z - e^-z) / (e^z + e^-z)"),
    "relu": Activation(lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float), "g(z) = max(0, z)"),
    "leaky_relu": Activation(lambda z: np.where(z > 0, z, _LEAKY_SLOPE * z),
                             lambda z: np.where(z > 0, 1.0, _LEAKY_SLOPE), "g(z) = max(0.01 z, z)"),
    "elu": Activation(lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
                      lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0))), "g(z) = z if z > 0 else e^z - 1"),
    "selu": Activation(lambda z: _SELU_SCALE * np.where(z > 0, z, _SELU_ALPHA * np.expm1(np.minimum(z, 0))),
                       lambda z: _SELU_SCALE * np.where(z > 0, 1.0, _SELU_ALPHA * np.exp(np.minimum(z, 0))),
                       "g(z) = λ (z if z > 0 else α (e^z - 1))"),
    "gelu": Activation(lambda z: z * _normal_cdf(z), lambda z: _normal_cdf(z) + z * _normal_pdf(z),
                       "g(z) = z Φ(z)"),
    "silu": Activation(lambda z: z * sigmoid_array(z), lambda z: sigmoid_array(z) * (1 + z * (1 - sigmoid_array(z))),
                       "g(z) = z σ(z)"),
    "softplus": Activation(softplus_array, sigmoid_array, "g(z) = log(1 + e^z)"),
    "mish": Activation(lambda z: z * np.tanh(softplus_array(z)), _mish_derivative, "g(z) = z tanh(softplus(z))"),
}


def autograd_derivative(fn: Callable[[Any], Any], z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(g(z), g'(z))`` for a netgrad callable ``g``, the derivative from ``backward()``.

    Because an activation works elementwise, the gradient of ``sum(g(z))`` with respect to ``z`` is the
    vector of derivatives ``g'(z_i)``.
    """
    x = netgrad.tensor(np.asarray(z, dtype=np.float64), requires_grad=True)
    y = fn(x)
    y.sum().backward()
    return y.detach().numpy().copy(), x.grad.numpy().copy()


def plot_activations(names: Sequence[str] | None = None, path: str | os.PathLike | None = None, *,
                     netgrad_functions: Mapping[str, Callable[[Any], Any]] | None = None,
                     z_range: tuple[float, float] = (-5.0, 5.0), columns: int = 4) -> Any:
    """Each activation (solid) beside its derivative (dashed), one panel per function.

    Args:
        names: Keys of :data:`ACTIVATIONS` (default: all of them).
        path: Where to save the picture; nothing is saved when None.
        netgrad_functions: ``{name: callable}`` of netgrad implementations to check against the closed
            form; each is evaluated and differentiated by autograd and drawn as dots.
        z_range: The interval of ``z`` to draw.
        columns: Panels per row.

    Returns:
        The matplotlib Figure.
    """
    names = list(ACTIVATIONS) if names is None else list(names)
    unknown = [n for n in names if n not in ACTIVATIONS]
    if unknown:
        raise ValueError(f"unknown activation(s) {unknown}; choose from {list(ACTIVATIONS)}")
    low, high = z_range
    if not low < high:
        raise ValueError(f"z_range must be (low, high) with low < high, got {z_range}")
    z = np.linspace(low, high, 401)
    z_dots = np.linspace(low, high, 21) + (high - low) / 400  # off z = 0, where ReLU-like kinks are
    plt = pyplot()
    rows = math.ceil(len(names) / columns)
    cols = min(columns, len(names))
    fig, axes = plt.subplots(rows, cols, figsize=(3.3 * cols, 2.8 * rows), squeeze=False)
    for ax in axes.flat[len(names):]:
        ax.axis("off")
    for ax, name in zip(axes.flat, names):
        act = ACTIVATIONS[name]
        ax.axhline(0, color="#bbbbbb", linewidth=0.8)
        ax.axvline(0, color="#bbbbbb", linewidth=0.8)
        ax.plot(z, act.function(z), color=CLASS_COLORS[1], linewidth=2, label="g(z)")
        ax.plot(z, act.derivative(z), "--", color=CLASS_COLORS[0], linewidth=2, label="g'(z)")
        if netgrad_functions and name in netgrad_functions:
            values, slopes = autograd_derivative(netgrad_functions[name], z_dots)
            ax.plot(z_dots, values, "o", color=CLASS_COLORS[1], markersize=3.5, label="netgrad")
            ax.plot(z_dots, slopes, "o", color=CLASS_COLORS[0], markersize=3.5, label="backward()")
        ax.set_title(name, fontsize=11)
        ax.set_xlabel(act.formula, fontsize=8)
        ax.grid(alpha=0.25)
    axes.flat[0].legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return finish(fig, path)
