"""Vanishing and exploding gradients: the notes' deep chain, then sigmoid against ReLU in 20 layers.

1. The notes' chain of 100 layers with one neuron each, no bias, linear activation: a_{l+1} = w a_l. The
   output and the gradient reaching the first layer are both w^100: 1.5^100 ≈ 4.07e17 (exploding) and
   0.5^100 ≈ 7.9e-31 (vanishing). netgrad's autograd computes them exactly.
2. A 20-layer MLP (width 64) on the digits. With sigmoid (and Glorot initialisation) every layer multiplies
   the backward signal by at most sigmoid' <= 1/4: the first layer's gradient is many orders of magnitude
   smaller than the last one's, so the first layers barely learn. With ReLU and He initialisation the
   gradient keeps its size from layer to layer. ``netgrad.diagnostics`` measures it per layer, and its
   Trainer callback warns (``VanishingGradientWarning``) while training. Trained with Adam for a few
   epochs, the ReLU network learns the digits; the sigmoid one stays at chance (10 %), even though Adam
   rescales every gradient.

Pictures: ``<out>/vanishing_exploding.png`` (the chain, and the gradient norm of each layer of both
networks) and ``<out>/vanishing_histograms.png`` (per-layer histograms of activations and gradients).

Run it with::

    python examples/vanishing_exploding.py --out netgrad-examples/
"""
from __future__ import annotations

import argparse
import os
import warnings

import numpy as np

import netgrad
from netgrad import diagnostics, nn, optim
from netgrad.data import StandardScaler, load_digits
from netgrad.training import Trainer


def deep_mlp(activation: type, init, depth: int = 20, width: int = 64, inputs: int = 64, outputs: int = 10):
    layers, fan_in = [], inputs
    for _ in range(depth - 1):
        linear = nn.Linear(fan_in, width)
        init(linear.weight)
        nn.init.zeros_(linear.bias)
        layers += [linear, activation()]
        fan_in = width
    layers.append(nn.Linear(fan_in, outputs))
    return nn.Sequential(*layers)


NETWORKS = {
    "sigmoid + Glorot": (nn.Sigmoid, nn.init.xavier_uniform_),
    "ReLU + He": (nn.ReLU, lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu")),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the pictures")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    chains = {w: diagnostics.deep_chain(w, depth=100) for w in (1.5, 0.5)}
    for w, chain in chains.items():
        print(f"deep chain, w = {w}: a_101 = {chain.activations[-1]:.3g}, dJ/da_1 = {chain.gradients[0]:.3g} "
              f"(w^100 = {w ** 100:.3g})")

    X, y = load_digits()
    X = StandardScaler().fit_transform(X).astype(np.float32)
    loss = nn.CrossEntropyLoss()
    at_init, trained = {}, {}
    for name, (activation, init) in NETWORKS.items():
        netgrad.manual_seed(args.seed)
        model = deep_mlp(activation, init)
        stats = diagnostics.layer_statistics(model, X[:256], y[:256], loss)
        at_init[name] = (model, stats)
        norms = [s.grad_norm for s in stats.values()]
        print(f"\n{name}, at initialisation: ||dL/dW|| of layer 1 = {norms[0]:.2e}, layer 20 = {norms[-1]:.2e} "
              f"(ratio {norms[0] / norms[-1]:.1e})")
        callback = diagnostics.DiagnosticsCallback()
        trainer = Trainer(model, loss, optim.Adam(model.parameters(), lr=1e-3), metrics=["accuracy"],
                          callbacks=[callback])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", diagnostics.GradientWarning)
            history = trainer.fit((X, y), epochs=args.epochs, batch_size=64, verbose=0)
        for warning in caught:
            print(f"  warning while training: {warning.category.__name__}: {str(warning.message)[:110]}...")
        trained[name] = history.history["accuracy"][-1]
        print(f"  after {args.epochs} epochs of Adam: training accuracy {trained[name] * 100:.1f} %")

    try:
        from netgrad import viz
        from netgrad.viz._backend import CLASS_COLORS, pyplot
        plt = pyplot()
    except ImportError as err:
        print(f"pictures skipped: {err}")
        return
    os.makedirs(args.out, exist_ok=True)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for (w, chain), color in zip(chains.items(), CLASS_COLORS):
        layers = np.arange(1, 102)
        left.plot(layers, np.log10(np.abs(chain.activations)), color=color, label=f"a_l, w = {w}")
        left.plot(layers, np.log10(np.abs(chain.gradients)), "--", color=color, label=f"dJ/da_l, w = {w}")
    left.set_xlabel("layer l")
    left.set_ylabel("log10 of the value")
    left.set_title("the notes' deep chain: w^100")
    left.legend(fontsize=8)
    for (name, (_, stats)), color in zip(at_init.items(), CLASS_COLORS[1:]):
        right.semilogy(np.arange(1, 21), [s.grad_norm for s in stats.values()], marker="o", color=color,
                       label=f"{name} ({trained[name] * 100:.0f} % after {args.epochs} epochs)")
    right.set_xlabel("layer (1 = next to the input)")
    right.set_ylabel("||dLoss/dW|| at initialisation")
    right.set_title("20-layer MLP on the digits")
    right.legend(fontsize=8)
    fig.tight_layout()
    paths = [os.path.join(args.out, "vanishing_exploding.png"), os.path.join(args.out, "vanishing_histograms.png")]
    fig.savefig(paths[0], dpi=110, bbox_inches="tight")
    netgrad.manual_seed(args.seed)
    model = deep_mlp(nn.Sigmoid, nn.init.xavier_uniform_, depth=8)
    captures = diagnostics.capture_layers(model, X[:256], y[:256], loss)
    viz.plot_layer_histograms(captures, paths[1], title="8 sigmoid layers at initialisation: gradients shrink "
                              "toward the input")
    plt.close("all")
    print("\nwrote " + ", ".join(paths))


if __name__ == "__main__":
    main()
