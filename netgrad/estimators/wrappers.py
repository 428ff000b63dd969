"""Any ``netgrad.nn.Module`` as a scikit-learn estimator, the way skorch wraps PyTorch modules.

>>> class MLP(nn.Module):
...     def __init__(self, in_features, out_features, hidden=32):
...         super().__init__()
...         self.net = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, out_features))
...     def forward(self, x):
...         return self.net(x)
>>> clf = NeuralNetClassifier(MLP, module__hidden=64, optimizer="adam", lr=1e-2, max_epochs=20)
>>> GridSearchCV(clf, {"module__hidden": [16, 64], "lr": [1e-2, 1e-3]}).fit(X, y)

Arguments of the module, the criterion and the optimizer are given with the prefixes ``module__``,
``criterion__`` and ``optimizer__`` and are hyper-parameters like any other (``get_params``,
``set_params``, ``clone``, grid search). A module class whose constructor takes ``in_features`` and / or
``out_features`` gets them from the data unless they are given: the number of features, and the number
of classes (classifier) or of targets (regressor). Training runs through :class:`netgrad.training.Trainer`.

The names and the rest of the contract are skorch's; the training defaults are not. skorch trains with SGD
at ``lr=0.01`` for 10 epochs, which leaves a small tabular network close to its random start (an accuracy of
about a third on scikit-learn's three blobs, the data ``check_estimator`` demands 83 % on). Here the defaults
are Adam at ``lr=0.01`` for 50 epochs of 128 samples, which fit such data with a linear module or a small
MLP, so the estimators pass ``check_estimator`` with only a module given. Pass ``optimizer=optim.SGD,
max_epochs=10`` for skorch's behaviour.
"""
from __future__ import annotations

import copy
import inspect
from typing import Any

import numpy as np

from netgrad import nn, optim
from netgrad.engine.numerics import softmax_array

from .base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    check_is_fitted,
    check_positive_float,
    check_positive_int,
    encode_labels,
    seeded,
    validate_data,
)
from .gradient import OPTIMIZERS, check_device, fit_module, forward_on_host

__all__ = ["NeuralNetClassifier", "NeuralNetRegressor"]

_PREFIXES = ("module__", "criterion__", "optimizer__")


