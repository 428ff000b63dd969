"""nn.utils: gradient clipping by norm and value, parameter vectors, parameter counts, L1 / L2 penalties."""
import math

import numpy as np
import pytest

import netgrad
import netgrad.nn as nn
from netgrad import gradcheck

rng = np.random.default_rng(0)


def with_grads(*grads):
    params = []
    for g in grads:
        p = nn.Parameter(netgrad.zeros(*np.shape(g), dtype=netgrad.float64))
        p.grad = netgrad.tensor(np.array(g, dtype=np.float64), dtype=netgrad.float64)
        params.append(p)
    return params


def test_clip_grad_norm_rescales_to_max_norm_and_returns_the_total_norm():
    params = with_grads([3.0, 0.0], [[4.0]])  # joint 2-norm 5
    total = nn.utils.clip_grad_norm_(params, max_norm=1.0)
    assert total.item() == 5.0
    coefficient = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(params[0].grad.numpy(), [3 * coefficient, 0.0], rtol=1e-15)
    np.testing.assert_allclose(params[1].grad.numpy(), [[4 * coefficient]], rtol=1e-15)
    joint = math.sqrt(sum((p.grad.numpy() ** 2).sum() for p in params))
    assert joint == pytest.approx(1.0, abs=1e-6)


def test_clip_grad_norm_leaves_small_gradients_alone():
    params = with_grads([0.3, -0.4])
    assert nn.utils.clip_grad_norm_(params, 1.0).item() == pytest.approx(0.5)
    np.testing.assert_array_equal(params[0].grad.numpy(), [0.3, -0.4])


@pytest.mark.parametrize("norm_type, expected", [(1, 7.0), (math.inf, 4.0), (3, (27 + 64) ** (1 / 3))])
def test_clip_grad_norm_other_norms(norm_type, expected):
    params = with_grads([3.0, 0.0], [[-4.0]])
    assert nn.utils.clip_grad_norm_(params, 100.0, norm_type=norm_type).item() == pytest.approx(expected)


def test_clip_grad_norm_non_finite():
    params = with_grads([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    mixed = with_grads([1.0]) + [nn.Parameter(netgrad.zeros(2))]
    assert nn.utils.clip_grad_norm_(mixed, 1.0).item() == pytest.approx(1)
    assert nn.utils.clip_grad_norm_([nn.Parameter(netgrad.zeros(2))], 1.0).item() == 0.0  # no gradients at all


def test_clip_grad_value_clips_each_element():
    params = with_grads([-3.0, 0.2, 5.0])
    nn.utils.clip_grad_value_(params, 1.0)
    np.testing.assert_array_equal(params[0].grad.numpy(), [-1.0, 0.2, 1.0])


def test_parameters_to_vector_and_back():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vector = nn.utils.parameters_to_vector(model.parameters())
    expected = np.concatenate([p.detach().numpy().reshape(-1) for p in model.parameters()])
    np.testing.assert_array_equal(vector.detach().numpy(), expected)
    assert vector.shape == (11,)
    new = netgrad.arange(11).float()
    nn.utils.vector_to_parameters(new, model.parameters())
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(model[1].bias.detach().numpy(), [10])
    with pytest.raises(ValueError, match="12 elements but the parameters hold 11"):
        nn.utils.vector_to_parameters(netgrad.zeros(12), model.parameters())


def test_count_parameters():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert nn.utils.count_parameters(model) == 13
    model[0].requires_grad_(False)
    assert nn.utils.count_parameters(model) == 4
    assert nn.utils.count_parameters(model, trainable_only=False) == 13
    assert nn.utils.count_parameters(nn.BatchNorm1d(5)) == 10  # buffers are not parameters


def test_l1_and_l2_penalties_cover_a_models_weights_not_its_biases():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    weights = [model[0].weight.detach().numpy(), model[2].weight.detach().numpy()]
    l1 = nn.utils.l1_penalty(model, 0.01)
    l2 = nn.utils.l2_penalty(model, 0.5)
    assert l1.item() == pytest.approx(0.01 * sum(np.abs(w).sum() for w in weights), rel=1e-14)
    assert l2.item() == pytest.approx(0.5 * sum((w ** 2).sum() for w in weights), rel=1e-14)
    (l1 + l2).backward()
    np.testing.assert_allclose(model[0].weight.grad.numpy(), 0.01 * np.sign(weights[0]) + weights[0], rtol=1e-14)
    assert model[0].bias.grad is None  # biases are not penalised


def test_penalties_of_given_tensors_and_their_gradients():
    a = netgrad.tensor(rng.normal(size=(3, 2)), dtype=netgrad.float64, requires_grad=True)
    b = netgrad.tensor(rng.normal(size=(4,)), dtype=netgrad.float64, requires_grad=True)
    assert nn.utils.l2_penalty([a, b], 2.0).item() == pytest.approx(2.0 * ((a.detach().numpy() ** 2).sum()
                                                                         + (b.detach().numpy() ** 2).sum()))
    assert gradcheck(lambda a, b: nn.utils.l2_penalty([a, b], 0.3), (a, b))
    assert gradcheck(lambda a, b: nn.utils.l1_penalty([a, b], 0.3), (a, b))
    with pytest.raises(ValueError):
        nn.utils.l2_penalty([a], -1.0)


def test_l2_penalty_adds_lambda_w_to_the_gradient_like_weight_decay():
    # the notes: d/dw (loss + lambda / 2 ||w||^2) = dloss/dw + lambda w
    layer = nn.Linear(3, 1).double()
    x, y = netgrad.randn(5, 3, dtype=netgrad.float64), netgrad.randn(5, 1, dtype=netgrad.float64)
    nn.MSELoss()(layer(x), y).backward()
    plain = layer.weight.grad.numpy().copy()
    layer.zero_grad()
    lam = 0.1
    (nn.MSELoss()(layer(x), y) + nn.utils.l2_penalty(layer, lam / 2)).backward()
    np.testing.assert_allclose(layer.weight.grad.numpy(), plain + lam * layer.weight.detach().numpy(), rtol=1e-13)
