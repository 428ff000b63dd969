"""Keras's metrics: stateful objects (``update_state`` / ``result`` / ``reset_state``) and per-sample functions.

``compile(metrics=[...])`` takes names (``'accuracy'``, ``'mae'``, ``'precision'``, ...), metric objects
(``BinaryAccuracy(threshold=0.0)``) or functions ``fn(y_true, y_pred)`` returning one value per sample. Each
is reported under its name in the History (``'accuracy'``, ``'val_accuracy'``), computed over all samples of
the epoch. ``'accuracy'`` picks, as Keras does, binary accuracy (threshold 0.5) for one output column, sparse
categorical accuracy for integer labels and categorical accuracy for one-hot targets.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..engine import Tensor, no_grad
from ..metrics import r2_from_sums, scores_from_counts
from . import initializers
from . import losses as _losses
from .backend import standardize_dtype, to_snake_case
from .names import Catalogue
from .variables import NonTrainableVariable

__all__ = [
    "Accuracy", "BinaryAccuracy", "BinaryCrossentropy", "CategoricalAccuracy", "CategoricalCrossentropy", "Hinge",
    "KLDivergence", "LogCoshError", "Mean", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanMetricWrapper", "MeanSquaredError", "MeanSquaredLogarithmicError", "Metric", "Poisson", "Precision",
    "R2Score", "Recall", "RootMeanSquaredError", "SparseCategoricalAccuracy", "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy", "SquaredHinge", "TopKCategoricalAccuracy", "accuracy", "binary_accuracy",
    "categorical_accuracy", "deserialize", "get", "serialize", "sparse_categorical_accuracy",
    "sparse_top_k_categorical_accuracy", "top_k_categorical_accuracy",
]


def _array(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _same_rank(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keras's squeeze_or_expand_to_same_rank on arrays ((n,) against (n, 1) becomes (n, 1))."""
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        return (y_true, y_pred[..., None]) if y_pred.ndim == 1 else (y_true[..., 0], y_pred)
    if y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        return (y_true[..., None], y_pred) if y_true.ndim == 1 else (y_true, y_pred[..., 0])
    return y_true, y_pred


# ------------------------------------------------------------------------------- per-sample functions


def accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where y_pred equals y_true exactly, else 0 (Keras's plain ``Accuracy``)."""
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    return (y_true == y_pred).astype(np.float32)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> np.ndarray:
    """Fraction of the sample's outputs with (y_pred > threshold) == y_true (mean over the last axis)."""
    y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
    correct = (y_true == (y_pred > threshold)).astype(np.float32)
    return correct.mean(axis=-1) if correct.ndim > 1 else correct


def categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where argmax(y_pred) == argmax(y_true) over the last axis (one-hot targets), else 0."""
    y_true, y_pred = _array(y_true), _array(y_pred)
    return (y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)).astype(np.float32)


def _labels(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return y_true


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> np.ndarray:
    """1 where argmax(y_pred) equals the integer label y_true, else 0."""
    y_pred = _array(y_pred)
    return (_labels(_array(y_true), y_pred) == y_pred.argmax(axis=-1)).astype(np.float32)


def _in_top_k(y_pred: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Whether each label's score is among the k largest of its row (ties counted in its favour)."""
    rows = y_pred.reshape(-1, y_pred.shape[-1])
    labels = labels.reshape(-1).astype(np.int64)
    target = rows[np.arange(len(rows)), labels]
    better = (rows > target[:, None]).sum(axis=1)
    return (better < k).astype(np.float32).reshape(y_pred.shape[:-1])


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """1 where the true class (argmax of the one-hot y_true) is among the k highest scores."""
    y_pred = _array(y_pred)
    return _in_top_k(y_pred, _array(y_true).argmax(axis=-1), k)


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> np.ndarray:
    """1 where the integer label y_true is among the k highest scores."""
    y_pred = _array(y_pred)
    return _in_top_k(y_pred, _labels(_array(y_true), y_pred), k)


# --------------------------------------------------------------------------------------------- classes


class Metric:
    """Base class of the stateful metrics: ``update_state`` accumulates, ``result`` reads, ``reset_state``
    starts again.

    As in Keras 3, a subclass creates its state in ``__init__`` after ``super().__init__()``, with
    ``self.add_variable(shape=(), initializer="zeros", name="...")`` (or ``add_weight``), updates it with
    ``assign`` / ``assign_add`` and returns it from ``result``; the default ``reset_state`` sets every
    variable back to zero. Metrics that keep Python numbers instead override ``reset_state`` and call it
    from their ``__init__``.
    """

    def __init__(self, dtype: Any = None, name: str | None = None) -> None:
        self.name = name or to_snake_case(type(self).__name__)
        self.dtype = dtype
        self._variables: list[NonTrainableVariable] = []

    def add_variable(self, shape: Any = (), initializer: Any = "zeros", dtype: Any = None, aggregation: str = "sum",
                     name: str | None = None) -> NonTrainableVariable:
        """A state variable of this metric (not trained), filled by ``initializer``."""
        shape = (shape,) if isinstance(shape, int) else tuple(shape or ())
        values = initializers.get(initializer)(shape, dtype=standardize_dtype(dtype or self.dtype))
        variable = NonTrainableVariable(np.array(_array(values)))
        self._variables.append(variable)
        return variable

    def add_weight(self, shape: Any = (), initializer: Any = "zeros", dtype: Any = None, aggregation: str = "sum",
                   name: str | None = None) -> NonTrainableVariable:
        """Keras's other name for :meth:`add_variable`."""
        return self.add_variable(shape, initializer, dtype, aggregation, name)

    @property
    def variables(self) -> list[NonTrainableVariable]:
        return list(self._variables)

    def reset_state(self) -> None:
        """Set every state variable to zero."""
        for variable in self._variables:
            variable.assign(0)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement update_state(y_true, y_pred)")

    def result(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement result()")

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """Update with one batch and return the result (Keras's ``metric(y_true, y_pred)``)."""
        self.update_state(y_true, y_pred, sample_weight=sample_weight)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Metric":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The (weighted) mean of the values given to ``update_state(values, sample_weight=None)``."""

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(dtype=dtype, name=name)
        self.reset_state()

    def reset_state(self) -> None:
        self.total, self.count = 0.0, 0.0

    def _add(self, values: np.ndarray, sample_weight: Any) -> None:
        values = np.asarray(values, dtype=np.float64)
        if sample_weight is None:
            self.total += float(values.sum())
            self.count += values.size
            return
        weight = np.asarray(_array(sample_weight), dtype=np.float64)
        weight = weight.reshape(weight.shape + (1,) * (values.ndim - weight.ndim))
        weight = np.broadcast_to(weight, values.shape)
        self.total += float((values * weight).sum())
        self.count += float(weight.sum())

    def update_state(self, values: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        self._add(_array(values), sample_weight)

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """The mean over samples of ``fn(y_true, y_pred, **kwargs)`` (a per-sample metric or loss function)."""

    def __init__(self, fn: Callable, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        self._fn, self._fn_kwargs = fn, kwargs
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        if np.ndim(y_true) == 1 and np.ndim(y_pred) == 1:  # one value per sample: each is its own row
            y_true, y_pred = _array(y_true)[:, None], _array(y_pred)[:, None]
        with no_grad():
            values = self._fn(y_true, y_pred, **self._fn_kwargs)
        self._add(_array(values), sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self._fn_kwargs}


class Accuracy(MeanMetricWrapper):
    """How often y_pred equals y_true exactly."""

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often (y_pred > threshold) matches the 0/1 labels (use threshold=0.0 for logits)."""

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of y_pred matches the argmax of the one-hot y_true."""

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the argmax of y_pred matches the integer label."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the true class (one-hot y_true) is among the k highest scores."""

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the k highest scores."""

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)


class MeanSquaredError(MeanMetricWrapper):
    """Mean of (y_true - y_pred)^2."""

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(_losses.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """Mean of |y_true - y_pred|."""

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(_losses.mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """100 * mean |(y_true - y_pred) / y_true|."""

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: Any = None) -> None:
        super().__init__(_losses.mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Mean of (log(y_pred + 1) - log(y_true + 1))^2."""

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype: Any = None) -> None:
        super().__init__(_losses.mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(MeanMetricWrapper):
    """Mean of log(cosh(y_pred - y_true))."""

    def __init__(self, name: str = "logcosh", dtype: Any = None) -> None:
        super().__init__(_losses.log_cosh, name=name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    """Mean of y_pred - y_true log(y_pred)."""

    def __init__(self, name: str = "poisson", dtype: Any = None) -> None:
        super().__init__(_losses.poisson, name=name, dtype=dtype)


class KLDivergence(MeanMetricWrapper):
    """Mean Kullback-Leibler divergence."""

    def __init__(self, name: str = "kl_divergence", dtype: Any = None) -> None:
        super().__init__(_losses.kl_divergence, name=name, dtype=dtype)


class Hinge(MeanMetricWrapper):
    """Mean hinge loss."""

    def __init__(self, name: str = "hinge", dtype: Any = None) -> None:
        super().__init__(_losses.hinge, name=name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """Mean squared hinge loss."""

    def __init__(self, name: str = "squared_hinge", dtype: Any = None) -> None:
        super().__init__(_losses.squared_hinge, name=name, dtype=dtype)


class BinaryCrossentropy(MeanMetricWrapper):
    """Mean binary cross-entropy of the predictions (probabilities, or logits with ``from_logits``)."""

    def __init__(self, name: str = "binary_crossentropy", dtype: Any = None, from_logits: bool = False,
                 label_smoothing: float = 0.0) -> None:
        super().__init__(_losses.binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    """Mean categorical cross-entropy (one-hot targets)."""

    def __init__(self, name: str = "categorical_crossentropy", dtype: Any = None, from_logits: bool = False,
                 label_smoothing: float = 0.0) -> None:
        super().__init__(_losses.categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Mean sparse categorical cross-entropy (integer labels)."""

    def __init__(self, name: str = "sparse_categorical_crossentropy", dtype: Any = None,
                 from_logits: bool = False) -> None:
        super().__init__(_losses.sparse_categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits)


class RootMeanSquaredError(Metric):
    """sqrt(mean((y_true - y_pred)^2)) over all samples seen (not the mean of per-batch roots)."""

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self) -> None:
        self._mean = Mean()

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
        self._mean._add((np.asarray(y_pred, np.float64) - y_true) ** 2, sample_weight)

    def result(self) -> float:
        return float(np.sqrt(self._mean.result()))


class _Counts(Metric):
    """True positives, false positives and false negatives of thresholded predictions, over all elements."""

    def __init__(self, thresholds: float | None = None, name: str | None = None, dtype: Any = None) -> None:
        self.thresholds = 0.5 if thresholds is None else float(thresholds)
        if not 0.0 <= self.thresholds <= 1.0:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {thresholds}")
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self) -> None:
        self.true_positives = self.false_positives = self.false_negatives = 0.0

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
        actual, predicted = y_true.astype(bool), y_pred > self.thresholds
        weight = np.ones(actual.shape) if sample_weight is None else np.broadcast_to(
            np.asarray(_array(sample_weight), np.float64).reshape(
                (-1,) + (1,) * (actual.ndim - 1)), actual.shape)
        self.true_positives += float(weight[actual & predicted].sum())
        self.false_positives += float(weight[~actual & predicted].sum())
        self.false_negatives += float(weight[actual & ~predicted].sum())

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "thresholds": self.thresholds}


class Precision(_Counts):
    """TP / (TP + FP) of predictions thresholded at ``thresholds`` (0.5), over all outputs (binary or
    multi-label)."""

    def __init__(self, thresholds: float | None = None, name: str = "precision", dtype: Any = None) -> None:
        super().__init__(thresholds, name, dtype)

    def result(self) -> float:
        return float(scores_from_counts(self.true_positives, self.true_positives + self.false_positives,
                                        self.true_positives + self.false_negatives)[0])


class Recall(_Counts):
    """TP / (TP + FN) of predictions thresholded at ``thresholds`` (0.5), over all outputs."""

    def __init__(self, thresholds: float | None = None, name: str = "recall", dtype: Any = None) -> None:
        super().__init__(thresholds, name, dtype)

    def result(self) -> float:
        return float(scores_from_counts(self.true_positives, self.true_positives + self.false_positives,
                                        self.true_positives + self.false_negatives)[1])


class R2Score(Metric):
    """Coefficient of determination 1 - SS_res / SS_tot per output, averaged (``class_aggregation``:
    'uniform_average', 'variance_weighted_average' or None for one value per output)."""

    _AGGREGATIONS = ("uniform_average", "variance_weighted_average", None)

    def __init__(self, class_aggregation: str | None = "uniform_average", name: str = "r2_score",
                 dtype: Any = None) -> None:
        if class_aggregation not in self._AGGREGATIONS:
            raise ValueError(f"Invalid value for argument `class_aggregation`: {class_aggregation!r}. Valid "
                             f"values: {self._AGGREGATIONS}")
        self.class_aggregation = class_aggregation
        super().__init__(name=name, dtype=dtype)
        self.reset_state()

    def reset_state(self) -> None:
        self._sums = None

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = _same_rank(_array(y_true), _array(y_pred))
        y_true = np.asarray(y_true, np.float64).reshape(len(y_true), -1)
        y_pred = np.asarray(y_pred, np.float64).reshape(len(y_pred), -1)
        w = np.ones((len(y_true), 1)) if sample_weight is None else \
            np.asarray(_array(sample_weight), np.float64).reshape(-1, 1)
        sums = np.stack([(w * np.ones_like(y_true)).sum(0), (w * y_true).sum(0), (w * y_true ** 2).sum(0),
                         (w * (y_true - y_pred) ** 2).sum(0)])
        self._sums = sums if self._sums is None else self._sums + sums

    def result(self) -> Any:
        if self._sums is None:
            return 0.0
        count, total, squares, residual = self._sums
        variance = squares - total ** 2 / np.maximum(count, 1)
        scores = r2_from_sums(residual, variance)
        if self.class_aggregation is None:
            return scores
        if self.class_aggregation == "variance_weighted_average" and variance.sum() > 0:
            return float((scores * variance).sum() / variance.sum())
        return float(scores.mean())

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "class_aggregation": self.class_aggregation}


# ----------------------------------------------------------------------------------------------- lookup

_FUNCTIONS: dict[str, Callable] = {fn.__name__: fn for fn in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy)}
_FUNCTIONS.update({name: fn for name, fn in _losses._FUNCTIONS.items()})
_CLASSES: dict[str, type] = {cls.__name__: cls for cls in (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, LogCoshError, Poisson, KLDivergence, Hinge, SquaredHinge, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, RootMeanSquaredError, Precision, Recall, R2Score, Mean)}
_CLASSES.update({to_snake_case(name): cls for name, cls in list(_CLASSES.items())
                 if to_snake_case(name) not in _FUNCTIONS})


_catalogue = Catalogue("metric", {**_FUNCTIONS, **_CLASSES}, base=Metric, shown=["acc", *_FUNCTIONS, *_CLASSES])
get = _catalogue.get  # 'mae' -> the function, 'precision' / 'Recall' -> an instance; objects and callables as they are


def serialize(metric: Any) -> Any:
    """A compiled metric as JSON-able data: a name as it is, a named function's name, an object's
    ``{"class_name", "config"}``."""
    return metric if isinstance(metric, str) else _catalogue.serialize(metric)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The metric described by :func:`serialize`'s data (a name stays a name: compile resolves it)."""
    return config if isinstance(config, str) else _catalogue.deserialize(config, custom_objects)
