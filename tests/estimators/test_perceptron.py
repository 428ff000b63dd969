"""Perceptron: Rosenblatt's rule against a reference loop, AND / OR learned, XOR refused with a warning."""
import warnings

import numpy as np
import pytest

import netgrad
from netgrad.estimators import ConvergenceWarning, Perceptron, PerceptronCriterion

X_GATES = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
Y_AND = np.array([0, 0, 0, 1])
Y_OR = np.array([0, 1, 1, 1])
Y_XOR = np.array([0, 1, 1, 0])


def rosenblatt(X, y, eta=1.0, max_iter=1000):
    """The textbook loop: w ← w + η (y - ŷ) x for each sample in order, until an epoch without mistakes."""
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(max_iter):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            y_hat = 1.0 if w @ x_i + b > 0 else 0.0
            w, b = w + eta * (y_i - y_hat) * x_i, b + eta * (y_i - y_hat)
            mistakes += int(y_hat != y_i)
        errors.append(mistakes)
        if mistakes == 0:
            break
    return w, b, errors


@pytest.mark.parametrize("y", [Y_AND, Y_OR], ids=["AND", "OR"])
def test_learns_and_or_perfectly(y):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = Perceptron(random_state=0).fit(X_GATES, y)
    assert clf.score(X_GATES, y) == 1.0
    assert clf.errors_[-1] == 0
    assert clf.n_iter_ == len(clf.errors_) < clf.max_iter


def test_default_tol_is_scikit_learns_and_stops_on_xor_quietly():
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    assert Perceptron().tol == sklearn_linear.Perceptron().tol == 1e-3
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = Perceptron(random_state=0).fit(X_GATES, Y_XOR)
        reference = sklearn_linear.Perceptron(random_state=0).fit(X_GATES, Y_XOR)
    assert clf.n_iter_ < 100 and reference.n_iter_ < 100  # neither runs its 1000 epochs


def test_xor_stops_after_max_iter_with_a_convergence_warning():
    with pytest.warns(ConvergenceWarning, match="not converge.*linearly separable"):
        clf = Perceptron(max_iter=50, tol=None, random_state=0).fit(X_GATES, Y_XOR)
    assert clf.n_iter_ == 50
    assert min(clf.errors_) > 0  # not one epoch without a mistake
    assert clf.score(X_GATES, Y_XOR) <= 0.75  # no line gets all four points


@pytest.mark.parametrize("y", [Y_AND, Y_OR], ids=["AND", "OR"])
@pytest.mark.parametrize("eta0", [1.0, 0.1])
def test_follows_rosenblatts_rule_exactly(y, eta0):
    clf = Perceptron(eta0=eta0, shuffle=False).fit(X_GATES, y)
    w, b, errors = rosenblatt(X_GATES, y, eta=eta0)
    np.testing.assert_allclose(clf.coef_[0], w, rtol=1e-12)
    np.testing.assert_allclose(clf.intercept_[0], b, rtol=1e-12)
    assert clf.errors_ == errors
    assert clf.n_iter_ == len(errors)


def test_rule_on_random_separable_data_matches_reference():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    y = (X @ np.array([1.0, -2.0, 0.5]) + 0.3 > 0).astype(int)
    clf = Perceptron(shuffle=False).fit(X, y)
    w, b, errors = rosenblatt(X, y)
    np.testing.assert_allclose(clf.coef_[0], w, rtol=1e-10)
    np.testing.assert_allclose(clf.intercept_[0], b, rtol=1e-10)
    assert clf.errors_ == errors and errors[-1] == 0
    assert clf.score(X, y) == 1.0


def test_multiclass_is_one_vs_rest_with_argmax():
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 4.0], [4.0, -2.0], [-4.0, -2.0]])
    X = np.concatenate([c + rng.normal(scale=0.5, size=(20, 2)) for c in centers])
    y = np.repeat(["a", "b", "c"], 20)
    clf = Perceptron(shuffle=False, max_iter=100).fit(X, y)
    for k, label in enumerate(clf.classes_):  # each unit is the binary rule on "label vs the rest"
        w, b, _ = rosenblatt(X, (y == label).astype(float), max_iter=clf.n_iter_)
        np.testing.assert_allclose(clf.coef_[k], w, rtol=1e-10)
        np.testing.assert_allclose(clf.intercept_[k], b, rtol=1e-10)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[(X @ clf.coef_.T + clf.intercept_).argmax(1)])
    assert clf.score(X, y) == 1.0


def test_string_labels_and_decision_function():
    y = np.where(Y_AND == 1, "yes", "no")
    clf = Perceptron(random_state=0).fit(X_GATES, y)
    np.testing.assert_array_equal(clf.predict(X_GATES), y)
    z = clf.decision_function(X_GATES)
    assert z.shape == (4,)
    np.testing.assert_array_equal(z > 0, y == "yes")


def test_criterion_gradient_is_the_perceptron_rule():
    z = netgrad.tensor([[2.0], [-1.0], [0.0], [3.0]], dtype=netgrad.float64, requires_grad=True)
    target = np.array([[0.0], [1.0], [1.0], [1.0]])
    criterion = PerceptronCriterion()
    loss = criterion(z, target)
    loss.backward()
    y_hat = np.array([[1.0], [0.0], [0.0], [1.0]])  # step(z): 1 where z > 0
    np.testing.assert_allclose(z.grad.numpy(), y_hat - target)
    assert loss.item() == pytest.approx(2.0 + 1.0 + 0.0)  # |z| of the misclassified samples
    assert criterion.mistakes == 3  # z = 0 with y = 1 is a mistake although it adds nothing to the loss


def test_random_state_makes_shuffled_fits_reproducible():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    first = Perceptron(random_state=7).fit(X, y)
    second = Perceptron(random_state=7).fit(X, y)
    np.testing.assert_array_equal(first.coef_, second.coef_)
    assert first.errors_ == second.errors_


def test_tol_stops_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = Perceptron(tol=1e-3, n_iter_no_change=3, max_iter=200, random_state=0).fit(X_GATES, Y_XOR)
    assert clf.n_iter_ < 200


@pytest.mark.parametrize("params, message", [
    ({"max_iter": 0}, "max_iter"),
    ({"eta0": -1.0}, "eta0"),
    ({"tol": -1.0}, "tol"),
    ({"n_iter_no_change": 0}, "n_iter_no_change"),
])
def test_bad_hyper_parameters_raise_in_fit(params, message):
    clf = Perceptron(**params)  # construction never validates (scikit-learn's rule)
    with pytest.raises(ValueError, match=message):
        clf.fit(X_GATES, Y_AND)
