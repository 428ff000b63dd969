"""Batch, mini-batch and stochastic gradient descent on the same linear regression.

The notes' three variants differ only in how many samples each update looks at:

- batch gradient descent: the whole training set, one update per epoch (the notes' table: all 12
  observations in each update);
- mini-batch gradient descent: a few samples per update (batch size 3 gives 4 updates per epoch of 12);
- stochastic gradient descent: one random sample per update, n updates per epoch.

Smaller batches make more (and noisier) updates per epoch: they get close to the minimum in fewer epochs
but wander around it; the full batch walks straight but slowly. The script trains y ≈ θ0 + θ1 x on
noisy data from y = 4 + 3x with the Trainer and plain SGD (learning rate 0.05) for each batch size,
records θ after every update with a callback, prints the result next to the normal-equation solution, and
saves the loss curves and the three paths over the loss surface in ``<out>/gradient_descent_variants.png``.

Run it with::

    python examples/gradient_descent_variants.py --out netgrad-examples/
"""
from __future__ import annotations

import argparse
import os

import numpy as np

import netgrad
from netgrad import nn, optim
from netgrad.training import Callback, Trainer


class RecordParameters(Callback):
    """Keeps (θ0, θ1) = (bias, weight) after every update: the path gradient descent takes."""

    def on_train_begin(self, logs=None):
        self.path = [self._theta()]

    def on_train_batch_end(self, batch, logs=None):
        self.path.append(self._theta())

    def _theta(self):
        return (self.model.bias.item(), self.model.weight.item())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the picture")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    n = 120
    X = rng.uniform(0, 2, (n, 1)).astype(np.float32)
    y = (4 + 3 * X + rng.normal(0, 0.5, (n, 1))).astype(np.float32)
    design = np.hstack([np.ones((n, 1)), X])
    theta_best = np.linalg.solve(design.T @ design, design.T @ y)[:, 0]  # the normal equation
    print(f"normal equation: θ0 = {theta_best[0]:.3f}, θ1 = {theta_best[1]:.3f}")

    runs = {}
    for name, batch_size in (("batch", n), ("mini-batch (32)", 32), ("stochastic (1)", 1)):
        netgrad.manual_seed(args.seed)
        model = nn.Linear(1, 1)
        with netgrad.no_grad():  # the same start for everyone, far from the answer
            model.weight.fill_(-1.0)
            model.bias.fill_(0.0)
        recorder = RecordParameters()
        trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=args.lr), callbacks=[recorder])
        history = trainer.fit((X, y), epochs=args.epochs, batch_size=batch_size, verbose=0)
        updates = len(recorder.path) - 1
        theta = recorder.path[-1]
        runs[name] = (history.history["loss"], np.array(recorder.path), updates)
        print(f"{name:16s}: {updates // args.epochs:4d} updates per epoch, {updates:5d} in all; after {args.epochs} "
              f"epochs θ0 = {theta[0]:.3f}, θ1 = {theta[1]:.3f}, loss {history.history['loss'][-1]:.4f}")

    try:
        from netgrad.viz._backend import CLASS_COLORS, integer_ticks, pyplot
        plt = pyplot()
    except ImportError as err:
        print(f"picture skipped: {err}")
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for (name, (losses, path, _)), color in zip(runs.items(), CLASS_COLORS[1:]):
        left.plot(np.arange(1, len(losses) + 1), losses, marker="o", markersize=3, color=color, label=name)
        right.plot(path[:, 0], path[:, 1], "-", color=color, linewidth=1, alpha=0.85, label=name)
    left.set_yscale("log")
    left.set_xlabel("epoch")
    integer_ticks(left)
    left.set_ylabel("training loss (MSE)")
    left.set_title("loss per epoch")
    left.legend()
    b0, b1 = np.meshgrid(np.linspace(-0.5, 6, 120), np.linspace(-1.5, 5, 120))
    residual = b0[..., None] + b1[..., None] * X[:, 0] - y[:, 0]
    right.contour(b0, b1, np.mean(residual ** 2, axis=-1), levels=np.logspace(-0.5, 2, 12), colors="#b0b0b0",
                  linewidths=0.7)
    right.scatter(*theta_best, marker="*", s=150, color="black", zorder=5, label="normal equation")
    right.scatter([0], [-1], color="black", s=20, zorder=5)
    right.set_xlabel("θ0 (bias)")
    right.set_ylabel("θ1 (weight)")
    right.set_title("paths over the loss surface")
    right.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "gradient_descent_variants.png")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
