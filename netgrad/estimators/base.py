"""The scikit-learn estimator contract, with or without scikit-learn installed.

Every estimator in :mod:`netgrad.estimators` follows scikit-learn's rules: hyper-parameters are set only in
``__init__`` and stored unchanged (they are checked in ``fit``, so that ``clone`` and ``set_params`` never
fail), ``fit(X, y)`` returns ``self``, and what was learned ends in ``_``.

When scikit-learn is importable the estimators inherit its ``BaseEstimator``, ``ClassifierMixin`` and
``RegressorMixin``, validate their input with its ``validate_data`` and raise its ``NotFittedError`` and
``ConvergenceWarning``, so they work inside ``Pipeline``, ``GridSearchCV`` and ``cross_val_score`` and pass
``check_estimator``. Without it (it is the optional ``datasets`` extra) a small base class gives
``get_params`` / ``set_params`` / ``score``, input checks come from :mod:`netgrad.data.validation`, and the
errors and warnings are netgrad's own classes of the same names.
"""
from __future__ import annotations

import contextlib
import inspect
import numbers
import warnings
from typing import Any, Iterator

import numpy as np

from netgrad import random as _random
from netgrad.data import validation as _validation
from netgrad.metrics import r2_score

__all__ = [
    "HAS_SKLEARN",
    "BaseEstimator",
    "ClassifierMixin",
    "RegressorMixin",
    "ConvergenceWarning",
    "NotFittedError",
    "check_is_fitted",
    "validate_data",
    "check_classification_targets",
    "seeded",
]

FLOAT_DTYPES = (np.float64, np.float32)  # float32 stays float32; anything else becomes float64, as in sklearn

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning, NotFittedError
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted
    try:
        from sklearn.utils.validation import validate_data as _sk_validate_data  # scikit-learn >= 1.6
    except ImportError:  # older versions validate through a method of BaseEstimator
        def _sk_validate_data(estimator, *args, **kwargs):
            return estimator._validate_data(*args, **kwargs)
    HAS_SKLEARN = True
except ImportError:
    HAS_SKLEARN = False
    NotFittedError = _validation.NotFittedError

    class ConvergenceWarning(UserWarning):
        """An iterative fit stopped before it converged (scikit-learn's class of the same name)."""

    class BaseEstimator:
        """The parts of ``sklearn.base.BaseEstimator`` that netgrad's estimators rely on.

        The hyper-parameters are the arguments of ``__init__``, read back from attributes of the same name.
        """

        @classmethod
        def _get_param_names(cls) -> list[str]:
            init = cls.__init__
            if init is object.__init__:
                return []
            params = inspect.signature(init).parameters.values()
            return sorted(p.name for p in params
                          if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL))

        def get_params(self, deep: bool = True) -> dict[str, Any]:
            """The hyper-parameters as a dict; with ``deep``, those of nested estimators as ``name__param``."""
            out = {}
            for name in self._get_param_names():
                value = getattr(self, name)
                if deep and hasattr(value, "get_params") and not isinstance(value, type):
                    out.update((f"{name}__{key}", val) for key, val in value.get_params().items())
                out[name] = value
            return out

        def set_params(self, **params: Any) -> "BaseEstimator":
            """Set hyper-parameters (``name__param`` reaches into a nested estimator); returns ``self``."""
            valid = self.get_params(deep=True)
            nested: dict[str, dict[str, Any]] = {}
            for key, value in params.items():
                name, delim, sub_key = key.partition("__")
                if name not in valid:
                    raise ValueError(f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                                     f"Valid parameters are: {sorted(self._get_param_names())!r}.")
                if delim:
                    nested.setdefault(name, {})[sub_key] = value
                else:
                    setattr(self, name, value)
                    valid[name] = value
            for name, sub_params in nested.items():
                valid[name].set_params(**sub_params)
            return self

        def __repr__(self) -> str:
            defaults = {name: p.default for name, p in inspect.signature(type(self).__init__).parameters.items()}
            changed = [f"{name}={value!r}" for name, value in self.get_params(deep=False).items()
                       if name not in defaults or not _same(value, defaults[name])]
            return f"{type(self).__name__}({', '.join(changed)})"

    class ClassifierMixin:
        """``score`` is the mean accuracy, as in ``sklearn.base.ClassifierMixin``."""

        _estimator_type = "classifier"

        def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
            """Fraction of samples whose predicted label equals ``y`` (exact match per row for multi-label)."""
            correct = np.asarray(self.predict(X)) == np.asarray(y)
            if correct.ndim == 2:
                correct = correct.all(axis=1)
            weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
            return float(np.average(correct, weights=weights))

    class RegressorMixin:
        """``score`` is the coefficient of determination R², as in ``sklearn.base.RegressorMixin``."""

        _estimator_type = "regressor"

        def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
            """R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)², averaged over outputs."""
            if sample_weight is not None:
                raise ValueError("netgrad's fallback RegressorMixin.score does not support sample_weight; "
                                 "install scikit-learn for weighted scores")
            return float(r2_score(y, self.predict(X)))

    def check_is_fitted(estimator: Any, attributes: Any = None) -> None:
        """Raise :class:`NotFittedError` unless ``fit`` has set a learned attribute (a name ending in ``_``)."""
        if attributes is not None:
            names = [attributes] if isinstance(attributes, str) else attributes
            fitted = all(hasattr(estimator, name) for name in names)
        else:
            fitted = any(name.endswith("_") and not name.startswith("__") for name in vars(estimator))
        if not fitted:
            raise NotFittedError(f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
                                 "appropriate arguments before using this estimator.")

    def check_classification_targets(y: Any) -> None:
        """Refuse continuous targets for a classifier (scikit-learn's message)."""
        y = np.asarray(y)
        if y.dtype.kind == "f" and not np.all(y == np.round(y)):
            raise ValueError("Unknown label type: continuous. Maybe you are trying to fit a classifier, which "
                             "expects discrete classes on a regression target with continuous values.")


