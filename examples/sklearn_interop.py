"""netgrad's estimators inside scikit-learn: Pipeline, cross_val_score, GridSearchCV, clone.

netgrad's estimators follow scikit-learn's contract, so its tools take them as they are:

1. ``cross_val_score`` of ``make_pipeline(StandardScaler(), MLPClassifier(...))`` on the breast-cancer
   data, next to scikit-learn's own ``MLPClassifier`` with the same hyper-parameters;
2. ``GridSearchCV`` over the L2 strength of netgrad's ``SoftmaxRegression`` on the wine data;
3. a custom ``netgrad.nn.Module`` wrapped by ``NeuralNetClassifier`` and tuned by ``GridSearchCV`` over
   its ``module__hidden`` size and the learning rate, as skorch does for PyTorch modules.

Needs scikit-learn (``pip install netgrad[datasets]``). Prints its results; writes no files (``--out`` is
accepted for uniformity with the other examples).

Run it with::

    python examples/sklearn_interop.py
"""
from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np

from netgrad import nn
from netgrad.estimators import ConvergenceWarning, MLPClassifier, NeuralNetClassifier, SoftmaxRegression


class TwoLayerNet(nn.Module):
    """in_features → hidden (ReLU) → out_features logits; in/out sizes come from the data at fit."""

    def __init__(self, in_features: int, out_features: int, hidden: int = 16) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, out_features))

    def forward(self, x):
        return self.layers(x)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="unused: this example writes no files")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        from sklearn import neural_network
        from sklearn.base import clone
        from sklearn.datasets import load_breast_cancer, load_wine
        from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
    except ImportError:
        print("This example needs scikit-learn: pip install netgrad[datasets]")
        sys.exit(0)
    warnings.simplefilter("ignore", ConvergenceWarning)

    # 1. cross-validation of a pipeline
    X, y = load_breast_cancer(return_X_y=True)
    params = dict(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=50, random_state=args.seed)
    ours = make_pipeline(StandardScaler(), MLPClassifier(**params))
    theirs = make_pipeline(StandardScaler(), neural_network.MLPClassifier(**params))
    print("1. cross_val_score(make_pipeline(StandardScaler(), MLPClassifier(...)), breast cancer, cv=5)")
    for name, pipeline in (("netgrad", ours), ("scikit-learn", theirs)):
        scores = cross_val_score(pipeline, X, y, cv=5)
        print(f"   {name:<13} accuracy {scores.mean():.3f} ± {scores.std():.3f}  ({np.round(scores, 3).tolist()})")

    # 2. grid search over a hyper-parameter of a netgrad estimator inside a pipeline
    X, y = load_wine(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=args.seed)
    search = GridSearchCV(make_pipeline(StandardScaler(), SoftmaxRegression(max_iter=100, random_state=args.seed)),
                          {"softmaxregression__alpha": [1e-4, 1e-2, 1.0]}, cv=3)
    search.fit(X_train, y_train)
    print("\n2. GridSearchCV(make_pipeline(StandardScaler(), SoftmaxRegression()), alpha), wine")
    for alpha, score in zip(search.cv_results_["param_softmaxregression__alpha"],
                            search.cv_results_["mean_test_score"]):
        print(f"   alpha = {alpha:<7} mean CV accuracy {score:.3f}")
    print(f"   best {search.best_params_}; test accuracy {search.score(X_test, y_test):.3f}")

    # 3. a custom module, wrapped and tuned
    net = NeuralNetClassifier(TwoLayerNet, optimizer="adam", lr=0.01, max_epochs=30, batch_size=32,
                              random_state=args.seed)
    search = GridSearchCV(make_pipeline(StandardScaler(), net),
                          {"neuralnetclassifier__module__hidden": [4, 32],
                           "neuralnetclassifier__lr": [0.001, 0.01]}, cv=3)
    search.fit(X_train, y_train)
    print("\n3. GridSearchCV over NeuralNetClassifier(TwoLayerNet) module__hidden and lr, wine")
    for candidate, score in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
        shown = {key.split("__", 1)[1]: value for key, value in candidate.items()}
        print(f"   {shown}  mean CV accuracy {score:.3f}")
    best = search.best_estimator_[-1]
    print(f"   best {search.best_params_}; test accuracy {search.score(X_test, y_test):.3f}")
    print("   the refitted module:", str(best.module_.layers).replace("\n", "\n   "))

    # clone copies the hyper-parameters, prefixed ones included, and none of the learned state
    copy = clone(best)
    print(f"\nclone(best).get_params()['module__hidden'] = {copy.get_params()['module__hidden']}; "
          f"fitted: {hasattr(copy, 'module_')}")


if __name__ == "__main__":
    main()
