"""The notes' three-neuron network: traffic volume by hour of the day.

Two ReLU neurons read the hour h, one linear neuron adds them up:

    a1 = relu(w11 h + b11),  a2 = relu(w12 h + b12),  volume = b21 + w21 a1 + w22 a2

With the notes' parameters (w11 = 0.4, b11 = -5.9, w12 = -0.6, b12 = 5.2, w21 = w22 = -1, b21 = 5.1) the
network predicts 4.7 at 8 am: a1 = relu(-2.7) = 0, a2 = relu(0.4) = 0.4, 5.1 - 0.4 = 4.7. Each ReLU bends
the line once, so the prediction rises through the morning, stays flat at midday and falls in the
evening, a shape a quadratic in h (the feature-engineering alternative) cannot follow.

The script runs the notes' network as an ``nn.Sequential``, trains fresh 1-2-1 networks on noisy traffic
data through the Trainer (from several random starts: with so few neurons many starts get stuck), fits the
best quadratic by least squares, prints their errors, and saves the curves over the data in
``<out>/traffic_three_neurons.png``.

Run it with::

    python examples/traffic_three_neurons.py --out netgrad-examples/
"""
from __future__ import annotations

import argparse
import os

import numpy as np

import netgrad
from netgrad import nn, optim
from netgrad.data import TRAFFIC_NETWORK, make_traffic, polynomial_features, traffic_volume
from netgrad.metrics import mean_squared_error
from netgrad.training import Trainer


def notes_network() -> nn.Sequential:
    p = TRAFFIC_NETWORK
    model = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1))
    with netgrad.no_grad():
        model[0].weight.copy_(netgrad.tensor([[p["w11"]], [p["w12"]]]))
        model[0].bias.copy_(netgrad.tensor([p["b11"], p["b12"]]))
        model[2].weight.copy_(netgrad.tensor([[p["w21"], p["w22"]]]))
        model[2].bias.copy_(netgrad.tensor([p["b21"]]))
    return model


def predict(model: nn.Module, hours: np.ndarray) -> np.ndarray:
    model.eval()
    with netgrad.no_grad():
        return model(netgrad.tensor(hours.reshape(-1, 1).astype(np.float32))).numpy()[:, 0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the picture")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--restarts", type=int, default=6, help="random starts for the trained network")
    parser.add_argument("--seed", type=int, default=1, help="seed of the data")
    args = parser.parse_args(argv)

    notes = notes_network()
    eight = predict(notes, np.array([8.0]))[0]
    hidden = notes[1](notes[0](netgrad.tensor([[8.0]]))).detach().numpy()[0]
    print(f"the notes' network at 8 am: a1 = {hidden[0]:.1f}, a2 = {hidden[1]:.1f}, volume = {eight:.2f} (notes: 4.7)")
    assert abs(eight - 4.7) < 1e-5

    X, y = make_traffic(200, noise=0.3, seed=args.seed)
    print(f"noisy data: 200 hours; the notes' network has MSE {mean_squared_error(y, predict(notes, X[:, 0])):.3f} "
          "on it (the noise alone gives 0.09)")

    # fresh three-neuron networks, trained from random starts: with two ReLUs, many starts end in a poor
    # local minimum (a ReLU that is 0 on every hour is dead and never learns), so keep the best of several
    def scaled(hours: np.ndarray) -> np.ndarray:
        return ((hours.reshape(-1, 1) - 12) / 7).astype(np.float32)

    finals = []
    for start in range(args.restarts):
        netgrad.manual_seed(start)
        candidate = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1))
        trainer = Trainer(candidate, nn.MSELoss(), optim.Adam(candidate.parameters(), lr=0.01))
        history = trainer.fit((scaled(X[:, 0]), y[:, None]), epochs=args.epochs, batch_size=20, verbose=0)
        finals.append((history.history["loss"][-1], start, candidate))
    loss, best, model = min(finals, key=lambda run: run[0])
    good = sum(run[0] < 0.2 for run in finals)
    print(f"trained 1-2-1 ReLU networks from {args.restarts} random starts: {good} learned the rise and "
          f"fall (MSE < 0.2), the others stalled near the variance of the data ({y.var():.2f}); best MSE {loss:.3f} "
          "(the notes' parameters, a plateau, do better still)")

    def trained(hours: np.ndarray) -> np.ndarray:
        return predict(model, scaled(hours))

    # the alternative: feature engineering, the best quadratic in h (least squares, the normal equation)
    def features(hours: np.ndarray) -> np.ndarray:
        return polynomial_features(hours.reshape(-1, 1).astype(np.float64), 2)

    theta = np.linalg.lstsq(features(X[:, 0]), y, rcond=None)[0]

    def fitted(hours: np.ndarray) -> np.ndarray:
        return features(hours) @ theta

    print(f"best quadratic {theta[0]:.2f} + {theta[1]:.3f} h {theta[2]:+.4f} h^2: MSE "
          f"{mean_squared_error(y, fitted(X[:, 0])):.3f}")

    try:
        from netgrad.viz._backend import CLASS_COLORS, pyplot
        plt = pyplot()
    except ImportError as err:
        print(f"picture skipped: {err}")
        return
    hours = np.linspace(0, 24, 241)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.scatter(X[:, 0], y, s=10, color="#999999", label="training data")
    ax.plot(hours, traffic_volume(hours), color="#333333", linewidth=1, linestyle=":", label="true volume")
    ax.plot(hours, predict(notes, hours), color=CLASS_COLORS[1], linewidth=2, label="the notes' network")
    ax.plot(hours, trained(hours), color=CLASS_COLORS[2], linewidth=2, linestyle="--", label="trained 1-2-1 network")
    ax.plot(hours, fitted(hours), color=CLASS_COLORS[0], linewidth=2, label="quadratic in h")
    ax.scatter([8], [eight], color=CLASS_COLORS[3], zorder=5, label=f"8 am: {eight:.1f}")
    ax.set_xlabel("hour of day")
    ax.set_ylabel("traffic volume")
    ax.set_xlim(0, 24)
    ax.legend(fontsize=8)
    ax.set_title("three neurons: two ReLU kinks make a plateau")
    fig.tight_layout()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "traffic_three_neurons.png")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
