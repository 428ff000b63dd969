"""netgrad.diagnostics against closed forms (the notes' deep chain), hand computations on tiny networks,
and the behaviours the notes describe: vanishing gradients with sigmoid, symmetry under constant init."""
import math
import warnings

import numpy as np
import pytest

import netgrad
import netgrad.nn as nn
import netgrad.optim as optim
from netgrad import diagnostics
from netgrad.training import Trainer

# ------------------------------------------------------------------------------------ the deep chain


@pytest.mark.parametrize("w, expected", [(1.5, 4.065611775352152e17), (0.5, 7.888609052210118e-31)])
def test_deep_chain_matches_the_notes_powers(w, expected):
    result = diagnostics.deep_chain(w, depth=100)
    assert result.activations[0] == 1.0
    # a_101 = w^100 and dJ/da_1 = w^100 (the notes: 1.5^100 ≈ 4.06e17, 0.5^100 ≈ 8e-31)
    assert result.activations[-1] == pytest.approx(expected, rel=1e-12)
    assert result.gradients[0] == pytest.approx(expected, rel=1e-12)
    assert result.gradients[-1] == 1.0
    # dJ/da_l = w^(100 - l + 1): a geometric sequence from the output back to the input
    np.testing.assert_allclose(result.gradients, w ** np.arange(100, -1, -1.0), rtol=1e-12)
    # dJ/dw_1 = a_1 * w^99
    assert result.weight_gradients[0] == pytest.approx(w ** 99, rel=1e-12)


def test_deep_chain_with_one_weight_per_layer():
    weights = [2.0, 0.5, 3.0]
    result = diagnostics.deep_chain(weights, depth=3, x=2.0)
    np.testing.assert_allclose(result.activations, [2.0, 4.0, 2.0, 6.0])
    np.testing.assert_allclose(result.gradients, [3.0, 1.5, 3.0, 1.0])  # products of the later weights
    np.testing.assert_allclose(result.weight_gradients, [2.0 * 0.5 * 3.0, 4.0 * 3.0, 2.0])  # a_l * later weights


def test_deep_chain_rejects_bad_arguments():
    with pytest.raises(ValueError, match="depth"):
        diagnostics.deep_chain(1.0, depth=0)
    with pytest.raises(ValueError, match="expected 3 weights"):
        diagnostics.deep_chain([1.0, 2.0], depth=3)


# ---------------------------------------------------------------------------- layer statistics


def _tiny_network():
    """2 -> 2 (ReLU) -> 1, with hand-chosen weights so everything can be computed by hand."""
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    with netgrad.no_grad():
        model[0].weight.copy_(netgrad.tensor([[1.0, -1.0], [-1.0, -1.0]]))
        model[0].bias.copy_(netgrad.tensor([0.0, -1.0]))
        model[2].weight.copy_(netgrad.tensor([[2.0, 3.0]]))
        model[2].bias.copy_(netgrad.tensor([0.5]))
    return model


def test_layer_statistics_by_hand():
    model = _tiny_network()
    X = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0]], dtype=np.float32)
    y = np.array([[1.0], [0.0], [2.0]], dtype=np.float32)
    stats = diagnostics.layer_statistics(model, X, y, nn.MSELoss())
    assert list(stats) == ["layer1", "layer2"]
    # hidden pre-activations: [1, -2], [-1, -2], [1, -4] -> ReLU: [1, 0], [0, 0], [1, 0]
    hidden = np.array([[1.0, 0.0], [0.0, 0.0], [1.0, 0.0]])
    assert stats["layer1"].activation_mean == pytest.approx(hidden.mean())
    assert stats["layer1"].activation_std == pytest.approx(hidden.std())
    assert stats["layer1"].dead_fraction == pytest.approx(0.5)  # the second unit is 0 for every sample
    # output p = 2 h1 + 3 h2 + 0.5; dL/dp = 2 (p - y) / 3; dL/dW2 = sum_i dL/dp_i h_i
    p = hidden @ np.array([2.0, 3.0]) + 0.5
    dp = 2 * (p - y[:, 0]) / 3
    assert stats["layer2"].grad_norm == pytest.approx(np.linalg.norm(dp @ hidden), rel=1e-6)
    # dL/dW1[j] = sum_i dL/dp_i w2_j relu'(z_ij) x_i
    z = X @ np.array([[1.0, -1.0], [-1.0, -1.0]]).T + np.array([0.0, -1.0])
    dz = dp[:, None] * np.array([2.0, 3.0]) * (z > 0)
    assert stats["layer1"].grad_norm == pytest.approx(np.linalg.norm(dz.T @ X), rel=1e-6)
    assert stats["layer2"].weight_norm == pytest.approx(math.sqrt(13))


