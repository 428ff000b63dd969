"""Checks every front end runs on its data before training starts.

Bad data should fail at once with a message that says what is wrong and where, never as a silent
broadcast or a NaN three epochs later. Each check returns the array it validated (a netgrad Tensor is
unwrapped without copying) and raises :class:`ValueError` otherwise.

Example:
    >>> import numpy as np
    >>> X, y = check_X_y(np.zeros((4, 2), np.float32), [0, 1, 1, 0])
    >>> check_class_labels([0, 2, 1], n_classes=3)
    array([0, 2, 1])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from netgrad.engine import Tensor
from netgrad.engine.backend import to_host

__all__ = [
    "NotFittedError",
    "to_numpy",
    "check_array",
    "check_X_y",
    "check_consistent_length",
    "check_class_labels",
    "assert_all_finite",
]

_SHOWN = 10  # how many offending values an error message lists


class NotFittedError(ValueError, AttributeError):
    """Raised when a transformer or estimator is used before ``fit`` (as in scikit-learn)."""


def to_numpy(x: Any) -> np.ndarray:
    """The ndarray behind ``x``: a Tensor's own array (no copy), an ndarray as is, else ``np.asarray(x)``."""
    if isinstance(x, Tensor):
        return to_host(x._data)  # a GPU tensor's values are copied to the host
    return x if isinstance(x, np.ndarray) else np.asarray(x)


def _listed(values: np.ndarray) -> str:
    """Up to ``_SHOWN`` values as a readable list, with '...' when there are more."""
    shown = ", ".join(repr(v.item()) for v in values[:_SHOWN])
    return f"[{shown}{', ...' if len(values) > _SHOWN else ''}]"


def assert_all_finite(arr: np.ndarray, name: str = "X") -> None:
    """Raise ValueError naming how many NaN / infinite values ``arr`` holds and where the first is."""
    if arr.dtype.kind not in "fc" or arr.size == 0:
        return
    # One pass, no boolean array as large as the data: a finite sum proves every value finite (NaN and
    # inf propagate). A non-finite sum may also be an overflow of finite values, hence the exact check.
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(arr, axis=None)
    if np.isfinite(total) or np.isfinite(arr).all():
        return
    n_nan = int(np.count_nonzero(np.isnan(arr)))
    n_inf = int(np.count_nonzero(np.isinf(arr)))
    first = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
    where = first[0] if len(first) == 1 else first
    raise ValueError(
        f"{name} contains {n_nan} NaN and {n_inf} infinite value(s), the first at index {where}; "
        "remove or impute them before training"
    )


def check_array(
    X: Any,
    *,
    name: str = "X",
    ensure_2d: bool = True,
    allow_nd: bool = False,
    ensure_min_samples: int = 1,
) -> np.ndarray:
    """Check that ``X`` is a finite numeric array with one row per sample.

    Args:
        X: array-like or Tensor.
        name: what to call it in messages.
        ensure_2d: require at least 2 dimensions ``(n_samples, n_features, ...)``.
        allow_nd: allow more than 2 dimensions (images).
        ensure_min_samples: the fewest rows accepted.

    Returns:
        The array (no copy, dtype unchanged).
    """
    try:
        arr = to_numpy(X)
    except ValueError as err:  # ragged nested lists
        raise ValueError(f"{name} could not be turned into an array: {err}") from None
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got an array of dtype {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError(f"{name} must have one row per sample, got a scalar")
    if ensure_2d and arr.ndim == 1:
        raise ValueError(
            f"Expected a 2-D {name} of shape (n_samples, n_features), got a 1-D array of shape {arr.shape}; "
            f"use {name}.reshape(-1, 1) if it holds a single feature, or {name}.reshape(1, -1) if it is a "
            "single sample"
        )
    if arr.ndim > 2 and not allow_nd:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features), got a {arr.ndim}-D array of shape {arr.shape}; "
            f"flatten each sample first: {name}.reshape(len({name}), -1)"
        )
    if arr.shape[0] < ensure_min_samples:
        raise ValueError(
            f"{name} has {arr.shape[0]} sample(s) (shape {arr.shape}); at least {ensure_min_samples} required"
        )
    assert_all_finite(arr, name)
    return arr


