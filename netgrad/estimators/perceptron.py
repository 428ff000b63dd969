"""Rosenblatt's perceptron (1957): a linear threshold unit and its learning rule."""
from __future__ import annotations

from typing import Any

import numpy as np

from netgrad import nn
from netgrad.data.validation import to_numpy
from netgrad.engine import Tensor
from netgrad.training import Callback

from .base import (
    BaseEstimator,
    ClassifierMixin,
    check_is_fitted,
    check_positive_float,
    check_positive_int,
    encode_labels,
    seeded,
    validate_data,
    warn_not_converged,
)
from .gradient import fit_module, make_optimizer

__all__ = ["Perceptron", "PerceptronCriterion"]


class PerceptronCriterion:
    """The loss whose gradient is Rosenblatt's rule: L = Σ_i (ŷ_i - y_i) z_i, with ŷ = step(z) held fixed.

    For a correctly classified sample ŷ - y = 0 and it contributes nothing; for a misclassified one it
    contributes |z|, how far it lies on the wrong side of the boundary (so L ≥ 0, and L = 0 when nothing is
    misclassified away from the boundary). Its gradient is dL/dz = ŷ - y, hence dL/dw = (ŷ - y) x and
    dL/db = ŷ - y, and one SGD step with learning rate η is exactly the perceptron rule
    w ← w + η (y - ŷ) x. Targets are 0/1, one column per output unit.

    Attributes:
        mistakes: Misclassified (sample, unit) pairs seen since it was last reset: the number of updates.
    """

    def __init__(self) -> None:
        self.mistakes = 0

    def __call__(self, z: Tensor, target: Any) -> Tensor:
        z_values = z._data
        errors = (z_values > 0).astype(z_values.dtype) - to_numpy(target).reshape(z_values.shape)
        self.mistakes += int(np.count_nonzero(errors))
        return (z * Tensor._wrap(errors)).sum()


class _StopWhenNoMistakes(Callback):
    """Rosenblatt's stopping rule: an epoch without a single update means every sample is classified right."""

    def __init__(self, criterion: PerceptronCriterion) -> None:
        super().__init__()
        self.criterion = criterion
        self.errors: list[int] = []
        self.converged = False

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.criterion.mistakes = 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.errors.append(self.criterion.mistakes)
        if self.criterion.mistakes == 0:
            self.converged = True
            self.trainer.stop_training = True


