"""The stateless side of ``netgrad.nn`` (PyTorch's ``torch.nn.functional``, usually imported as ``F``).

Every activation, normalisation and loss is ONE graph node: a :class:`~netgrad.autograd.Function` whose
``forward`` and hand-derived ``backward`` work on raw NumPy arrays and sit next to each other, followed by
the functional wrapper that validates its arguments and calls it. The nodes live in the engine
(:mod:`netgrad.engine.kernels`, and :mod:`netgrad.engine.ops` for relu, sigmoid, tanh, softmax, log_softmax);
this module holds the functional API and its argument checks.

Loss options after ``weight`` are keyword-only: PyTorch's deprecated ``size_average`` / ``reduce`` arguments
sit in those positions there, so a positional call written for PyTorch fails loudly here instead of meaning
something else. Losses refuse what PyTorch would silently broadcast or only catch on a GPU: a target whose shape
differs from the input's, class labels outside ``[0, C)``, binary targets (and ``binary_cross_entropy`` inputs) outside
``[0, 1]``. The checks are a shape comparison and a min / max per batch.

Sections: helpers · linear · activations · dropout · normalisation · losses.
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from ..engine import ops
from ..engine.autograd import ShapeError
from ..engine.backend import array_module, device_of, to_device
from ..engine.kernels.activations import (
    ELU,
    GELU,
    SELU_ALPHA,
    SELU_SCALE,
    GELUTanh,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    Mish,
    PReLU,
    RReLU,
    SiLU,
    Softplus,
    Step,
    erf_array,
)
from ..engine.kernels.cross_entropy import CrossEntropy, CrossEntropyProbabilities, NLLLoss
from ..engine.kernels.dropout import Dropout
from ..engine.kernels.linear import Linear
from ..engine.kernels.losses import BinaryCrossEntropy, BinaryCrossEntropyWithLogits, HuberLoss, L1Loss, MSELoss
from ..engine.kernels.normalization import BatchNorm, LayerNorm
from ..engine.tensor import Tensor
from ..random import get_generator

__all__ = [
    "linear", "identity", "relu", "relu6", "hardtanh", "leaky_relu", "prelu", "rrelu", "elu", "selu", "gelu",
    "silu", "mish", "softplus", "sigmoid", "logsigmoid", "tanh", "softmax", "log_softmax", "step", "erf_array",
    "dropout", "dropout2d", "batch_norm", "layer_norm", "one_hot",
    "mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "cross_entropy", "nll_loss",
    "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool2d",
]

# ------------------------------------------------------------------------------------------------ helpers

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _array(x: Any) -> np.ndarray:
    """The array behind a tensor, or the argument as an array."""
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _placed(array: Any, data: Any) -> Any:
    """``array`` (a target, a weight) on the device of the input ``data``: NumPy labels serve a GPU input."""
    if array is None or type(array) is type(data):
        return array
    return to_device(array, *device_of(data))


def _loss_operands(input: Any, target: Any, reduction: str, name: str) -> tuple[Any, np.ndarray, np.ndarray]:
    """The checked operands of an elementwise loss: the reduction is known, and the target has the input's
    shape (no broadcasting) and, converted if need be, its dtype.

    Returns the target to pass to the Function (the tensor itself when it needs a gradient), the target's
    array and the input's array."""
    if reduction not in _REDUCTIONS:
        _check_reduction(reduction)
    input_data = input._data if isinstance(input, Tensor) else np.asarray(input)
    data = target._data if isinstance(target, Tensor) else np.asarray(target)
    if data.shape != input_data.shape:
        hint = ""
        if data.shape + (1,) == input_data.shape:
            hint = "; reshape the target with target.view(-1, 1) (or the output with output.squeeze(-1))"
        elif input_data.shape + (1,) == data.shape:
            hint = "; squeeze the target with target.squeeze(-1) (or reshape the output to match)"
        raise ShapeError(f"{name}: target shape {data.shape} differs from input shape {input_data.shape}; the "
                         f"loss compares them element by element and does not broadcast{hint}")
    if isinstance(target, Tensor) and target.requires_grad:
        return target, data, input_data
    if data.dtype is not input_data.dtype and data.dtype != input_data.dtype and input_data.dtype.kind == "f":
        data = data.astype(input_data.dtype)
    if type(data) is not type(input_data):
        data = _placed(data, input_data)
    return data, data, input_data