def check_consistent_length(*arrays: Any, names: tuple[str, ...] | None = None) -> int:
    """Check that all arrays have the same number of rows and return it."""
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        if names is not None and len(names) == len(lengths):
            detail = ", ".join(f"{n} has {k}" for n, k in zip(names, lengths))
            raise ValueError(f"{' and '.join(names)} have inconsistent numbers of samples: {detail}")
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {lengths}")
    return lengths[0] if lengths else 0


def check_X_y(
    X: Any,
    y: Any,
    *,
    ensure_2d: bool = True,
    allow_nd: bool = False,
    multi_output: bool = True,
    y_numeric: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Check features and targets together: finite, numeric, sensible shapes, one target per sample.

    Args:
        X: features, ``(n_samples, n_features)`` (more dimensions with ``allow_nd``).
        y: targets, ``(n_samples,)`` or ``(n_samples, n_outputs)``.
        ensure_2d: require ``X`` to be at least 2-D.
        allow_nd: allow ``X`` with more than 2 dimensions (images).
        multi_output: allow a 2-D ``y``; when False, ``y`` must be 1-D or a single column
            ``(n_samples, 1)``, which is returned flattened.
        y_numeric: require numeric targets (False lets string class names through).

    Returns:
        ``(X, y)`` as arrays (no copies, dtypes unchanged).
    """
    X = check_array(X, ensure_2d=ensure_2d, allow_nd=allow_nd)
    y = to_numpy(y)
    if y.ndim == 0:
        raise ValueError("y must have one target per sample, got a scalar")
    if y.ndim > 2 or (y.ndim == 2 and not multi_output and y.shape[1] != 1):
        allowed = "(n_samples,) or (n_samples, n_outputs)" if multi_output else "(n_samples,)"
        raise ValueError(f"y must have shape {allowed}, got shape {y.shape}")
    if not multi_output and y.ndim == 2:
        y = y.reshape(-1)
    if y_numeric:
        if y.dtype.kind not in "biuf":
            raise ValueError(f"y must hold numbers, got an array of dtype {y.dtype}")
        assert_all_finite(y, "y")
    if len(X) != len(y):
        raise ValueError(
            f"X and y have inconsistent numbers of samples: X has {len(X)} rows (shape {X.shape}), "
            f"y has {len(y)} (shape {y.shape})"
        )
    return X, y


def check_class_labels(y: Any, n_classes: int | None = None, *, name: str = "y") -> np.ndarray:
    """Check that ``y`` holds class labels that are integers from 0 (below ``n_classes`` when given).

    Floats with integral values (``1.0``) and booleans are accepted; any shape is (multi-label indicator
    matrices included).

    Returns:
        The labels as an int64 array.
    """
    if n_classes is not None and (not isinstance(n_classes, (int, np.integer)) or n_classes < 1):
        raise ValueError(f"n_classes must be a positive int, got {n_classes!r}")
    arr = to_numpy(y)
    if arr.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must hold class labels that are integers from 0, got an array of dtype {arr.dtype}"
        )
    if arr.dtype.kind == "f":
        bad = np.unique(arr[~(np.isfinite(arr) & (arr == np.round(arr)))])
        if bad.size:
            raise ValueError(
                f"{name} must hold class labels that are integers from 0, found non-integer values "
                f"{_listed(bad)}"
            )
    labels = arr.astype(np.int64, copy=False)
    negative = np.unique(labels[labels < 0])
    if negative.size:
        hint = ""
        if set(np.unique(labels).tolist()) <= {-1, 0, 1}:
            hint = "; for -1/+1 labels use (y > 0).astype(np.int64)"
        raise ValueError(
            f"{name} must hold class labels that are integers from 0, found negative labels "
            f"{_listed(negative)}{hint}"
        )
    if n_classes is not None:
        too_large = np.unique(labels[labels >= n_classes])
        if too_large.size:
            raise ValueError(
                f"{name} has labels {_listed(too_large)} out of range for {n_classes} classes "
                f"(valid labels are 0 to {n_classes - 1})"
            )
    return labels
