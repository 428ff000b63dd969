"""Weight initialisation: constant, N(0, 0.01), Glorot, He and LeCun on a 10-layer ReLU network.

The notes' table of initialisations, each a normal distribution N(0, σ²) scaled to the layer's fan-in
and fan-out so that the signal keeps its size from layer to layer:

    Glorot  σ² = 1 / fan_avg   for no activation, tanh, logistic, softmax
    He      σ² = 2 / fan_in    for ReLU and its variants
    LeCun   σ² = 1 / fan_in    for SELU

and the two the notes warn about:

- constant: every neuron of a layer computes the same output, gets the same gradient and the same update,
  so the neurons stay identical for ever; "symmetry" never breaks and the layer is as good as one neuron;
- N(0, 0.01): fine for small networks, but in a deep one each layer shrinks the signal (here by about
  0.01 * sqrt(64 / 2) ≈ 0.06), so activations and gradients vanish.

The script builds the same 64-64x10-10 ReLU network with each scheme, measures the standard deviation of
every layer's activations at initialisation, trains each for a few epochs on the digits with Adam through
the Trainer, and checks with ``netgrad.diagnostics.neuron_spread`` whether the neurons of a layer still
differ. Picture: ``<out>/initialization.png``.

Run it with::

    python examples/initialization.py --out netgrad-examples/
"""
from __future__ import annotations

import argparse
import os

import numpy as np

import netgrad
from netgrad import diagnostics, nn, optim
from netgrad.data import StandardScaler, load_digits, train_test_split
from netgrad.training import Trainer

SCHEMES = {
    "constant 0.05": lambda w: nn.init.constant_(w, 0.05),
    "N(0, 0.01)": lambda w: nn.init.normal_(w, 0.0, 0.01),
    "Glorot": nn.init.xavier_normal_,
    "He": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
    "LeCun": nn.init.lecun_normal_,
}


def network(init, depth: int = 10, width: int = 64) -> nn.Sequential:
    layers, fan_in = [], 64
    for _ in range(depth):
        linear = nn.Linear(fan_in, width)
        init(linear.weight)
        nn.init.zeros_(linear.bias)
        layers += [linear, nn.ReLU()]
        fan_in = width
    output = nn.Linear(fan_in, 10)
    init(output.weight)
    nn.init.zeros_(output.bias)
    return nn.Sequential(*layers, output)


def identical(spread: float) -> str:
    """Neurons whose weights differ by float32 rounding only (about 1e-8 here) are still clones."""
    if spread < 1e-6:
        return f"identical (spread {spread:.1g}: rounding only)"
    return f"differ (spread {spread:.2f})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the picture")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=args.seed, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train).astype(np.float32), scaler.transform(X_test).astype(np.float32)

    results = {}
    print(f"{'scheme':14s} {'std of activations: layer 1, 5, 10':>36s}   {'test acc':>8s}   layer-2 neurons")
    for name, init in SCHEMES.items():
        netgrad.manual_seed(args.seed)
        model = network(init)
        stats = diagnostics.layer_statistics(model, X_train[:512])
        stds = [s.activation_std for s in stats.values()][:10]
        trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-3), metrics=["accuracy"])
        history = trainer.fit((X_train, y_train), epochs=args.epochs, batch_size=64, validation_data=(X_test, y_test),
                              verbose=0)
        spread = diagnostics.neuron_spread(model[2].weight)
        results[name] = (stds, history.history["val_accuracy"])
        accuracy = history.history["val_accuracy"][-1] * 100
        print(f"{name:14s} {stds[0]:12.3g} {stds[4]:11.3g} {stds[9]:11.3g}   {accuracy:7.1f} %"
              f"   {identical(spread)}")
    assert diagnostics.neuron_spread(network(SCHEMES["constant 0.05"])[2].weight) == 0.0
    print("(Glorot and LeCun coincide on square 64x64 layers, where fan_avg = fan_in; they differ at the output)")

    try:
        from netgrad.viz._backend import CLASS_COLORS, integer_ticks, pyplot
        plt = pyplot()
    except ImportError as err:
        print(f"picture skipped: {err}")
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for (name, (stds, accuracy)), color in zip(results.items(), CLASS_COLORS):
        left.semilogy(np.arange(1, 11), np.maximum(stds, 1e-30), marker="o", color=color, label=name)
        right.plot(np.arange(1, len(accuracy) + 1), np.array(accuracy) * 100, marker="o", markersize=3, color=color,
                   label=name)
    left.set_xlabel("hidden layer")
    left.set_ylabel("std of the activations at initialisation")
    left.set_title("10 ReLU layers: does the signal keep its size?")
    left.legend(fontsize=8)
    right.set_xlabel("epoch")
    integer_ticks(right)
    right.set_ylabel("test accuracy (%)")
    right.set_title("digits, Adam")
    right.legend(fontsize=8)
    fig.tight_layout()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "initialization.png")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
