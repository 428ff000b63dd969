"""The metrics the Trainer knows by name, and what each is given (classes, probabilities or values)."""
from __future__ import annotations

from typing import Any, Callable

from netgrad import metrics

from .links import Predictions

__all__ = ["METRIC_TABLE", "Metric"]


_LABELS, _PROBA, _VALUES, _PREDICT = "labels", "proba", "values", "predict"
# name -> (function in netgrad.metrics, what it is given, larger is better)
METRIC_TABLE = {
    "accuracy": ("accuracy", _LABELS, True),
    "acc": ("accuracy", _LABELS, True),
    "precision": ("precision", _LABELS, True),
    "recall": ("recall", _LABELS, True),
    "f1": ("f1_score", _LABELS, True),
    "f1_score": ("f1_score", _LABELS, True),
    "mae": ("mean_absolute_error", _VALUES, False),
    "mean_absolute_error": ("mean_absolute_error", _VALUES, False),
    "mse": ("mean_squared_error", _VALUES, False),
    "mean_squared_error": ("mean_squared_error", _VALUES, False),
    "rmse": ("root_mean_squared_error", _VALUES, False),
    "root_mean_squared_error": ("root_mean_squared_error", _VALUES, False),
    "r2": ("r2_score", _VALUES, True),
    "r2_score": ("r2_score", _VALUES, True),
    "log_loss": ("log_loss", _PROBA, False),
}
_AVERAGED = ("precision", "recall", "f1_score")


class Metric:
    """A metric resolved from a name or a function: its log name, function and what it is given."""

    def __init__(self, spec: str | Callable) -> None:
        if isinstance(spec, str):
            if spec not in METRIC_TABLE:
                raise ValueError(f"unknown metric {spec!r}; the metrics by name are {', '.join(METRIC_TABLE)}, "
                                 "or pass a function f(y_true, y_pred) -> float")
            function_name, self.kind, self.greater_is_better = METRIC_TABLE[spec]
            self.name, self.function = spec, getattr(metrics, function_name)
        elif callable(spec) and getattr(spec, "keeps_state", False):
            # an object updated batch by batch elsewhere (Keras's compiled metrics): called with no arguments
            self.function, self.name = spec, getattr(spec, "__name__", type(spec).__name__)
            self.kind, self.greater_is_better = "state", None
        elif callable(spec):
            # a netgrad.metrics function is given what its name would be given; any other function what
            # scikit-learn's predict returns
            entry = next((e for e in METRIC_TABLE.values() if getattr(metrics, e[0]) is spec), None)
            self.function = spec
            self.name = getattr(spec, "__name__", type(spec).__name__)
            self.kind, self.greater_is_better = (entry[1], entry[2]) if entry else (_PREDICT, None)
        else:
            raise TypeError(f"a metric is a name or a function f(y_true, y_pred) -> float, got {spec!r}")

    def __call__(self, p: Predictions | None) -> float:
        kind, function = self.kind, self.function
        if kind == "state":
            return float(function())
        if kind == _PREDICT:
            return float(function(p.targets, p.predict()))
        if kind == _PROBA:
            return float(function(p.targets, p.proba()))
        if kind == _VALUES:
            y_pred, y_true = p.values()
            return float(function(y_true, y_pred))
        options: dict[str, Any] = {}
        if p.multilabel:
            options["multilabel"] = True
        if function.__name__ in _AVERAGED and (p.multilabel or p.n_classes > 2):
            options["average"] = "macro"
        y_pred = p.classes() if p.link != "identity" else p.outputs  # identity: netgrad.metrics thresholds
        return float(function(p.true_classes() if p.link != "identity" else p.targets, y_pred, **options))