def test_capture_leaves_gradients_and_mode_alone():
    model = _tiny_network()
    model.train()
    for p in model.parameters():
        p.grad = netgrad.ones_like(p)
    X = np.ones((4, 2), dtype=np.float32)
    captures = diagnostics.capture_layers(model, X, np.zeros((4, 1), np.float32), nn.MSELoss())
    assert [c.kind for c in captures] == ["Linear", "ReLU", "Linear"]
    assert [c.block for c in captures] == ["layer1", "layer1", "layer2"]
    assert all(c.output_grad is not None and c.output_grad.shape == c.output.shape for c in captures)
    assert model.training
    for p in model.parameters():
        np.testing.assert_array_equal(p.grad.numpy(), np.ones(p.shape))


def _deep_mlp(activation, init, depth=20, width=32, seed=0):
    netgrad.manual_seed(seed)
    layers = []
    for _ in range(depth - 1):
        linear = nn.Linear(width, width)
        init(linear.weight)
        nn.init.zeros_(linear.bias)
        layers += [linear, activation()]
    layers.append(nn.Linear(width, 2))
    return nn.Sequential(*layers)


def test_sigmoid_gradients_vanish_in_a_20_layer_mlp_relu_with_he_does_not():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 32)).astype(np.float32)
    y = rng.integers(0, 2, 64)
    loss = nn.CrossEntropyLoss()
    sigmoid = diagnostics.layer_statistics(_deep_mlp(nn.Sigmoid, nn.init.xavier_normal_), X, y, loss)
    relu = diagnostics.layer_statistics(
        _deep_mlp(nn.ReLU, lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu")), X, y, loss)
    sigmoid_ratio = sigmoid["layer1"].grad_norm / sigmoid["layer20"].grad_norm
    relu_ratio = relu["layer1"].grad_norm / relu["layer20"].grad_norm
    # sigmoid' <= 1/4 at every layer: 19 layers shrink the gradient by orders of magnitude
    assert sigmoid_ratio < 1e-6
    assert relu_ratio > 1e-2
    with pytest.warns(diagnostics.VanishingGradientWarning, match="layer1"):
        diagnostics.check_gradients({k: s.grad_norm for k, s in sigmoid.items()})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert diagnostics.check_gradients({k: s.grad_norm for k, s in relu.items()}) == []


def test_check_gradients_messages():
    assert diagnostics.check_gradients({"layer1": 0.1, "layer2": 0.2}, warn=False) == []
    [message] = diagnostics.check_gradients({"layer1": 1e-9, "layer2": 1.0}, warn=False)
    assert message.startswith("vanishing") and "layer1" in message
    [message] = diagnostics.check_gradients({"layer1": 5e3, "layer2": 1.0}, warn=False)
    assert message.startswith("exploding") and "5e+03 in layer1" in message
    [message] = diagnostics.check_gradients({"layer1": float("nan"), "layer2": 1.0}, warn=False)
    assert message.startswith("exploding")
    with pytest.warns(diagnostics.ExplodingGradientWarning):
        diagnostics.check_gradients({"layer1": float("inf")})


# ------------------------------------------------------------------------------------ initialisation


def test_constant_initialisation_never_breaks_symmetry():
    """The notes: with constant weights every neuron computes the same output and gets the same gradient."""
    netgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))
    for module in model:
        if isinstance(module, nn.Linear):
            nn.init.constant_(module.weight, 0.3)
            nn.init.zeros_(module.bias)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((60, 4)).astype(np.float32)
    y = rng.integers(0, 3, 60)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.5, momentum=0.9))
    history = trainer.fit((X, y), epochs=5, batch_size=20, verbose=0)
    assert history.history["loss"][-1] != history.history["loss"][0]  # it did train...
    # ...but the hidden neurons are still clones (up to float32 rounding, which a BLAS may add in the last bit)
    assert diagnostics.neuron_spread(model[0].weight) <= 1e-6
    assert diagnostics.neuron_spread(model[2].weight) <= 1e-6
    assert diagnostics.neuron_spread(model[4].weight) > 1e-3  # output neurons see different targets
    hidden = model[1](model[0](netgrad.tensor(X))).detach().numpy()
    np.testing.assert_allclose(hidden, np.repeat(hidden[:, :1], 8, axis=1), rtol=0, atol=1e-6)


