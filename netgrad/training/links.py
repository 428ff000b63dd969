"""How a loss reads the model's outputs (its inverse link), and one epoch's outputs turned into predicted
classes, probabilities or values accordingly (see the table in :mod:`netgrad.training.trainer`)."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from netgrad import nn
from netgrad.engine.numerics import sigmoid_array, softmax_array

__all__ = ["link_of", "Predictions", "MULTICLASS", "BINARY"]

MULTICLASS, BINARY = ("softmax", "log_softmax"), ("sigmoid", "probability")


def _loss_links() -> list[tuple[tuple, str]]:
    """(loss classes and functions, link) pairs: how each classification loss reads the model's outputs."""
    functional = nn.functional
    return [
        ((nn.CrossEntropyLoss, functional.cross_entropy), "softmax"),
        ((nn.NLLLoss, functional.nll_loss), "log_softmax"),
        ((nn.BCEWithLogitsLoss, functional.binary_cross_entropy_with_logits), "sigmoid"),
        ((nn.BCELoss, functional.binary_cross_entropy), "probability"),
    ]


def link_of(loss: Any) -> str:
    """'softmax' | 'log_softmax' (class-index targets), 'sigmoid' | 'probability' (0/1 targets), or 'identity'."""
    for kinds, link in _loss_links():
        classes = tuple(k for k in kinds if isinstance(k, type))
        if (classes and isinstance(loss, classes)) or any(loss is k for k in kinds if not isinstance(k, type)):
            return link
    return "identity"


class Predictions:
    """One epoch's outputs and targets, turned into classes / probabilities / values on demand."""

    def __init__(self, link: str, outputs: np.ndarray, targets: np.ndarray) -> None:
        self.link, self.outputs, self.targets = link, outputs, targets
        self._cache: dict[str, Any] = {}

    def _once(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def multilabel(self) -> bool:
        return self.link in BINARY and self.outputs.ndim == 2 and self.outputs.shape[1] > 1

    @property
    def n_classes(self) -> int:
        if self.multilabel:
            return self.outputs.shape[1]
        return self.outputs.shape[1] if self.outputs.ndim == 2 and self.outputs.shape[1] > 1 else 2

    def proba(self) -> np.ndarray:
        link, out = self.link, self.outputs
        if link == "softmax":
            return self._once("proba", lambda: softmax_array(out, 1))
        if link == "log_softmax":
            return self._once("proba", lambda: np.exp(out))
        if link == "sigmoid":
            return self._once("proba", lambda: sigmoid_array(out))
        return out

    def true_classes(self) -> np.ndarray:
        t = self.targets
        if self.multilabel:
            return t
        if t.ndim == 2 and t.shape[1] > 1:  # one-hot or probability rows
            return self._once("true", lambda: t.argmax(axis=1))
        return t.reshape(-1)

    def classes(self) -> np.ndarray:
        """Predicted classes: argmax for several columns, ``probability > 0.5`` for one (or per label)."""
        def compute() -> np.ndarray:
            out = self.outputs
            if self.link in MULTICLASS or (out.ndim == 2 and out.shape[1] > 1 and not self.multilabel):
                return out.argmax(axis=1)
            threshold = 0.0 if self.link == "sigmoid" else 0.5  # sigmoid(z) > 0.5 exactly when z > 0
            predicted = (out > threshold).astype(np.int64)
            return predicted if self.multilabel else predicted.reshape(-1)
        return self._once("classes", compute)

    def values(self) -> tuple[np.ndarray, np.ndarray]:
        """(predicted, true) for regression metrics: probabilities and one-hot targets for classification."""
        if self.link in MULTICLASS:
            t = self.targets
            onehot = t if t.ndim == 2 else np.eye(self.outputs.shape[1], dtype=self.outputs.dtype)[t.astype(np.int64)]
            return self.proba(), onehot
        values, t = self.proba(), self.targets
        if values.ndim == 2 and values.shape[1] == 1 and t.ndim == 1:
            values = values.reshape(-1)
        return values, t

    def predict(self) -> np.ndarray:
        """What scikit-learn's ``predict`` returns: classes for classification losses, values otherwise."""
        if self.link != "identity":
            return self.classes()
        out = self.outputs
        return out.reshape(-1) if out.ndim == 2 and out.shape[1] == 1 and self.targets.ndim == 1 else out
