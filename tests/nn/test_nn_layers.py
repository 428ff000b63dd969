"""Layers: closed forms, gradients by central differences, initialisation ranges, train / eval behaviour, errors."""
import math

import numpy as np
import pytest

import netgrad
import netgrad.nn as nn
from netgrad import gradcheck

rng = np.random.default_rng(0)


def t64(array, requires_grad=False):
    return netgrad.tensor(np.asarray(array, dtype=np.float64), dtype=netgrad.float64, requires_grad=requires_grad)


# ------------------------------------------------------------------------------------------------- Linear


def test_linear_computes_x_w_transpose_plus_b_with_weight_out_by_in():
    layer = nn.Linear(3, 2).double()
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    x = rng.normal(size=(5, 3))
    expected = x @ layer.weight.detach().numpy().T + layer.bias.detach().numpy()
    np.testing.assert_allclose(layer(t64(x)).detach().numpy(), expected, rtol=1e-14)
    batched = rng.normal(size=(2, 4, 3))  # leading dimensions are batch dimensions
    np.testing.assert_allclose(layer(t64(batched)).detach().numpy(),
                               batched @ layer.weight.detach().numpy().T + layer.bias.detach().numpy(), rtol=1e-14)


def test_linear_gradients_match_central_differences():
    layer = nn.Linear(4, 3).double()
    x = t64(rng.normal(size=(5, 4)), requires_grad=True)
    assert gradcheck(lambda x, w, b: nn.functional.linear(x, w, b), (x, layer.weight, layer.bias))
    no_bias = nn.Linear(4, 3, bias=False).double()
    assert no_bias.bias is None and len(list(no_bias.parameters())) == 1
    assert gradcheck(no_bias, (x,))


def test_linear_default_initialisation_is_uniform_within_one_over_sqrt_fan_in():
    netgrad.manual_seed(0)
    layer = nn.Linear(400, 600)
    bound = 1 / math.sqrt(400)
    weight, bias = layer.weight.detach().numpy().copy(), layer.bias.detach().numpy()
    assert np.abs(weight).max() <= bound and np.abs(bias).max() <= bound
    assert weight.var() == pytest.approx(bound ** 2 / 3, rel=0.03)  # U(-a, a) has variance a^2 / 3
    assert weight.dtype == np.float32
    netgrad.manual_seed(0)
    np.testing.assert_array_equal(nn.Linear(400, 600).weight.detach().numpy(), weight)  # reproducible
    layer.reset_parameters()
    assert not np.array_equal(layer.weight.detach().numpy(), weight)


def test_linear_rejects_inputs_with_the_wrong_number_of_features():
    layer = nn.Linear(784, 300)
    with pytest.raises(ValueError, match=r"Linear\(in_features=784, out_features=300, bias=True\) expected input "
                                         r"with 784 features \(last dimension\) but got shape \(5, 28, 28\); "
                                         r"did you forget nn.Flatten\(\)\?"):
        layer(netgrad.zeros(5, 28, 28))
    with pytest.raises(RuntimeError, match=r"784 features .* shape \(5, 100\); check this layer's in_features"):
        layer(netgrad.zeros(5, 100))
    with pytest.raises(TypeError, match="float32 weights but got a float64 input"):
        layer(netgrad.zeros(5, 784, dtype=netgrad.float64))
    assert layer(nn.Flatten()(netgrad.zeros(5, 28, 28))).shape == (5, 300)


def test_linear_rejects_bad_sizes():
    with pytest.raises(ValueError, match="in_features"):
        nn.Linear(-1, 3)
    with pytest.raises(ValueError, match="out_features"):
        nn.Linear(3, 2.5)


def test_linear_accepts_numpy_input_of_its_dtype():
    layer = nn.Linear(2, 1)
    out = layer(np.ones((3, 2), dtype=np.float32))
    assert out.shape == (3, 1) and out.requires_grad


# ------------------------------------------------------------------------------------- Identity, Flatten


def test_identity_and_flatten():
    x = netgrad.randn(2, 3, 4, 5)
    assert nn.Identity(54, unused="argument")(x) is x
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0)(x).shape == (120,)
    assert nn.Flatten(1, 2)(x).shape == (2, 12, 5)
    np.testing.assert_array_equal(nn.Flatten()(x).numpy(), x.numpy().reshape(2, -1))
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"


