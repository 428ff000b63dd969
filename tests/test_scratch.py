"""netgrad.scratch: the notes' hand-written models against central differences, autograd and real data."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import netgrad
import netgrad.scratch as scratch


def central_difference(loss_of_weights, weights, key, eps=1e-6):
    """dL/dweights[key] by (L(w + eps) - L(w - eps)) / (2 eps), one element at a time, in float64."""
    grad = np.zeros_like(weights[key])
    for index in np.ndindex(weights[key].shape):
        original = weights[key][index]
        weights[key][index] = original + eps
        plus = loss_of_weights(weights)
        weights[key][index] = original - eps
        minus = loss_of_weights(weights)
        weights[key][index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def regression_batch(n=9, n_in=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, n_in)), rng.standard_normal((n, 1))


# --------------------------------------------------------------------------------------------------
# Forward passes against naive loops
# --------------------------------------------------------------------------------------------------

def test_linear_forward_matches_a_loop_over_samples():
    X, y = regression_batch()
    weights = scratch.init_weights_linear(3, seed=1)
    forward_info, loss = scratch.forward_linear_regression(X, y, weights)
    predictions = [sum(X[i, j] * weights["W"][j, 0] for j in range(3)) + weights["B"][0, 0] for i in range(len(X))]
    assert set(forward_info) == {"X", "N", "P", "y"}
    np.testing.assert_allclose(forward_info["P"].ravel(), predictions, rtol=1e-12)
    assert loss == pytest.approx(sum((y[i, 0] - p) ** 2 for i, p in enumerate(predictions)) / len(X), rel=1e-12)


def test_network_forward_matches_a_loop_over_samples():
    X, y = regression_batch()
    weights = scratch.init_weights_nn(3, 4, seed=1)
    forward_info, loss = scratch.forward_loss(X, y, weights)
    assert set(forward_info) == {"X", "M1", "N1", "O1", "M2", "P", "y"}
    for i in range(len(X)):
        hidden = [1 / (1 + np.exp(-(X[i] @ weights["W1"][:, h] + weights["B1"][0, h]))) for h in range(4)]
        prediction = sum(hidden[h] * weights["W2"][h, 0] for h in range(4)) + weights["B2"][0, 0]
        np.testing.assert_allclose(forward_info["O1"][i], hidden, rtol=1e-12)
        assert forward_info["P"][i, 0] == pytest.approx(prediction, rel=1e-12)
    assert loss == pytest.approx(np.mean((y - forward_info["P"]) ** 2), rel=1e-12)


# --------------------------------------------------------------------------------------------------
# Backward passes against central differences
# --------------------------------------------------------------------------------------------------

def test_linear_regression_gradients_equal_central_differences():
    X, y = regression_batch()
    weights = scratch.init_weights_linear(3, seed=2)
    forward_info, _ = scratch.forward_linear_regression(X, y, weights)
    loss_grads = scratch.loss_gradients_linear(forward_info, weights)
    assert set(loss_grads) == {"W", "B"}
    for key in weights:
        expected = central_difference(lambda w: scratch.forward_linear_regression(X, y, w)[1], weights, key)
        assert loss_grads[key].shape == weights[key].shape
        np.testing.assert_allclose(loss_grads[key], expected, rtol=1e-6, atol=1e-8, err_msg=key)


def test_network_gradients_equal_central_differences():
    X, y = regression_batch()
    weights = scratch.init_weights_nn(3, 4, seed=2)
    forward_info, _ = scratch.forward_loss(X, y, weights)
    loss_grads = scratch.loss_gradients_nn(forward_info, weights)
    assert set(loss_grads) == {"W1", "B1", "W2", "B2"}
    for key in weights:
        expected = central_difference(lambda w: scratch.forward_loss(X, y, w)[1], weights, key)
        assert loss_grads[key].shape == weights[key].shape
        np.testing.assert_allclose(loss_grads[key], expected, rtol=1e-6, atol=1e-8, err_msg=key)


# --------------------------------------------------------------------------------------------------
# Backward passes against netgrad autograd on the same loss
# --------------------------------------------------------------------------------------------------

def as_leaves(weights):
    return {key: netgrad.tensor(value, dtype=netgrad.float64, requires_grad=True) for key, value in weights.items()}


def test_linear_regression_gradients_equal_autograd():
    X, y = regression_batch(n=12, n_in=4, seed=3)
    weights = scratch.init_weights_linear(4, seed=3)
    params = as_leaves(weights)
    P = netgrad.tensor(X, dtype=netgrad.float64) @ params["W"] + params["B"]
    loss = ((netgrad.tensor(y, dtype=netgrad.float64) - P) ** 2).mean()
    loss.backward()

    forward_info, scratch_loss = scratch.forward_linear_regression(X, y, weights)
    loss_grads = scratch.loss_gradients_linear(forward_info, weights)
    assert scratch_loss == pytest.approx(loss.item(), rel=1e-12)
    for key in weights:
        np.testing.assert_allclose(loss_grads[key], params[key].grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=key)


def test_network_gradients_equal_autograd():
    X, y = regression_batch(n=12, n_in=4, seed=4)
    weights = scratch.init_weights_nn(4, 5, seed=4)
    params = as_leaves(weights)
    O1 = (netgrad.tensor(X, dtype=netgrad.float64) @ params["W1"] + params["B1"]).sigmoid()
    P = O1 @ params["W2"] + params["B2"]
    loss = ((netgrad.tensor(y, dtype=netgrad.float64) - P) ** 2).mean()
    loss.backward()

    forward_info, scratch_loss = scratch.forward_loss(X, y, weights)
    loss_grads = scratch.loss_gradients_nn(forward_info, weights)
    assert scratch_loss == pytest.approx(loss.item(), rel=1e-12)
    for key in weights:
        np.testing.assert_allclose(loss_grads[key], params[key].grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=key)


# --------------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------------

def test_linear_regression_recovers_a_noiseless_plane():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((200, 3))
    true_w, true_b = np.array([[2.0], [-1.0], [0.5]]), 3.0
    y = X @ true_w + true_b
    losses, weights = scratch.train_linear(X, y, epochs=60, batch_size=20, learning_rate=0.05, seed=0)
    assert losses[-1] < 1e-8 < losses[0]
    np.testing.assert_allclose(weights["W"], true_w, atol=1e-5)
    np.testing.assert_allclose(weights["B"], [[true_b]], atol=1e-5)
    np.testing.assert_allclose(scratch.predict_linear(X, weights), y, atol=1e-4)


def test_network_learns_diabetes_better_than_the_mean():
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = datasets.load_diabetes(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = (y - y.mean()) / y.std()  # predicting the mean now scores an MSE of exactly 1
    losses, weights = scratch.train_nn(X, y, hidden_size=13, epochs=100, batch_size=32, learning_rate=0.05,
                                       seed=0)
    batches_per_epoch = int(np.ceil(len(X) / 32))
    assert len(losses) == 100 * batches_per_epoch
    first_epoch, last_epoch = np.mean(losses[:batches_per_epoch]), np.mean(losses[-batches_per_epoch:])
    assert last_epoch < first_epoch / 4
    mse = np.mean((scratch.predict_nn(X, weights).ravel() - y) ** 2)
    assert mse < 0.55  # R² > 0.45; scikit-learn's LinearRegression reaches R² ≈ 0.52 on these data


@pytest.mark.parametrize("batch_size, updates_per_epoch", [(3, 4), (12, 1), (1, 12), (5, 3)])
def test_mini_batch_arithmetic_of_the_notes(batch_size, updates_per_epoch):
    X, y = regression_batch(n=12)
    losses, _ = scratch.train_linear(X, y, epochs=2, batch_size=batch_size, seed=0)
    assert len(losses) == 2 * updates_per_epoch


def test_training_without_a_seed_follows_netgrad_manual_seed():
    X, y = regression_batch(n=12)
    netgrad.manual_seed(11)
    _, first = scratch.train_nn(X, y, hidden_size=3, epochs=3, batch_size=4)
    netgrad.manual_seed(11)
    _, second = scratch.train_nn(X, y, hidden_size=3, epochs=3, batch_size=4)
    for key in first:
        assert first[key].tobytes() == second[key].tobytes()


# --------------------------------------------------------------------------------------------------
# Details and bad input
# --------------------------------------------------------------------------------------------------

def test_sigmoid_is_exact_and_finite_at_extremes():
    x = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(scratch.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(scratch.sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])


def test_a_flat_target_is_treated_as_a_column():
    X, y = regression_batch()
    weights = scratch.init_weights_nn(3, 2, seed=0)
    _, column_loss = scratch.forward_loss(X, y, weights)
    _, flat_loss = scratch.forward_loss(X, y.ravel(), weights)
    assert flat_loss == column_loss  # not the (n, n) broadcast of (n,) - (n, 1)


def test_bad_input_is_refused_with_the_shapes():
    X, y = regression_batch()
    with pytest.raises(ValueError, match=r"y must have shape \(9,\) or \(9, 1\).*got \(8, 1\)"):
        scratch.forward_linear_regression(X, y[:8], scratch.init_weights_linear(3, seed=0))
    with pytest.raises(ValueError, match=r"X must have shape \(batch_size, 5\).*got \(9, 3\)"):
        scratch.forward_loss(X, y, scratch.init_weights_nn(5, 2, seed=0))
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 5\)"):
        scratch.predict_nn(X, scratch.init_weights_nn(5, 2, seed=0))
    for bad in [{"epochs": 0}, {"batch_size": 0}, {"learning_rate": 0.0}, {"learning_rate": float("nan")}]:
        with pytest.raises(ValueError, match=next(iter(bad))):
            scratch.train_linear(X, y, **bad)
    with pytest.raises(ValueError, match="hidden_size"):
        scratch.train_nn(X, y, hidden_size=0)