class _NeuralNet(BaseEstimator):
    """What both wrappers share: the prefixed parameters, building the parts, training, forward passes."""

    def __init__(self, module: Any, criterion: Any, optimizer: Any = optim.Adam, lr: float = 0.01,
                 max_epochs: int = 50, batch_size: int = 128, shuffle: bool = True, callbacks: Any = None,
                 verbose: int = 0, random_state: Any = None, device: Any = "cpu", **kwargs: Any) -> None:
        self.module = module
        self.criterion = criterion
        self.optimizer = optimizer
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.callbacks = callbacks
        self.verbose = verbose
        self.random_state = random_state
        self.device = device
        self._prefixed = dict(kwargs)  # checked in fit, as every hyper-parameter

    # ------------------------------------------------------------------------------------ parameters

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters plus every ``module__`` / ``criterion__`` / ``optimizer__`` one."""
        params = super().get_params(deep=deep)
        params.update(self._prefixed)
        return params

    def set_params(self, **params: Any) -> "_NeuralNet":
        """Set parameters; prefixed ones (``module__hidden=64``) are stored for the next ``fit``."""
        for key in [key for key in params if key.startswith(_PREFIXES)]:
            self._prefixed[key] = params.pop(key)
        return super().set_params(**params) if params else self

    def _prefixed_with(self, prefix: str) -> dict[str, Any]:
        return {key[len(prefix):]: value for key, value in self._prefixed.items() if key.startswith(prefix)}

    def _validate_params(self) -> None:
        unknown = sorted(key for key in self._prefixed if not key.startswith(_PREFIXES))
        if unknown:  # a misspelt keyword would otherwise be silently ignored
            raise ValueError(f"{type(self).__name__} got unknown parameter(s) {unknown}; extra parameters must "
                             f"start with {', '.join(_PREFIXES)}")
        check_positive_float(self.lr, "lr")
        check_positive_int(self.max_epochs, "max_epochs")
        check_positive_int(self.batch_size, "batch_size")
        if self.callbacks is not None and not isinstance(self.callbacks, (list, tuple)):
            raise ValueError(f"callbacks must be a list of netgrad.training.Callback objects or None, "
                             f"got {self.callbacks!r}")
        check_device(self.device)

    # ------------------------------------------------------------------------------------ the parts

    def _build_module(self, n_in: int, n_out: int, dtype: np.dtype) -> nn.Module:
        """The module: an instance deep-copied (its weights are the starting point), or a class built."""
        kwargs = self._prefixed_with("module__")
        if isinstance(self.module, nn.Module):
            if kwargs:
                raise ValueError(f"module__ parameters {sorted(kwargs)} need `module` to be a class, but it is "
                                 f"an instance of {type(self.module).__name__}")
            module = copy.deepcopy(self.module)
        elif callable(self.module):
            try:
                accepted = inspect.signature(self.module).parameters
            except (TypeError, ValueError):
                accepted = {}
            for name, value in (("in_features", n_in), ("out_features", n_out)):
                if name in accepted and name not in kwargs:
                    kwargs[name] = value
            module = self.module(**kwargs)
            if not isinstance(module, nn.Module):
                raise ValueError(f"module must build a netgrad.nn.Module, but {self.module!r} returned "
                                 f"{type(module).__name__}")
        else:
            raise ValueError(f"module must be a netgrad.nn.Module class or instance, got {self.module!r}")
        return module.to(dtype)

    def _build_criterion(self) -> Any:
        kwargs = self._prefixed_with("criterion__")
        if isinstance(self.criterion, type):
            return self.criterion(**kwargs)
        if kwargs:
            raise ValueError(f"criterion__ parameters {sorted(kwargs)} need `criterion` to be a class")
        if not callable(self.criterion):
            raise ValueError(f"criterion must be a loss class or a callable loss(output, target), got "
                             f"{self.criterion!r}")
        return self.criterion

    def _build_optimizer(self, module: nn.Module) -> Any:
        kwargs = self._prefixed_with("optimizer__")
        optimizer = self.optimizer
        if isinstance(optimizer, str):
            if optimizer not in OPTIMIZERS:
                raise ValueError(f"optimizer must be a netgrad.optim class or one of {list(OPTIMIZERS)}, "
                                 f"got {optimizer!r}")
            optimizer = OPTIMIZERS[optimizer]
        if not isinstance(optimizer, type):
            raise ValueError(f"optimizer must be a netgrad.optim class (or its name), got {optimizer!r}")
        return optimizer(module.parameters(), lr=float(self.lr), **kwargs)

    def _fit(self, X: np.ndarray, targets: np.ndarray, n_out: int) -> None:
        with seeded(self.random_state):
            module = self._build_module(X.shape[1], n_out, X.dtype)
            output = forward_on_host(module, X[:1])
            if output.shape != (1, n_out):
                raise ValueError(
                    f"the module returns shape {output.shape} for one sample, but {n_out} output(s) are needed "
                    f"({self._outputs_needed()}); pass module__out_features={n_out} or change the module")
            criterion = self._build_criterion()
            optimizer = self._build_optimizer(module)
            result = fit_module(module, criterion, X, targets, optimizer=optimizer, max_iter=int(self.max_epochs),
                                batch_size=min(int(self.batch_size), len(X)), shuffle=bool(self.shuffle),
                                callbacks=list(self.callbacks or []), verbose=int(self.verbose),
                                device=check_device(self.device))
        module.eval()
        self.module_, self.criterion_, self.optimizer_ = module, criterion, optimizer
        self.history_ = result.history
        self.n_iter_ = result.n_iter

    def _outputs_needed(self) -> str:
        raise NotImplementedError

    def _forward(self, X: Any) -> np.ndarray:
        """The module's outputs for ``X`` in eval mode, without gradients."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        self.module_.eval()
        return forward_on_host(self.module_, X)


