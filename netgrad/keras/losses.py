"""Keras's losses: ``loss(y_true, y_pred)`` (Keras's argument order), by name or as objects.

Each loss *function* (``mean_squared_error``, ``binary_crossentropy``, ...) returns one value per sample
(the mean or sum over the last axis); each loss *class* (``MeanSquaredError()``, ...) calls it and reduces
the values, weighted by ``sample_weight`` if given, with ``reduction``: ``'sum_over_batch_size'`` (the
default; sum(w_i l_i) / n), ``'sum'``, ``'mean_with_sample_weight'`` (divided by sum(w_i)) or ``'none'``.

Cross-entropies with ``from_logits=False`` receive probabilities. When those came from a softmax (or
sigmoid) output layer, the loss finds the logits behind them (see :mod:`netgrad.keras.activations`) and
computes the loss from the logits with netgrad's fused, stable softmax-cross-entropy (or BCE-with-logits):
exact for any logits, one graph node. Otherwise it uses Keras's formula on the probabilities, clipped to
[1e-7, 1 - 1e-7].
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..engine import Tensor
from ..nn import functional as F
from . import activations
from .backend import epsilon, floatx, to_snake_case
from .names import Catalogue

__all__ = [
    "BinaryCrossentropy", "CategoricalCrossentropy", "Hinge", "Huber", "KLDivergence", "LogCosh", "Loss",
    "LossFunctionWrapper", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredError",
    "MeanSquaredLogarithmicError", "Poisson", "SparseCategoricalCrossentropy", "SquaredHinge",
    "binary_crossentropy", "categorical_crossentropy", "deserialize", "get", "hinge", "huber", "kl_divergence",
    "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error", "poisson", "serialize", "sparse_categorical_crossentropy", "squared_hinge",
]


# ------------------------------------------------------------------------------------------------ helpers


def _prediction(y_pred: Any) -> Tensor:
    return y_pred if isinstance(y_pred, Tensor) else Tensor(np.asarray(y_pred, dtype=floatx()))


def _target(y_true: Any, like: Tensor) -> Tensor:
    """y_true as a Tensor of y_pred's float dtype (a target never needs a gradient here)."""
    data = y_true._data if isinstance(y_true, Tensor) else np.asarray(y_true)
    if data.dtype.kind not in "biuf":
        raise TypeError(f"y_true must hold numbers, got dtype {data.dtype}")
    if data.dtype != like._data.dtype:
        data = data.astype(like._data.dtype)
    return y_true if isinstance(y_true, Tensor) and y_true._data is data else Tensor._wrap(data)


def _same_rank(y_true: Tensor, y_pred: Tensor) -> tuple[Tensor, Tensor]:
    """Keras's squeeze_or_expand_to_same_rank: drop or add a trailing axis of length 1 so that ranks match.

    (n,) labels against an (n, 1) output become (n, 1); (n, 1) against (n,) become (n,).
    """
    t_rank, p_rank = y_true.ndim, y_pred.ndim
    if t_rank == p_rank + 1 and y_true.shape[-1] == 1:
        if p_rank == 1:
            y_pred = y_pred.reshape(-1, 1)
        else:
            y_true = y_true.reshape(y_true.shape[:-1])
    elif p_rank == t_rank + 1 and y_pred.shape[-1] == 1:
        if t_rank == 1:
            y_true = y_true.reshape(-1, 1)
        else:
            y_pred = y_pred.reshape(y_pred.shape[:-1])
    return y_true, y_pred


