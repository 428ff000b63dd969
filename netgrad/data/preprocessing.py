"""Preprocessing: feature scaling, one-hot labels, and polynomial / playground feature maps.

Pixels: :func:`netgrad.data.load_fashion_mnist` and :func:`netgrad.data.load_mnist_format` already return
float32 in [0, 1]; scaling those by 1/255 again (e.g. with ``keras.layers.Rescaling(1 / 255)``) shrinks every
input towards 0 and costs accuracy, so :func:`warn_if_scaled_twice` warns when it sees it.

The scalers follow scikit-learn: fit on the training data only, then transform any data with the learned
statistics (attributes ending in ``_``). Statistics are computed in float64; transforms keep the input's
float dtype (integers become float32), and a Tensor in gives a Tensor out.
"""
from __future__ import annotations

import warnings
from itertools import combinations, combinations_with_replacement
from typing import Any, Sequence

import numpy as np

from netgrad.data.validation import NotFittedError, check_array, check_class_labels, to_numpy
from netgrad.engine import Tensor, get_default_dtype

__all__ = [
    "StandardScaler",
    "MinMaxScaler",
    "one_hot",
    "polynomial_features",
    "playground_features",
    "PLAYGROUND_FEATURES",
    "warn_if_scaled_twice",
]


def _float_input(X: Any) -> np.ndarray:
    arr = check_array(X)
    return arr if arr.dtype.kind == "f" else arr.astype(get_default_dtype().numpy)


def _like(result: np.ndarray, original: Any) -> Any:
    return Tensor._wrap(result) if isinstance(original, Tensor) else result


def _nonzero_scale(scale: np.ndarray, constant: np.ndarray) -> np.ndarray:
    """Replace the scale of constant features by 1, so they are shifted but never divided by ~0."""
    scale = scale.copy()
    scale[constant] = 1.0
    return scale


class _Scaler:
    """Shared plumbing: input checks, the fitted check and ``fit_transform``."""

    def fit_transform(self, X: Any, y: Any = None) -> Any:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X, y).transform(X)

    def _checked(self, X: Any) -> np.ndarray:
        if not hasattr(self, "n_features_in_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with appropriate "
                "arguments before using this estimator."
            )
        arr = _float_input(X)
        if arr.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {arr.shape[1]} features, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} features as input."
            )
        return arr


class StandardScaler(_Scaler):
    """Standardise features: ``z = (x - mean_) / scale_`` per column.

    ``scale_ = sqrt(var_)`` with the population variance (``ddof=0``, as in scikit-learn); constant
    features get ``scale_ = 1`` so they map to 0 instead of dividing by zero.

    Args:
        with_mean: subtract the mean.
        with_std: divide by the standard deviation.

    Attributes:
        mean_, var_, scale_: float64 arrays of shape ``(n_features,)`` (None when switched off).
        n_features_in_, n_samples_seen_: ints.

    Example:
        >>> StandardScaler().fit_transform(np.array([[0.0], [2.0]]))
        array([[-1.],
               [ 1.]])
    """

    def __init__(self, *, with_mean: bool = True, with_std: bool = True) -> None:
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X: Any, y: Any = None) -> "StandardScaler":
        """Learn the per-feature mean and standard deviation of ``X`` (n_samples, n_features)."""
        arr = _float_input(X)
        self.n_samples_seen_, self.n_features_in_ = arr.shape
        self.mean_ = arr.mean(axis=0, dtype=np.float64) if self.with_mean or self.with_std else None
        self.var_ = self.scale_ = None
        if self.with_std:
            self.var_ = arr.var(axis=0, dtype=np.float64)
            # scikit-learn's test for a variance that is only rounding error of a constant column
            eps = np.finfo(np.float64).eps
            n = self.n_samples_seen_
            constant = self.var_ <= n * eps * self.var_ + (n * self.mean_ * eps) ** 2
            self.scale_ = _nonzero_scale(np.sqrt(self.var_), constant)
        return self

    def transform(self, X: Any) -> Any:
        """Standardise ``X`` with the learned statistics."""
        arr = self._checked(X)
        out = arr - self.mean_.astype(arr.dtype) if self.with_mean else arr.copy()
        if self.with_std:
            out /= self.scale_.astype(arr.dtype)
        return _like(out, X)

    def inverse_transform(self, X: Any) -> Any:
        """Undo :meth:`transform`: ``x = z * scale_ + mean_``."""
        arr = self._checked(X)
        out = arr * self.scale_.astype(arr.dtype) if self.with_std else arr.copy()
        if self.with_mean:
            out += self.mean_.astype(arr.dtype)
        return _like(out, X)

    def __repr__(self) -> str:
        return f"StandardScaler(with_mean={self.with_mean}, with_std={self.with_std})"


