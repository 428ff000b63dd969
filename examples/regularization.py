"""Stabilising and regularising an over-fitting network: batch norm, dropout, L2 and early stopping.

A network far too big for its data (64-256-256-10 on 200 training digits) learns the training set by
heart: its training loss goes to 0 while the validation loss, after a while, goes up again. The notes'
remedies, each added on its own:

- L2: minimise loss + (λ/2) ||w||², whose gradient adds λ w (weight decay): smaller weights, smoother fit.
  Here ``penalty=lambda model: l2_penalty(model, λ / 2)`` in the Trainer;
- dropout: each hidden output is zeroed with probability p while training (the rest scaled by 1/(1-p)),
  which stops neurons from relying on each other; at inference it does nothing;
- batch normalisation: each hidden layer's pre-activations are standardised over the batch
  (x̂ = (x - μ_B) / sqrt(σ_B² + ε), then γ x̂ + β), which lets larger learning rates train stably;
- early stopping: watch the validation loss and stop (restoring the best weights) once it has not improved
  for a few epochs.

The script prints the final training and validation scores of each variant and saves the validation
cross-entropy curves in ``<out>/regularization.png``: the unregularised curve bottoms out and climbs
back; which remedy helps most depends on the problem, so compare the curves.

Run it with::

    python examples/regularization.py --out netgrad-examples/
"""
from __future__ import annotations

import argparse
import os

import numpy as np

import netgrad
from netgrad import nn, optim
from netgrad.data import StandardScaler, load_digits, train_test_split
from netgrad.nn.utils import l2_penalty
from netgrad.training import EarlyStopping, Trainer


def network(dropout: float = 0.0, batch_norm: bool = False) -> nn.Sequential:
    layers, width = [], 64
    for units in (256, 256):
        layers.append(nn.Linear(width, units))
        if batch_norm:
            layers.append(nn.BatchNorm1d(units))
        layers.append(nn.ReLU())
        if dropout:
            layers.append(nn.Dropout(dropout))
        width = units
    return nn.Sequential(*layers, nn.Linear(width, 10))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the picture")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--train-size", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    X, y = load_digits()
    X_train, X_val, y_train, y_val = train_test_split(X, y, train_size=args.train_size, test_size=500,
                                                      random_state=args.seed, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train, X_val = scaler.transform(X_train).astype(np.float32), scaler.transform(X_val).astype(np.float32)

    # {name: (network options, Trainer options)}
    variants = {
        "no regularisation": ({}, {}),
        "L2 (λ = 0.01)": ({}, {"penalty": lambda model: l2_penalty(model, 0.01 / 2)}),
        "dropout 0.5": ({"dropout": 0.5}, {}),
        "batch norm": ({"batch_norm": True}, {}),
        "early stopping": ({}, {"callbacks": [EarlyStopping(patience=5, restore_best_weights=True)]}),
    }
    curves = {}
    print(f"{len(X_train)} training digits, {len(X_val)} validation digits, 64-256-256-10, Adam, up to "
          f"{args.epochs} epochs")
    print(f"{'variant':18s} {'epochs':>6s} {'train acc':>9s} {'val acc':>8s} {'val cross-entropy':>18s}")
    for name, (layers, options) in variants.items():
        netgrad.manual_seed(args.seed)  # the same initial weights and batches for every variant
        model = network(**layers)
        trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3),
                          metrics=["accuracy", "log_loss"], **options)
        history = trainer.fit((X_train, y_train), epochs=args.epochs, batch_size=32,
                              validation_data=(X_val, y_val), verbose=0)
        scores = trainer.evaluate((X_val, y_val))
        train_scores = trainer.evaluate((X_train, y_train))
        curves[name] = history.history["val_log_loss"]  # cross-entropy alone (val_loss also holds the L2 term)
        print(f"{name:18s} {len(history.epoch):6d} {train_scores['accuracy'] * 100:8.1f}% "
              f"{scores['accuracy'] * 100:7.1f}% {scores['log_loss']:18.4f}")

    try:
        from netgrad.viz import plot_optimizer_comparison
    except ImportError as err:
        print(f"picture skipped: {err}")
        return
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "regularization.png")
    fig = plot_optimizer_comparison(curves, path=path, log_scale=True,
                                    title="validation cross-entropy of an over-fitting network")
    fig.axes[0].set_ylabel("validation cross-entropy")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
