"""Multilayer perceptrons with scikit-learn's ``MLPClassifier`` / ``MLPRegressor`` interface.

The network is ``nn.Sequential(Linear, activation, ..., Linear)``, trained by
:class:`netgrad.training.Trainer` on scikit-learn's objective, so that the same hyper-parameters mean the
same thing:

* loss: the log-loss for classifiers (one sigmoid unit for two classes, one sigmoid per label for a
  multi-label indicator matrix, a softmax over the classes otherwise; the output activations are fused
  into their losses) and half the mean squared error, mean((y - ŷ)²) / 2, for regressors;
* L2 penalty on the weights (not the biases), added to the loss of every mini-batch of n_b samples:
  (alpha / (2 n_b)) · Σ_layers ‖W‖², the formula of scikit-learn's ``_backprop``;
* initialisation: scikit-learn's Glorot-uniform, W and b ~ U(-r, r) with r = √(6 / (fan_in + fan_out))
  (√(2 / (fan_in + fan_out)) for ``activation='logistic'``);
* ``'sgd'`` is SGD with momentum (Nesterov's by default) and ``'adam'`` is Adam, both from
  :mod:`netgrad.optim` (PyTorch's update formulas: the same steps as scikit-learn's for a constant
  learning rate, up to where Adam's epsilon sits); the other netgrad optimizers are accepted by name too;
* stopping: after ``n_iter_no_change`` epochs without an improvement of ``tol`` in the training loss (or,
  with ``early_stopping``, in the validation accuracy / R², whose best parameters are then restored).

Differences from scikit-learn: no ``'lbfgs'`` solver and no ``learning_rate`` schedules
(``'invscaling'``, ``'adaptive'``), ``warm_start`` or ``partial_fit``. Computation runs in the dtype of X
(float32 stays float32, other input becomes float64, as in scikit-learn).
"""
from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from netgrad import nn
from netgrad.data import train_test_split
from netgrad.engine import Tensor
from netgrad.engine.backend import to_host
from netgrad.engine.numerics import sigmoid_array, softmax_array
from netgrad.metrics import r2_score
from netgrad.nn.mlp import build_mlp

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
from .gradient import OPTIMIZERS, SumOverOutputs, check_device, fit_module, forward_on_host, make_optimizer
from .linear import _data_conversion_warning, resolve_batch_size

__all__ = ["MLPClassifier", "MLPRegressor"]

#: scikit-learn's activation names, resolved through :data:`netgrad.nn.names.ACTIVATIONS`.
_ACTIVATIONS = ("identity", "logistic", "tanh", "relu")


class _PenalizedLoss:
    """scikit-learn's MLP objective on one mini-batch: loss(output, target) + (alpha / (2 n_b)) Σ ‖W‖².

    The penalty depends on the batch size n_b, so it lives here rather than in the Trainer's ``penalty``.
    """

    def __init__(self, loss: Any, model: nn.Module, alpha: float) -> None:
        self.loss, self.model, self.alpha = loss, model, alpha

    def __call__(self, output: Tensor, target: Tensor) -> Tensor:
        value = self.loss(output, target)
        if self.alpha > 0:
            value = value + nn.utils.l2_penalty(self.model, 0.5 * self.alpha / len(target))
        return value


def _half_mse(output: Tensor, target: Tensor) -> Tensor:
    """scikit-learn's squared loss: mean((y - ŷ)²) / 2."""
    return nn.functional.mse_loss(output, target) * 0.5


