"""Linear, logistic, softmax and multi-label regression against closed forms, reference gradient descent
written out in NumPy, and the notes' worked examples."""
import warnings

import numpy as np
import pytest

from netgrad.estimators import (
    ConvergenceWarning,
    LinearRegression,
    LogisticRegression,
    MultiLabelClassifier,
    SoftmaxRegression,
)


def standardize(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


# ------------------------------------------------------------------------------------------ LinearRegression


@pytest.fixture
def noiseless():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4)) * [1.0, 10.0, 0.1, 3.0]
    coef, intercept = np.array([1.5, -2.0, 0.25, 3.0]), 4.0
    return X, X @ coef + intercept, coef, intercept


@pytest.mark.parametrize("solver", ["normal", "lstsq"])
def test_closed_form_recovers_the_true_coefficients(noiseless, solver):
    X, y, coef, intercept = noiseless
    model = LinearRegression(solver=solver).fit(X, y)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-10)
    assert model.intercept_ == pytest.approx(intercept, rel=1e-10)
    assert model.score(X, y) == pytest.approx(1.0)
    assert model.n_iter_ == 1


def test_normal_equation_with_a_column_of_ones_as_in_the_notes(noiseless):
    X, y, _, _ = noiseless
    X1 = np.column_stack([np.ones(len(X)), X])
    theta = np.linalg.inv(X1.T @ X1) @ X1.T @ y  # θ = (XᵀX)⁻¹Xᵀy, literally
    model = LinearRegression().fit(X, y)
    np.testing.assert_allclose(np.r_[model.intercept_, model.coef_], theta, rtol=1e-8)


def test_no_intercept_and_the_notes_one_parameter_example():
    X, y = np.array([[1.0], [2.0], [3.0]]), np.array([1.0, 2.0, 3.0])
    model = LinearRegression(fit_intercept=False).fit(X, y)
    assert model.coef_[0] == pytest.approx(1.0) and model.intercept_ == 0.0
    np.testing.assert_allclose(model.predict([[4.0]]), [4.0])


def test_multi_output_targets(noiseless):
    X, y, coef, intercept = noiseless
    Y = np.column_stack([y, -2 * y + 1])
    model = LinearRegression().fit(X, Y)
    np.testing.assert_allclose(model.coef_, np.vstack([coef, -2 * coef]), rtol=1e-10)
    np.testing.assert_allclose(model.intercept_, [intercept, -2 * intercept + 1], rtol=1e-10)
    assert model.predict(X).shape == (50, 2)


