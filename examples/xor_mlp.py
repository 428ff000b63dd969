"""XOR needs a hidden layer: one neuron draws a straight line, an MLP bends it.

The notes' decision boundaries: a single neuron (logistic regression) separates AND and OR with a straight
line w1 x1 + w2 x2 + b = 0, but no line separates XOR, whose positive corners (0, 1) and (1, 0) sit
diagonally between the negative ones: the best a line can do is 3 corners out of 4 (and gradient descent on
cross-entropy, pulled equally by all four, settles near p = 0.5 everywhere). A hidden layer with a
non-linear activation (here 2-4-2 with tanh) learns XOR exactly.

The script trains the four models through the Trainer on noisy copies of the corners, prints how each
classifies the truth table, and saves the four decision boundaries in ``<out>/xor_mlp.png``.

Run it with::

    python examples/xor_mlp.py --out netgrad-examples/
"""
from __future__ import annotations

import argparse
import os

import numpy as np

import netgrad
from netgrad import nn, optim
from netgrad.data import make_and, make_or, make_xor
from netgrad.training import Trainer

CORNERS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)


def train(model: nn.Module, X: np.ndarray, y: np.ndarray, epochs: int) -> nn.Module:
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.05), metrics=["accuracy"])
    trainer.fit((X, y), epochs=epochs, batch_size=32, verbose=0)
    return model


def classify(model: nn.Module, X: np.ndarray) -> np.ndarray:
    model.eval()
    with netgrad.no_grad():
        return model(netgrad.tensor(X)).argmax(dim=1).numpy()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the picture")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    runs = []
    for name, make, hidden in (("AND", make_and, False), ("OR", make_or, False), ("XOR", make_xor, False),
                               ("XOR", make_xor, True)):
        netgrad.manual_seed(args.seed)
        X, y = make(200, noise=0.1, seed=args.seed)
        model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2)) if hidden else nn.Linear(2, 2)
        train(model, X, y, args.epochs)
        truth = make(4)[1]
        predicted = classify(model, CORNERS)
        kind = "MLP 2-4-2 (tanh)" if hidden else "one neuron (linear)"
        correct = int((predicted == truth).sum())
        print(f"{name:3s} with {kind:20s}: truth table {truth.tolist()}, predicted {predicted.tolist()} "
              f"-> {correct}/4 corners, {np.mean(classify(model, X) == y) * 100:.0f} % of the noisy points")
        runs.append((f"{name}: {kind}", model, X, y))
    assert runs[3][1] is not None and (classify(runs[3][1], CORNERS) == make_xor(4)[1]).all()

    try:
        from netgrad import viz
        from netgrad.viz._backend import pyplot
        plt = pyplot()
    except ImportError as err:
        print(f"picture skipped: {err}")
        return
    fig, axes = plt.subplots(1, 4, figsize=(16, 4))
    for ax, (title, model, X, y) in zip(axes, runs):
        viz.plot_decision_boundary(model, X, y, ax=ax, title=title)
    fig.tight_layout()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "xor_mlp.png")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