def _pair(y_true: Any, y_pred: Any, name: str) -> tuple[Tensor, Tensor]:
    """(y_true, y_pred) as Tensors of equal shape, or a ValueError naming both shapes."""
    y_pred = _prediction(y_pred)
    y_true, y_pred = _same_rank(_target(y_true, y_pred), y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(f"{name}: y_true has shape {tuple(y_true.shape)} but y_pred has shape "
                         f"{tuple(y_pred.shape)}; they must match (one target per output)")
    return y_true, y_pred


def _mean_last(values: Tensor) -> Tensor:
    return values.mean(dim=-1) if values.ndim > 0 else values


def _rows(x: Tensor) -> Tensor:
    """(n, ..., C) as (n * ..., C): the fused cross-entropies take classes on axis 1."""
    return x if x.ndim == 2 else x.reshape(-1, x.shape[-1])


def _check_axis(axis: int) -> None:
    if axis != -1:
        raise ValueError(f"only axis=-1 (classes on the last axis) is supported, got axis={axis}")


# ----------------------------------------------------------------------------------- regression losses


def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean((y_true - y_pred)^2) over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred, "mean_squared_error")
    return _mean_last(F.mse_loss(y_pred, y_true, reduction="none"))


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean(|y_true - y_pred|) over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred, "mean_absolute_error")
    return _mean_last(F.l1_loss(y_pred, y_true, reduction="none"))


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Tensor:
    """100 * mean(|(y_true - y_pred) / max(|y_true|, eps)|) over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred, "mean_absolute_percentage_error")
    scale = np.maximum(np.abs(y_true._data), epsilon())
    return _mean_last(((y_true - y_pred) / scale).abs()) * 100.0


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Tensor:
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2) over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred, "mean_squared_logarithmic_error")
    first = (y_pred.clamp(min=epsilon()) + 1.0).log()
    second = np.log(np.maximum(y_true._data, epsilon()) + 1.0)
    return _mean_last((first - second).square())


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    """0.5 e^2 where |e| <= delta, else delta (|e| - 0.5 delta), e = y_pred - y_true; mean over the last axis."""
    if delta <= 0:
        raise ValueError(f"huber: delta must be positive, got {delta}")
    y_true, y_pred = _pair(y_true, y_pred, "huber")
    return _mean_last(F.huber_loss(y_pred, y_true, reduction="none", delta=float(delta)))


def log_cosh(y_true: Any, y_pred: Any) -> Tensor:
    """mean(log(cosh(y_pred - y_true))) over the last axis, as x + softplus(-2x) - log 2 (no overflow)."""
    y_true, y_pred = _pair(y_true, y_pred, "log_cosh")
    x = y_pred - y_true
    return _mean_last(x + F.softplus(x * -2.0) - float(np.log(2.0)))


def poisson(y_true: Any, y_pred: Any) -> Tensor:
    """mean(y_pred - y_true log(y_pred + eps)) over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred, "poisson")
    return _mean_last(y_pred - y_true * (y_pred + epsilon()).log())


def kl_divergence(y_true: Any, y_pred: Any) -> Tensor:
    """sum(y_true log(y_true / y_pred)) over the last axis, both clipped to [eps, 1]."""
    y_true, y_pred = _pair(y_true, y_pred, "kl_divergence")
    t = np.clip(y_true._data, epsilon(), 1.0)
    return (Tensor._wrap(t * np.log(t)) - y_pred.clamp(epsilon(), 1.0).log() * t).sum(dim=-1)


def _hinge_labels(y_true: Tensor) -> np.ndarray:
    """0/1 labels become -1/1, as Keras's hinge losses expect."""
    t = y_true._data
    if t.size and np.isin(t, (0, 1)).all():
        return 2.0 * t - 1.0
    return t


def hinge(y_true: Any, y_pred: Any) -> Tensor:
    """mean(max(1 - y_true y_pred, 0)) over the last axis; labels -1/1 (0/1 are converted)."""
    y_true, y_pred = _pair(y_true, y_pred, "hinge")
    return _mean_last(F.relu(1.0 - y_pred * _hinge_labels(y_true)))


def squared_hinge(y_true: Any, y_pred: Any) -> Tensor:
    """mean(max(1 - y_true y_pred, 0)^2) over the last axis; labels -1/1 (0/1 are converted)."""
    y_true, y_pred = _pair(y_true, y_pred, "squared_hinge")
    return _mean_last(F.relu(1.0 - y_pred * _hinge_labels(y_true)).square())


