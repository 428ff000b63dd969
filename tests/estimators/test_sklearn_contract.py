"""The scikit-learn estimator contract: check_estimator, bad input, NotFittedError, reproducibility,
Pipeline / GridSearchCV / cross_val_score, and the fallback base classes when scikit-learn is absent."""
import inspect
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import netgrad
import netgrad.estimators
from netgrad import nn
from netgrad.estimators import (
    ConvergenceWarning,
    LinearRegression,
    LogisticRegression,
    MLPClassifier,
    MLPRegressor,
    MultiLabelClassifier,
    NeuralNetClassifier,
    NeuralNetRegressor,
    NotFittedError,
    Perceptron,
    SoftmaxRegression,
)
from netgrad.estimators.base import HAS_SKLEARN, BaseEstimator, ClassifierMixin


class TwoLayer(nn.Module):
    def __init__(self, in_features, out_features, hidden=8):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, hidden), nn.Tanh(), nn.Linear(hidden, out_features))

    def forward(self, x):
        return self.net(x)


def small_estimators():
    """One instance of every estimator, with few epochs so that check_estimator stays quick."""
    return [
        Perceptron(max_iter=20),
        LinearRegression(),
        LinearRegression(solver="sgd", learning_rate=0.002, max_iter=50),
        LogisticRegression(max_iter=30),
        SoftmaxRegression(max_iter=30),
        MultiLabelClassifier(max_iter=30),
        MLPClassifier(hidden_layer_sizes=(10,), learning_rate_init=0.05, max_iter=30),
        MLPRegressor(hidden_layer_sizes=(10,), learning_rate_init=0.05, max_iter=50),
        NeuralNetClassifier(TwoLayer, optimizer="adam", lr=0.05, max_epochs=20),
        NeuralNetRegressor(TwoLayer, optimizer="adam", lr=0.05, max_epochs=30),
    ]


CLASSIFIERS = [e for e in small_estimators() if isinstance(e, ClassifierMixin)]
ALL = small_estimators()


def names(estimators):
    return [type(e).__name__ + ("(sgd)" if getattr(e, "solver", None) == "sgd" else "") for e in estimators]


# ------------------------------------------------------------------------------------------ check_estimator


class SmallNet(nn.Module):
    """The kind of module a user wraps: one hidden ReLU layer, sized from the data."""

    def __init__(self, in_features, out_features, hidden=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, out_features))

    def forward(self, x):
        return self.net(x)


def estimator_classes():
    """Every estimator class that netgrad.estimators exports."""
    return [cls for cls in (getattr(netgrad.estimators, name) for name in netgrad.estimators.__all__)
            if isinstance(cls, type) and issubclass(cls, BaseEstimator)]


def default_estimators():
    """Every estimator with its default hyper-parameters; the module wrappers, which have no default module,
    get a linear one and a small MLP; the other solvers of the estimators that have several, at their defaults."""
    estimators = []
    for cls in estimator_classes():
        needs_module = "module" in inspect.signature(cls).parameters
        estimators += [cls(nn.Linear), cls(SmallNet)] if needs_module else [cls()]
    return estimators + [LinearRegression(solver=solver) for solver in ("lstsq", "gd", "sgd")] + [
        MLPClassifier(solver="sgd"), MLPRegressor(solver="sgd"),
        LogisticRegression(optimizer="sgd")]


def test_every_exported_estimator_is_checked():
    checked = {type(estimator) for estimator in default_estimators()}
    assert set(estimator_classes()) <= checked and len(checked) >= 9


if HAS_SKLEARN:
    from sklearn.utils.estimator_checks import parametrize_with_checks

    # scikit-learn's whole suite, on the defaults: no check is skipped or expected to fail. The MLPs and
    # gradient descent stop at max_iter on some of the checks' tiny data sets and warn, as scikit-learn's own
    # MLPClassifier does on the same checks.
    @parametrize_with_checks(default_estimators())
    def test_scikit_learn_check_estimator(estimator, check):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            check(estimator)


# ------------------------------------------------------------------------------------------ bad input


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("estimator", ALL, ids=names(ALL))
def test_predict_before_fit_raises_not_fitted(estimator, data):
    X, _ = data
    with pytest.raises(NotFittedError, match="not fitted yet"):
        estimator.predict(X)
    if HAS_SKLEARN:
        from sklearn.exceptions import NotFittedError as SklearnNotFittedError
        assert NotFittedError is SklearnNotFittedError


@pytest.mark.parametrize("estimator", ALL, ids=names(ALL))
def test_nan_in_X_raises(estimator, data):
    X, y = data
    X = X.copy()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        estimator.fit(X, y)


@pytest.mark.parametrize("estimator", ALL, ids=names(ALL))
def test_X_and_y_of_different_lengths_raise(estimator, data):
    X, y = data
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        estimator.fit(X, y[:-1])


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=names(CLASSIFIERS))
def test_a_single_class_raises(estimator, data):
    X, _ = data
    with pytest.raises(ValueError, match="one class"):
        estimator.fit(X, np.ones(len(X), dtype=int))


