"""scikit-learn-style estimators: the notes' classic models with ``fit`` / ``predict`` / ``score``.

They follow scikit-learn's estimator contract (hyper-parameters in ``__init__``, ``fit`` returns ``self``,
learned attributes end in ``_``), so they work with ``Pipeline``, ``GridSearchCV`` and ``cross_val_score``,
and every gradient-trained one trains through :class:`netgrad.training.Trainer`.

>>> from netgrad.estimators import LogisticRegression
>>> clf = LogisticRegression(random_state=0).fit(X_train, y_train)
>>> clf.score(X_test, y_test)
"""
from .base import ConvergenceWarning, NotFittedError
from .linear import LinearRegression, LogisticRegression, MultiLabelClassifier, SoftmaxRegression
from .mlp import MLPClassifier, MLPRegressor
from .perceptron import Perceptron, PerceptronCriterion
from .wrappers import NeuralNetClassifier, NeuralNetRegressor

__all__ = [
    "Perceptron",
    "PerceptronCriterion",
    "LinearRegression",
    "LogisticRegression",
    "SoftmaxRegression",
    "MultiLabelClassifier",
    "MLPClassifier",
    "MLPRegressor",
    "NeuralNetClassifier",
    "NeuralNetRegressor",
    "ConvergenceWarning",
    "NotFittedError",
]