def test_random_initialisation_breaks_symmetry():
    netgrad.manual_seed(0)
    layer = nn.Linear(4, 8)
    nn.init.normal_(layer.weight, std=0.01)  # the notes' N(0, 0.01)
    assert diagnostics.neuron_spread(layer.weight) > 0


def test_neuron_spread_by_hand():
    assert diagnostics.neuron_spread(np.array([[1.0, 2.0], [1.5, 2.0], [1.0, 0.0]])) == 2.0
    with pytest.raises(ValueError, match="weight matrix"):
        diagnostics.neuron_spread(np.ones(3))


# ---------------------------------------------------------------------------------------- the callback


def test_callback_records_every_epoch_and_the_update_ratio():
    netgrad.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((96, 5)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    model = nn.Sequential(nn.Linear(5, 6), nn.ReLU(), nn.Linear(6, 2))
    # plain SGD: the update is lr * grad, so ||ΔW|| / ||W|| can be checked for a single step by hand
    callback = diagnostics.DiagnosticsCallback(probe=X[:32])
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), callbacks=[callback])
    trainer.fit((X, y), epochs=3, batch_size=96, verbose=0, shuffle=False)
    assert callback.epoch == [0, 1, 2]
    for statistic in ("grad_norm", "update_ratio", "weight_norm", "activation_mean", "activation_std",
                      "dead_fraction"):
        assert list(callback.history[statistic]) == ["layer1", "layer2"]
        assert all(len(v) == 3 for v in callback.history[statistic].values())
    # one step per epoch: ||ΔW|| = lr * ||grad||, and ||W_before|| = ||W_after - ΔW||
    for name in ("layer1", "layer2"):
        grad, ratio = callback.history["grad_norm"][name][-1], callback.history["update_ratio"][name][-1]
        assert grad > 0
        assert ratio == pytest.approx(0.1 * grad / _weight_norm_before_last_step(callback, name), rel=1e-4)
    stats = diagnostics.layer_statistics(model, X[:32])
    assert callback.history["activation_std"]["layer1"][-1] == pytest.approx(stats["layer1"].activation_std)


def _weight_norm_before_last_step(callback, name):
    """||W|| before the last step: the copy the callback took at the start of that batch."""
    return float(np.linalg.norm(callback._before[[n for n, _ in callback._blocks].index(name)]))


def test_callback_warns_once_about_exploding_gradients():
    netgrad.manual_seed(0)
    X = np.random.default_rng(0).standard_normal((32, 3)).astype(np.float32) * 1e4
    y = np.zeros((32, 1), np.float32)
    model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 1))
    callback = diagnostics.DiagnosticsCallback(max_norm=10.0)
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=1e-12), callbacks=[callback])
    with pytest.warns(diagnostics.ExplodingGradientWarning) as record:
        trainer.fit((X, y), epochs=2, batch_size=32, verbose=0)
    assert len([w for w in record if issubclass(w.category, diagnostics.GradientWarning)]) == 1
    assert len(callback.messages) == 2 and all("exploding" in m for m in callback.messages)


def test_callback_rejects_unknown_thresholds():
    with pytest.raises(ValueError, match="unknown threshold"):
        diagnostics.DiagnosticsCallback(max_grad=1.0)
