"""The notes' single-layer models as scikit-learn estimators.

================================  ==============  ==========================  ============================
estimator                         output units    output activation           loss
================================  ==============  ==========================  ============================
:class:`LinearRegression`         one per target  none                        mean squared error
:class:`LogisticRegression`       one (binary)    sigmoid                     binary cross-entropy
:class:`SoftmaxRegression`        one per class   softmax                     cross-entropy
:class:`MultiLabelClassifier`     one per label   sigmoid                     binary cross-entropy per label
================================  ==============  ==========================  ============================

Each is one ``netgrad.nn.Linear`` layer, ``z = x Wᵀ + b``, trained by :class:`netgrad.training.Trainer`
(``LinearRegression`` can instead solve the normal equation). The sigmoid and softmax are fused into
their losses (``BCEWithLogitsLoss``, ``CrossEntropyLoss``), which are stable for any logits; the
predictions follow the notes: class 1 where p̂ ≥ 0.5, i.e. where z ≥ 0, and the argmax of the logits for
several classes.

The gradient-trained models start from zero weights (the losses are convex, so the start does not
matter) and minimise ``J(W, b) = mean loss + (alpha / 2)·‖W‖²`` with ``penalty='l2'`` (the bias is not
penalised), scikit-learn's ``SGDClassifier`` objective. Computation runs in the dtype of ``X``:
float32 stays float32, other input becomes float64, as in scikit-learn.
"""
from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from netgrad import nn
from netgrad.engine.backend import to_host
from netgrad.engine.numerics import sigmoid_array, softmax_array

from .base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    check_choice,
    check_is_fitted,
    check_positive_float,
    check_positive_int,
    encode_labels,
    seeded,
    validate_data,
    warn_not_converged,
)
from .gradient import OPTIMIZERS, SumOverOutputs, check_device, fit_module, make_optimizer

__all__ = ["LinearRegression", "LogisticRegression", "SoftmaxRegression", "MultiLabelClassifier"]

# XᵀX squares the condition number of X: above this, the normal equations keep fewer than about four
# significant digits in float64, and least squares on X itself (np.linalg.lstsq, via the SVD) is the sound way.
_MAX_GRAM_CONDITION = 1e12


def _check_descent_params(est: Any) -> None:
    """Check the gradient-descent hyper-parameters every gradient-trained linear model shares (in ``fit``)."""
    check_positive_float(est.learning_rate, "learning_rate")
    check_positive_int(est.max_iter, "max_iter")
    check_positive_float(est.tol, "tol", allow_zero=True, allow_none=True)
    check_positive_int(est.n_iter_no_change, "n_iter_no_change")
    if not isinstance(est.shuffle, (bool, np.bool_)):
        raise ValueError(f"shuffle must be True or False, got {est.shuffle!r}")


def resolve_batch_size(batch_size: Any, n_samples: int) -> int:
    """``'auto'`` is ``min(200, n_samples)`` (scikit-learn's rule); an int is clipped to ``n_samples``."""
    if isinstance(batch_size, str) and batch_size == "auto":
        return min(200, n_samples)
    return min(check_positive_int(batch_size, "batch_size"), n_samples)


def _l2_penalty(alpha: float) -> Any:
    """``model -> (alpha / 2)·‖W‖²``: the weights only, not the bias (``nn.utils.l2_penalty``)."""
    return lambda model: nn.utils.l2_penalty(model, 0.5 * alpha)


def _zero_linear(n_in: int, n_out: int, dtype: np.dtype, bias: bool = True) -> nn.Linear:
    """A Linear layer starting from W = 0, b = 0 (the losses are convex: the start does not matter)."""
    layer = nn.Linear(n_in, n_out, bias=bias, dtype=dtype)
    for parameter in layer.parameters():
        nn.init.zeros_(parameter)
    return layer


# ------------------------------------------------------------------------------------------ regression


