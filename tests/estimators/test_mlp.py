"""MLPClassifier / MLPRegressor: scikit-learn's objective checked by central differences on a NumPy
reference, its initialisation, early stopping, multi-label and the attributes scikit-learn users read."""
import warnings

import numpy as np
import pytest

import netgrad
from netgrad.data import train_test_split
from netgrad.estimators import ConvergenceWarning, MLPClassifier, MLPRegressor


def fit_quietly(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y3 = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
    return X, y3


def reference_objective(params, shapes, X, Y, kind, alpha):
    """scikit-learn's MLP objective in NumPy: tanh hidden layers, loss + alpha/(2n) Σ‖W‖²."""
    Ws, bs, offset = [], [], 0
    for fan_in, fan_out in shapes:
        Ws.append(params[offset:offset + fan_in * fan_out].reshape(fan_in, fan_out))
        offset += fan_in * fan_out
        bs.append(params[offset:offset + fan_out])
        offset += fan_out
    a = X
    for i, (W, b) in enumerate(zip(Ws, bs)):
        a = a @ W + b
        if i < len(Ws) - 1:
            a = np.tanh(a)
    n = len(X)
    if kind == "softmax":
        z = a - a.max(axis=1, keepdims=True)
        loss = -(Y * (z - np.log(np.exp(z).sum(axis=1, keepdims=True)))).sum() / n
    elif kind == "logistic":
        p = 1 / (1 + np.exp(-a))
        loss = -(Y * np.log(p) + (1 - Y) * np.log(1 - p)).sum() / n
    else:
        loss = ((Y - a) ** 2).mean() / 2
    return loss + alpha / (2 * n) * sum((W ** 2).sum() for W in Ws)


def flatten(estimator):
    return np.concatenate([np.r_[W.ravel(), b] for W, b in zip(estimator.coefs_, estimator.intercepts_)])


@pytest.mark.parametrize("kind", ["softmax", "logistic", "identity"])
def test_one_sgd_step_follows_scikit_learns_objective(data, kind):
    """Epochs 1 and 2 of full-batch plain SGD from the same seed: the second step must be
    W₂ = W₁ - lr ∇J(W₁), with ∇J from central differences of the reference objective."""
    X, y3 = data
    if kind == "softmax":
        y, Y, cls = y3, np.eye(3)[y3], MLPClassifier
    elif kind == "logistic":
        y = (y3 > 0).astype(int)
        Y, cls = y.reshape(-1, 1).astype(float), MLPClassifier
    else:
        Y = np.column_stack([X[:, 0] - X[:, 1], X[:, 2] ** 2])
        y, cls = Y, MLPRegressor
    params = dict(hidden_layer_sizes=(5, 4), activation="tanh", solver="sgd", momentum=0.0, alpha=0.3,
                  learning_rate_init=0.1, batch_size=len(X), shuffle=False, random_state=3)
    one = fit_quietly(cls(max_iter=1, **params), X, y)
    two = fit_quietly(cls(max_iter=2, **params), X, y)
    shapes = [W.shape for W in one.coefs_]
    assert shapes == [(3, 5), (5, 4), (4, Y.shape[1])]
    w1 = flatten(one)
    objective = lambda w: reference_objective(w, shapes, X, Y, kind, 0.3)  # noqa: E731
    eps = 1e-6
    grad = np.array([(objective(w1 + eps * e) - objective(w1 - eps * e)) / (2 * eps) for e in np.eye(len(w1))])
    np.testing.assert_allclose(flatten(two), w1 - 0.1 * grad, rtol=1e-6, atol=1e-9)
    assert two.loss_curve_[1] == pytest.approx(objective(w1), rel=1e-10)  # the loss before the second step
    assert two.loss_curve_[0] == one.loss_curve_[0]


def test_initialisation_is_scikit_learns_glorot_uniform():
    X, y = np.random.default_rng(0).normal(size=(10, 300)), np.arange(10) % 2
    for activation, factor in (("relu", 6.0), ("logistic", 2.0)):
        clf = MLPClassifier(hidden_layer_sizes=(200,), activation=activation, max_iter=1, learning_rate_init=1e-12,
                            random_state=0)
        W = fit_quietly(clf, X, y).coefs_[0]
        bound = np.sqrt(factor / (300 + 200))
        assert np.abs(W).max() <= bound
        assert W.std() == pytest.approx(bound / np.sqrt(3), rel=0.02)  # the std of U(-r, r)


def test_attributes_shapes_and_probabilities(data):
    X, y3 = data
    clf = fit_quietly(MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0), X, y3)
    assert [W.shape for W in clf.coefs_] == [(3, 8), (8, 3)]
    assert [b.shape for b in clf.intercepts_] == [(8,), (3,)]
    assert clf.n_layers_ == 3 and clf.n_outputs_ == 3 and clf.out_activation_ == "softmax"
    assert clf.n_iter_ == len(clf.loss_curve_) == 20 and clf.loss_ == clf.loss_curve_[-1]
    assert clf.best_loss_ == min(clf.loss_curve_) and clf.t_ == 20 * len(X)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), proba.argmax(axis=1))
    # coefs_ are views of the trained layers: editing them changes the network
    clf.coefs_[-1][...] = 0.0
    clf.intercepts_[-1][...] = [0.0, 5.0, 0.0]
    assert (clf.predict(X) == 1).all()