# ------------------------------------------------------------------------------------- cross-entropies


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
                        axis: int = -1) -> Tensor:
    """-(y log p + (1 - y) log(1 - p)), averaged over the last axis; p = sigmoid(y_pred) with ``from_logits``.

    ``label_smoothing`` s replaces y by y (1 - s) + s / 2. Targets must lie in [0, 1].
    """
    _check_axis(axis)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    y_pred = _prediction(y_pred)
    logits = y_pred if from_logits else activations.logits_of(y_pred, "sigmoid")
    y_true, y_pred = _pair(y_true, y_pred, "binary_crossentropy")
    t = y_true._data
    if t.size and (t.min() < 0 or t.max() > 1):
        bad = t[(t < 0) | (t > 1)].reshape(-1)[0]
        raise ValueError(f"binary_crossentropy: targets must be 0/1 labels or probabilities in [0, 1], got {bad}")
    if label_smoothing:
        y_true = Tensor._wrap(t * (1.0 - label_smoothing) + 0.5 * label_smoothing)
    if logits is not None:
        if tuple(logits.shape) != tuple(y_pred.shape):  # the prediction was reshaped by _same_rank
            logits = logits.reshape(y_pred.shape)
        return _mean_last(F.binary_cross_entropy_with_logits(logits, y_true, reduction="none"))
    p = y_pred.clamp(epsilon(), 1.0 - epsilon())
    return _mean_last(-(p.log() * y_true + (1.0 - p).log() * (1.0 - y_true)))


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0,
                             axis: int = -1) -> Tensor:
    """-sum(y log p) over the classes (last axis); y one-hot or class probabilities, p = softmax(y_pred)
    with ``from_logits``. ``label_smoothing`` s replaces y by y (1 - s) + s / C."""
    _check_axis(axis)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
    y_pred = _prediction(y_pred)
    y_true = _target(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        hint = (" (these look like integer class labels: use sparse_categorical_crossentropy, or one-hot "
                "encode them)" if y_true.ndim < y_pred.ndim or (y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1)
                else "")
        raise ValueError(f"categorical_crossentropy: y_true has shape {tuple(y_true.shape)} but y_pred has shape "
                         f"{tuple(y_pred.shape)}; they must match, one probability per class{hint}")
    t = y_true._data
    if t.size and (t.min() < 0 or t.max() > 1):
        raise ValueError(f"categorical_crossentropy: y_true must hold one-hot rows or class probabilities in "
                         f"[0, 1]; found values from {t.min()} to {t.max()}")
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / t.shape[-1]
    logits = y_pred if from_logits else activations.logits_of(y_pred, "softmax")
    if logits is not None:
        values = F.cross_entropy(_rows(logits), Tensor._wrap(t.reshape(-1, t.shape[-1])), reduction="none")
        return values.reshape(y_pred.shape[:-1]) if y_pred.ndim != 2 else values
    p = y_pred / y_pred.sum(dim=-1, keepdim=True)
    return -(p.clamp(epsilon(), 1.0 - epsilon()).log() * t).sum(dim=-1)


def _class_labels(y_true: Any, y_pred: Tensor) -> np.ndarray:
    """Integer labels in [0, C) of shape y_pred.shape[:-1], or a ValueError saying what is wrong."""
    data = y_true._data if isinstance(y_true, Tensor) else np.asarray(y_true)
    expected = tuple(y_pred.shape[:-1])
    if data.shape == expected + (1,):
        data = data.reshape(expected)
    if data.shape != expected:
        hint = " (these look like one-hot rows: use categorical_crossentropy)" \
            if data.shape == tuple(y_pred.shape) else ""
        raise ValueError(f"sparse_categorical_crossentropy: y_true has shape {data.shape} but y_pred has shape "
                         f"{tuple(y_pred.shape)}; expected one integer class label per sample, shape "
                         f"{expected}{hint}")
    if data.dtype.kind not in "iu":
        if data.dtype.kind != "f" and data.dtype.kind != "b":
            raise TypeError(f"sparse_categorical_crossentropy: class labels must be integers, got dtype {data.dtype}")
        whole = np.round(data)
        if data.size and not np.array_equal(whole, data):
            bad = data[whole != data].reshape(-1)[0]
            raise ValueError(f"sparse_categorical_crossentropy: class labels must be whole numbers, got {bad}")
        data = whole
    labels = data.astype(np.int64)
    classes = y_pred.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        bad = labels[(labels < 0) | (labels >= classes)].reshape(-1)[0]
        raise ValueError(f"sparse_categorical_crossentropy: class label {bad} is outside the model's output size: "
                         f"the model has {classes} outputs, so labels must be integers in [0, {classes - 1}]")
    return labels


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False, axis: int = -1) -> Tensor:
    """-log p[y] for integer class labels y (shape (n,) or (n, 1)); p = softmax(y_pred) with ``from_logits``."""
    _check_axis(axis)
    y_pred = _prediction(y_pred)
    if y_pred.ndim < 1:
        raise ValueError("sparse_categorical_crossentropy: y_pred needs a class axis")
    labels = _class_labels(y_true, y_pred)
    logits = y_pred if from_logits else activations.logits_of(y_pred, "softmax")
    if logits is not None:
        values = F.cross_entropy(_rows(logits), labels.reshape(-1), reduction="none")
        return values.reshape(y_pred.shape[:-1]) if y_pred.ndim != 2 else values
    p = y_pred / y_pred.sum(dim=-1, keepdim=True)
    log_p = _rows(p.clamp(epsilon(), 1.0 - epsilon()).log())
    picked = log_p[np.arange(log_p.shape[0]), labels.reshape(-1)]
    return -(picked.reshape(y_pred.shape[:-1]) if y_pred.ndim != 2 else picked)