@pytest.mark.parametrize("shape", [(20, 3), (5, 8)], ids=["duplicated column", "more features than samples"])
def test_singular_gram_matrix_falls_back_to_least_squares(shape):
    rng = np.random.default_rng(1)
    X = rng.normal(size=shape)
    if shape == (20, 3):
        X[:, 2] = X[:, 0]
    y = rng.normal(size=shape[0])
    with pytest.warns(UserWarning, match="singular or ill-conditioned.*lstsq"):
        model = LinearRegression(solver="normal").fit(X, y)
    Xc, yc = X - X.mean(0), y - y.mean()
    expected = np.linalg.pinv(Xc) @ yc  # the minimum-norm least-squares solution
    np.testing.assert_allclose(model.coef_, expected, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(model.predict(X), X @ expected + y.mean() - X.mean(0) @ expected, rtol=1e-8)


def test_float32_input_keeps_float32_coefficients(noiseless):
    X, y, coef, _ = noiseless
    model = LinearRegression().fit(X.astype(np.float32), y.astype(np.float32))
    assert model.coef_.dtype == np.float32
    assert model.predict(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-4)


def reference_gradient_descent(X, y, learning_rate, epochs):
    """θ ← θ - λ ∇J with J = mean((Xw + b - y)²), from θ = 0, the notes' batch gradient descent."""
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(epochs):
        error = X @ w + b - y
        w, b = w - learning_rate * 2 * X.T @ error / len(y), b - learning_rate * 2 * error.mean()
    return w, b


def test_batch_gradient_descent_matches_the_reference_loop(noiseless):
    X, y, _, _ = noiseless
    X = standardize(X)
    model = LinearRegression(solver="gd", learning_rate=0.05, max_iter=30, tol=None).fit(X, y)
    w, b = reference_gradient_descent(X, y, 0.05, 30)
    np.testing.assert_allclose(model.coef_, w, rtol=1e-10)
    assert model.intercept_ == pytest.approx(b, rel=1e-10)
    assert model.n_iter_ == len(model.loss_curve_) == 30


@pytest.fixture
def houses():
    """Features on very different scales: floor area in square feet, and number of rooms."""
    rng = np.random.default_rng(0)
    area, rooms = rng.uniform(500, 3500, 200), rng.uniform(1, 5, 200)
    X = np.column_stack([area, rooms])
    return X, 0.2 * area + 30 * rooms + 50 + rng.normal(scale=1.0, size=200)


def test_gradient_descent_needs_feature_scaling(houses):
    X, y = houses
    scaled = LinearRegression(solver="gd", learning_rate=0.1, max_iter=200, tol=None).fit(standardize(X), y)
    assert scaled.score(standardize(X), y) > 0.999
    # the same learning rate on the raw features: the steps along 'area' overshoot and grow without bound
    with pytest.raises(ValueError, match="diverged.*[Ss]cale the features"):
        LinearRegression(solver="gd", learning_rate=0.1, max_iter=200, tol=None).fit(X, y)
    # a learning rate small enough for 'area' crawls along 'rooms' and the intercept
    slow = LinearRegression(solver="gd", learning_rate=1e-7, max_iter=200, tol=None).fit(X, y)
    assert slow.score(X, y) < 0.95
    assert slow.loss_curve_[-1] > 100 * scaled.loss_curve_[-1]


def test_mini_batch_sgd_converges_and_stops_on_tol(houses):
    X, y = houses
    X = standardize(X)
    model = LinearRegression(solver="sgd", learning_rate=0.01, batch_size=16, max_iter=500, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.999
    assert model.n_iter_ < 500  # stopped by tol / n_iter_no_change
    exact = LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.coef_, exact.coef_, rtol=1e-2)


def test_gradient_descent_warns_when_it_runs_out_of_epochs(houses):
    X, y = houses
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        LinearRegression(solver="gd", learning_rate=0.01, max_iter=3).fit(standardize(X), y)


# ------------------------------------------------------------------------------------------ classifiers


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def reference_classifier(X, Y, output, learning_rate, alpha, epochs):
    """Full-batch gradient descent on mean-over-samples loss + (alpha/2)‖W‖², from zero weights.

    ``output='sigmoid'``: binary cross-entropy summed over the columns of Y; ``'softmax'``: cross-entropy.
    Both have the gradient (P - Y)ᵀ X / n + alpha W. Returns W, b and the loss before each step.
    """
    n = len(X)
    W, b, losses = np.zeros((Y.shape[1], X.shape[1])), np.zeros(Y.shape[1]), []
    for _ in range(epochs):
        Z = X @ W.T + b
        if output == "sigmoid":
            P = sigmoid(Z)
            loss = -(Y * np.log(P) + (1 - Y) * np.log(1 - P)).sum() / n
        else:
            P = softmax(Z)
            loss = -(Y * np.log(P)).sum() / n
        losses.append(loss + 0.5 * alpha * (W ** 2).sum())
        W, b = W - learning_rate * ((P - Y).T @ X / n + alpha * W), b - learning_rate * (P - Y).mean(axis=0)
    return W, b, losses


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    centers = np.array([[2.0, 0.0, 1.0], [-1.0, 2.0, 0.0], [0.0, -2.0, -1.0]])
    X = np.concatenate([c + rng.normal(size=(30, 3)) for c in centers])
    return X, np.repeat([0, 1, 2], 30)


GD = dict(optimizer="sgd", learning_rate=0.5, alpha=0.01, max_iter=25, batch_size=1000, shuffle=False, tol=None)


def test_logistic_regression_is_gradient_descent_on_bce(blobs):
    X, y = blobs
    y = (y == 1).astype(int)
    clf = LogisticRegression(**GD).fit(X, y)
    W, b, losses = reference_classifier(X, y.reshape(-1, 1).astype(float), "sigmoid", 0.5, 0.01, 25)
    np.testing.assert_allclose(clf.coef_, W, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(clf.intercept_, b, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(clf.loss_curve_, losses, rtol=1e-9)
    assert clf.loss_curve_[0] == pytest.approx(np.log(2))  # p̂ = 0.5 everywhere at zero weights


def test_one_vs_rest_logistic_regression(blobs):
    X, y = blobs
    clf = LogisticRegression(**GD).fit(X, y)
    W, b, losses = reference_classifier(X, np.eye(3)[y], "sigmoid", 0.5, 0.01, 25)
    np.testing.assert_allclose(clf.coef_, W, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(clf.loss_curve_, losses, rtol=1e-9)
    proba = clf.predict_proba(X)
    p = sigmoid(X @ W.T + b)
    np.testing.assert_allclose(proba, p / p.sum(1, keepdims=True), rtol=1e-8)
    np.testing.assert_array_equal(clf.predict(X), (X @ W.T + b).argmax(1))


def test_softmax_regression_is_gradient_descent_on_cross_entropy(blobs):
    X, y = blobs
    clf = SoftmaxRegression(**GD).fit(X, y)
    W, b, losses = reference_classifier(X, np.eye(3)[y], "softmax", 0.5, 0.01, 25)
    np.testing.assert_allclose(clf.coef_, W, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(clf.intercept_, b, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(clf.loss_curve_, losses, rtol=1e-9)
    assert clf.loss_curve_[0] == pytest.approx(np.log(3))
    np.testing.assert_allclose(clf.predict_proba(X), softmax(X @ W.T + b), rtol=1e-8)


def test_multi_label_is_gradient_descent_on_bce_per_label(blobs):
    X, y = blobs
    Y = np.column_stack([y == 0, y != 1, X[:, 2] > 0]).astype(int)  # any number of labels per sample
    clf = MultiLabelClassifier(**GD).fit(X, Y)
    W, b, losses = reference_classifier(X, Y.astype(float), "sigmoid", 0.5, 0.01, 25)
    np.testing.assert_allclose(clf.coef_, W, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(clf.loss_curve_, losses, rtol=1e-9)
    assert clf.loss_curve_[0] == pytest.approx(3 * np.log(2))  # three labels, each p̂ = 0.5
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    np.testing.assert_allclose(clf.predict_proba(X), sigmoid(X @ W.T + b), rtol=1e-8)
    np.testing.assert_array_equal(clf.predict(X), (sigmoid(X @ W.T + b) >= 0.5).astype(int))


def test_no_penalty_and_default_adam_learn_the_blobs(blobs):
    X, y = blobs
    for clf in (LogisticRegression(penalty=None, random_state=0), SoftmaxRegression(random_state=0)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            assert clf.fit(X, y).score(X, y) > 0.9


# ------------------------------------------------------------------------------------------ the notes' examples


def fitted_by_hand(estimator, coef, intercept, classes):
    """An estimator whose learned attributes are set directly, to evaluate the notes' given weights."""
    estimator.coef_, estimator.intercept_ = np.asarray(coef, float), np.asarray(intercept, float)
    estimator.classes_, estimator.n_features_in_ = np.asarray(classes), np.shape(coef)[1]
    return estimator


def test_notes_logistic_regression_example():
    clf = fitted_by_hand(LogisticRegression(), [[0.2, 0.5, -0.3]], [-0.1], ["not spam", "spam"])
    x = np.array([[1.0, 2.0, 0.0]])
    assert clf.decision_function(x)[0] == pytest.approx(1.1)  # z = 0.2 + 1.0 + 0 - 0.1
    p = clf.predict_proba(x)[0, 1]
    assert p == pytest.approx(1 / (1 + np.exp(-1.1))) and round(p, 2) == 0.75
    # the notes print ≈ 0.2877 (= -log 0.75) for y = 0; the loss for y = 0 is -log(1 - p̂)
    assert -np.log(clf.predict_proba(x)[0, 0]) == pytest.approx(1.3873, abs=1e-4)
    assert clf.predict(x)[0] == "spam"


def test_notes_softmax_predictions_from_logits():
    # with W = I and b = 0 the inputs are the logits themselves
    clf = fitted_by_hand(SoftmaxRegression(), np.eye(3), np.zeros(3), ["C", "Java", "Python"])
    logits = np.array([[0.4967, -0.1383, 0.6477], [1.5230, -0.2342, -0.2341], [1.5792, 0.7674, -0.4695]])
    np.testing.assert_array_equal(clf.predict(logits), ["Python", "C", "C"])
    np.testing.assert_allclose(clf.predict_proba(logits).sum(axis=1), 1.0)


def test_notes_multi_label_predictions():
    clf = fitted_by_hand(MultiLabelClassifier(), np.eye(3), np.zeros(3), [0, 1, 2])
    clf._multilabel = True
    logits = np.array([[2.0, -1.0, 0.5], [0.5, 1.5, 0.2], [-0.5, 0.3, 2.2]])
    # Post 1: [C, Python], Post 2: [C, Java, Python], Post 3: [Java, Python]
    np.testing.assert_array_equal(clf.predict(logits), [[1, 0, 1], [1, 1, 1], [0, 1, 1]])
    probabilities = np.array([[0.85, 0.15, 0.65], [0.25, 0.70, 0.40], [0.30, 0.45, 0.80]])
    # Post 1: [C, Python], Post 2: [Java], Post 3: [Python]
    np.testing.assert_array_equal(clf.predict(np.log(probabilities / (1 - probabilities))),
                                  [[1, 0, 1], [0, 1, 0], [0, 0, 1]])
    clf.threshold = 0.75
    np.testing.assert_array_equal(clf.predict(np.log(probabilities / (1 - probabilities))),
                                  [[1, 0, 0], [0, 0, 0], [0, 0, 1]])


# ------------------------------------------------------------------------------------------ hyper-parameters


@pytest.mark.parametrize("estimator, message", [
    (LinearRegression(solver="cholesky"), "solver"),
    (LinearRegression(solver="gd", learning_rate=0.0), "learning_rate"),
    (LinearRegression(solver="sgd", batch_size=0), "batch_size"),
    (LogisticRegression(penalty="l1"), "penalty"),
    (LogisticRegression(alpha=-1.0), "alpha"),
    (LogisticRegression(optimizer="lbfgs"), "optimizer"),
    (SoftmaxRegression(max_iter=0), "max_iter"),
    (SoftmaxRegression(tol=-1.0), "tol"),
    (MultiLabelClassifier(threshold=1.5), "threshold"),
])
def test_bad_hyper_parameters_raise_in_fit(blobs, estimator, message):
    X, y = blobs
    with pytest.raises(ValueError, match=message):
        estimator.fit(X, y)


def test_multi_label_rejects_targets_that_are_not_indicators(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="indicator matrix"):
        MultiLabelClassifier().fit(X, np.column_stack([y, y]))