class MinMaxScaler(_Scaler):
    """Rescale each feature linearly onto ``feature_range``: ``x' = x * scale_ + min_``.

    ``scale_ = (hi - lo) / (data_max_ - data_min_)`` and ``min_ = lo - data_min_ * scale_``; a constant
    feature gets a range of 1, as in scikit-learn.

    Args:
        feature_range: ``(lo, hi)`` with ``lo < hi``.
        clip: clip transformed values into ``feature_range`` (data outside the fitted range).

    Attributes:
        data_min_, data_max_, data_range_, scale_, min_: float64 arrays of shape ``(n_features,)``.
        n_features_in_, n_samples_seen_: ints.
    """

    def __init__(self, feature_range: tuple[float, float] = (0, 1), *, clip: bool = False) -> None:
        try:
            lo, hi = (float(v) for v in feature_range)
        except (TypeError, ValueError):
            raise ValueError(f"feature_range must be a pair of numbers (min, max), got {feature_range!r}") from None
        if not lo < hi:
            raise ValueError(
                f"Minimum of desired feature range must be smaller than maximum. Got {tuple(feature_range)}."
            )
        self.feature_range = feature_range
        self.clip = clip

    def fit(self, X: Any, y: Any = None) -> "MinMaxScaler":
        """Learn the per-feature minimum and maximum of ``X`` (n_samples, n_features)."""
        arr = _float_input(X)
        self.n_samples_seen_, self.n_features_in_ = arr.shape
        lo, hi = (float(v) for v in self.feature_range)
        self.data_min_ = arr.min(axis=0).astype(np.float64)
        self.data_max_ = arr.max(axis=0).astype(np.float64)
        self.data_range_ = self.data_max_ - self.data_min_
        constant = self.data_range_ < 10 * np.finfo(arr.dtype).eps
        self.scale_ = (hi - lo) / _nonzero_scale(self.data_range_, constant)
        self.min_ = lo - self.data_min_ * self.scale_
        return self

    def transform(self, X: Any) -> Any:
        """Map ``X`` onto ``feature_range`` with the learned minimum and maximum."""
        arr = self._checked(X)
        out = arr * self.scale_.astype(arr.dtype)
        out += self.min_.astype(arr.dtype)
        if self.clip:
            np.clip(out, *self.feature_range, out=out)
        return _like(out, X)

    def inverse_transform(self, X: Any) -> Any:
        """Undo :meth:`transform`: ``x = (x' - min_) / scale_``."""
        arr = self._checked(X)
        out = arr - self.min_.astype(arr.dtype)
        out /= self.scale_.astype(arr.dtype)
        return _like(out, X)

    def __repr__(self) -> str:
        return f"MinMaxScaler(feature_range={tuple(self.feature_range)}, clip={self.clip})"


def warn_if_scaled_twice(X: Any, scale: float, where: str) -> bool:
    """Warn (``UserWarning``) when ``X`` already lies in [0, 1] and is about to be multiplied by 1/255.

    Pixels scaled twice sit in [0, 0.004]: the network still trains, slowly and to a worse accuracy, with no
    error to say why. Data that is all one value (e.g. the zeros a model is built with), or no numbers yet
    (a symbolic input), tells nothing.

    Args:
        X: The values about to be scaled (array or Tensor).
        scale: The factor they are about to be multiplied by.
        where: What scales them, for the message (e.g. ``"Rescaling(scale=0.00392157)"``).

    Returns:
        Whether the check is settled (the scale is not 1/255, or ``X`` holds numbers of more than one
        value), so a caller that checks once (its first informative batch) knows it may stop.
    """
    if not np.isclose(scale, 1 / 255, rtol=1e-3):
        return True
    arr = to_numpy(X)
    if arr.size == 0 or arr.dtype.kind not in "fiu":  # nothing to judge yet (e.g. a symbolic input)
        return False
    low, high = arr.min(), arr.max()
    if low == high:
        return False
    if 0 <= low and high <= 1:
        warnings.warn(f"{where} multiplies by 1/255 data that already lies in [0, 1] (as load_fashion_mnist "
                      "returns it): the inputs shrink to [0, 0.004] and training suffers; drop the 1/255 scaling, "
                      "or load the raw pixels with normalize=False", UserWarning, stacklevel=3)
    return True


