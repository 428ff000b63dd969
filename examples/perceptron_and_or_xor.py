"""Rosenblatt's perceptron on the notes' three logic gates: AND and OR are learned, XOR is not.

The perceptron f(x) = 1 if w·x + b > 0 else 0 is trained with its own rule, w ← w + η (y - ŷ) x, until an
epoch passes without a mistake. AND and OR are linearly separable, so it stops after a few epochs with
every point right; no line separates XOR's classes, so it runs out of epochs and warns that it did not
converge. A multilayer perceptron (one hidden layer) then learns XOR. The script prints the truth tables,
the learned lines w1·x1 + w2·x2 + b = 0 and the mistakes per epoch, and saves the decision regions in
``<out>/perceptron_and_or_xor.png`` when matplotlib is installed.

Run it with::

    python examples/perceptron_and_or_xor.py --out netgrad-examples/
"""
from __future__ import annotations

import argparse
import os
import warnings

import numpy as np

from netgrad.estimators import ConvergenceWarning, MLPClassifier, Perceptron

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
GATES = {"AND": np.array([0, 0, 0, 1]), "OR": np.array([0, 1, 1, 1]), "XOR": np.array([0, 1, 1, 0])}


def train_gates(max_iter: int = 100, seed: int = 0) -> dict[str, dict]:
    """Fit a Perceptron to each gate; returns ``{gate: {"model", "warning"}}``."""
    results = {}
    for gate, y in GATES.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model = Perceptron(max_iter=max_iter, random_state=seed).fit(X, y)
        messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
        results[gate] = {"model": model, "warning": messages[0] if messages else None}
    return results


def report(results: dict[str, dict]) -> None:
    for gate, result in results.items():
        model, y = result["model"], GATES[gate]
        (w1, w2), b = model.coef_[0], model.intercept_[0]
        print(f"\n{gate}: {model.n_iter_} epoch(s), accuracy {model.score(X, y):.0%}; "
              f"line {w1:+.0f}·x1 {w2:+.0f}·x2 {b:+.0f} = 0")
        print("  x1 x2 | y  ŷ")
        for (x1, x2), target, predicted in zip(X.astype(int), y, model.predict(X)):
            print(f"   {x1}  {x2} | {target}  {predicted}{'' if target == predicted else '  ✗'}")
        shown = model.errors_ if len(model.errors_) <= 12 else model.errors_[:6] + ["..."] + model.errors_[-3:]
        print(f"  mistakes per epoch: {shown}")
        if result["warning"]:
            print(f"  ConvergenceWarning: {result['warning']}")


def solve_xor_with_an_mlp(seed: int = 0) -> MLPClassifier:
    """One hidden layer of four tanh units is enough for XOR."""
    mlp = MLPClassifier(hidden_layer_sizes=(4,), activation="tanh", learning_rate_init=0.1, max_iter=500,
                        tol=1e-6, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, GATES["XOR"])
    print(f"\nXOR with MLPClassifier(hidden_layer_sizes=(4,)): accuracy {mlp.score(X, GATES['XOR']):.0%} "
          f"after {mlp.n_iter_} epochs; p(1) = {np.round(mlp.predict_proba(X)[:, 1], 3).tolist()}")
    return mlp


def plot(results: dict[str, dict], mlp: MLPClassifier, out: str) -> str | None:
    """Decision regions of the three perceptrons and of the MLP on XOR; None without matplotlib."""
    from netgrad import viz

    try:
        plt = viz._backend.pyplot()
    except ImportError as err:
        print(f"no picture: {err}")
        return None
    panels = [(f"Perceptron: {gate}", result["model"], GATES[gate]) for gate, result in results.items()]
    panels.append(("MLP (4 tanh units): XOR", mlp, GATES["XOR"]))
    figure, axes = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 3.4))
    for ax, (title, model, y) in zip(axes, panels):
        # a perceptron has no probabilities: its 0 / 1 predictions colour the regions
        scores = model.predict_proba if hasattr(model, "predict_proba") else model.predict
        viz.plot_decision_boundary(scores, X, y, ax=ax, margin=0.25, title=f"{title} ({model.score(X, y):.0%})",
                                   feature_names=["x1", "x2"])
        ax.set_aspect("equal")
    figure.tight_layout()
    path = os.path.join(out, "perceptron_and_or_xor.png")
    viz._backend.finish(figure, path)
    plt.close(figure)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the picture")
    parser.add_argument("--max-iter", type=int, default=100, help="epochs before the perceptron gives up")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    results = train_gates(args.max_iter, args.seed)
    report(results)
    mlp = solve_xor_with_an_mlp(args.seed)
    path = plot(results, mlp, args.out)
    if path:
        print(f"\ndecision regions saved to {path}")


if __name__ == "__main__":
    main()
