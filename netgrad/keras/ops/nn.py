"""Keras 3's neural-network ops (``keras.ops.relu``, ``softmax``, ``one_hot``, ``binary_crossentropy``, ...):
Keras's activation and loss functions taken as ops, each written once in ``netgrad.keras.activations`` and
``netgrad.keras.losses`` on the engine's fused kernels."""
from __future__ import annotations

from typing import Any

import numpy as np

from ...engine import Tensor
from ...nn import functional as F
from .. import activations, losses
from ..backend import epsilon, standardize_dtype
from .core import convert_to_tensor

__all__ = ["binary_crossentropy", "categorical_crossentropy", "elu", "gelu", "leaky_relu", "log_sigmoid",
           "log_softmax", "logsumexp", "one_hot", "relu", "relu6", "selu", "sigmoid", "silu", "softmax", "softplus",
           "softsign", "sparse_categorical_crossentropy", "swish"]


def relu(x: Any) -> Tensor:
    return activations.relu(convert_to_tensor(x))


def relu6(x: Any) -> Tensor:
    return activations.relu6(convert_to_tensor(x))


def leaky_relu(x: Any, negative_slope: float = 0.2) -> Tensor:
    return activations.leaky_relu(convert_to_tensor(x), negative_slope)


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    return activations.elu(convert_to_tensor(x), alpha)


def selu(x: Any) -> Tensor:
    return activations.selu(convert_to_tensor(x))


def gelu(x: Any, approximate: bool = True) -> Tensor:
    """GELU; as in ``keras.ops.gelu`` the tanh approximation is the default."""
    return activations.gelu(convert_to_tensor(x), approximate)


def sigmoid(x: Any) -> Tensor:
    return activations.sigmoid(convert_to_tensor(x))


def log_sigmoid(x: Any) -> Tensor:
    return activations.log_sigmoid(convert_to_tensor(x))


def silu(x: Any) -> Tensor:
    return activations.silu(convert_to_tensor(x))


swish = silu


def softplus(x: Any) -> Tensor:
    return activations.softplus(convert_to_tensor(x))


def softsign(x: Any) -> Tensor:
    return activations.softsign(convert_to_tensor(x))


def softmax(x: Any, axis: int = -1) -> Tensor:
    return activations.softmax(convert_to_tensor(x), axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    return activations.log_softmax(convert_to_tensor(x), axis)


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return convert_to_tensor(x).logsumexp(tuple(axis) if isinstance(axis, list) else axis, keepdims)


def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None) -> Tensor:
    """Integer labels as one-hot rows: ``one_hot([0, 2], 3)`` is ``[[1, 0, 0], [0, 0, 1]]``.

    Labels outside ``[0, num_classes)`` give rows of zeros, as in Keras.
    """
    labels = np.asarray(x._data if isinstance(x, Tensor) else x).astype(np.int64)
    encoded = (labels[..., None] == np.arange(int(num_classes))).astype(standardize_dtype(dtype))
    return Tensor._wrap(np.moveaxis(encoded, -1, axis) if axis != -1 else encoded)


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Tensor:
    """Elementwise -(t log p + (1 - t) log(1 - p)) (no reduction), p clipped to [1e-7, 1 - 1e-7]; from logits
    through the engine's stable BCE-with-logits kernel."""
    output = convert_to_tensor(output)
    target = convert_to_tensor(target, dtype=str(output._data.dtype))
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    p = output.clamp(epsilon(), 1.0 - epsilon())
    return -(target * p.log() + (1.0 - target) * (1.0 - p).log())


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1) -> Tensor:
    return losses.categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1) -> Tensor:
    return losses.sparse_categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)
