"""The learning-rate finder: its curve against a NumPy reference, the suggestion against the curvature of a
quadratic problem, divergence, and that it leaves model, optimizer and random generator exactly as they were."""
from __future__ import annotations

import numpy as np
import pytest

import netgrad
from netgrad import nn, optim
from netgrad.data import DataLoader, TensorDataset
from netgrad.training import LRFinderResult, find_lr


def regression(n=1024, features=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, features)).astype(np.float32)
    y = (X @ rng.normal(size=features) + 1.0 + 0.1 * rng.normal(size=n)).astype(np.float32)
    return X, y


def test_curve_matches_a_numpy_range_test():
    """lr_i = start (end/start)^(i/(n-1)) on batch i; losses are the EMA of the batch losses (smooth_f)."""
    X, y = regression(n=64, features=3)
    netgrad.manual_seed(0)
    model = nn.Linear(3, 1)
    W, b = model.weight.detach().numpy().astype(np.float64), model.bias.detach().numpy().astype(np.float64)
    loader = DataLoader(TensorDataset(X, y.reshape(-1, 1)), batch_size=16)  # 4 batches, cycled through
    start, end, n = 1e-3, 1e-1, 10
    raw = find_lr(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.5), loader, start_lr=start, end_lr=end,
                  num_iter=n, smooth_f=0.0)
    smoothed = find_lr(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.5), loader, start_lr=start,
                       end_lr=end, num_iter=n, smooth_f=0.3)

    lrs = start * (end / start) ** (np.arange(n) / (n - 1))
    losses = []
    for i, lr in enumerate(lrs):
        rows = slice(16 * (i % 4), 16 * (i % 4) + 16)
        error = X[rows] @ W.T + b - y[rows, None]
        losses.append(np.mean(error ** 2))
        W, b = W - lr * 2 * error.T @ X[rows] / 16, b - lr * 2 * error.mean(0)
    np.testing.assert_allclose(raw.lrs, lrs, rtol=1e-12)
    np.testing.assert_allclose(raw.losses, losses, rtol=1e-5)
    ema = [losses[0]]
    for loss in losses[1:]:
        ema.append(0.3 * loss + 0.7 * ema[-1])
    np.testing.assert_allclose(smoothed.losses, ema, rtol=1e-5)


def test_suggestion_is_within_an_order_of_magnitude_of_the_best_rate_of_a_quadratic():
    """For the mean squared error of a linear model the Hessian is H = 2 A^T A / n (A = [X, 1]); gradient
    descent converges fastest near lr = 1 / lambda_max(H) and diverges beyond 2 / lambda_max(H)."""
    X, y = regression()
    A = np.hstack([X, np.ones((len(X), 1))]).astype(np.float64)
    good_lr = 1 / np.linalg.eigvalsh(2 * A.T @ A / len(X)).max()
    netgrad.manual_seed(0)
    model = nn.Linear(5, 1)
    result = find_lr(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.01), (X, y), batch_size=32)
    assert good_lr / 10 <= result.suggestion <= good_lr * 10
    # it stopped once the loss diverged, past the stable range
    assert len(result.lrs) < 100 and result.lrs[-1] > 2 * good_lr
    assert result.losses[-1] > 5 * result.losses.min()


def test_model_optimizer_and_random_state_are_restored_exactly():
    X, y = regression(n=256)
    netgrad.manual_seed(3)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 1))
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model(netgrad.from_numpy(X[:4])).sum().backward()
    optimizer.step()  # a momentum buffer to restore
    model.eval()
    weights = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    optimizer_state = optimizer.state_dict()
    rng_state = netgrad.get_rng_state()

    result = find_lr(model, nn.MSELoss(), optimizer, (X, y), num_iter=30, batch_size=16)
    assert len(result.lrs) > 0
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), weights[name])
    restored = optimizer.state_dict()
    assert restored["param_groups"] == optimizer_state["param_groups"]
    for key, state in optimizer_state["state"].items():
        np.testing.assert_array_equal(np.asarray(restored["state"][key]["momentum_buffer"]),
                                      np.asarray(state["momentum_buffer"]))
    assert netgrad.get_rng_state() == rng_state
    assert not model.training


def test_non_finite_loss_ends_the_curve_without_an_error():
    X, y = regression(n=128)
    netgrad.manual_seed(0)
    model = nn.Linear(5, 1)
    result = find_lr(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.01), (X, y), start_lr=1e-3,
                     end_lr=1e6, num_iter=60, diverge_th=1e30, batch_size=16)
    assert len(result.lrs) < 60 and np.isfinite(result.losses).all()


def test_suggestion_edge_cases_and_bad_arguments():
    assert LRFinderResult(np.array([0.1]), np.array([1.0])).suggestion is None
    short = LRFinderResult(np.array([1e-3, 1e-2, 1e-1, 1.0]), np.array([1.0, 0.9, 0.2, 0.15]))
    assert short.suggestion == pytest.approx(1e-2)  # the steepest fall (too short to skip points)
    model = nn.Linear(2, 1)
    sgd = optim.SGD(model.parameters(), lr=0.1)
    X, y = np.zeros((8, 2), np.float32), np.zeros(8, np.float32)
    for kwargs, match in [(dict(start_lr=1.0, end_lr=0.1), "start_lr"), (dict(num_iter=1), "num_iter"),
                          (dict(smooth_f=1.0), "smooth_f"), (dict(diverge_th=1.0), "diverge_th")]:
        with pytest.raises(ValueError, match=match):
            find_lr(model, nn.MSELoss(), sgd, (X, y), **kwargs)