# ---------------------------------------------------------------------------------------- loss classes

_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


class Loss:
    """Base class of the loss objects: ``loss(y_true, y_pred, sample_weight=None) -> scalar Tensor``.

    Subclasses implement ``call(y_true, y_pred)``, returning one value per sample.
    """

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size") -> None:
        if reduction not in _REDUCTIONS:
            raise ValueError(f"Invalid value for argument `reduction`: {reduction!r}. Valid values: "
                             f"{', '.join(repr(r) for r in _REDUCTIONS)}")
        self.name = name or to_snake_case(type(self).__name__)
        self.reduction = reduction

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        values = self.call(y_true, y_pred)
        if not isinstance(values, Tensor):
            values = Tensor(np.asarray(values, dtype=floatx()))
        if sample_weight is not None:
            weight = np.asarray(sample_weight._data if isinstance(sample_weight, Tensor) else sample_weight,
                                dtype=values._data.dtype)
            if weight.ndim and values.ndim and weight.shape[0] != values.shape[0]:
                raise ValueError(f"sample_weight has {weight.shape[0]} entries but the batch has "
                                 f"{values.shape[0]} samples")
            weight = weight.reshape(weight.shape + (1,) * (values.ndim - weight.ndim)) if values.ndim > weight.ndim \
                else weight
            values = values * weight
        else:
            weight = None
        return _reduce(values, self.reduction, weight)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Loss":
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


def _reduce(values: Tensor, reduction: str | None, weight: np.ndarray | None) -> Tensor:
    if reduction in (None, "none") or values.ndim == 0:
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and weight is not None:
        divisor = float(np.broadcast_to(weight, values.shape).sum())
    else:
        divisor = float(values._data.size)
    return total / divisor if divisor else total * 0.0


class LossFunctionWrapper(Loss):
    """A loss object around a per-sample loss function ``fn(y_true, y_pred, **kwargs)``."""

    def __init__(self, fn: Callable, reduction: str | None = "sum_over_batch_size", name: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self._fn_kwargs}


_DEFAULT = "sum_over_batch_size"


class MeanSquaredError(LossFunctionWrapper):
    """Mean of the squared errors (MSE): mean((y_true - y_pred)^2)."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "mean_squared_error") -> None:
        super().__init__(mean_squared_error, reduction=reduction, name=name)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of the absolute errors (MAE, L1): mean(|y_true - y_pred|)."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "mean_absolute_error") -> None:
        super().__init__(mean_absolute_error, reduction=reduction, name=name)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """100 * mean(|(y_true - y_pred) / y_true|)."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "mean_absolute_percentage_error") -> None:
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """mean((log(y_pred + 1) - log(y_true + 1))^2)."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "mean_squared_logarithmic_error") -> None:
        super().__init__(mean_squared_logarithmic_error, reduction=reduction, name=name)


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic for errors up to ``delta``, linear beyond (robust to outliers)."""

    def __init__(self, delta: float = 1.0, reduction: str | None = _DEFAULT, name: str = "huber_loss") -> None:
        if delta <= 0:
            raise ValueError(f"Huber: delta must be positive, got {delta}")
        super().__init__(huber, reduction=reduction, name=name, delta=float(delta))


