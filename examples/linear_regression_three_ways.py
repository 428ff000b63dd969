"""Linear regression three ways: the notes' step-by-step chain rule, autograd, and the normal equation.

1. The notes' cost table: for x = y = (1, 2, 3) and h(x) = θ·x, J(θ) = 1/(2m) Σ (θ x - y)², a parabola
   with its minimum J = 0 at θ = 1.
2. Mini-batch gradient descent on a synthetic problem y = X w + b + noise, run twice side by side from the
   same weights on the same batches: once with the notes' hand-written backward pass
   (``netgrad.scratch.loss_gradients_linear``: dL/dP, dP/dN, dN/dW = Xᵀ, ...) and once with netgrad's
   autograd (``loss.backward()``) and ``optim.SGD``. The two agree to rounding at every step.
3. The normal equation θ = (XᵀX)⁻¹Xᵀy, solved without forming the inverse, and
   ``netgrad.estimators.LinearRegression`` with its closed-form and gradient solvers.

The script prints the tables and saves the cost parabola and the loss curves in
``<out>/linear_regression_three_ways.png`` when matplotlib is installed.

Run it with::

    python examples/linear_regression_three_ways.py --out netgrad-examples/
"""
from __future__ import annotations

import argparse
import os

import numpy as np

import netgrad
from netgrad import optim, scratch
from netgrad.estimators import LinearRegression

TRUE_W, TRUE_B = np.array([2.0, -3.0, 0.5]), 4.0


def cost_table(thetas=(-1, 0, 1, 2, 3)) -> dict[float, float]:
    """The notes' J(θ) = 1/(2m) Σ (θ x_i - y_i)² for x = y = (1, 2, 3)."""
    x = y = np.array([1.0, 2.0, 3.0])
    table = {float(theta): float(np.sum((theta * x - y) ** 2) / (2 * len(x))) for theta in thetas}
    print("The notes' cost table, h(x) = θ·x on x = y = (1, 2, 3):")
    print("   θ   J(θ)")
    for theta, cost in table.items():
        print(f"  {theta:>2.0f}  {cost:5.2f}")
    return table


def make_data(n_samples: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, len(TRUE_W)))
    return X, X @ TRUE_W + TRUE_B + 0.5 * rng.normal(size=n_samples)


def step_by_step_and_autograd(X: np.ndarray, y: np.ndarray, epochs: int, batch_size: int, learning_rate: float,
                              seed: int = 0) -> dict:
    """The notes' training loop with hand-derived gradients, and the same loop with autograd, in lockstep."""
    weights = scratch.init_weights_linear(X.shape[1], seed=seed)  # W (n_in, 1), B (1, 1)
    W = netgrad.tensor(weights["W"].copy(), requires_grad=True)
    B = netgrad.tensor(weights["B"].copy(), requires_grad=True)
    optimizer = optim.SGD([W, B], lr=learning_rate)
    y_column = y.reshape(-1, 1)

    # the chain rule by hand and autograd give the same gradients at the start
    forward_info, _ = scratch.forward_linear_regression(X, y_column, weights)
    by_hand = scratch.loss_gradients_linear(forward_info, weights)
    loss = ((netgrad.tensor(y_column) - (netgrad.tensor(X) @ W + B)) ** 2).mean()
    loss.backward()
    difference = max(np.abs(by_hand["W"] - W.grad.numpy()).max(), np.abs(by_hand["B"] - B.grad.numpy()).max())
    print(f"\nGradients at the initial weights: chain rule by hand vs autograd differ by at most {difference:.1e}")

    rng = np.random.default_rng(seed)
    curves: dict[str, list[float]] = {"step by step": [], "autograd": []}
    for _ in range(epochs):
        order = rng.permutation(len(X))
        epoch_losses = {"step by step": 0.0, "autograd": 0.0}
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            X_batch, y_batch = X[batch], y_column[batch]
            # 1. the notes: forward pass, backward pass term by term, update
            forward_info, loss_value = scratch.forward_linear_regression(X_batch, y_batch, weights)
            gradients = scratch.loss_gradients_linear(forward_info, weights)
            for key in weights:
                weights[key] -= learning_rate * gradients[key]
            # 2. autograd: the same loss as a graph of tensors, .backward(), optimizer.step()
            optimizer.zero_grad()
            loss = ((netgrad.tensor(y_batch) - (netgrad.tensor(X_batch) @ W + B)) ** 2).mean()
            loss.backward()
            optimizer.step()
            epoch_losses["step by step"] += loss_value * len(batch)
            epoch_losses["autograd"] += loss.item() * len(batch)
        for name, total in epoch_losses.items():
            curves[name].append(total / len(X))
    drift = max(np.abs(weights["W"] - W.detach().numpy()).max(), np.abs(weights["B"] - B.detach().numpy()).max())
    print(f"After {epochs} epochs of mini-batch gradient descent the two sets of weights differ by {drift:.1e}")
    return {"step by step": (weights["W"].ravel(), weights["B"].item()),
            "autograd": (W.detach().numpy().ravel(), B.item()), "curves": curves}


