"""Keras's activation functions by name (``Dense(64, activation="relu")``), on netgrad's fused ops.

Each function takes and returns a :class:`~netgrad.Tensor` with Keras's arguments and defaults (note
``leaky_relu``'s slope 0.2, PyTorch's is 0.01). :func:`get` turns a name into the function and
:func:`serialize` a function back into its name.

Logits are remembered. ``softmax`` (over the last axis) and ``sigmoid`` note which tensor they were applied
to, for as long as their output lives. A cross-entropy loss given such an output (``from_logits=False``)
looks the logits up and computes the loss from them with the fused, stable softmax-cross-entropy or
BCE-with-logits, exactly as Keras does on TensorFlow; ``predict`` still returns the probabilities. This
keeps a ``Dense(10, activation="softmax")`` output layer trained with ``categorical_crossentropy`` accurate
(no log of a rounded-off probability) and fast, in any model: ``Sequential``, functional or subclassed.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable

from ..engine import Tensor
from ..nn import functional as F
from .names import Catalogue

__all__ = [
    "elu", "exponential", "gelu", "get", "hard_sigmoid", "hard_silu", "hard_swish", "leaky_relu", "linear",
    "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu", "serialize", "sigmoid", "silu", "softmax",
    "softplus", "softsign", "swish", "tanh",
]

# id(output) -> (weak reference to output, logits, "softmax" | "sigmoid"); an entry leaves with its output.
_logits_of: dict[int, tuple[weakref.ref, Tensor, str]] = {}


def _remember_logits(output: Tensor, logits: Tensor, kind: str) -> Tensor:
    key = id(output)

    def forget(_: Any, key: int = key) -> None:
        _logits_of.pop(key, None)

    _logits_of[key] = (weakref.ref(output, forget), logits, kind)
    return output


def logits_of(output: Any, kind: str) -> Tensor | None:
    """The logits that ``softmax`` (``kind='softmax'``) or ``sigmoid`` turned into ``output``, else None."""
    entry = _logits_of.get(id(output))
    if entry is None or entry[0]() is not output or entry[2] != kind:
        return None
    return entry[1]


def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


# ------------------------------------------------------------------------------------------- functions


def linear(x: Tensor) -> Tensor:
    """The identity, f(x) = x (``activation=None``)."""
    return _tensor(x)


def relu(x: Tensor, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0) -> Tensor:
    """max(x, 0); with Keras's options: slope ``negative_slope`` below ``threshold``, capped at ``max_value``.

    f(x) = x for threshold <= x < max_value, max_value above, negative_slope (x - threshold) below.
    """
    x = _tensor(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return F.relu(x)
    if negative_slope < 0:
        raise ValueError(f"negative_slope of relu must be >= 0, got {negative_slope}")
    if max_value is not None and max_value < 0:
        raise ValueError(f"max_value of relu must be >= 0, got {max_value}")
    above = x >= threshold
    out = x.where(above, (x - threshold) * negative_slope if negative_slope else x * 0.0)
    if max_value is not None:
        out = out.clamp(max=max_value)
    return out


def leaky_relu(x: Tensor, negative_slope: float = 0.2) -> Tensor:
    """x for x >= 0, negative_slope * x below (Keras's default slope is 0.2)."""
    return F.leaky_relu(_tensor(x), negative_slope)


def relu6(x: Tensor) -> Tensor:
    """min(max(x, 0), 6)."""
    return F.relu6(_tensor(x))


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha (e^x - 1) below."""
    return F.elu(_tensor(x), alpha)


def selu(x: Tensor) -> Tensor:
    """scale * elu(x, alpha) with scale = 1.0507..., alpha = 1.6733... (self-normalising; LeCun init)."""
    return F.selu(_tensor(x))


def gelu(x: Tensor, approximate: bool = False) -> Tensor:
    """x Phi(x); ``approximate=True`` uses 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    return F.gelu(_tensor(x), approximate="tanh" if approximate else "none")


def silu(x: Tensor) -> Tensor:
    """x sigmoid(x) (swish)."""
    return F.silu(_tensor(x))


swish = silu


def mish(x: Tensor) -> Tensor:
    """x tanh(softplus(x))."""
    return F.mish(_tensor(x))


def softplus(x: Tensor) -> Tensor:
    """log(e^x + 1)."""
    return F.softplus(_tensor(x))


def softsign(x: Tensor) -> Tensor:
    """x / (|x| + 1)."""
    x = _tensor(x)
    return x / (x.abs() + 1.0)


def tanh(x: Tensor) -> Tensor:
    """(e^x - e^-x) / (e^x + e^-x)."""
    return F.tanh(_tensor(x))


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e^-x); the output remembers its logits x for ``binary_crossentropy``."""
    x = _tensor(x)
    return _remember_logits(F.sigmoid(x), x, "sigmoid")


def hard_sigmoid(x: Tensor) -> Tensor:
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear in between (Keras 3's definition)."""
    return F.relu6(_tensor(x) + 3.0) / 6.0


def hard_silu(x: Tensor) -> Tensor:
    """x hard_sigmoid(x) (hard swish)."""
    x = _tensor(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def exponential(x: Tensor) -> Tensor:
    """e^x."""
    return _tensor(x).exp()


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """e^(x_k) / sum_j e^(x_j) along ``axis``; over the last axis the output remembers its logits x."""
    x = _tensor(x)
    if x.ndim < 1:
        raise ValueError(f"softmax needs at least one axis; got a tensor of shape {tuple(x.shape)}")
    out = F.softmax(x, dim=axis)
    if axis in (-1, x.ndim - 1):
        _remember_logits(out, x, "softmax")
    return out


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x - logsumexp(x) along ``axis``."""
    return F.log_softmax(_tensor(x), dim=axis)


def log_sigmoid(x: Tensor) -> Tensor:
    """log(1 / (1 + e^-x)) = -softplus(-x)."""
    return F.logsigmoid(_tensor(x))


# ----------------------------------------------------------------------------------------------- lookup

_ACTIVATIONS: dict[str, Callable[..., Tensor]] = {
    fn.__name__: fn for fn in (linear, relu, leaky_relu, relu6, elu, selu, gelu, silu, mish, softplus, softsign,
                               tanh, sigmoid, hard_sigmoid, hard_silu, exponential, softmax, log_softmax,
                               log_sigmoid)
}
_ACTIVATIONS.update(swish=silu, hard_swish=hard_silu)


_catalogue = Catalogue("activation", _ACTIVATIONS, default=linear)
get = _catalogue.get  # a name ('relu'), a callable (returned as is) or None (linear)
serialize = _catalogue.serialize  # the name of a named activation
deserialize = _catalogue.deserialize
