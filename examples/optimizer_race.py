"""The optimizer race of the lecture notes: the same network trained by every "faster optimizer".

SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam, Nadam, AdaMax and AMSGrad each train the same small
network (2-32-32-2, tanh) from the same initial weights, on the same mini-batches of the two-spirals
dataset. The script prints a table of final losses and accuracies and, when matplotlib is installed,
saves the loss curves side by side (one panel per optimizer, the others in grey behind it) in
``<out>/optimizer_race.png``. Compare with the notes' table: plain SGD is slow, AdaGrad's steps shrink
until it stalls, and the adaptive methods with momentum (Adam, Nadam) get furthest.

Run it with::

    python examples/optimizer_race.py --out netgrad-examples/ --epochs 100
"""
from __future__ import annotations

import argparse
import os
import time

import netgrad
from netgrad import nn, optim
from netgrad.data import make_spiral
from netgrad.training import Trainer

# The notes' names, each with a learning rate that suits it on this problem.
OPTIMIZERS = {
    "SGD": lambda params: optim.SGD(params, lr=0.1),
    "Momentum": lambda params: optim.SGD(params, lr=0.1, momentum=0.9),
    "Nesterov": lambda params: optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True),
    "AdaGrad": lambda params: optim.Adagrad(params, lr=0.1),
    "RMSprop": lambda params: optim.RMSprop(params, lr=0.01),
    "Adam": lambda params: optim.Adam(params, lr=0.01),
    "Nadam": lambda params: optim.NAdam(params, lr=0.01),
    "AdaMax": lambda params: optim.Adamax(params, lr=0.02),
    "AMSGrad": lambda params: optim.Adam(params, lr=0.01, amsgrad=True),
}


def race(epochs: int = 100, batch_size: int = 32, seed: int = 0) -> dict[str, dict]:
    """Train one network per optimizer; returns ``{name: {"history": History, "seconds": float}}``."""
    X, y = make_spiral(n_samples=400, noise=0.0, seed=seed)
    results = {}
    for name, make_optimizer in OPTIMIZERS.items():
        netgrad.manual_seed(seed)  # the same initial weights and the same batches for every optimizer
        model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 2))
        trainer = Trainer(model, nn.CrossEntropyLoss(), make_optimizer(model.parameters()), metrics=["accuracy"])
        start = time.perf_counter()
        history = trainer.fit((X, y), epochs=epochs, batch_size=batch_size, verbose=0)
        results[name] = {"history": history, "seconds": time.perf_counter() - start}
    return results


def print_table(results: dict[str, dict]) -> None:
    print(f"{'optimizer':<10} {'final loss':>11} {'accuracy':>9} {'best loss':>10} {'seconds':>8}")
    for name, result in sorted(results.items(), key=lambda item: item[1]["history"].history["loss"][-1]):
        logs = result["history"].history
        print(f"{name:<10} {logs['loss'][-1]:>11.4f} {logs['accuracy'][-1]:>9.3f} {min(logs['loss']):>10.4f} "
              f"{result['seconds']:>8.2f}")


def plot(results: dict[str, dict], out: str) -> str | None:
    """Save the loss curves to ``out/optimizer_race.png``; None when matplotlib is missing."""
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no picture (pip install matplotlib)")
        return None
    matplotlib.use("Agg")  # no window: the picture goes to a file
    import matplotlib.pyplot as plt

    from netgrad.viz._backend import integer_ticks

    curves = {name: result["history"].history["loss"] for name, result in results.items()}
    columns = 3
    rows = -(-len(curves) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.4 * rows), sharex=True, sharey=True)
    for ax, (name, losses) in zip(axes.flat, curves.items()):
        for other in curves.values():  # every run in grey, for comparison
            ax.plot(range(1, len(other) + 1), other, color="0.85", linewidth=1)
        ax.plot(range(1, len(losses) + 1), losses, color="#0877bd", linewidth=1.8)
        ax.set_title(f"{name}: {losses[-1]:.3f}", fontsize=10)
        ax.set_yscale("log")
        ax.grid(alpha=0.3, which="both")
    for ax in axes.flat[len(curves):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("epoch")
        integer_ticks(ax)
    for ax in axes[:, 0]:
        ax.set_ylabel("training loss")
    figure.suptitle("The optimizer race: two spirals, same start, same mini-batches")
    figure.tight_layout()
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "optimizer_race.png")
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the picture")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    results = race(args.epochs, args.batch_size, args.seed)
    print_table(results)
    path = plot(results, args.out)
    if path:
        print(f"loss curves saved to {path}")


if __name__ == "__main__":
    main()