def normal_equation(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """θ = (XᵀX)⁻¹Xᵀy with a column of ones for the intercept, solved as (XᵀX) θ = Xᵀy."""
    X1 = np.column_stack([np.ones(len(X)), X])
    theta = np.linalg.solve(X1.T @ X1, X1.T @ y)
    return theta[1:], float(theta[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the picture")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    table = cost_table()
    X, y = make_data(seed=args.seed)
    results = step_by_step_and_autograd(X, y, args.epochs, args.batch_size, args.learning_rate, args.seed)
    results["normal equation"] = normal_equation(X, y)
    for solver in ("normal", "lstsq", "sgd"):
        model = LinearRegression(solver=solver, learning_rate=0.05, random_state=args.seed).fit(X, y)
        results[f"LinearRegression({solver!r})"] = (model.coef_, model.intercept_)

    print(f"\n{'':28} {'w1':>8} {'w2':>8} {'w3':>8} {'b':>8} {'MSE':>8}")
    print(f"{'true coefficients':28} " + " ".join(f"{v:8.4f}" for v in (*TRUE_W, TRUE_B)))
    for name, (w, b) in ((k, v) for k, v in results.items() if k != "curves"):
        mse = np.mean((X @ w + b - y) ** 2)
        print(f"{name:28} " + " ".join(f"{v:8.4f}" for v in (*w, b)) + f" {mse:8.4f}")

    path = plot(table, results["curves"], args.out)
    if path:
        print(f"\ncost parabola and loss curves saved to {path}")


def plot(table: dict[float, float], curves: dict[str, list[float]], out: str) -> str | None:
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no picture (pip install matplotlib)")
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from netgrad.viz._backend import integer_ticks

    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    thetas = np.linspace(-1.2, 3.2, 200)
    x = np.array([1.0, 2.0, 3.0])
    left.plot(thetas, [np.sum((t * x - x) ** 2) / 6 for t in thetas], color="#0877bd")
    left.scatter(list(table), list(table.values()), color="#d9480f", zorder=3)
    for theta, cost in table.items():
        left.annotate(f"{cost:.2f}", (theta, cost), textcoords="offset points", xytext=(0, 7), ha="center")
    left.set_xlabel("θ")
    left.set_ylabel("J(θ)")
    left.set_title("The notes' cost table: J(θ) is convex")
    for (name, losses), style in zip(curves.items(), ("-", "--")):
        right.plot(range(1, len(losses) + 1), losses, style, label=name)
    right.set_yscale("log")
    right.set_xlabel("epoch")
    integer_ticks(right)
    right.set_ylabel("mean squared error")
    right.set_title("Mini-batch gradient descent")
    right.legend()
    figure.tight_layout()
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "linear_regression_three_ways.png")
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


if __name__ == "__main__":
    main()
