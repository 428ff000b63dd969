"""The activation zoo: each function beside its derivative, and how each trains the same network.

The notes' activations and the derivatives that backpropagation multiplies by:

    sigmoid  g' = g (1 - g) <= 1/4      tanh   g' = 1 - g^2 <= 1
    ReLU     g' = 1 for z > 0, else 0   Leaky ReLU  g' = 1 or α (α = 0.01)
    ELU, SELU (scaled ELU, for LeCun-initialised self-normalising networks), GELU = z Φ(z),
    SiLU = z σ(z), softplus, Mish, RReLU (α random while training), PReLU (α learned).

The first picture, ``<out>/activation_zoo.png``, draws each closed form (lines) with netgrad's module and
its ``backward()`` on top (dots): they agree. Then the same 2-32-32-2 network learns the two spirals with
each hidden activation (same initial weights, same batches, Adam), and ``<out>/activation_zoo_spiral.png``
shows a few decision boundaries. PReLU's learned slopes are printed.

Run it with::

    python examples/activation_zoo.py --out netgrad-examples/
"""
from __future__ import annotations

import argparse
import os

import numpy as np

import netgrad
from netgrad import nn, optim, viz
from netgrad.data import make_spiral
from netgrad.training import Trainer

MODULES = {
    "step": nn.Step, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU, "selu": nn.SELU, "gelu": nn.GELU, "silu": nn.SiLU, "softplus": nn.Softplus, "mish": nn.Mish,
}
# the race: every trainable activation, plus the two with a random or learned negative slope
RACE = {name: cls for name, cls in MODULES.items() if name != "step"} | {"rrelu": nn.RReLU, "prelu": nn.PReLU}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the pictures")
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    z = np.linspace(-3, 3, 13) + 0.01
    print(f"{'activation':11s} {'max |closed form - netgrad|':>28s} {'max |g_closed - backward()|':>28s}")
    for name, cls in MODULES.items():
        values, slopes = viz.autograd_derivative(cls(), z)
        closed = viz.ACTIVATIONS[name]
        print(f"{name:11s} {np.abs(values - closed.function(z)).max():28.2e} "
              f"{np.abs(slopes - closed.derivative(z)).max():28.2e}")

    X, y = make_spiral(400, noise=0.0, seed=args.seed)
    results = {}
    print(f"\ntwo spirals, 2-32-32-2, Adam, {args.epochs} epochs:")
    for name, cls in RACE.items():
        netgrad.manual_seed(args.seed)
        model = nn.Sequential(nn.Linear(2, 32), cls(), nn.Linear(32, 32), cls(), nn.Linear(32, 2))
        trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01), metrics=["accuracy"])
        history = trainer.fit((X, y), epochs=args.epochs, batch_size=32, verbose=0)
        results[name] = (model, history.history["accuracy"][-1], history.history["loss"][-1])
        extra = ""
        if name == "prelu":
            slopes = [m.weight.item() for m in model if isinstance(m, nn.PReLU)]
            extra = "   learned slopes α = " + ", ".join(f"{alpha:.3f}" for alpha in slopes)
        print(f"  {name:11s} accuracy {results[name][1] * 100:5.1f} %   loss {results[name][2]:.4f}{extra}")

    try:
        from netgrad.viz._backend import pyplot
        plt = pyplot()
    except ImportError as err:
        print(f"pictures skipped: {err}")
        return
    os.makedirs(args.out, exist_ok=True)
    paths = [os.path.join(args.out, "activation_zoo.png"), os.path.join(args.out, "activation_zoo_spiral.png")]
    viz.plot_activations(list(MODULES), paths[0], netgrad_functions={name: cls() for name, cls in MODULES.items()})
    shown = ["sigmoid", "tanh", "relu", "gelu"]
    fig, axes = plt.subplots(1, len(shown), figsize=(4 * len(shown), 3.8))
    for ax, name in zip(axes, shown):
        model, accuracy, _ = results[name]
        viz.plot_decision_boundary(model, X, y, ax=ax, title=f"{name}: {accuracy * 100:.0f} %")
    fig.tight_layout()
    fig.savefig(paths[1], dpi=100, bbox_inches="tight")
    plt.close("all")
    print("wrote " + ", ".join(paths))


if __name__ == "__main__":
    main()