def test_binary_classifier_uses_one_logistic_unit(data):
    X, y3 = data
    labels = np.where(y3 > 0, "pos", "neg")
    clf = fit_quietly(MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0), X, labels)
    assert clf.out_activation_ == "logistic" and clf.coefs_[-1].shape == (8, 1)
    proba = clf.predict_proba(X)
    assert proba.shape == (40, 2)
    np.testing.assert_array_equal(clf.predict(X), np.where(proba[:, 1] >= 0.5, "pos", "neg"))


def test_multi_label_indicator_targets(data):
    X, _ = data
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 1] > 0]).astype(int)
    clf = fit_quietly(MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.05, max_iter=300, random_state=0),
                      X, Y)
    assert clf.out_activation_ == "logistic"
    assert clf.predict(X).shape == (40, 3) and clf.predict_proba(X).shape == (40, 3)
    assert (clf.predict(X) == Y).mean() > 0.95


def test_stops_on_the_training_loss_plateau(data):
    X, y3 = data
    clf = MLPClassifier(hidden_layer_sizes=(8,), tol=10.0, n_iter_no_change=3, max_iter=100, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X, y3)
    # epoch 1 improves on the initial best (infinity); epochs 2-5 do not improve by 10, and the 4th such
    # epoch exceeds n_iter_no_change = 3: scikit-learn's MLPClassifier stops at the same epoch
    assert clf.n_iter_ == 5


def test_early_stopping_keeps_the_best_validation_epoch():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    y = (X[:, 0] + 0.5 * rng.normal(size=300) > 0).astype(int)
    clf = fit_quietly(MLPClassifier(hidden_layer_sizes=(32,), early_stopping=True, validation_fraction=0.2,
                                    n_iter_no_change=5, learning_rate_init=0.01, max_iter=200, random_state=0), X, y)
    scores = clf.validation_scores_
    assert len(scores) == clf.n_iter_ < 200
    assert clf.best_validation_score_ == max(scores) and clf.best_loss_ is None
    # scikit-learn's rule: stop n_iter_no_change + 1 epochs after the last improvement (tol = 1e-4)
    last_improvement = max(i for i in range(len(scores)) if scores[i] >= max(scores[:i], default=-1) + 1e-4)
    assert clf.n_iter_ == last_improvement + 1 + 5 + 1
    # the held-out 20 % is the stratified split drawn first from the seeded generator; the network that
    # comes back is the best epoch's, so it scores the best validation accuracy there
    netgrad.manual_seed(0)
    _, X_val, _, y_val = train_test_split(X, y, test_size=0.2, stratify=y)
    assert clf.score(X_val, y_val) == clf.best_validation_score_


def test_regressor_learns_a_smooth_function():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(200, 1))
    y = np.sin(X[:, 0])
    reg = fit_quietly(MLPRegressor(hidden_layer_sizes=(32,), activation="tanh", learning_rate_init=0.01,
                                   max_iter=300, random_state=0), X, y)
    assert reg.predict(X).shape == (200,)
    assert reg.score(X, y) > 0.98


def test_reproducible_with_random_state_and_float32(data):
    X, y3 = data
    first = fit_quietly(MLPClassifier(hidden_layer_sizes=(8,), max_iter=10, random_state=5), X, y3)
    second = fit_quietly(MLPClassifier(hidden_layer_sizes=(8,), max_iter=10, random_state=5), X, y3)
    other = fit_quietly(MLPClassifier(hidden_layer_sizes=(8,), max_iter=10, random_state=6), X, y3)
    np.testing.assert_array_equal(first.coefs_[0], second.coefs_[0])
    assert not np.array_equal(first.coefs_[0], other.coefs_[0])
    single = fit_quietly(MLPClassifier(hidden_layer_sizes=(8,), max_iter=10, random_state=5), X.astype(np.float32), y3)
    assert single.coefs_[0].dtype == np.float32 and first.coefs_[0].dtype == np.float64


@pytest.mark.parametrize("params, message", [
    ({"hidden_layer_sizes": (10, 0)}, "hidden_layer_sizes"),
    ({"activation": "gelu"}, "activation"),
    ({"solver": "lbfgs"}, "lbfgs"),
    ({"solver": "newton"}, "solver"),
    ({"alpha": -1.0}, "alpha"),
    ({"learning_rate_init": 0.0}, "learning_rate_init"),
    ({"momentum": 1.5}, "momentum"),
    ({"validation_fraction": 1.0}, "validation_fraction"),
    ({"batch_size": 0}, "batch_size"),
])
def test_bad_hyper_parameters_raise_in_fit(data, params, message):
    X, y3 = data
    with pytest.raises(ValueError, match=message):
        MLPClassifier(**params).fit(X, y3)
