"""Classification and regression metrics with scikit-learn's definitions and ``(y_true, y_pred)`` order.

Inputs are NumPy arrays, netgrad Tensors or lists; results are Python floats (arrays for
``average=None`` / ``multioutput="raw_values"``). Classification metrics take predictions in any of the
forms a model produces:

- class labels, shape ``(n,)`` (integers, or any labels when compared with labels);
- scores or probabilities per class, shape ``(n, n_classes)``: the predicted class is the argmax;
- one float score per sample, shape ``(n,)`` or ``(n, 1)``: binary, predicted 1 where ``score > threshold``
  (0.5 for probabilities, 0 for logits);
- with ``multilabel=True``: an indicator matrix ``y_true`` of shape ``(n, n_labels)`` and scores or 0/1
  predictions of the same shape, thresholded per label.

A 2-D ``y_true`` without ``multilabel`` must be one-hot and is read as class labels.

Zero division: a precision, recall or F1 whose denominator is 0 (no predicted, or no true, samples of a
class) is ``zero_division`` (0.0 by default), with no warning; scikit-learn's default gives the same 0.0
but warns.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from netgrad.data.validation import assert_all_finite, check_class_labels, to_numpy

__all__ = [
    "accuracy",
    "precision",
    "recall",
    "f1_score",
    "confusion_matrix",
    "mean_absolute_error",
    "mean_squared_error",
    "root_mean_squared_error",
    "r2_score",
    "r2_from_sums",
    "scores_from_counts",
    "log_loss",
    "accuracy_score",
    "precision_score",
    "recall_score",
]

_AVERAGES = (None, "binary", "micro", "macro", "weighted")


# ------------------------------------------------------------------------------------- classification


def _paired(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t, p = to_numpy(y_true), to_numpy(y_pred)
    if t.ndim == 0 or p.ndim == 0:
        raise ValueError("y_true and y_pred need one entry per sample, got a scalar")
    if len(t) != len(p):
        raise ValueError(f"y_true and y_pred have different numbers of samples: {len(t)} and {len(p)} "
                         f"(shapes {t.shape} and {p.shape})")
    if len(t) == 0:
        raise ValueError("y_true and y_pred are empty")
    if p.dtype.kind == "f":
        assert_all_finite(p, "y_pred")
    return t, p


def _integral(a: np.ndarray) -> bool:
    return a.dtype.kind in "biu" or bool(np.all(a == np.round(a)))


def _class_labels(y_true: Any, y_pred: Any, threshold: float, multilabel: bool) -> tuple[np.ndarray, np.ndarray]:
    """True and predicted labels: 1-D arrays, or 0/1 indicator matrices with ``multilabel``."""
    t, p = _paired(y_true, y_pred)
    if multilabel:
        if t.ndim != 2 or p.shape != t.shape:
            raise ValueError(f"multilabel targets need y_true and y_pred of the same shape (n_samples, n_labels), "
                             f"got {t.shape} and {p.shape}")
        p = (p > threshold) if p.dtype.kind == "f" else p
        return check_class_labels(t, 2, name="y_true"), check_class_labels(p, 2, name="y_pred")
    if t.ndim == 2 and t.shape[1] == 1:
        t = t[:, 0]
    elif t.ndim == 2:
        if not (np.isin(t, (0, 1)).all() and (t.sum(axis=1) == 1).all()):
            raise ValueError(f"y_true of shape {t.shape} is not one-hot (one 1 per row); "
                             "for multi-label targets pass multilabel=True")
        t = t.argmax(axis=1)
    elif t.ndim != 1:
        raise ValueError(f"y_true must have shape (n_samples,), got {t.shape}")
    if p.ndim == 2 and p.shape[1] > 1:
        labels = check_class_labels(t, p.shape[1], name="y_true")  # columns of y_pred are classes 0..k-1
        return labels, p.argmax(axis=1)
    if p.ndim > 2:
        raise ValueError(f"y_pred must have shape (n_samples,) or (n_samples, n_classes), got {p.shape}")
    p = p.reshape(-1)
    if p.dtype.kind != "f" or t.dtype.kind in "biuf" and _integral(p) and _integral(t) and t.max() > 1:
        return t, p  # labels (float labels only where they cannot be binary scores)
    labels = check_class_labels(t, name="y_true")
    if labels.max() > 1:
        raise ValueError(
            f"y_pred holds one float score per sample (a binary problem) but y_true has labels up to "
            f"{labels.max()}; pass predicted labels as integers, or scores of shape (n_samples, n_classes)")
    return labels, (p > threshold).astype(np.int64)


def accuracy(
    y_true: Any, y_pred: Any, *, threshold: float = 0.5, multilabel: bool = False, normalize: bool = True
) -> float:
    """Fraction of samples predicted correctly (the count with ``normalize=False``).

    With ``multilabel`` a sample counts only when all its labels are right (subset accuracy, as in
    scikit-learn).

    Example:
        >>> accuracy([0, 1, 2], [[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])
        0.6666666666666666
    """
    t, p = _class_labels(y_true, y_pred, threshold, multilabel)
    correct = (t == p).all(axis=1) if multilabel else t == p
    return float(correct.mean()) if normalize else float(correct.sum())


def _index_of(labels: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Position of each value in ``labels`` (any order) and whether it is there at all."""
    order = np.argsort(labels, kind="stable")
    at = np.searchsorted(labels, values, sorter=order).clip(0, len(labels) - 1)
    index = order[at]
    return index, labels[index] == values


def _counts(t: np.ndarray, p: np.ndarray, labels: np.ndarray, multilabel: bool) -> tuple[np.ndarray, ...]:
    """Per label: true positives, predicted positives and actual positives."""
    if multilabel:
        columns = labels.astype(np.int64)
        t, p = t[:, columns], p[:, columns]
        return (t & p).sum(axis=0), p.sum(axis=0), t.sum(axis=0)
    k = len(labels)
    ti, t_known = _index_of(labels, t)
    pi, p_known = _index_of(labels, p)
    hits = t_known & p_known & (t == p)
    return (np.bincount(ti[hits], minlength=k), np.bincount(pi[p_known], minlength=k),
            np.bincount(ti[t_known], minlength=k))


def _ratio(numerator: np.ndarray, denominator: np.ndarray, zero_division: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), zero_division)