@pytest.mark.parametrize("estimator", CLASSIFIERS, ids=names(CLASSIFIERS))
def test_continuous_targets_are_refused_by_classifiers(estimator, data):
    X, _ = data
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        estimator.fit(X, np.linspace(0, 1, len(X)))


@pytest.mark.parametrize("estimator", ALL, ids=names(ALL))
def test_wrong_number_of_features_at_predict_raises(estimator, data):
    X, y = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but .* is expecting 3 features"):
        estimator.predict(X[:, :2])


# ------------------------------------------------------------------------------------------ randomness


def test_random_state_makes_fits_reproducible_and_leaves_the_global_stream_alone(data):
    X, y = data
    netgrad.manual_seed(123)
    expected_draw = netgrad.random.get_generator().random()
    netgrad.manual_seed(123)
    first = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        first.fit(X, y)
        assert netgrad.random.get_generator().random() == expected_draw  # the seeded fit restored the stream
        second = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0).fit(X, y)
        np.testing.assert_array_equal(first.coefs_[0], second.coefs_[0])
        # random_state=None draws from netgrad's global generator: netgrad.manual_seed governs it
        netgrad.manual_seed(7)
        a = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5).fit(X, y).coefs_[0]
        netgrad.manual_seed(7)
        b = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5).fit(X, y).coefs_[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, first.coefs_[0])


def test_numpy_random_state_objects_are_accepted(data):
    X, y = data
    a = Perceptron(random_state=np.random.RandomState(0)).fit(X, y)
    b = Perceptron(random_state=np.random.RandomState(0)).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    with pytest.raises(ValueError, match="random_state"):
        Perceptron(random_state="seed").fit(X, y)


# ------------------------------------------------------------------------------------------ scikit-learn tools


def test_pipeline_grid_search_and_cross_val_score():
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_iris
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01,
                                                         max_iter=100, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(pipe, X, y, cv=3)
        assert scores.shape == (3,) and scores.mean() > 0.85
        search = GridSearchCV(make_pipeline(StandardScaler(), SoftmaxRegression(max_iter=50, random_state=0)),
                              {"softmaxregression__alpha": [1e-4, 10.0]}, cv=3).fit(X, y)
    assert search.best_params_ == {"softmaxregression__alpha": 1e-4}  # alpha = 10 shrinks W to nearly 0


def test_get_params_set_params_and_repr():
    clf = LogisticRegression(alpha=0.5)
    assert clf.get_params()["alpha"] == 0.5 and clf.get_params()["optimizer"] == "adam"
    assert clf.set_params(alpha=0.1, max_iter=3) is clf and (clf.alpha, clf.max_iter) == (0.1, 3)
    assert repr(clf) == "LogisticRegression(alpha=0.1, max_iter=3)"
    with pytest.raises(ValueError, match="Invalid parameter"):
        clf.set_params(learning_rte=1.0)


FALLBACK_SCRIPT = textwrap.dedent("""
    import sys
    sys.modules["sklearn"] = None  # importing scikit-learn now fails, as when it is not installed
    import warnings
    import numpy as np
    from netgrad.estimators import (ConvergenceWarning, LinearRegression, LogisticRegression, NotFittedError,
                                    Perceptron)
    from netgrad.estimators.base import HAS_SKLEARN, BaseEstimator, ClassifierMixin
    from netgrad.data.validation import NotFittedError as NetgradNotFittedError

    assert not HAS_SKLEARN
    assert NotFittedError is NetgradNotFittedError and issubclass(ConvergenceWarning, UserWarning)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    clf = Perceptron(max_iter=20, tol=None, random_state=0)
    try:
        clf.predict(X)
        raise AssertionError("predict before fit must raise")
    except NotFittedError as error:
        assert "not fitted yet" in str(error)
    assert clf.fit(X, [0, 0, 0, 1]).score(X, [0, 0, 0, 1]) == 1.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(X, [0, 1, 1, 0])
    assert any(issubclass(w.category, ConvergenceWarning) and "linearly separable" in str(w.message)
               for w in caught)
    assert clf.get_params()["max_iter"] == 20 and clf.set_params(max_iter=5).max_iter == 5
    assert repr(clf) == "Perceptron(max_iter=5, tol=None)"  # random_state=0 is the default, as in scikit-learn
    try:
        clf.set_params(maxiter=5)
        raise AssertionError("an unknown parameter must raise")
    except ValueError as error:
        assert "Invalid parameter" in str(error)
    reg = LinearRegression().fit(X, X @ [2.0, -1.0] + 0.5)
    assert np.allclose(reg.coef_, [2.0, -1.0]) and abs(reg.score(X, X @ [2.0, -1.0] + 0.5) - 1) < 1e-12
    for bad_X, bad_y, message in ((np.array([[np.nan, 0.0]] * 4), [0, 1, 0, 1], "NaN"),
                                  (X, [0, 1, 0], "inconsistent numbers of samples"),
                                  (X, [1, 1, 1, 1], "one class"),
                                  (X, [0.5, 0.1, 0.2, 0.3], "Unknown label type")):
        try:
            LogisticRegression().fit(bad_X, bad_y)
            raise AssertionError(message)
        except ValueError as error:
            assert message in str(error), (message, str(error))
    try:
        LogisticRegression(max_iter=2).fit(X, [0, 1, 0, 1]).predict(X[:, :1])
        raise AssertionError("wrong number of features")
    except ValueError as error:
        assert "X has 1 features, but LogisticRegression is expecting 2 features" in str(error)
    print("fallback ok")
""")