class NeuralNetClassifier(ClassifierMixin, _NeuralNet):
    """A netgrad module as a scikit-learn classifier (skorch's ``NeuralNetClassifier``).

    The module outputs one value per class: logits for ``CrossEntropyLoss`` (the default) or
    log-probabilities for ``NLLLoss``. ``predict_proba`` is their softmax (which turns log-probabilities
    back into the probabilities themselves) and ``predict`` the class of the largest output.

    Args:
        module: An ``nn.Module`` class (built at ``fit`` with the ``module__`` arguments, and
            ``in_features`` / ``out_features`` from the data when its constructor takes them) or an instance
            (deep-copied at every ``fit``, so its current weights are the starting point each time).
        criterion: A loss class (built with the ``criterion__`` arguments) or a loss object.
        optimizer: A :mod:`netgrad.optim` class (built with ``lr`` and the ``optimizer__`` arguments) or its
            name (``'sgd'``, ``'adam'``, ...). Adam by default (skorch: SGD).
        lr: Learning rate.
        max_epochs: Epochs of training (50 by default; skorch: 10).
        batch_size: Samples per update.
        shuffle: Reshuffle the samples every epoch.
        callbacks: :class:`netgrad.training.Callback` objects for the Trainer (e.g. ``EarlyStopping``).
        verbose: The Trainer's verbosity (0 silent, 1 progress bar, 2 one line per epoch).
        random_state: Seed of the initialisation (for a class), shuffling and dropout.
        device: Where the module trains and predicts (skorch's ``device``): ``'cpu'`` (the default), ``'cuda'``,
            ``'cuda:N'``, ``'auto'`` (the GPU when there is one), or None to leave the module where it is;
            ``predict`` returns NumPy arrays on the host wherever the module is.
        **kwargs: ``module__*``, ``criterion__*``, ``optimizer__*`` arguments.

    Attributes:
        classes_: The class labels, sorted.
        module_, criterion_, optimizer_: The trained module and the parts that trained it.
        history_: The Trainer's history, ``{'loss': [...], ...}``.
        n_iter_: Epochs run. ``n_features_in_``: features seen in ``fit``.

    The network computes in the dtype of X (float32 stays float32, other input becomes float64).
    """

    def __init__(self, module: Any, criterion: Any = nn.CrossEntropyLoss, optimizer: Any = optim.Adam,
                 lr: float = 0.01, max_epochs: int = 50, batch_size: int = 128, shuffle: bool = True,
                 callbacks: Any = None, verbose: int = 0, random_state: Any = None, device: Any = "cpu",
                 **kwargs: Any) -> None:
        super().__init__(module, criterion, optimizer=optimizer, lr=lr, max_epochs=max_epochs, batch_size=batch_size,
                         shuffle=shuffle, callbacks=callbacks, verbose=verbose, random_state=random_state,
                         device=device, **kwargs)

    def fit(self, X: Any, y: Any) -> "NeuralNetClassifier":
        """Train the module on ``X`` (n_samples, n_features) and the labels ``y``."""
        self._validate_params()
        X, y = validate_data(self, X, y, reset=True)
        self.classes_, index = encode_labels(y)
        self._fit(X, index.astype(np.int64), len(self.classes_))
        return self

    def _outputs_needed(self) -> str:
        return "one per class"

    def predict_proba(self, X: Any) -> np.ndarray:
        """softmax of the module's outputs, shape (n_samples, n_classes)."""
        return softmax_array(self._forward(X), 1)

    def predict(self, X: Any) -> np.ndarray:
        """The class of the largest output."""
        index = self._forward(X).argmax(axis=1)
        return self.classes_[index]


class NeuralNetRegressor(RegressorMixin, _NeuralNet):
    """A netgrad module as a scikit-learn regressor (skorch's ``NeuralNetRegressor``).

    The module outputs one value per target; ``predict`` returns them, shape (n_samples,) when ``y`` was
    1-D. Arguments and attributes as :class:`NeuralNetClassifier` (without ``classes_``; the default
    criterion is ``MSELoss``).
    """

    def __init__(self, module: Any, criterion: Any = nn.MSELoss, optimizer: Any = optim.Adam, lr: float = 0.01,
                 max_epochs: int = 50, batch_size: int = 128, shuffle: bool = True, callbacks: Any = None,
                 verbose: int = 0, random_state: Any = None, device: Any = "cpu", **kwargs: Any) -> None:
        super().__init__(module, criterion, optimizer=optimizer, lr=lr, max_epochs=max_epochs, batch_size=batch_size,
                         shuffle=shuffle, callbacks=callbacks, verbose=verbose, random_state=random_state,
                         device=device, **kwargs)

    def fit(self, X: Any, y: Any) -> "NeuralNetRegressor":
        """Train the module on ``X`` (n_samples, n_features) and ``y`` (n_samples,) or (n_samples, n_targets)."""
        self._validate_params()
        X, y = validate_data(self, X, y, reset=True, multi_output=True, y_numeric=True)
        self._y_1d = y.ndim == 1
        targets = y.reshape(len(y), -1).astype(X.dtype)
        self._fit(X, targets, targets.shape[1])
        return self

    def _outputs_needed(self) -> str:
        return "one per target"

    def predict(self, X: Any) -> np.ndarray:
        """The module's outputs; shape (n_samples,) when trained on 1-D y."""
        output = self._forward(X)
        return output[:, 0] if self._y_1d and output.ndim == 2 else output

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _more_tags(self) -> dict:  # scikit-learn < 1.6
        return {"multioutput": True}