def one_hot(labels: Any, num_classes: int | None = None) -> Any:
    """One-hot encode integer class labels, like ``torch.nn.functional.one_hot``.

    Args:
        labels: integer labels from 0, any shape.
        num_classes: number of classes; None (or -1) means ``labels.max() + 1``.

    Returns:
        int64 array (a Tensor for a Tensor input) of shape ``labels.shape + (num_classes,)``.

    Example:
        >>> one_hot(np.array([0, 2]), 3)
        array([[1, 0, 0],
               [0, 0, 1]])
    """
    arr = to_numpy(labels)
    if arr.dtype.kind not in "iu":
        raise ValueError(
            f"one_hot expects integer class labels, got dtype {arr.dtype}; convert with labels.astype(np.int64)"
        )
    if num_classes is None or num_classes == -1:
        if arr.size == 0:
            raise ValueError("one_hot cannot infer num_classes from empty labels; pass num_classes")
        num_classes = int(arr.max()) + 1
    arr = check_class_labels(arr, num_classes, name="labels")
    return _like(np.eye(num_classes, dtype=np.int64)[arr], labels)


def polynomial_features(
    X: Any, degree: int = 2, *, include_bias: bool = True, interaction_only: bool = False
) -> np.ndarray:
    """All products of features up to ``degree``, in scikit-learn's ``PolynomialFeatures`` order.

    For two features and degree 2 the columns are ``1, x1, x2, x1^2, x1*x2, x2^2``.

    Args:
        X: ``(n_samples, n_features)``.
        degree: highest total degree (an int >= 0).
        include_bias: include the column of ones.
        interaction_only: only products of distinct features (no powers).
    """
    if not isinstance(degree, (int, np.integer)) or isinstance(degree, bool) or degree < 0:
        raise ValueError(f"degree must be a non-negative int, got {degree!r}")
    arr = _float_input(X)
    pick = combinations if interaction_only else combinations_with_replacement
    terms = [c for d in range(0 if include_bias else 1, degree + 1) for c in pick(range(arr.shape[1]), d)]
    if not terms:
        raise ValueError("polynomial_features would produce no columns; raise degree or set include_bias=True")
    return np.stack([arr[:, list(term)].prod(axis=1) for term in terms], axis=1)


PLAYGROUND_FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}
_ALIASES = {"x1²": "x1^2", "x2²": "x2^2", "x1·x2": "x1*x2", "x1x2": "x1*x2"}


def playground_features(X: Any, features: Sequence[str] = tuple(PLAYGROUND_FEATURES)) -> np.ndarray:
    """TensorFlow Playground's input features of 2-D points, chosen by name, in the order given.

    Args:
        X: points ``(n_samples, 2)`` with columns ``x1, x2``.
        features: names from ``x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)``
            (``x1²``, ``x2²`` and ``x1·x2`` are accepted too).

    Returns:
        ``(n_samples, len(features))`` in the float dtype of ``X``.
    """
    if isinstance(features, str):
        features = (features,)
    arr = _float_input(X)
    if arr.shape[1] != 2:
        raise ValueError(f"playground_features expects points of shape (n_samples, 2), got {arr.shape}")
    if len(features) == 0:
        raise ValueError(f"choose at least one feature from: {', '.join(PLAYGROUND_FEATURES)}")
    columns = []
    for name in features:
        key = _ALIASES.get(name, name)
        if key not in PLAYGROUND_FEATURES:
            raise ValueError(f"unknown feature {name!r}; valid features are: {', '.join(PLAYGROUND_FEATURES)}")
        columns.append(PLAYGROUND_FEATURES[key](arr[:, 0], arr[:, 1]))
    return np.stack(columns, axis=1)