def _check_unit_interval(data: np.ndarray, what: str, name: str, hint: str = "") -> None:
    if data.size == 0:
        return
    low, high = data.min(), data.max()
    if low >= 0 and high <= 1:
        return
    if np.isnan(low) or np.isnan(high):
        raise ValueError(f"{name}: {what} contains NaN")
    offending = low if low < 0 else high
    raise ValueError(f"{name}: every {what} value must lie in [0, 1], got {offending}{hint}")


def _broadcastable_weight(weight: Any, shape: tuple, dtype: np.dtype, name: str, what: str = "weight"):
    if weight is None:
        return None
    w = _array(weight)
    try:
        ok = np.broadcast_shapes(w.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise ShapeError(f"{name}: {what} of shape {w.shape} does not broadcast to the input shape {shape}")
    return w.astype(dtype, copy=False) if dtype.kind == "f" else w


# ------------------------------------------------------------------------------------------------- linear


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b, one fused node (``netgrad.engine.kernels.linear.Linear``); W is (out_features, in_features)."""
    if bias is None:
        return Linear.apply(input, weight)
    return Linear.apply(input, weight, bias)


def identity(input: Tensor) -> Tensor:
    """The identity (linear, pass-through) activation g(z) = z, g'(z) = 1."""
    return input


# -------------------------------------------------------------------------------------------- activations


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0);  derivative 1 for x > 0, else 0. ``inplace`` is accepted for compatibility and ignored."""
    return ops.ReLU.apply(input)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """Hardtanh(x) = min(max(x, min_val), max_val)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
    return Hardtanh.apply(input, min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """ReLU6(x) = min(max(x, 0), 6)."""
    return Hardtanh.apply(input, 0.0, 6.0)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """LeakyReLU(x) = max(0, x) + negative_slope * min(0, x)."""
    return LeakyReLU.apply(input, negative_slope)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """PReLU(x) = max(0, x) + a * min(0, x), ``weight`` a holding 1 slope or one per channel (dim 1)."""
    data, w = _array(input), _array(weight)
    if w.size > 1:
        channels = data.shape[1] if data.ndim >= 2 else (data.shape[0] if data.ndim == 1 else 1)
        if w.ndim != 1 or w.size != channels:
            raise ShapeError(f"prelu: the weight holds {w.size} slopes (shape {w.shape}) but the input of shape "
                             f"{data.shape} has {channels} channels (dimension 1); use 1 slope or {channels}")
    return PReLU.apply(input, weight)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: random slopes in [lower, upper] while training, the mean slope (lower+upper)/2 otherwise.

    Slopes come from the global generator (``netgrad.manual_seed`` makes them reproducible).
    """
    if not 0 <= lower <= upper:
        raise ValueError(f"rrelu: need 0 <= lower <= upper, got lower={lower}, upper={upper}")
    if training:
        return RReLU.apply(input, lower, upper)
    return LeakyReLU.apply(input, (lower + upper) / 2)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """ELU(x) = x if x > 0 else alpha (e^x - 1)."""
    return ELU.apply(input, alpha, 1.0)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """SELU(x) = scale * ELU(x, alpha) with Klambauer et al.'s alpha ~ 1.6733 and scale ~ 1.0507 (self-normalising)."""
    return ELU.apply(input, SELU_ALPHA, SELU_SCALE)


# erf(x) after fdlibm's s_erf.c (Sun Microsystems, 1993; "Permission to use, copy, modify, and distribute this
# software is freely granted, provided that this notice is preserved."): rational approximations on
# [0, 0.84375) and [0.84375, 1.25), and erfc(x) = exp(-x^2 - 0.5625 + R(1/x^2)/S(1/x^2)) / x beyond,
# accurate to about one unit in the last place. NumPy has no erf ufunc, and math.erf is scalar-only.


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """GELU(x) = x Phi(x) (``approximate='none'``, exact, via erf) or its tanh approximation (``'tanh'``)."""
    if approximate == "none":
        return GELU.apply(input)
    if approximate == "tanh":
        return GELUTanh.apply(input)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """SiLU(x) = x * sigmoid(x), also called swish."""
    return SiLU.apply(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """Mish(x) = x * tanh(softplus(x))."""
    return Mish.apply(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Softplus(x) = log(1 + exp(beta x)) / beta, linear where beta x > threshold."""
    if beta == 0:
        raise ValueError("softplus: beta must be non-zero")
    return Softplus.apply(input, beta, threshold)


def sigmoid(input: Tensor) -> Tensor:
    """sigma(x) = 1 / (1 + e^-x);  sigma' = sigma (1 - sigma)."""
    return ops.Sigmoid.apply(input)


def logsigmoid(input: Tensor) -> Tensor:
    """LogSigmoid(x) = log(1 / (1 + e^-x)), finite for any x."""
    return LogSigmoid.apply(input)


def tanh(input: Tensor) -> Tensor:
    """tanh(x);  tanh' = 1 - tanh^2."""
    return ops.Tanh.apply(input)


def _softmax_dim(ndim: int, name: str) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """softmax(x)_k = e^(x_k) / sum_j e^(x_j) along ``dim`` (computed from x - max, so it never overflows)."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    if dtype is not None:
        input = input.to(dtype)
    return ops.Softmax.apply(input, dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """log softmax(x) = x - logsumexp(x) along ``dim``: exact for logits of any size."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    if dtype is not None:
        input = input.to(dtype)
    return ops.LogSoftmax.apply(input, dim)


def step(input: Tensor, threshold: float = 0.0) -> Tensor:
    """Heaviside step f(x) = 1 if x > threshold else 0 (Rosenblatt's perceptron). netgrad-specific.

    The gradient is zero everywhere, so a step unit cannot be trained by backpropagation; the perceptron
    learning rule trains it instead.
    """
    return Step.apply(input, threshold)


# ------------------------------------------------------------------------------------------------ dropout


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p), so E[output] = input.

    The identity when ``training`` is False or p = 0. The mask comes from the global generator.
    """
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    return Dropout.apply(input, p)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels: each (n, c) plane of an (N, C, H, W) input with probability ``p``, the rest scaled
    by 1/(1-p). The identity when ``training`` is False or p = 0. A 3-D input is read as (N, C, L), with
    PyTorch's warning."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    data = _array(input)
    if data.ndim not in (3, 4):
        raise ShapeError(f"dropout2d: expected a 4-D input (N, C, H, W), got shape {data.shape}")
    if data.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d "
                      "instead.", UserWarning, stacklevel=2)
    if not training or p == 0:
        return input
    uniform = get_generator().random(data.shape[:2], dtype=np.float32 if data.dtype == np.float32 else np.float64)
    mask = (uniform >= p).astype(data.dtype)
    if p < 1:
        mask *= 1.0 / (1.0 - p)
    return input * Tensor._wrap(mask.reshape(data.shape[:2] + (1,) * (data.ndim - 2)))


# ---------------------------------------------------------------------------------------------- normalisation


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation of an (N, C), (N, C, L) or (N, C, H, W) input per channel C (see :class:`BatchNorm`):
    the statistics of each channel are over every other axis.

    With ``training=True`` the batch statistics are used and ``running_mean`` / ``running_var`` (if given)
    are updated in place; otherwise the running statistics are used.
    """
    data = _array(input)
    if data.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input of shape (N, C), (N, C, L) or (N, C, H, W), got shape "
                         f"{data.shape}")
    if training:
        if data.size // data.shape[1] <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {data.shape}")
    elif running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are needed when training=False")
    return BatchNorm.apply(input, weight, bias, running_mean, running_var, training, momentum, eps)


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Layer normalisation over the trailing ``normalized_shape`` axes of each sample (see :class:`LayerNorm`)."""
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    data = _array(input)
    k = len(normalized_shape)
    if data.shape[data.ndim - k:] != normalized_shape or data.ndim < k:
        raise ShapeError(f"layer_norm: expected an input whose last {k} dimension(s) are {normalized_shape}, "
                         f"got shape {data.shape}")
    return LayerNorm.apply(input, weight, bias, k, eps)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices of shape (...) as int64 one-hot rows of shape (..., num_classes)."""
    labels = _array(tensor)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected integer class indices, got dtype {labels.dtype}")
    if num_classes < 0:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels.min() if labels.min() < 0 else labels.max()
        raise ValueError(f"one_hot: class index {bad} is out of range for num_classes={num_classes}")
    return Tensor._wrap((labels[..., None] == array_module(labels).arange(num_classes)).astype(np.int64))


# ------------------------------------------------------------------------------------------------- losses


def mse_loss(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:
    """Mean squared error: mean((x - y)^2) (``'sum'``: the sum, ``'none'``: per element)."""
    target, _, _ = _loss_operands(input, target, reduction, "mse_loss")
    return MSELoss.apply(input, target, reduction)


def l1_loss(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:
    """Mean absolute error (MAE): mean(|x - y|)."""
    target, _, _ = _loss_operands(input, target, reduction, "l1_loss")
    return L1Loss.apply(input, target, reduction)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Huber loss: quadratic for errors below ``delta``, linear beyond (robust to outliers)."""
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    target, _, _ = _loss_operands(input, target, reduction, "huber_loss")
    return HuberLoss.apply(input, target, reduction, delta)


def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None, *,
                         reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities p in [0, 1]: -mean(y log p + (1 - y) log(1 - p)).

    For logits use :func:`binary_cross_entropy_with_logits`, which is stable and cheaper.
    """
    target, target_data, data = _loss_operands(input, target, reduction, "binary_cross_entropy")
    _check_unit_interval(data, "input", "binary_cross_entropy",
                         " (the input must be probabilities; for logits use binary_cross_entropy_with_logits)")
    _check_unit_interval(target_data, "target", "binary_cross_entropy")
    weight = _broadcastable_weight(weight, data.shape, data.dtype, "binary_cross_entropy")
    return BinaryCrossEntropy.apply(input, target, _placed(weight, data), reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Any = None, *,
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    """Binary cross-entropy of sigmoid(x) computed from the logits x, stably (see the Function above).

    ``pos_weight`` (broadcast along the last dimension, one per class) multiplies the positive term: > 1
    raises recall, < 1 precision. ``weight`` rescales each element's loss.
    """
    target, target_data, data = _loss_operands(input, target, reduction, "binary_cross_entropy_with_logits")
    _check_unit_interval(target_data, "target", "binary_cross_entropy_with_logits")
    name = "binary_cross_entropy_with_logits"
    weight = _broadcastable_weight(weight, data.shape, data.dtype, name)
    pos_weight = _broadcastable_weight(pos_weight, data.shape, data.dtype, name, "pos_weight")
    return BinaryCrossEntropyWithLogits.apply(input, target, _placed(weight, data), _placed(pos_weight, data),
                                              reduction)


# Cross-entropy and NLL work on rows: an (N, C, d1, ...) input becomes (N*d1*..., C) with classes last,
# a (C,) input one row; gradients go back the same way.


def _class_targets(input_shape: tuple, target: Any, ignore_index: int, name: str) -> tuple[np.ndarray, Any]:
    """Validated class indices as an int64 array of the expected shape, and the ignore mask (None if none)."""
    labels = _array(target)
    expected = () if len(input_shape) == 1 else (input_shape[0],) + input_shape[2:]
    if labels.shape != expected:
        hint = ""
        if labels.shape == expected + (1,):
            hint = "; flatten the target with target.view(-1)"
        raise ShapeError(f"{name}: target of shape {labels.shape} does not fit the input of shape {input_shape}: "
                         f"class indices need shape {expected} (one label per sample), class probabilities "
                         f"the input's shape {input_shape}{hint}")
    if labels.dtype.kind != "i":
        if labels.dtype.kind == "u":
            labels = labels.astype(np.int64)
        elif labels.dtype.kind == "f":
            whole = labels.astype(np.int64)
            if not np.array_equal(whole, labels):
                bad = labels[whole != labels].reshape(-1)[0]
                raise ValueError(f"{name}: class indices must be whole numbers, got {bad}; for class "
                                 "probabilities give a target of the input's shape")
            labels = whole
        else:
            raise TypeError(f"{name}: class indices must be integers, got dtype {labels.dtype}")
    classes = input_shape[0] if len(input_shape) == 1 else input_shape[1]
    if labels.size == 0:
        return labels, None
    # Read as unsigned, a negative label is huge: one reduction tells that every label is in [0, classes),
    # and then none is ignored unless ignore_index is a class.
    unsigned = labels.view(np.uint64 if labels.itemsize == 8 else f"u{labels.itemsize}")
    if np.maximum.reduce(unsigned, axis=None) < classes and not 0 <= ignore_index < classes:
        return labels, None
    low, high = np.minimum.reduce(labels, axis=None), np.maximum.reduce(labels, axis=None)
    ignored = None
    if low <= ignore_index <= high:
        ignored = labels == ignore_index
    if low < 0 or high >= classes:
        bad = labels[((labels < 0) | (labels >= classes)) & (labels != ignore_index)]
        if bad.size:
            raise ValueError(f"{name}: class label {bad[0]} is out of range for {classes} classes "
                             f"(labels must be in [0, {classes - 1}], or equal ignore_index={ignore_index})")
    return labels, ignored


def _class_weight(weight: Any, classes: int, dtype: np.dtype, name: str) -> np.ndarray | None:
    if weight is None:
        return None
    w = _array(weight)
    if w.shape != (classes,):
        raise ShapeError(f"{name}: weight must hold one value per class, shape ({classes},), got shape {w.shape}")
    return w.astype(dtype, copy=False)


def cross_entropy(input: Tensor, target: Any, weight: Any = None, *, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits: softmax and negative log-likelihood fused into one stable node.

    Args:
        input: Logits of shape (N, C), (C,) or (N, C, d1, ...).
        target: Class indices of shape (N,) (or (), (N, d1, ...)), integers in [0, C) or ``ignore_index``;
            or class probabilities (one-hot or soft) of the input's shape.
        weight: Per-class weights, shape (C,); 'mean' then divides by the summed weights of the targets.
        ignore_index: Class-index targets equal to it contribute nothing (not used with probabilities).
        reduction: 'mean', 'sum' or 'none'.
        label_smoothing: e in [0, 1]: the target becomes (1 - e) onehot + e / C.

    Unlike PyTorch, float class indices holding whole numbers are accepted (as from NumPy label arrays).
    """
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    data = _array(input)
    if data.ndim == 0:
        raise ShapeError("cross_entropy: the input needs a class dimension, got a 0-d tensor")
    classes = data.shape[0] if data.ndim == 1 else data.shape[1]
    weight = _class_weight(weight, classes, data.dtype, "cross_entropy")
    target_data = _array(target)
    if target_data.shape == data.shape:
        if not (isinstance(target, Tensor) and target.requires_grad):
            target = target_data.astype(data.dtype, copy=False)
        _check_unit_interval(target_data, "target probability", "cross_entropy")
        return CrossEntropyProbabilities.apply(input, _placed(target, data), _placed(weight, data), reduction,
                                               label_smoothing)
    labels, ignored = _class_targets(data.shape, target_data, ignore_index, "cross_entropy")
    return CrossEntropy.apply(input, _placed(labels, data), _placed(weight, data), _placed(ignored, data), reduction,
                              label_smoothing)


def nll_loss(input: Tensor, target: Any, weight: Any = None, *, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities (e.g. ``log_softmax`` output) at the target classes.

    ``nll_loss(log_softmax(x, 1), y)`` equals ``cross_entropy(x, y)``; the weighted 'mean' divides by the
    summed weights of the targets, as in PyTorch.
    """
    _check_reduction(reduction)
    data = _array(input)
    if data.ndim == 0:
        raise ShapeError("nll_loss: the input needs a class dimension, got a 0-d tensor")
    classes = data.shape[0] if data.ndim == 1 else data.shape[1]
    weight = _class_weight(weight, classes, data.dtype, "nll_loss")
    labels, ignored = _class_targets(data.shape, target, ignore_index, "nll_loss")
    return NLLLoss.apply(input, _placed(labels, data), _placed(weight, data), _placed(ignored, data), reduction)


from .conv import conv1d, conv2d  # noqa: E402  (those modules do not import this one)
from .pooling import adaptive_avg_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d  # noqa: E402