class Perceptron(ClassifierMixin, BaseEstimator):
    """Rosenblatt's perceptron: the threshold unit f(x) = 1 if w·x + b > 0 else 0, and its learning rule.

    For each training sample in turn (one epoch = one pass, reshuffled when ``shuffle``), predict
    ŷ = step(w·x + b) and update

        w ← w + eta0 · (y - ŷ) · x,    b ← b + eta0 · (y - ŷ),

    which changes the weights only when the sample is misclassified. Training stops after the first epoch
    without a mistake (the perceptron convergence theorem: this happens after finitely many updates
    whenever the classes are linearly separable, as AND and OR are) or after ``max_iter`` epochs with a
    ``ConvergenceWarning`` (as on XOR, which no line separates: the rule then never settles).

    The rule is not gradient descent on a smooth loss, but it is exactly one SGD step (batch size 1,
    learning rate ``eta0``) on the perceptron criterion L = Σ (ŷ - y) z, whose gradient with ŷ held fixed
    is (ŷ - y) x: :class:`PerceptronCriterion`. That is how it runs here, through the one Trainer. The
    weights start at zero, so ``eta0`` only scales them and does not change the predictions.

    With more than two classes there is one threshold unit per class, each trained one-vs-rest by the same
    rule, and the prediction is the class of largest w_k·x + b_k (as scikit-learn's ``Perceptron``).

    Args:
        max_iter: The most epochs.
        eta0: Learning rate η.
        tol: If not None, also stop (without a warning) once the epoch's loss has not improved by ``tol``
            for more than ``n_iter_no_change`` epochs, as scikit-learn's ``Perceptron`` (and with its
            default, 1e-3); None keeps Rosenblatt's rule alone (stop at an epoch without mistakes).
        n_iter_no_change: See ``tol``.
        shuffle: Reshuffle the samples every epoch.
        fit_intercept: Learn the bias b (else the boundary passes through the origin).
        random_state: Seed of the shuffling; 0 by default, as scikit-learn's ``Perceptron`` (so two fits on
            the same data agree), None to draw from netgrad's global generator.

    Attributes:
        classes_: The class labels, sorted.
        coef_: w, shape (1, n_features) for two classes, else (n_classes, n_features).
        intercept_: b, shape (1,) or (n_classes,).
        n_features_in_: Number of features seen in ``fit``.
        n_iter_: Epochs run.
        errors_: Misclassified samples (updates) in each epoch, per unit summed.
        loss_curve_: The perceptron criterion of each epoch.

    Example:
        >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); y_and = np.array([0, 0, 0, 1])
        >>> Perceptron().fit(X, y_and).score(X, y_and)
        1.0
    """

    def __init__(self, max_iter: int = 1000, eta0: float = 1.0, tol: float | None = 1e-3, n_iter_no_change: int = 5,
                 shuffle: bool = True, fit_intercept: bool = True, random_state: Any = 0) -> None:
        self.max_iter = max_iter
        self.eta0 = eta0
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.fit_intercept = fit_intercept
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> "Perceptron":
        """Run the perceptron rule on ``X`` (n_samples, n_features) and the labels ``y``."""
        check_positive_int(self.max_iter, "max_iter")
        check_positive_float(self.eta0, "eta0")
        check_positive_float(self.tol, "tol", allow_zero=True, allow_none=True)
        check_positive_int(self.n_iter_no_change, "n_iter_no_change")
        X, y = validate_data(self, X, y, reset=True)
        self.classes_, index = encode_labels(y)
        n_units = 1 if len(self.classes_) == 2 else len(self.classes_)
        targets = index.reshape(-1, 1) if n_units == 1 else np.eye(n_units)[index]
        with seeded(self.random_state):
            unit = nn.Linear(X.shape[1], n_units, bias=bool(self.fit_intercept), dtype=X.dtype)
            for parameter in unit.parameters():
                nn.init.zeros_(parameter)
            criterion = PerceptronCriterion()
            rule = _StopWhenNoMistakes(criterion)
            result = fit_module(unit, criterion, X, targets.astype(X.dtype),
                                optimizer=make_optimizer("sgd", unit.parameters(), lr=float(self.eta0)),
                                max_iter=self.max_iter, batch_size=1, shuffle=bool(self.shuffle), tol=self.tol,
                                n_iter_no_change=self.n_iter_no_change, callbacks=[rule])
        self.coef_ = unit.weight._data.copy()
        self.intercept_ = unit.bias._data.copy() if self.fit_intercept else np.zeros(n_units, dtype=X.dtype)
        self.n_iter_, self.loss_curve_, self.errors_ = result.n_iter, result.loss_curve, rule.errors
        if not rule.converged and not (self.tol is not None and result.converged):
            warn_not_converged(
                self, f"did not converge: epoch {self.max_iter} (max_iter) still misclassified {rule.errors[-1]} "
                      f"training sample(s). The perceptron rule converges only when the classes "
                      f"are linearly separable (a hyperplane w·x + b = 0 puts each class on its own side); "
                      f"these appear not to be (XOR is the classic case), so no number of epochs will do. Use "
                      f"a multilayer perceptron (MLPClassifier) for such data.")
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """z = X wᵀ + b: shape (n_samples,) for two classes (z > 0 means ``classes_[1]``), else
        (n_samples, n_classes)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        z = X @ self.coef_.T.astype(X.dtype, copy=False) + self.intercept_.astype(X.dtype, copy=False)
        return z[:, 0] if z.shape[1] == 1 else z

    def predict(self, X: Any) -> np.ndarray:
        """The threshold unit: ``classes_[1]`` where w·x + b > 0, else ``classes_[0]`` (argmax for more)."""
        z = self.decision_function(X)
        index = (z > 0).astype(np.intp) if z.ndim == 1 else z.argmax(axis=1)
        return self.classes_[index]