def scores_from_counts(true_positives: Any, predicted_positives: Any, actual_positives: Any,
                       zero_division: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision TP / (TP + FP), recall TP / (TP + FN) and F1 2 TP / (2 TP + FP + FN) from (weighted) counts.

    Args:
        true_positives, predicted_positives, actual_positives: counts (TP, TP + FP, TP + FN), per label.
        zero_division: the score where a denominator is 0.
    """
    tp, predicted, actual = (np.asarray(a, dtype=np.float64) for a in (true_positives, predicted_positives,
                                                                          actual_positives))
    return (_ratio(tp, predicted, zero_division), _ratio(tp, actual, zero_division),
            _ratio(2 * tp, predicted + actual, zero_division))


def _mean(values: np.ndarray, weights: np.ndarray | None) -> float:
    """Average ignoring NaN (``zero_division=np.nan``), plain when the weights are all 0 (as scikit-learn)."""
    keep = ~np.isnan(values)
    if not keep.any():
        return float("nan")
    if weights is None or weights[keep].sum() == 0:
        return float(values[keep].mean())
    return float(np.average(values[keep], weights=weights[keep]))


def _precision_recall_f1(y_true, y_pred, average, labels, pos_label, threshold, multilabel, zero_division):
    if average not in _AVERAGES:
        raise ValueError(f"average has to be one of {_AVERAGES}, got {average!r}")
    t, p = _class_labels(y_true, y_pred, threshold, multilabel)
    if average == "binary":
        if multilabel:
            raise ValueError("Target is multilabel-indicator but average='binary'. Please choose another average "
                             "setting, one of [None, 'micro', 'macro', 'weighted'].")
        present = np.unique(np.concatenate([t, p]))
        if len(present) > 2:
            raise ValueError("Target is multiclass but average='binary'. Please choose another average setting, "
                             "one of [None, 'micro', 'macro', 'weighted'].")
        if len(present) == 2 and pos_label not in present:
            raise ValueError(f"pos_label={pos_label!r} is not a valid label. It should be one of {present.tolist()}")
        labels = [pos_label]
    if labels is None:
        labels = np.arange(t.shape[1]) if multilabel else np.unique(np.concatenate([t, p]))
    tp, predicted, actual = _counts(t, p, np.asarray(labels), multilabel)
    if average == "micro":
        tp, predicted, actual = tp.sum(keepdims=True), predicted.sum(keepdims=True), actual.sum(keepdims=True)
    scores = scores_from_counts(tp, predicted, actual, zero_division)
    if average is None:
        return scores
    weights = actual.astype(np.float64) if average == "weighted" else None
    return tuple(_mean(s, weights) for s in scores)


_CLASSIFICATION_ARGS = """
    Args:
        y_true: true labels (or one-hot rows; an indicator matrix with ``multilabel``).
        y_pred: predicted labels, per-class scores, or binary scores (see the module docstring).
        average: ``'binary'`` (the ``pos_label`` class only), ``'micro'`` (pooled counts), ``'macro'``
            (unweighted mean over labels), ``'weighted'`` (mean weighted by each label's support) or
            None (one value per label).
        labels: the labels to report and average over (default: all labels in ``y_true`` and ``y_pred``,
            sorted).
        pos_label: the positive class for ``average='binary'``.
        threshold: decision threshold for binary and multi-label scores.
        multilabel: read ``y_true`` as a multi-label indicator matrix.
        zero_division: the value when the denominator is 0 (0.0, 1.0 or ``np.nan``; NaN is left out of
            averages).
"""


def precision(y_true: Any, y_pred: Any, *, average: str | None = "binary", labels: Sequence | None = None,
              pos_label: Any = 1, threshold: float = 0.5, multilabel: bool = False,
              zero_division: float = 0.0) -> float | np.ndarray:
    """Precision ``TP / (TP + FP)``: the fraction of predicted positives that are right."""
    return _precision_recall_f1(y_true, y_pred, average, labels, pos_label, threshold, multilabel, zero_division)[0]


def recall(y_true: Any, y_pred: Any, *, average: str | None = "binary", labels: Sequence | None = None,
           pos_label: Any = 1, threshold: float = 0.5, multilabel: bool = False,
           zero_division: float = 0.0) -> float | np.ndarray:
    """Recall ``TP / (TP + FN)``: the fraction of actual positives that are found."""
    return _precision_recall_f1(y_true, y_pred, average, labels, pos_label, threshold, multilabel, zero_division)[1]


def f1_score(y_true: Any, y_pred: Any, *, average: str | None = "binary", labels: Sequence | None = None,
             pos_label: Any = 1, threshold: float = 0.5, multilabel: bool = False,
             zero_division: float = 0.0) -> float | np.ndarray:
    """F1, the harmonic mean of precision and recall: ``2 TP / (2 TP + FP + FN)``."""
    return _precision_recall_f1(y_true, y_pred, average, labels, pos_label, threshold, multilabel, zero_division)[2]


for _metric in (precision, recall, f1_score):
    _metric.__doc__ += _CLASSIFICATION_ARGS

accuracy_score, precision_score, recall_score = accuracy, precision, recall  # scikit-learn's names


def confusion_matrix(y_true: Any, y_pred: Any, *, labels: Sequence | None = None, normalize: str | None = None,
                     threshold: float = 0.5) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class ``labels[i]`` predicted as ``labels[j]``.

    Args:
        labels: the classes, in the order of the rows and columns (default: all labels, sorted);
            samples with other labels are left out.
        normalize: ``'true'`` (rows sum to 1), ``'pred'`` (columns sum to 1), ``'all'`` or None (counts);
            an empty row or column stays 0.
        threshold: decision threshold for binary scores.

    Returns:
        int64 counts (float64 when normalised) of shape ``(n_labels, n_labels)``.
    """
    if normalize not in ("true", "pred", "all", None):
        raise ValueError(f"normalize must be one of {{'true', 'pred', 'all', None}}, got {normalize!r}")
    t, p = _class_labels(y_true, y_pred, threshold, multilabel=False)
    labels = np.unique(np.concatenate([t, p])) if labels is None else np.asarray(labels)
    k = len(labels)
    ti, t_known = _index_of(labels, t)
    pi, p_known = _index_of(labels, p)
    known = t_known & p_known
    cm = np.bincount(ti[known] * k + pi[known], minlength=k * k).reshape(k, k)
    if normalize is None:
        return cm
    total = {"true": cm.sum(axis=1, keepdims=True), "pred": cm.sum(axis=0, keepdims=True), "all": cm.sum()}[normalize]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(cm / total)


def log_loss(y_true: Any, y_pred: Any, *, normalize: bool = True) -> float:
    """Cross-entropy of predicted probabilities: ``-mean_i sum_k y_ik log p_ik``.

    Probabilities are clipped to ``[eps, 1 - eps]`` with ``eps`` the machine epsilon of their dtype, as
    scikit-learn does.

    Args:
        y_true: labels 0..k-1 of shape ``(n,)``, or one-hot / probability rows ``(n, k)``.
        y_pred: probabilities ``(n, k)`` whose rows sum to 1, or of the positive class ``(n,)``
            (then ``y_true`` is 0/1).
        normalize: the mean over samples (True) or the sum.

    Unlike scikit-learn, label ``j`` is always column ``j`` of ``y_pred``, so ``y_true`` need not contain
    every class; values agree wherever scikit-learn (with ``labels=range(k)``) gives one.
    """
    t, p = _paired(y_true, y_pred)
    p = p if p.dtype.kind == "f" else p.astype(np.float64)
    if p.min() < 0 or p.max() > 1:
        raise ValueError(f"y_pred must hold probabilities in [0, 1], found values from {p.min()} to {p.max()}; "
                         "apply softmax (or sigmoid) to logits first")
    if p.ndim == 1 or p.shape[1] == 1:
        p = p.reshape(-1)
        p = np.stack([1 - p, p], axis=1)
    elif p.ndim == 2:
        sums = p.sum(axis=1)
        if not np.allclose(sums, 1, rtol=np.sqrt(np.finfo(p.dtype).eps), atol=0):
            raise ValueError(f"each row of y_pred must sum to 1 (probabilities), found sums from {sums.min()} to "
                             f"{sums.max()}; apply softmax to logits first")
    else:
        raise ValueError(f"y_pred must have shape (n_samples,) or (n_samples, n_classes), got {p.shape}")
    if t.ndim == 2:
        if t.shape != p.shape:
            raise ValueError(f"y_true of shape {t.shape} does not match y_pred of shape {p.shape}")
        target = t.astype(p.dtype)
    else:
        target = np.eye(p.shape[1], dtype=p.dtype)[check_class_labels(t, p.shape[1], name="y_true")]
    eps = np.finfo(p.dtype).eps
    losses = -(target * np.log(np.clip(p, eps, 1 - eps))).sum(axis=1)
    return float(losses.mean() if normalize else losses.sum())


# ------------------------------------------------------------------------------------- regression


def _regression_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both as float64 ``(n, n_outputs)``; ``(n,)`` and ``(n, 1)`` pair up, nothing else broadcasts."""
    t, p = _paired(y_true, y_pred)
    t, p = (a.reshape(len(a), 1) if a.ndim == 1 else a for a in (t, p))
    if t.ndim != 2 or p.ndim != 2:
        raise ValueError(f"y_true and y_pred must have shape (n_samples,) or (n_samples, n_outputs), "
                         f"got {t.shape} and {p.shape}")
    if t.shape[1] != p.shape[1]:
        raise ValueError(f"y_true and y_pred have different number of output ({t.shape[1]}!={p.shape[1]})")
    for a, name in ((t, "y_true"), (p, "y_pred")):
        if a.dtype.kind not in "biuf":
            raise ValueError(f"{name} must hold numbers, got dtype {a.dtype}")
        assert_all_finite(a, name)
    return t.astype(np.float64), p.astype(np.float64)


def _outputs(per_output: np.ndarray, multioutput: Any) -> float | np.ndarray:
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return per_output
        if multioutput == "uniform_average":
            return float(per_output.mean())
        raise ValueError(f"multioutput must be 'raw_values', 'uniform_average' or an array of weights, "
                         f"got {multioutput!r}")
    weights = np.asarray(multioutput, dtype=np.float64)
    if weights.shape != per_output.shape:
        raise ValueError(f"multioutput weights of shape {weights.shape} do not match {len(per_output)} outputs")
    return float(np.average(per_output, weights=weights))


def mean_absolute_error(y_true: Any, y_pred: Any, *, multioutput: Any = "uniform_average") -> float | np.ndarray:
    """MAE ``mean |y - y_hat|``, per output then averaged (``multioutput`` as in scikit-learn)."""
    t, p = _regression_pair(y_true, y_pred)
    return _outputs(np.abs(t - p).mean(axis=0), multioutput)


def mean_squared_error(y_true: Any, y_pred: Any, *, multioutput: Any = "uniform_average") -> float | np.ndarray:
    """MSE ``mean (y - y_hat)^2``, per output then averaged."""
    t, p = _regression_pair(y_true, y_pred)
    return _outputs(np.square(t - p).mean(axis=0), multioutput)


def root_mean_squared_error(y_true: Any, y_pred: Any, *,
                            multioutput: Any = "uniform_average") -> float | np.ndarray:
    """RMSE ``sqrt(mean (y - y_hat)^2)`` per output, then averaged (as scikit-learn)."""
    t, p = _regression_pair(y_true, y_pred)
    return _outputs(np.sqrt(np.square(t - p).mean(axis=0)), multioutput)


def r2_score(y_true: Any, y_pred: Any, *, multioutput: Any = "uniform_average") -> float | np.ndarray:
    """Coefficient of determination ``R^2 = 1 - sum (y - y_hat)^2 / sum (y - mean y)^2`` per output.

    As scikit-learn (``force_finite=True``): a constant ``y_true`` scores 1.0 when predicted exactly and
    0.0 otherwise; fewer than two samples give NaN (without scikit-learn's warning).
    """
    t, p = _regression_pair(y_true, y_pred)
    if len(t) < 2:
        raw = isinstance(multioutput, str) and multioutput == "raw_values"
        return np.full(t.shape[1], np.nan) if raw else float("nan")
    return _outputs(r2_from_sums(np.square(t - p).sum(axis=0), np.square(t - t.mean(axis=0)).sum(axis=0)),
                    multioutput)


def r2_from_sums(residual: Any, total: Any) -> np.ndarray:
    """R^2 = 1 - SS_res / SS_tot per output, from the residual and total sums of squares.

    A constant target (SS_tot = 0) scores 1.0 when predicted exactly and 0.0 otherwise (scikit-learn's
    ``force_finite``, also Keras's ``R2Score``).
    """
    residual, total = np.asarray(residual, dtype=np.float64), np.asarray(total, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, 1 - residual / total, np.where(residual == 0, 1.0, 0.0))