class LogCosh(LossFunctionWrapper):
    """mean(log(cosh(y_pred - y_true)))."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "log_cosh") -> None:
        super().__init__(log_cosh, reduction=reduction, name=name)


class Poisson(LossFunctionWrapper):
    """mean(y_pred - y_true log(y_pred))."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "poisson") -> None:
        super().__init__(poisson, reduction=reduction, name=name)


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence sum(y_true log(y_true / y_pred))."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "kl_divergence") -> None:
        super().__init__(kl_divergence, reduction=reduction, name=name)


class Hinge(LossFunctionWrapper):
    """mean(max(1 - y_true y_pred, 0)), labels -1/1 (or 0/1)."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "hinge") -> None:
        super().__init__(hinge, reduction=reduction, name=name)


class SquaredHinge(LossFunctionWrapper):
    """mean(max(1 - y_true y_pred, 0)^2), labels -1/1 (or 0/1)."""

    def __init__(self, reduction: str | None = _DEFAULT, name: str = "squared_hinge") -> None:
        super().__init__(squared_hinge, reduction=reduction, name=name)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy of 0/1 (or probability) targets; see :func:`binary_crossentropy`."""

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = _DEFAULT, name: str = "binary_crossentropy") -> None:
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
        _check_axis(axis)
        super().__init__(binary_crossentropy, reduction=reduction, name=name, from_logits=bool(from_logits),
                         label_smoothing=float(label_smoothing), axis=axis)
        self.from_logits = bool(from_logits)


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy of one-hot (or probability) targets; see :func:`categorical_crossentropy`."""

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str | None = _DEFAULT, name: str = "categorical_crossentropy") -> None:
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
        _check_axis(axis)
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, from_logits=bool(from_logits),
                         label_smoothing=float(label_smoothing), axis=axis)
        self.from_logits = bool(from_logits)


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy of integer class labels; see :func:`sparse_categorical_crossentropy`."""

    def __init__(self, from_logits: bool = False, axis: int = -1, reduction: str | None = _DEFAULT,
                 name: str = "sparse_categorical_crossentropy") -> None:
        _check_axis(axis)
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name,
                         from_logits=bool(from_logits), axis=axis)
        self.from_logits = bool(from_logits)


# ----------------------------------------------------------------------------------------------- lookup

_FUNCTIONS: dict[str, Callable] = {fn.__name__: fn for fn in (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error,
    huber, log_cosh, poisson, kl_divergence, hinge, squared_hinge, binary_crossentropy, categorical_crossentropy,
    sparse_categorical_crossentropy)}
_FUNCTIONS.update(mse=mean_squared_error, MSE=mean_squared_error, mae=mean_absolute_error, MAE=mean_absolute_error,
                  mape=mean_absolute_percentage_error, MAPE=mean_absolute_percentage_error,
                  msle=mean_squared_logarithmic_error, MSLE=mean_squared_logarithmic_error, logcosh=log_cosh,
                  kld=kl_divergence, KLD=kl_divergence, kullback_leibler_divergence=kl_divergence,
                  huber_loss=huber)
_CLASSES: dict[str, type] = {cls.__name__: cls for cls in (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Huber, LogCosh,
    Poisson, KLDivergence, Hinge, SquaredHinge, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy)}

mse, mae, mape, msle = mean_squared_error, mean_absolute_error, mean_absolute_percentage_error, \
    mean_squared_logarithmic_error


_catalogue = Catalogue("loss", {**_FUNCTIONS, **_CLASSES}, base=Loss)
get = _catalogue.get  # 'mse' -> the function, 'MeanSquaredError' -> an instance; objects and callables as they are


def serialize(loss: Any) -> Any:
    """A Keras loss as JSON-able data: the name of a loss function, or ``{"class_name", "config"}``."""
    if type(loss) is LossFunctionWrapper and loss.fn in _FUNCTIONS.values():
        return {"class_name": "LossFunctionWrapper", "config": {**loss.get_config(), "fn": serialize(loss.fn)}}
    return _catalogue.serialize(loss)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The loss described by :func:`serialize`'s data."""
    if isinstance(config, dict) and config.get("class_name") == "LossFunctionWrapper":
        options = dict(config.get("config") or {})
        fn = _FUNCTIONS.get(options.pop("fn", None))
        if fn is None:
            raise ValueError(f"Unknown loss function in {config!r}")
        return LossFunctionWrapper(fn, **options)
    return _catalogue.deserialize(config, custom_objects)
