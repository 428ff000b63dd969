"""Learning on scikit-learn's bundled datasets: the accuracies the notes' models reach, and agreement with
scikit-learn's own models trained on the same splits."""
import warnings

import numpy as np
import pytest

from netgrad.estimators import (
    ConvergenceWarning,
    LinearRegression,
    LogisticRegression,
    MLPClassifier,
    MultiLabelClassifier,
    Perceptron,
    SoftmaxRegression,
)

sklearn = pytest.importorskip("sklearn")
from sklearn import datasets, linear_model, neural_network  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.multioutput import MultiOutputClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


def split(loader, stratify=True):
    X, y = loader(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0,
                                                        stratify=y if stratify else None)
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def agreement(ours, theirs, X):
    return float(np.mean(ours.predict(X) == theirs.predict(X)))


def test_logistic_regression_on_breast_cancer():
    X_train, X_test, y_train, y_test = split(datasets.load_breast_cancer)
    clf = LogisticRegression(random_state=0).fit(X_train, y_train)
    reference = linear_model.LogisticRegression().fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.95
    assert agreement(clf, reference, X_test) >= 0.95


def test_softmax_regression_on_iris():
    X_train, X_test, y_train, y_test = split(datasets.load_iris)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = SoftmaxRegression(random_state=0).fit(X_train, y_train)
    reference = linear_model.LogisticRegression().fit(X_train, y_train)  # multinomial, like ours
    assert clf.score(X_test, y_test) >= 0.90
    assert agreement(clf, reference, X_test) >= 0.95


def test_mlp_classifier_on_digits():
    X_train, X_test, y_train, y_test = split(datasets.load_digits)
    params = dict(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=40, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(**params).fit(X_train, y_train)
        reference = neural_network.MLPClassifier(**params).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.95
    assert agreement(clf, reference, X_test) >= 0.95


def test_linear_regression_on_diabetes_matches_scikit_learn():
    X_train, X_test, y_train, y_test = split(datasets.load_diabetes, stratify=False)
    reference = linear_model.LinearRegression().fit(X_train, y_train)
    for solver in ("normal", "lstsq"):
        model = LinearRegression(solver=solver).fit(X_train, y_train)
        np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-8)
        assert model.intercept_ == pytest.approx(reference.intercept_, rel=1e-10)
    sgd = LinearRegression(solver="sgd", learning_rate=0.01, max_iter=500, random_state=0).fit(X_train, y_train)
    assert sgd.score(X_test, y_test) == pytest.approx(reference.score(X_test, y_test), abs=0.02)


def test_multi_label_on_digits_properties():
    X_train, X_test, y_train, y_test = split(datasets.load_digits)

    def labels(digits):  # even, at least 5, prime: any number of them per image
        return np.column_stack([digits % 2 == 0, digits >= 5, np.isin(digits, [2, 3, 5, 7])]).astype(int)

    clf = MultiLabelClassifier(random_state=0).fit(X_train, labels(y_train))
    reference = MultiOutputClassifier(linear_model.LogisticRegression(max_iter=1000)).fit(X_train, labels(y_train))
    predicted = clf.predict(X_test)
    assert (predicted == labels(y_test)).mean() >= 0.9  # a linear model per label
    assert (predicted == reference.predict(X_test)).mean() >= 0.95


def test_perceptron_separates_setosa():
    X, y = datasets.load_iris(return_X_y=True)
    X, y = X[:100, [0, 2]], y[:100]  # setosa vs versicolor on sepal and petal length: linearly separable
    clf = Perceptron(random_state=0).fit(X, y)
    assert clf.score(X, y) == 1.0
    assert clf.errors_[-1] == 0