def test_fallback_base_classes_without_scikit_learn():
    result = subprocess.run([sys.executable, "-c", FALLBACK_SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "fallback ok" in result.stdout


# ------------------------------------------------------------------------------------------ defaults

# (estimator, parameter): the same name with another meaning in scikit-learn, so another default
DIFFERENT_MEANING = {
    ("LinearRegression", "tol"): "our gradient descent's stopping tolerance; scikit-learn's is its sparse solver's",
    ("LogisticRegression", "max_iter"): "epochs (as MLPClassifier's max_iter); scikit-learn's are L-BFGS iterations",
}


@pytest.mark.parametrize("name", ["Perceptron", "LinearRegression", "LogisticRegression", "MLPClassifier",
                                  "MLPRegressor"])
def test_defaults_of_scikit_learn_names_are_scikit_learns(name):
    pytest.importorskip("sklearn")
    import sklearn.linear_model
    import sklearn.neural_network

    reference = getattr(sklearn.linear_model, name, None) or getattr(sklearn.neural_network, name)
    theirs = inspect.signature(reference).parameters
    ours = inspect.signature(getattr(netgrad.estimators, name)).parameters
    shared = [key for key in ours if key in theirs and (name, key) not in DIFFERENT_MEANING]
    assert shared
    for key in shared:
        expected = theirs[key].default
        if name == "LogisticRegression" and key == "penalty" and expected == "deprecated":
            expected = "l2"  # scikit-learn >= 1.8 deprecates penalty; its effective default is still L2
        assert ours[key].default == expected, (name, key, ours[key].default, expected)


# ------------------------------------------------------------------------------------------ errors as scikit-learn's

# each estimator and the scikit-learn estimator whose errors it must repeat word for word
COUNTERPARTS = [("Perceptron", "linear_model.Perceptron"), ("LinearRegression", "linear_model.LinearRegression"),
                ("LogisticRegression", "linear_model.LogisticRegression"),
                ("SoftmaxRegression", "linear_model.LogisticRegression"),
                ("MLPClassifier", "neural_network.MLPClassifier"), ("MLPRegressor", "neural_network.MLPRegressor"),
                ("NeuralNetClassifier", "neural_network.MLPClassifier"),
                ("NeuralNetRegressor", "neural_network.MLPRegressor")]


def _bad_input(X, y):
    """Each bad fit, and each bad predict of estimators fitted on (X, y): name -> (X, y) or X."""
    X_nan, X_inf = X.copy(), X.copy()
    X_nan[4, 1], X_inf[4, 1] = np.nan, np.inf
    fits = {"NaN in X": (X_nan, y), "inf in X": (X_inf, y), "1-D X": (X[:, 0], y), "3-D X": (X[:, :, None], y),
            "no samples": (X[:0], y[:0]), "no features": (X[:, :0], y), "complex X": (X + 1j, y),
            "y None": (X, None), "lengths differ": (X, y[:-1])}
    predicts = {"predict NaN": X_nan, "predict 2 features": X[:, :2], "predict 1-D": X[0]}
    return fits, predicts


def _error(call):
    try:
        call()
    except Exception as error:  # the error itself is what is compared
        return type(error), str(error)
    return None, "no error"


@pytest.mark.parametrize("ours, theirs", COUNTERPARTS, ids=[ours for ours, _ in COUNTERPARTS])
def test_bad_input_errors_are_scikit_learns(ours, theirs, data):
    pytest.importorskip("sklearn")
    import importlib

    module_name, class_name = theirs.split(".")
    reference = getattr(importlib.import_module(f"sklearn.{module_name}"), class_name)
    cls = getattr(netgrad.estimators, ours)
    make = (lambda: cls(nn.Linear, max_epochs=2)) if ours.startswith("NeuralNet") else cls
    X, y = data
    fits, predicts = _bad_input(X, y)
    checks = {name: (lambda X=X, y=y: make().fit(X, y), lambda X=X, y=y: reference().fit(X, y))
              for name, (X, y) in fits.items()}
    checks["predict before fit"] = (lambda: make().predict(X), lambda: reference().predict(X))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted, fitted_reference = make().fit(X, y), reference().fit(X, y)
        checks.update((name, (lambda X=X: fitted.predict(X), lambda X=X: fitted_reference.predict(X)))
                      for name, X in predicts.items())
        for name, (call_ours, call_theirs) in checks.items():
            our_type, our_message = _error(call_ours)
            their_type, their_message = _error(call_theirs)
            assert their_type is not None, name
            assert our_type is their_type, (name, our_message, their_message)
            assert our_message == their_message.replace(class_name, ours), name