def _same(a: Any, b: Any) -> bool:
    """Equality that does not choke on arrays (for ``__repr__``)."""
    try:
        return bool(a is b or a == b)
    except (TypeError, ValueError):
        return False


_NO_Y = "no_validation"  # scikit-learn's sentinel for "validate X only"


def validate_data(estimator: Any, X: Any, y: Any = _NO_Y, *, reset: bool, multi_output: bool = False,
                  y_numeric: bool = False) -> Any:
    """Check ``X`` (and ``y``) and record or compare ``n_features_in_``, as scikit-learn's ``validate_data``.

    ``X`` comes back as a 2-D float array: float32 stays float32, anything else becomes float64 (scikit-learn's
    rule, so a fit never silently upcasts float32). With ``reset=True`` (in ``fit``) the number of features is
    recorded in ``n_features_in_``; with ``reset=False`` (in ``predict``) it must match.

    Returns:
        ``X``, or ``(X, y)`` when ``y`` is given.
    """
    if HAS_SKLEARN:
        if isinstance(y, str) and y == _NO_Y:
            return _sk_validate_data(estimator, X, reset=reset, dtype=FLOAT_DTYPES)
        return _sk_validate_data(estimator, X, y, reset=reset, dtype=FLOAT_DTYPES, multi_output=multi_output,
                                 y_numeric=y_numeric)

    name = type(estimator).__name__
    if y is None:
        raise ValueError(f"{name} requires y to be passed, but the target y is None.")
    X = _validation.check_array(X)
    if X.shape[1] == 0:
        raise ValueError(f"0 feature(s) (shape={X.shape}) while a minimum of 1 is required.")
    if X.dtype not in FLOAT_DTYPES:
        X = X.astype(np.float64)
    if reset:
        estimator.n_features_in_ = X.shape[1]
    elif X.shape[1] != estimator.n_features_in_:
        raise ValueError(f"X has {X.shape[1]} features, but {name} is expecting {estimator.n_features_in_} "
                         "features as input.")
    if isinstance(y, str) and y == _NO_Y:
        return X
    X, y = _validation.check_X_y(X, y, multi_output=multi_output, y_numeric=y_numeric)
    return X, (y.astype(np.float64) if y_numeric and y.dtype.kind != "f" else y)


def check_positive_int(value: Any, name: str, minimum: int = 1) -> int:
    """``value`` as an int, or a ValueError naming the hyper-parameter (for use in ``fit``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_positive_float(value: Any, name: str, *, allow_zero: bool = False, allow_none: bool = False) -> Any:
    """``value`` as a float > 0 (>= 0 with ``allow_zero``; None with ``allow_none``), else a ValueError."""
    if value is None and allow_none:
        return None
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value) and \
        (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}{' or None' if allow_none else ''}, got {value!r}")
    return float(value)


def check_choice(value: Any, name: str, choices: tuple) -> Any:
    """``value`` if it is one of ``choices``, else a ValueError listing them."""
    if not any(value is c or (isinstance(value, str) and value == c) for c in choices):
        raise ValueError(f"{name} must be one of {list(choices)!r}, got {value!r}")
    return value


def seed_from(random_state: Any) -> int | None:
    """An integer seed from scikit-learn's ``random_state`` (None, an int, a RandomState or a Generator)."""
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state) % 2**63
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**63))
    raise ValueError(f"random_state must be None, an int, a numpy RandomState or Generator, got {random_state!r}")


@contextlib.contextmanager
def seeded(random_state: Any) -> Iterator[None]:
    """Run a fit on netgrad's global generator seeded from ``random_state``, then put the stream back.

    Everything random in netgrad (initialisation, shuffling, dropout) draws from the one global generator,
    so seeding it makes the fit reproducible; restoring its state afterwards keeps the fit from disturbing
    the caller's own random stream. ``random_state=None`` uses (and advances) the global generator as it is,
    so ``netgrad.manual_seed`` governs unseeded fits.
    """
    seed = seed_from(random_state)
    if seed is None:
        yield
        return
    saved = _random.get_rng_state()
    _random.manual_seed(seed)
    try:
        yield
    finally:
        _random.set_rng_state(saved)


def encode_labels(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``classes_`` (sorted unique labels) and ``y`` as indices into it; a ValueError if fewer than 2 classes."""
    check_classification_targets(y)
    classes, y_index = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(f"This solver needs samples of at least 2 classes in the data, but the data contains only "
                         f"one class: {classes[0]!r}")
    return classes, y_index.reshape(-1)


def warn_not_converged(estimator: Any, message: str) -> None:
    """A :class:`ConvergenceWarning` pointing at the caller of ``fit``."""
    warnings.warn(f"{type(estimator).__name__}: {message}", ConvergenceWarning, stacklevel=3)