# ------------------------------------------------------------------------------------------------ Dropout


def test_dropout_zeroes_with_probability_p_and_keeps_the_expectation():
    netgrad.manual_seed(1)
    p = 0.3
    x = netgrad.ones(400_000, requires_grad=True)
    out = nn.Dropout(p)(x)
    values = out.detach().numpy()
    assert set(np.unique(values).tolist()) <= {0.0, np.float32(1 / (1 - p))}
    assert (values == 0).mean() == pytest.approx(p, abs=0.005)
    assert values.mean() == pytest.approx(1.0, abs=0.01)     # E[x'] = x
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), values)      # d out / d x is the scaled mask
    assert out.dtype == netgrad.float32


def test_dropout_is_the_identity_in_evaluation_and_for_p_zero():
    x = netgrad.randn(10, 5)
    layer = nn.Dropout(0.5)
    layer.eval()
    assert layer(x) is x
    assert nn.Dropout(0.0)(x) is x
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).numpy(), np.zeros((10, 5)))


def test_dropout_masks_are_reproducible_from_the_global_seed():
    netgrad.manual_seed(5)
    first = nn.Dropout(0.5)(netgrad.ones(100)).numpy()
    netgrad.manual_seed(5)
    np.testing.assert_array_equal(nn.Dropout(0.5)(netgrad.ones(100)).numpy(), first)


@pytest.mark.parametrize("p", [-0.1, 1.5, "half"])
def test_dropout_rejects_probabilities_outside_unit_interval(p):
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(p)


# -------------------------------------------------------------------------------------------- BatchNorm1d


def batch_norm_reference(x, mean, var, gamma, beta, eps=1e-5):
    shape = (1, -1) + (1,) * (x.ndim - 2)  # per channel, dimension 1
    return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * gamma.reshape(shape) + beta.reshape(shape)


