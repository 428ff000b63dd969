"""Every activation: values against closed forms (scalar math), gradients by central differences."""
import math

import numpy as np
import pytest

import netgrad
import netgrad.nn as nn
import netgrad.nn.functional as F
from netgrad import gradcheck

SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def sample(shape=(3, 4), low=-4.0, high=4.0, seed=0, avoid=(0.0,), margin=0.05):
    """float64 values in [low, high] kept `margin` away from the kinks in `avoid`."""
    x = np.random.default_rng(seed).uniform(low, high, size=shape)
    for point in avoid:
        close = np.abs(x - point) < margin
        x[close] = point + np.where(x[close] >= point, margin, -margin)
    return x


def t64(array, requires_grad=True):
    return netgrad.tensor(array, dtype=netgrad.float64, requires_grad=requires_grad)


# name -> (module factory, scalar closed form, kinks to keep away from)
ELEMENTWISE = {
    "Identity": (nn.Identity, lambda x: x, ()),
    "Step": (nn.Step, lambda x: 1.0 if x > 0 else 0.0, (0.0,)),
    "Sigmoid": (nn.Sigmoid, lambda x: 1 / (1 + math.exp(-x)), ()),
    "LogSigmoid": (nn.LogSigmoid, lambda x: math.log(1 / (1 + math.exp(-x))), ()),
    "Tanh": (nn.Tanh, math.tanh, ()),
    "Hardtanh": (lambda: nn.Hardtanh(-0.5, 1.5), lambda x: min(max(x, -0.5), 1.5), (-0.5, 1.5)),
    "ReLU": (nn.ReLU, lambda x: max(0.0, x), (0.0,)),
    "ReLU6": (nn.ReLU6, lambda x: min(max(0.0, x), 6.0), (0.0, 6.0)),
    "LeakyReLU": (lambda: nn.LeakyReLU(0.2), lambda x: x if x > 0 else 0.2 * x, (0.0,)),
    "PReLU": (nn.PReLU, lambda x: x if x > 0 else 0.25 * x, (0.0,)),
    "RReLU eval": (lambda: nn.RReLU(0.1, 0.3).eval(), lambda x: x if x > 0 else 0.2 * x, (0.0,)),
    "ELU": (lambda: nn.ELU(0.7), lambda x: x if x > 0 else 0.7 * (math.exp(x) - 1), (0.0,)),
    "SELU": (nn.SELU, lambda x: SELU_SCALE * (x if x > 0 else SELU_ALPHA * (math.exp(x) - 1)), (0.0,)),
    "GELU": (nn.GELU, lambda x: x * 0.5 * (1 + math.erf(x / math.sqrt(2))), ()),
    "GELU tanh": (lambda: nn.GELU("tanh"),
                  lambda x: 0.5 * x * (1 + math.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3))), ()),
    "SiLU": (nn.SiLU, lambda x: x / (1 + math.exp(-x)), ()),
    "Mish": (nn.Mish, lambda x: x * math.tanh(math.log1p(math.exp(x))), ()),
    "Softplus": (nn.Softplus, lambda x: math.log1p(math.exp(x)), ()),
    "Softplus beta threshold": (lambda: nn.Softplus(beta=2.0, threshold=5.0),
                                lambda x: x if 2 * x > 5 else math.log1p(math.exp(2 * x)) / 2, (2.5,)),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_values_match_closed_form(name):
    make, closed_form, avoid = ELEMENTWISE[name]
    x = sample(low=-8, high=8, avoid=avoid)
    out = make()(t64(x, requires_grad=False)).detach().numpy()
    expected = np.vectorize(closed_form)(x)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_gradients_match_central_differences(name):
    make, _, avoid = ELEMENTWISE[name]
    module = make().double()
    x = t64(sample(low=-5, high=7, avoid=avoid))
    assert gradcheck(module, (x,), atol=1e-7, rtol=1e-6)
    for parameter in module.parameters():
        assert gradcheck(lambda p: F.prelu(x, p), (parameter,), atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_float32_stays_float32(name):
    make, _, _ = ELEMENTWISE[name]
    out = make()(netgrad.randn(3, 4, requires_grad=True))
    assert out.dtype == netgrad.float32
    out.sum().backward()


def test_derivatives_from_the_notes_table():
    x = sample(low=-3, high=3)
    for module, derivative in [
        (nn.Sigmoid(), lambda a, z: a * (1 - a)),                 # g'(z) = g(z) (1 - g(z))
        (nn.Tanh(), lambda a, z: 1 - a ** 2),                     # g'(z) = 1 - g(z)^2
        (nn.ReLU(), lambda a, z: (z > 0).astype(float)),          # 1 for z > 0, 0 for z < 0
        (nn.LeakyReLU(0.01), lambda a, z: np.where(z > 0, 1, 0.01)),
        (nn.Identity(), lambda a, z: np.ones_like(z)),
        (nn.Step(), lambda a, z: np.zeros_like(z)),
    ]:
        z = t64(x)
        a = module(z)
        a.sum().backward()
        np.testing.assert_allclose(z.grad.numpy(), derivative(a.detach().numpy(), x), rtol=1e-12, err_msg=str(module))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_and_log_softmax(dim):
    x = sample(shape=(3, 4, 2))
    e = np.exp(x)
    expected = e / e.sum(axis=dim, keepdims=True)
    np.testing.assert_allclose(nn.Softmax(dim)(t64(x)).detach().numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(nn.LogSoftmax(dim)(t64(x)).detach().numpy(), np.log(expected), rtol=1e-12)
    assert gradcheck(nn.Softmax(dim), (t64(x),))
    assert gradcheck(nn.LogSoftmax(dim), (t64(x),))


def test_softmax_without_dim_warns_and_picks_pytorchs_implicit_dim():
    x = t64(sample(shape=(2, 3)), requires_grad=False)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = nn.Softmax()(x)
    np.testing.assert_allclose(out.numpy().sum(axis=1), 1.0)


def test_extreme_inputs_give_finite_values_and_gradients():
    x = np.array([-1000.0, -100.0, -30.0, 30.0, 100.0, 1000.0])
    for module in [nn.Sigmoid(), nn.LogSigmoid(), nn.Tanh(), nn.Softplus(), nn.SiLU(), nn.Mish(), nn.ELU(),
                   nn.SELU(), nn.GELU(), nn.GELU("tanh"), nn.Softmax(0), nn.LogSoftmax(0)]:
        z = t64(x)
        out = module(z)
        out.sum().backward()
        assert np.all(np.isfinite(out.detach().numpy())), module
        assert np.all(np.isfinite(z.grad.numpy())), module


def test_prelu_learns_one_slope_per_channel():
    prelu = nn.PReLU(num_parameters=3, init=0.1).double()
    with netgrad.no_grad():
        prelu.weight.copy_(np.array([0.1, -0.5, 2.0]))
    x = sample(shape=(4, 3, 2))
    out = prelu(t64(x, requires_grad=False)).detach().numpy()
    np.testing.assert_allclose(out, np.where(x > 0, x, np.array([0.1, -0.5, 2.0])[None, :, None] * x))
    xt = t64(x)
    assert gradcheck(lambda a, w: F.prelu(a, w), (xt, prelu.weight), atol=1e-7)
    with pytest.raises(ValueError, match="3 slopes .* 5 channels"):
        prelu(netgrad.randn(4, 5, dtype=netgrad.float64))
    assert repr(prelu) == "PReLU(num_parameters=3)"


def test_rrelu_draws_slopes_in_training_and_uses_their_mean_in_evaluation():
    rrelu = nn.RReLU(lower=0.1, upper=0.3)
    x = np.concatenate([-np.linspace(0.5, 3, 2000), np.linspace(0.5, 3, 10)])
    netgrad.manual_seed(7)
    xt = t64(x)
    out = rrelu(xt)
    slopes = out.detach().numpy() / x
    negative = x < 0
    assert np.all((slopes[negative] >= 0.1) & (slopes[negative] <= 0.3))
    assert np.all(slopes[~negative] == 1)
    assert abs(slopes[negative].mean() - 0.2) < 0.01           # U(0.1, 0.3) has mean 0.2
    assert abs(slopes[negative].std() - 0.2 / math.sqrt(12)) < 0.005
    out.sum().backward()
    np.testing.assert_allclose(xt.grad.numpy(), slopes)         # the drawn slope is the derivative
    netgrad.manual_seed(7)
    np.testing.assert_array_equal(rrelu(t64(x)).detach().numpy(), out.detach().numpy())  # reproducible
    rrelu.eval()
    np.testing.assert_allclose(rrelu(t64(x)).detach().numpy(), np.where(x > 0, x, 0.2 * x))


def test_step_is_the_heaviside_threshold_unit():
    x = t64(np.array([-1.0, 0.0, 0.2, 0.5, 2.0]))
    out = nn.Step(threshold=0.3)(x)
    np.testing.assert_array_equal(out.detach().numpy(), [0, 0, 0, 1, 1])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(5))
    assert repr(nn.Step()) == "Step(threshold=0.0)"


def test_erf_is_accurate_to_the_last_bits():
    x = np.concatenate([np.linspace(-7, 7, 20001), np.geomspace(1e-300, 1e-3, 200),
                        [0.84375, 1.25, 1 / 0.35, 6.0, 27.0]])
    expected = np.array([math.erf(v) for v in x])
    relative = np.abs(F.erf_array(x) - expected) / np.maximum(np.abs(expected), 1e-300)
    assert relative.max() < 1e-15
    np.testing.assert_array_equal(F.erf_array(-x), -F.erf_array(x))
    special = F.erf_array(np.array([0.0, np.inf, -np.inf, np.nan]))
    np.testing.assert_array_equal(special[:3], [0.0, 1.0, -1.0])
    assert np.isnan(special[3])
    assert F.erf_array(np.float32([0.5])).dtype == np.float32


def test_bad_hyper_parameters_raise_value_error():
    for build in [lambda: nn.GELU("exact"), lambda: nn.Hardtanh(1.0, -1.0), lambda: nn.RReLU(0.5, 0.1),
                  lambda: nn.Softplus(beta=0), lambda: nn.PReLU(num_parameters=0)]:
        with pytest.raises(ValueError):
            build()
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(netgrad.ones(2), approximate="fast")


def test_reprs_follow_pytorch():
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.ELU(alpha=0.5)) == "ELU(alpha=0.5)"
    assert repr(nn.Hardtanh()) == "Hardtanh(min_val=-1.0, max_val=1.0)"
    assert repr(nn.Softplus()) == "Softplus(beta=1.0, threshold=20.0)"
    assert repr(nn.GELU("tanh")) == "GELU(approximate='tanh')"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
