"""Initialisers: the variance of a 600x400 weight within 3 % of each scheme's formula, bounds, gains, errors."""
import math

import numpy as np
import pytest

import netgrad
import netgrad.nn as nn
from netgrad.nn import init

FAN_OUT, FAN_IN = 600, 400  # a (600, 400) weight: Linear(400, 600)


def weight():
    return nn.Parameter(netgrad.empty(FAN_OUT, FAN_IN))


# name -> (initialiser, expected variance, bound of the support or None for normal)
SCHEMES = {
    "xavier_uniform": (lambda w: init.xavier_uniform_(w), 2 / (FAN_IN + FAN_OUT), math.sqrt(6 / (FAN_IN + FAN_OUT))),
    "xavier_uniform gain": (lambda w: init.xavier_uniform_(w, gain=init.calculate_gain("tanh")),
                            (5 / 3) ** 2 * 2 / (FAN_IN + FAN_OUT), 5 / 3 * math.sqrt(6 / (FAN_IN + FAN_OUT))),
    "xavier_normal": (lambda w: init.xavier_normal_(w), 2 / (FAN_IN + FAN_OUT), None),
    "kaiming_uniform relu": (lambda w: init.kaiming_uniform_(w, nonlinearity="relu"), 2 / FAN_IN,
                             math.sqrt(6 / FAN_IN)),
    "kaiming_normal relu": (lambda w: init.kaiming_normal_(w, nonlinearity="relu"), 2 / FAN_IN, None),
    "kaiming_normal fan_out": (lambda w: init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"), 2 / FAN_OUT,
                               None),
    "kaiming_uniform leaky": (lambda w: init.kaiming_uniform_(w, a=0.2), 2 / (1 + 0.2 ** 2) / FAN_IN,
                              math.sqrt(6 / (1 + 0.2 ** 2) / FAN_IN)),
    "kaiming_uniform sqrt5 (Linear default)": (lambda w: init.kaiming_uniform_(w, a=math.sqrt(5)), 1 / (3 * FAN_IN),
                                               1 / math.sqrt(FAN_IN)),
    "lecun_uniform": (lambda w: init.lecun_uniform_(w), 1 / FAN_IN, math.sqrt(3 / FAN_IN)),
    "lecun_normal": (lambda w: init.lecun_normal_(w), 1 / FAN_IN, None),
    "uniform": (lambda w: init.uniform_(w, -0.2, 0.6), 0.8 ** 2 / 12, None),
    "normal": (lambda w: init.normal_(w, 1.0, 0.05), 0.05 ** 2, None),
}


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_variance_within_three_percent_of_the_formula(name):
    netgrad.manual_seed(0)
    initialiser, variance, bound = SCHEMES[name]
    w = weight()
    assert initialiser(w) is w  # in place, returns its argument
    values = w.detach().numpy()
    assert values.var() == pytest.approx(variance, rel=0.03)
    if bound is not None:
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.99 * bound
        assert abs(values.mean()) < 0.01 * bound
    assert values.dtype == np.float32


def test_uniform_and_normal_respect_their_arguments():
    netgrad.manual_seed(0)
    w = init.uniform_(weight(), -0.2, 0.6).detach().numpy()
    assert w.min() >= -0.2 and w.max() < 0.6 and w.mean() == pytest.approx(0.2, abs=0.005)
    w = init.normal_(weight(), 1.0, 0.05).detach().numpy()
    assert w.mean() == pytest.approx(1.0, abs=0.001)


def test_constant_initialisers():
    np.testing.assert_array_equal(init.zeros_(weight()).detach().numpy(), 0)
    np.testing.assert_array_equal(init.ones_(weight()).detach().numpy(), 1)
    np.testing.assert_array_equal(init.constant_(weight(), 0.3).detach().numpy(), np.float32(0.3))


def test_initialisers_draw_from_the_global_generator_or_a_given_one():
    netgrad.manual_seed(3)
    first = init.kaiming_normal_(weight()).detach().numpy().copy()
    netgrad.manual_seed(3)
    np.testing.assert_array_equal(init.kaiming_normal_(weight()).detach().numpy(), first)
    a = init.xavier_uniform_(weight(), generator=np.random.default_rng(1)).detach().numpy().copy()
    b = init.xavier_uniform_(weight(), generator=np.random.default_rng(1)).detach().numpy()
    np.testing.assert_array_equal(a, b)


def test_calculate_gain_table():
    assert init.calculate_gain("linear") == init.calculate_gain("sigmoid") == init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == pytest.approx(0.75)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", True)


def test_fans_need_a_matrix_and_a_valid_mode():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(netgrad.empty(5))
    with pytest.raises(ValueError, match="Mode 'fan_avg' not supported"):
        init.kaiming_uniform_(weight(), mode="fan_avg")
    with pytest.raises(ValueError):
        init.uniform_(weight(), 1.0, 0.0)


def test_initialising_a_model_with_apply():
    def glorot(module):
        if isinstance(module, nn.Linear):
            init.xavier_uniform_(module.weight)
            init.zeros_(module.bias)

    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2)).apply(glorot)
    for layer in (model[0], model[2]):
        bound = math.sqrt(6 / sum(layer.weight.shape))
        assert np.abs(layer.weight.detach().numpy()).max() <= bound
        np.testing.assert_array_equal(layer.bias.detach().numpy(), 0)