class _BaseMLP(BaseEstimator):
    """The network, its training and the hyper-parameters both MLPs share."""

    def __init__(self, hidden_layer_sizes: Any = (100,), activation: str = "relu", solver: str = "adam",
                 alpha: float = 1e-4, batch_size: Any = "auto", learning_rate_init: float = 1e-3, max_iter: int = 200,
                 shuffle: bool = True, random_state: Any = None, tol: float = 1e-4, verbose: bool = False,
                 momentum: float = 0.9, nesterovs_momentum: bool = True, early_stopping: bool = False,
                 validation_fraction: float = 0.1, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-8,
                 n_iter_no_change: int = 10, device: Any = "cpu") -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.device = device

    # ------------------------------------------------------------------------------------ checks

    def _hidden_sizes(self) -> tuple[int, ...]:
        sizes = self.hidden_layer_sizes
        sizes = (sizes,) if isinstance(sizes, numbers.Integral) else sizes
        try:
            sizes = tuple(sizes)
        except TypeError:
            raise ValueError(f"hidden_layer_sizes must be an int or a sequence of ints, got {sizes!r}") from None
        for size in sizes:
            if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
                raise ValueError(f"hidden_layer_sizes must hold positive ints, got {self.hidden_layer_sizes!r}")
        return tuple(int(size) for size in sizes)

    def _validate_params(self) -> None:
        check_choice(self.activation, "activation", _ACTIVATIONS)
        if self.solver == "lbfgs":
            raise ValueError("solver='lbfgs' is not available in netgrad (its optimizers are first-order); use "
                             f"one of {list(OPTIMIZERS)}")
        check_choice(self.solver, "solver", tuple(OPTIMIZERS))
        check_positive_float(self.alpha, "alpha", allow_zero=True)
        check_positive_float(self.learning_rate_init, "learning_rate_init")
        check_positive_int(self.max_iter, "max_iter")
        check_positive_float(self.tol, "tol", allow_zero=True)
        check_positive_int(self.n_iter_no_change, "n_iter_no_change")
        if not (isinstance(self.momentum, numbers.Real) and 0 <= self.momentum <= 1):
            raise ValueError(f"momentum must be in [0, 1], got {self.momentum!r}")
        for name in ("beta_1", "beta_2"):
            value = getattr(self, name)
            if not (isinstance(value, numbers.Real) and 0 <= value < 1):
                raise ValueError(f"{name} must be in [0, 1), got {value!r}")
        check_positive_float(self.epsilon, "epsilon")
        if not (isinstance(self.validation_fraction, numbers.Real) and 0 < self.validation_fraction < 1):
            raise ValueError(f"validation_fraction must be in (0, 1), got {self.validation_fraction!r}")
        for name in ("shuffle", "early_stopping", "nesterovs_momentum", "verbose"):
            if not isinstance(getattr(self, name), (bool, np.bool_, numbers.Integral)):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
        self._hidden_sizes()
        check_device(self.device)

    # ------------------------------------------------------------------------------------ the network

    def _build(self, n_in: int, n_out: int, dtype: np.dtype) -> nn.Sequential:
        """Linear layers with the activation between them, initialised as scikit-learn does."""
        factor = 2.0 if self.activation == "logistic" else 6.0

        def glorot_uniform(layer: nn.Linear) -> None:
            bound = np.sqrt(factor / (layer.in_features + layer.out_features))
            nn.init.uniform_(layer.weight, -bound, bound)
            nn.init.uniform_(layer.bias, -bound, bound)

        model = build_mlp(n_in, self._hidden_sizes(), n_out, self.activation, dtype=dtype, activations=_ACTIVATIONS,
                          init=glorot_uniform)
        return model  # no activation after the output layer: it is fused into the loss

    def _optimizer(self, module: nn.Module) -> Any:
        lr = float(self.learning_rate_init)
        if self.solver == "sgd":
            return make_optimizer("sgd", module.parameters(), lr, momentum=float(self.momentum),
                                  nesterov=bool(self.nesterovs_momentum) and self.momentum > 0)
        if self.solver in ("adam", "adamw", "nadam", "adamax"):
            return make_optimizer(self.solver, module.parameters(), lr, betas=(self.beta_1, self.beta_2),
                                  eps=float(self.epsilon))
        return make_optimizer(self.solver, module.parameters(), lr)

    def _fit(self, X: np.ndarray, targets: np.ndarray, loss: Any, stratify: np.ndarray | None) -> None:
        """Build and train ``module_`` through the Trainer; set the fitted attributes."""
        with seeded(self.random_state):
            X_train, y_train, validation_score = X, targets, None
            if self.early_stopping:
                X_train, X_val, y_train, y_val = train_test_split(
                    X, targets, test_size=self.validation_fraction, stratify=stratify)
                if len(X_val) < 2:
                    raise ValueError("The validation set is too small: increase 'validation_fraction' or the "
                                     f"size of the dataset (it has {len(X_val)} sample(s)).")
                validation_score = lambda module: self._score_targets(module, X_val, y_val)  # noqa: E731
            module = self._build(X.shape[1], targets.shape[1], X.dtype)
            result = fit_module(module, _PenalizedLoss(loss, module, float(self.alpha)), X_train, y_train,
                                optimizer=self._optimizer(module), max_iter=self.max_iter,
                                batch_size=resolve_batch_size(self.batch_size, len(X_train)),
                                shuffle=bool(self.shuffle), tol=float(self.tol), n_iter_no_change=self.n_iter_no_change,
                                validation_score=validation_score, verbose=1 if self.verbose else 0,
                                device=check_device(self.device))
        module.eval()
        self.module_ = module
        self.n_iter_ = result.n_iter
        self.t_ = result.n_iter * len(X_train)
        self.loss_curve_ = result.loss_curve
        self.loss_ = result.loss_curve[-1]
        self.n_layers_ = len(self._hidden_sizes()) + 2
        self.n_outputs_ = targets.shape[1]
        if self.early_stopping:
            self.validation_scores_ = result.validation_scores
            self.best_validation_score_ = result.best_validation_score
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(result.loss_curve)
        if not result.converged:
            warn_not_converged(self, f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and "
                                     "the optimization hasn't converged yet.")

    def _forward(self, X: np.ndarray, module: nn.Module | None = None) -> np.ndarray:
        """The network's raw outputs (logits for classifiers) for validated ``X``, without gradients."""
        return forward_on_host(self.module_ if module is None else module, X)

    def _raw_output(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return self._forward(validate_data(self, X, reset=False))

    @property
    def coefs_(self) -> list[np.ndarray]:
        """The weight matrices, shape (n_in, n_out) each as in scikit-learn: views of the layers' Wᵀ (copies on
        the host when the network is on a GPU)."""
        return [to_host(layer.weight._data).T for layer in self.module_ if isinstance(layer, nn.Linear)]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """The bias vectors, shape (n_out,) each: views of the layers' b (host copies for a GPU network)."""
        return [to_host(layer.bias._data) for layer in self.module_ if isinstance(layer, nn.Linear)]


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multilayer perceptron classifier with scikit-learn's ``MLPClassifier`` parameters and defaults.

    Output layer: one sigmoid unit for two classes (binary cross-entropy), one softmax unit per class for
    more (cross-entropy), or one sigmoid unit per label when ``y`` is a multi-label indicator matrix
    (binary cross-entropy summed over the labels). See the module docstring for the objective.

    Args:
        hidden_layer_sizes: Units of each hidden layer, e.g. ``(100,)`` or ``(64, 32)``.
        activation: Hidden activation: ``'relu'``, ``'tanh'``, ``'logistic'`` (sigmoid) or ``'identity'``.
        solver: ``'adam'``, ``'sgd'`` (with ``momentum``), or another :mod:`netgrad.optim` name
            (``'adamw'``, ``'nadam'``, ``'adamax'``, ``'rmsprop'``, ``'adagrad'``, ``'adadelta'``).
        alpha: L2 penalty strength (see the module docstring for the exact formula).
        batch_size: Samples per update; ``'auto'`` is min(200, n_samples).
        learning_rate_init: The optimizer's learning rate.
        max_iter: The most epochs.
        shuffle: Reshuffle the samples every epoch.
        random_state: Seed of the initialisation, the shuffling and the validation split.
        tol: Improvement (of the loss, or of the validation score) below which an epoch counts as none.
        verbose: Print the Trainer's progress.
        momentum, nesterovs_momentum: For ``solver='sgd'``.
        early_stopping: Hold out ``validation_fraction`` of the data (stratified), stop when its accuracy
            has not improved by ``tol`` for more than ``n_iter_no_change`` epochs, and keep the best epoch.
        validation_fraction: See ``early_stopping``.
        beta_1, beta_2, epsilon: For the Adam family.
        n_iter_no_change: See ``tol``.
        device: Where the network trains and predicts: ``'cpu'`` (the default), ``'cuda'``, ``'cuda:N'``,
            ``'auto'`` (the GPU when there is one); ``predict`` and the attributes are NumPy arrays anyway.

    Attributes:
        classes_: The class labels (``arange(n_labels)`` for an indicator matrix).
        module_: The trained ``nn.Sequential`` (outputs logits).
        coefs_, intercepts_: The weights (n_in, n_out) and biases of each layer, sharing memory with it.
        loss_curve_: Training loss of each epoch (penalty included); ``loss_`` its last value.
        best_loss_: Its minimum (None with early stopping).
        validation_scores_, best_validation_score_: Validation accuracy per epoch and its best (early
            stopping; else None).
        n_iter_: Epochs run.
        t_: Training samples seen.
        n_layers_, n_outputs_, n_features_in_: Layer, output and input counts.
        out_activation_: ``'logistic'`` or ``'softmax'``.

    Example:
        >>> clf = MLPClassifier(hidden_layer_sizes=(64,), random_state=0).fit(X_train, y_train)
        >>> clf.predict_proba(X_test[:1])
    """

    def fit(self, X: Any, y: Any) -> "MLPClassifier":
        """Train on ``X`` (n_samples, n_features) and labels ``y`` (or a 0/1 indicator matrix)."""
        self._validate_params()
        X, y = validate_data(self, X, y, reset=True, multi_output=True)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn("A column-vector y was passed when a 1d array was expected; reading it as 1-D labels.",
                          _data_conversion_warning(), stacklevel=2)
            y = y.reshape(-1)
        self._multilabel = y.ndim == 2
        stratify = None
        if self._multilabel:
            values = np.unique(y)
            if not np.isin(values, (0, 1)).all():
                raise ValueError("A multi-label y must be an indicator matrix (n_samples, n_labels) of 0 and 1, "
                                 f"found the values {values[:10].tolist()}")
            self.classes_ = np.arange(y.shape[1])
            targets, self.out_activation_ = y.astype(X.dtype), "logistic"
        else:
            self.classes_, index = encode_labels(y)
            stratify = index
            if len(self.classes_) == 2:
                targets, self.out_activation_ = index.reshape(-1, 1).astype(X.dtype), "logistic"
            else:  # one-hot rows: CrossEntropyLoss reads them as class probabilities
                targets, self.out_activation_ = np.eye(len(self.classes_), dtype=X.dtype)[index], "softmax"
        loss = SumOverOutputs(nn.BCEWithLogitsLoss(reduction="sum")) if self.out_activation_ == "logistic" \
            else nn.CrossEntropyLoss()
        self._fit(X, targets, loss, stratify)
        return self

    def _score_targets(self, module: nn.Module, X: np.ndarray, targets: np.ndarray) -> float:
        """Validation accuracy (exact match of all labels for multi-label), from targets in training form."""
        z = self._forward(X, module)
        if targets.shape[1] == 1 or self._multilabel:
            return float(((z >= 0) == (targets > 0.5)).all(axis=1).mean())
        return float((z.argmax(axis=1) == targets.argmax(axis=1)).mean())

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (n_samples, n_classes); per-label probabilities for multi-label."""
        z = self._raw_output(X)
        if self.out_activation_ == "softmax":
            return softmax_array(z, 1)
        p = sigmoid_array(z)
        return p if self._multilabel else np.hstack([1 - p, p])

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class (``classes_[1]`` where p̂ ≥ 0.5 for two); the 0/1 indicator matrix of
        labels with p̂ ≥ 0.5 for multi-label."""
        z = self._raw_output(X)
        if self._multilabel:
            return (z >= 0).astype(np.int64)
        index = (z[:, 0] >= 0).astype(np.intp) if z.shape[1] == 1 else z.argmax(axis=1)
        return self.classes_[index]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        return tags

    def _more_tags(self) -> dict:  # scikit-learn < 1.6
        return {"multilabel": True, "multioutput": True}


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multilayer perceptron regressor with scikit-learn's ``MLPRegressor`` parameters and defaults.

    Identity output units, one per target, trained on mean((y - ŷ)²) / 2 plus the L2 penalty. Arguments
    and attributes as :class:`MLPClassifier` (without ``classes_``; ``out_activation_`` is ``'identity'``;
    early stopping watches the validation R²).
    """

    def fit(self, X: Any, y: Any) -> "MLPRegressor":
        """Train on ``X`` (n_samples, n_features) and ``y`` (n_samples,) or (n_samples, n_targets)."""
        self._validate_params()
        X, y = validate_data(self, X, y, reset=True, multi_output=True, y_numeric=True)
        self._y_1d = y.ndim == 1
        self.out_activation_ = "identity"
        self._fit(X, y.reshape(len(y), -1).astype(X.dtype), _half_mse, None)
        return self

    def _score_targets(self, module: nn.Module, X: np.ndarray, targets: np.ndarray) -> float:
        return float(r2_score(targets, self._forward(X, module)))

    def predict(self, X: Any) -> np.ndarray:
        """ŷ, shape (n_samples,) for 1-D training targets, else (n_samples, n_targets)."""
        z = self._raw_output(X)
        return z[:, 0] if self._y_1d else z

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _more_tags(self) -> dict:  # scikit-learn < 1.6
        return {"multioutput": True}