def test_batchnorm_training_normalises_with_batch_statistics():
    bn = nn.BatchNorm1d(3).double()
    with netgrad.no_grad():
        bn.weight.copy_(np.array([1.0, 2.0, 0.5]))
        bn.bias.copy_(np.array([0.0, -1.0, 3.0]))
    x = rng.normal(5.0, 3.0, size=(16, 3))
    out = bn(t64(x)).detach().numpy()
    expected = batch_norm_reference(x, x.mean(0), x.var(0), np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0]))
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    plain = nn.BatchNorm1d(3).double()(t64(x)).detach().numpy()
    np.testing.assert_allclose(plain.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(plain.var(0), x.var(0) / (x.var(0) + 1e-5), rtol=1e-12)  # ~1


def test_batchnorm_running_statistics_follow_the_momentum_rule():
    bn = nn.BatchNorm1d(2, momentum=0.1).double()
    batches = [rng.normal(i, 1 + i, size=(8, 2)) for i in range(3)]
    running_mean, running_var = np.zeros(2), np.ones(2)
    for batch in batches:
        bn(t64(batch))
        running_mean = 0.9 * running_mean + 0.1 * batch.mean(0)
        running_var = 0.9 * running_var + 0.1 * batch.var(0, ddof=1)  # unbiased for the running estimate
    np.testing.assert_allclose(bn.running_mean.numpy(), running_mean, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(), running_var, rtol=1e-12)
    assert bn.num_batches_tracked.item() == 3
    cumulative = nn.BatchNorm1d(2, momentum=None).double()
    for batch in batches:
        cumulative(t64(batch))
    np.testing.assert_allclose(cumulative.running_mean.numpy(), np.mean([b.mean(0) for b in batches], 0), rtol=1e-12)
    np.testing.assert_allclose(cumulative.running_var.numpy(), np.mean([b.var(0, ddof=1) for b in batches], 0),
                               rtol=1e-12)


def test_batchnorm_evaluation_uses_running_statistics_and_freezes_them():
    bn = nn.BatchNorm1d(2).double()
    for _ in range(5):
        bn(t64(rng.normal(3, 2, size=(10, 2))))
    bn.eval()
    mean, var = bn.running_mean.numpy().copy(), bn.running_var.numpy().copy()
    x = rng.normal(size=(4, 2))
    out = bn(t64(x)).detach().numpy()
    np.testing.assert_allclose(out, batch_norm_reference(x, mean, var, np.ones(2), np.zeros(2)), rtol=1e-12)
    np.testing.assert_array_equal(bn.running_mean.numpy(), mean)
    assert bn.num_batches_tracked.item() == 5
    single = bn(t64(x[:1])).detach().numpy()  # a batch of one is fine in evaluation
    np.testing.assert_allclose(single, out[:1], rtol=1e-12)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
def test_batchnorm_gradients_match_central_differences(training, shape):
    bn = nn.BatchNorm1d(3).double()
    with netgrad.no_grad():
        bn.weight.copy_(np.array([1.5, -0.5, 2.0]))
        bn.bias.copy_(np.array([0.1, 0.2, -0.3]))
        bn.running_mean.copy_(np.array([0.3, -0.2, 1.0]))
        bn.running_var.copy_(np.array([2.0, 0.5, 1.5]))
    x = t64(rng.normal(size=shape), requires_grad=True)

    def forward(x, weight, bias):
        return nn.functional.batch_norm(x, bn.running_mean.clone(), bn.running_var.clone(), weight, bias,
                                        training=training)

    assert gradcheck(forward, (x, bn.weight, bn.bias))


def test_batchnorm_3d_input_normalises_per_channel_over_batch_and_length():
    x = rng.normal(2, 3, size=(4, 3, 5))
    out = nn.BatchNorm1d(3).double()(t64(x)).detach().numpy()
    mean, var = x.mean(axis=(0, 2)), x.var(axis=(0, 2))
    np.testing.assert_allclose(out, batch_norm_reference(x, mean, var, np.ones(3), np.zeros(3)), rtol=1e-12)


def test_batchnorm_without_running_statistics_uses_the_batch_in_both_modes():
    bn = nn.BatchNorm1d(2, track_running_stats=False, affine=False).double().eval()
    assert list(bn.state_dict()) == [] and list(bn.parameters()) == []
    x = rng.normal(size=(6, 2))
    np.testing.assert_allclose(bn(t64(x)).detach().numpy(),
                               batch_norm_reference(x, x.mean(0), x.var(0), np.ones(2), np.zeros(2)), rtol=1e-12)


def test_batchnorm_errors():
    bn = nn.BatchNorm1d(300)
    with pytest.raises(ValueError, match=r"BatchNorm1d\(300, .*\) expected input with 300 features \(dimension 1\) "
                                         r"but got shape \(8, 100\)"):
        bn(netgrad.zeros(8, 100))
    with pytest.raises(ValueError, match=r"2D \(N, C\) or 3D \(N, C, L\) input, got 4D"):
        bn(netgrad.zeros(2, 300, 2, 2))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        bn(netgrad.zeros(1, 300))
    for kwargs in [{"momentum": 1.5}, {"eps": 0}, {"num_features": 0}]:
        with pytest.raises(ValueError):
            nn.BatchNorm1d(**{"num_features": 3, **kwargs})


def test_batchnorm_state_dict_and_repr_follow_pytorch():
    bn = nn.BatchNorm1d(4)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert bn.num_batches_tracked.dtype == netgrad.int64
    assert repr(bn) == ("BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, "
                        "track_running_stats=True)")


# ---------------------------------------------------------------------------------------------- LayerNorm


@pytest.mark.parametrize("normalized_shape", [5, (4, 5)])
def test_layernorm_normalises_each_sample(normalized_shape):
    ln = nn.LayerNorm(normalized_shape).double()
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
    with netgrad.no_grad():
        ln.weight.copy_(rng.normal(size=shape))
        ln.bias.copy_(rng.normal(size=shape))
    x = rng.normal(3, 2, size=(3, 4, 5))
    axes = tuple(range(3 - len(shape), 3))
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-5) * ln.weight.detach().numpy() + ln.bias.detach().numpy()
    np.testing.assert_allclose(ln(t64(x)).detach().numpy(), expected, rtol=1e-12)
    xt = t64(x, requires_grad=True)
    assert gradcheck(lambda x, w, b: nn.functional.layer_norm(x, shape, w, b), (xt, ln.weight, ln.bias))
    assert gradcheck(lambda x: nn.functional.layer_norm(x, shape), (xt,))


def test_layernorm_rejects_a_mismatched_trailing_shape():
    with pytest.raises(ValueError, match=r"LayerNorm\(\(8,\).*expected .* last 1 dimension\(s\) .*\(8,\).*\(2, 5\)"):
        nn.LayerNorm(8)(netgrad.zeros(2, 5))