class LinearRegression(RegressorMixin, BaseEstimator):
    """Ordinary least squares, ŷ = X w + b, by the normal equation or by gradient descent.

    Solvers:

    * ``'normal'``: the normal equation θ = (XᵀX)⁻¹Xᵀy, computed without an inverse by solving
      (XᵀX) θ = Xᵀy. With ``fit_intercept`` the column of ones is handled by centring X and y (the same
      solution, better conditioned): w solves (X_cᵀX_c) w = X_cᵀy_c and b = ȳ - x̄·w. When XᵀX is
      singular or too ill-conditioned to trust (more features than samples, duplicated columns) it warns
      and falls back to least squares.
    * ``'lstsq'``: least squares on X directly, ``np.linalg.lstsq`` (SVD; the minimum-norm solution when
      there are many).
    * ``'gd'``: batch gradient descent, one update per epoch on the whole training set.
    * ``'sgd'``: mini-batch gradient descent, ``batch_size`` samples per update.

    Gradient descent minimises the mean squared error J = mean((ŷ - y)²) (PyTorch's ``MSELoss``; the notes'
    J = 1/(2m) Σ(ŷ - y)² has the same minimiser and half the gradient) with plain SGD,
    θ ← θ - learning_rate · ∇J, starting from θ = 0. It needs scaled features: see ``feature_scaling.py``
    in the examples. The closed-form solvers do not (scaling does not change their predictions) and
    compute in float64 whatever the dtype of X, because XᵀX squares the condition number; the coefficients
    are stored in the dtype of X.

    Args:
        solver: ``'normal'``, ``'lstsq'``, ``'gd'`` or ``'sgd'``.
        fit_intercept: Learn the bias b (else b = 0).
        learning_rate: Step size of gradient descent.
        max_iter: The most epochs of gradient descent.
        batch_size: Samples per update of ``'sgd'``.
        tol: Gradient descent stops when the epoch loss has not improved by ``tol`` for more than
            ``n_iter_no_change`` epochs (None: run all ``max_iter`` epochs). scikit-learn's ``tol`` of
            ``LinearRegression`` (1e-6) is the precision of its sparse solver, another quantity.
        n_iter_no_change: See ``tol``.
        shuffle: Reshuffle the samples every epoch (``'sgd'``).
        random_state: Seed of the shuffling.
        device: Where gradient descent runs: ``'cpu'`` (the default), ``'cuda'``, ``'cuda:N'`` or ``'auto'`` (the
            GPU when there is one); the coefficients and predictions are NumPy arrays on the host.

    Attributes:
        coef_: w, shape (n_features,), or (n_targets, n_features) for 2-D y.
        intercept_: b, a float, or shape (n_targets,) for 2-D y.
        n_features_in_: Number of features seen in ``fit``.
        n_iter_: Epochs of gradient descent (1 for the closed-form solvers: one linear solve).
        loss_curve_: The loss of every epoch (gradient descent only).

    Example:
        >>> X = np.array([[1.0], [2.0], [3.0]]); y = np.array([1.0, 2.0, 3.0])
        >>> LinearRegression().fit(X, y).coef_
        array([1.])
    """

    def __init__(self, solver: str = "normal", fit_intercept: bool = True, learning_rate: float = 0.01,
                 max_iter: int = 1000, batch_size: int = 32, tol: float | None = 1e-4, n_iter_no_change: int = 10,
                 shuffle: bool = True, random_state: Any = None, device: Any = "cpu") -> None:
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.random_state = random_state
        self.device = device

    def fit(self, X: Any, y: Any) -> "LinearRegression":
        """Fit w and b to ``X`` (n_samples, n_features) and ``y`` (n_samples,) or (n_samples, n_targets)."""
        check_choice(self.solver, "solver", ("normal", "lstsq", "gd", "sgd"))
        check_device(self.device)
        X, y = validate_data(self, X, y, reset=True, multi_output=True, y_numeric=True)
        Y = y.reshape(len(y), -1)
        if self.solver in ("normal", "lstsq"):
            coef, intercept = self._solve(X, Y)
            self.n_iter_ = 1
        else:
            _check_descent_params(self)
            coef, intercept = self._descend(X, Y)
        if y.ndim == 1:
            self.coef_, self.intercept_ = coef[0], float(intercept[0])
        else:
            self.coef_, self.intercept_ = coef, intercept
        return self

    def _solve(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The closed-form least-squares solution in float64, returned as (coef (k, p), intercept (k,))."""
        X64, Y64 = X.astype(np.float64), Y.astype(np.float64)
        if self.fit_intercept:
            x_offset, y_offset = X64.mean(axis=0), Y64.mean(axis=0)
            X64, Y64 = X64 - x_offset, Y64 - y_offset
        else:
            x_offset, y_offset = np.zeros(X.shape[1]), np.zeros(Y.shape[1])
        theta = None
        if self.solver == "normal":
            gram, moment = X64.T @ X64, X64.T @ Y64
            condition = np.linalg.cond(gram)
            if np.isfinite(condition) and condition <= _MAX_GRAM_CONDITION:
                theta = np.linalg.solve(gram, moment)
            else:
                warnings.warn(
                    f"XᵀX is singular or ill-conditioned (condition number {condition:.3g}; "
                    f"{X.shape[0]} samples, {X.shape[1]} features), so the normal equation has no reliable "
                    "unique solution; solving by least squares (np.linalg.lstsq) instead.",
                    UserWarning, stacklevel=3)
        if theta is None:
            theta = np.linalg.lstsq(X64, Y64, rcond=None)[0]
        coef = theta.T
        intercept = y_offset - x_offset @ theta
        return coef.astype(X.dtype), intercept.astype(X.dtype)

    def _descend(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gradient descent through the Trainer, returned as (coef (k, p), intercept (k,))."""
        batch_size = len(X) if self.solver == "gd" else resolve_batch_size(self.batch_size, len(X))
        with seeded(self.random_state):
            layer = _zero_linear(X.shape[1], Y.shape[1], X.dtype, bias=bool(self.fit_intercept))
            optimizer = make_optimizer("sgd", layer.parameters(), lr=self.learning_rate)
            result = fit_module(layer, nn.MSELoss(), X, Y.astype(X.dtype), optimizer=optimizer,
                                max_iter=self.max_iter, batch_size=batch_size,
                                shuffle=bool(self.shuffle) and self.solver == "sgd", tol=self.tol,
                                n_iter_no_change=self.n_iter_no_change, device=check_device(self.device))
        self.n_iter_, self.loss_curve_ = result.n_iter, result.loss_curve
        if not result.converged:
            warn_not_converged(self, f"gradient descent reached max_iter={self.max_iter} epochs without "
                                     f"converging (tol={self.tol}); raise max_iter or learning_rate, or scale "
                                     "the features.")
        bias = np.array(to_host(layer.bias._data)) if self.fit_intercept else np.zeros(Y.shape[1], dtype=X.dtype)
        return np.array(to_host(layer.weight._data)), bias

    def predict(self, X: Any) -> np.ndarray:
        """ŷ = X wᵀ + b."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return X @ np.asarray(self.coef_, dtype=X.dtype).T + np.asarray(self.intercept_, dtype=X.dtype)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _more_tags(self) -> dict:  # scikit-learn < 1.6
        return {"multioutput": True}


# ------------------------------------------------------------------------------------------ classifiers


class _LinearClassifier(ClassifierMixin, BaseEstimator):
    """What the gradient-trained linear classifiers share: hyper-parameters, fit, decision function.

    Subclasses say how targets are encoded (:meth:`_targets`) and turn logits into probabilities
    (:meth:`predict_proba`).
    """

    def __init__(self, penalty: str | None = "l2", alpha: float = 1e-4, optimizer: str = "adam",
                 learning_rate: float = 0.1, max_iter: int = 200, batch_size: Any = "auto", tol: float | None = 1e-4,
                 n_iter_no_change: int = 10, shuffle: bool = True, random_state: Any = None,
                 device: Any = "cpu") -> None:
        self.penalty = penalty
        self.alpha = alpha
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.random_state = random_state
        self.device = device

    def _validate_params(self) -> None:
        check_choice(self.penalty, "penalty", ("l2", None))
        check_positive_float(self.alpha, "alpha", allow_zero=True)
        check_choice(self.optimizer, "optimizer", tuple(OPTIMIZERS))
        _check_descent_params(self)
        check_device(self.device)

    def _validate_X_y(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        return validate_data(self, X, y, reset=True)

    def _targets(self, y: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, int, Any]:
        """Set ``classes_``; return (targets for the loss, number of output units, loss)."""
        raise NotImplementedError

    def fit(self, X: Any, y: Any) -> "_LinearClassifier":
        """Learn W and b from ``X`` (n_samples, n_features) and the labels ``y``."""
        self._validate_params()
        X, y = self._validate_X_y(X, y)
        targets, n_outputs, loss = self._targets(y, X.dtype)
        with seeded(self.random_state):
            layer = _zero_linear(X.shape[1], n_outputs, X.dtype)
            optimizer = make_optimizer(self.optimizer, layer.parameters(), lr=self.learning_rate)
            result = fit_module(layer, loss, X, targets, optimizer=optimizer, max_iter=self.max_iter,
                                batch_size=resolve_batch_size(self.batch_size, len(X)), shuffle=bool(self.shuffle),
                                tol=self.tol, n_iter_no_change=self.n_iter_no_change,
                                penalty=_l2_penalty(self.alpha) if self.penalty == "l2" and self.alpha > 0 else None,
                                device=check_device(self.device))
        self.coef_, self.intercept_ = np.array(to_host(layer.weight._data)), np.array(to_host(layer.bias._data))
        self.n_iter_, self.loss_curve_ = result.n_iter, result.loss_curve
        if not result.converged:
            warn_not_converged(self, f"maximum iterations ({self.max_iter}) reached and the optimization hasn't "
                                     f"converged yet (tol={self.tol}); raise max_iter or scale the features.")
        return self

    def _logits(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return X @ self.coef_.T.astype(X.dtype, copy=False) + self.intercept_.astype(X.dtype, copy=False)

    def decision_function(self, X: Any) -> np.ndarray:
        """The logits z = X Wᵀ + b: shape (n_samples,) for two classes (z > 0 means ``classes_[1]``), else
        (n_samples, n_classes)."""
        z = self._logits(X)
        return z[:, 0] if z.shape[1] == 1 else z

    def predict(self, X: Any) -> np.ndarray:
        """The class of largest logit; for one sigmoid unit, ``classes_[1]`` where z ≥ 0 (p̂ ≥ 0.5)."""
        z = self._logits(X)
        index = (z[:, 0] >= 0).astype(np.intp) if z.shape[1] == 1 else z.argmax(axis=1)
        return self.classes_[index]

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


def _one_vs_rest_targets(est: _LinearClassifier, y: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, int, Any]:
    """One sigmoid unit for two classes (targets 0/1), else one per class (one-hot targets)."""
    est.classes_, index = encode_labels(y)
    if len(est.classes_) == 2:
        return index.reshape(-1, 1).astype(dtype), 1, nn.BCEWithLogitsLoss()
    return np.eye(len(est.classes_), dtype=dtype)[index], len(est.classes_), \
        SumOverOutputs(nn.BCEWithLogitsLoss(reduction="sum"))


def _one_vs_rest_proba(z: np.ndarray) -> np.ndarray:
    """[1 - p̂, p̂] for one unit; the units' p̂ normalised to sum to 1 for several."""
    p = sigmoid_array(z)
    if p.shape[1] == 1:
        return np.hstack([1 - p, p])
    return p / p.sum(axis=1, keepdims=True)


class LogisticRegression(_LinearClassifier):
    """Logistic regression: p̂ = σ(w·x + b), trained on the binary cross-entropy.

    J = -1/m Σ [y log p̂ + (1 - y) log(1 - p̂)] + (alpha/2)‖w‖², with the sigmoid fused into the loss
    (``BCEWithLogitsLoss``). Predicts ``classes_[1]`` where p̂ ≥ 0.5, i.e. where z ≥ 0.

    With more than two classes it fits one sigmoid unit per class, one-vs-rest (each unit its own binary
    problem: the losses are summed over the units), predicts the class of largest logit, and normalises the
    units' probabilities to sum to 1 — scikit-learn's ``multi_class='ovr'``. For one softmax over the
    classes use :class:`SoftmaxRegression`.

    Args:
        penalty: ``'l2'`` adds (alpha/2)‖W‖² to the loss; None adds nothing.
        alpha: Strength of the L2 penalty (scikit-learn's ``SGDClassifier`` alpha; its ``LogisticRegression``
            uses C, with alpha = 1 / (C · n_samples)).
        optimizer: A :mod:`netgrad.optim` optimizer by name: ``'sgd'``, ``'adam'``, ``'adamw'``, ``'nadam'``,
            ``'adamax'``, ``'rmsprop'``, ``'adagrad'``, ``'adadelta'``.
        learning_rate: Its learning rate.
        max_iter: The most epochs (200, ``MLPClassifier``'s epochs; scikit-learn's ``LogisticRegression``
            counts iterations of its L-BFGS solver, 100 by default).
        batch_size: Samples per update; ``'auto'`` is min(200, n_samples).
        tol: Stop when the epoch loss has not improved by ``tol`` for more than ``n_iter_no_change`` epochs
            (None: run all ``max_iter`` epochs).
        n_iter_no_change: See ``tol``.
        shuffle: Reshuffle the samples every epoch.
        random_state: Seed of the shuffling.
        device: Where gradient descent runs: ``'cpu'`` (the default), ``'cuda'``, ``'cuda:N'`` or ``'auto'``;
            ``coef_``, ``intercept_`` and every prediction are NumPy arrays on the host.

    Attributes:
        classes_: The class labels, sorted.
        coef_: W, shape (1, n_features) for two classes, else (n_classes, n_features).
        intercept_: b, shape (1,) or (n_classes,).
        n_features_in_: Number of features seen in ``fit``.
        n_iter_: Epochs run.
        loss_curve_: The loss of every epoch (penalty included).
    """

    def _targets(self, y: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, int, Any]:
        return _one_vs_rest_targets(self, y, dtype)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes): [1 - p̂, p̂] for two classes."""
        return _one_vs_rest_proba(self._logits(X))


class SoftmaxRegression(_LinearClassifier):
    """Softmax (multinomial logistic) regression: p̂_k = e^{z_k} / Σ_j e^{z_j}, z = W x + b.

    One output unit per class (two for two classes, the notes' "binary classification with softmax"),
    trained on the cross-entropy J = -1/m Σ_i log p̂_{y_i} + (alpha/2)‖W‖², with the softmax fused into
    the loss (``CrossEntropyLoss``). Predicts argmax_k z_k = argmax_k p̂_k.

    Args and attributes are those of :class:`LogisticRegression`, except that ``coef_`` is always
    (n_classes, n_features) and ``intercept_`` (n_classes,). For two classes ``decision_function`` gives
    z_1 - z_0, the logit of ``classes_[1]``.
    """

    def _targets(self, y: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, int, Any]:
        self.classes_, index = encode_labels(y)
        return index.astype(np.int64), len(self.classes_), nn.CrossEntropyLoss()

    def decision_function(self, X: Any) -> np.ndarray:
        """The logits z, shape (n_samples, n_classes); z_1 - z_0, shape (n_samples,), for two classes."""
        z = self._logits(X)
        return z[:, 1] - z[:, 0] if z.shape[1] == 2 else z

    def predict_proba(self, X: Any) -> np.ndarray:
        """softmax(z), shape (n_samples, n_classes)."""
        return softmax_array(self._logits(X), 1)


class MultiLabelClassifier(_LinearClassifier):
    """Multi-label classification: one sigmoid unit per label, each a yes/no question of its own.

    ``y`` is an indicator matrix (n_samples, n_labels) of 0/1: a sample may carry any number of labels.
    The loss is the binary cross-entropy summed over the labels and averaged over the samples (the notes'
    L = -Σ_labels [y log p̂ + (1 - y) log(1 - p̂)]), plus (alpha/2)‖W‖². A label is predicted where
    p̂ ≥ ``threshold`` (for 0.5: where its logit z ≥ 0).

    Given 1-D labels instead it behaves as :class:`LogisticRegression` (one-vs-rest sigmoid units),
    as scikit-learn's ``MLPClassifier`` does.

    Args:
        threshold: Probability at or above which a label is predicted.
        Others: as :class:`LogisticRegression`.

    Attributes:
        classes_: ``arange(n_labels)`` for an indicator matrix, else the sorted class labels.
        coef_: W, shape (n_labels, n_features).
        intercept_: b, shape (n_labels,).
        n_features_in_, n_iter_, loss_curve_: As :class:`LogisticRegression`.
    """

    def __init__(self, threshold: float = 0.5, penalty: str | None = "l2", alpha: float = 1e-4,
                 optimizer: str = "adam", learning_rate: float = 0.1, max_iter: int = 200, batch_size: Any = "auto",
                 tol: float | None = 1e-4, n_iter_no_change: int = 10, shuffle: bool = True,
                 random_state: Any = None, device: Any = "cpu") -> None:
        super().__init__(penalty=penalty, alpha=alpha, optimizer=optimizer, learning_rate=learning_rate,
                         max_iter=max_iter, batch_size=batch_size, tol=tol, n_iter_no_change=n_iter_no_change,
                         shuffle=shuffle, random_state=random_state, device=device)
        self.threshold = threshold

    def _validate_params(self) -> None:
        if not (isinstance(self.threshold, numbers.Real) and 0 < self.threshold < 1):
            raise ValueError(f"threshold must be a probability strictly between 0 and 1, got {self.threshold!r}")
        super()._validate_params()

    def _validate_X_y(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        X, y = validate_data(self, X, y, reset=True, multi_output=True)
        if y.ndim == 2 and y.shape[1] == 1:  # a column of labels, as scikit-learn's MLPClassifier reads it
            warnings.warn("A column-vector y was passed when a 1d array was expected; reading it as 1-D labels.",
                          _data_conversion_warning(), stacklevel=3)
            y = y.reshape(-1)
        return X, y

    def _targets(self, y: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, int, Any]:
        if y.ndim == 1:
            self._multilabel = False
            return _one_vs_rest_targets(self, y, dtype)
        values = np.unique(y)
        if not np.isin(values, (0, 1)).all():
            raise ValueError("A multi-label y must be an indicator matrix (n_samples, n_labels) of 0 and 1, "
                             f"found the values {values[:10].tolist()}")
        self._multilabel = True
        self.classes_ = np.arange(y.shape[1])
        return y.astype(dtype), y.shape[1], SumOverOutputs(nn.BCEWithLogitsLoss(reduction="sum"))

    def predict_proba(self, X: Any) -> np.ndarray:
        """p̂ = σ(z) per label, shape (n_samples, n_labels) (for 1-D labels: as LogisticRegression)."""
        p = self._logits(X)
        return sigmoid_array(p) if self._multilabel else _one_vs_rest_proba(p)

    def predict(self, X: Any) -> np.ndarray:
        """The indicator matrix of labels with p̂ ≥ ``threshold`` (for 1-D labels: as LogisticRegression)."""
        check_is_fitted(self)
        if not self._multilabel:
            return super().predict(X)
        return (self.predict_proba(X) >= self.threshold).astype(np.int64)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        return tags

    def _more_tags(self) -> dict:  # scikit-learn < 1.6
        return {"multilabel": True, "multioutput": True}


def _data_conversion_warning() -> type:
    """scikit-learn's DataConversionWarning where it is installed, else UserWarning."""
    try:
        from sklearn.exceptions import DataConversionWarning
        return DataConversionWarning
    except ImportError:
        return UserWarning
