"""netgrad.keras.layers: Keras's conventions checked against hand computations and central differences."""
from __future__ import annotations

import numpy as np
import pytest

import netgrad
from netgrad import keras, nn
from netgrad.engine.kernels.linear import Linear, LinearReLU, LinearTanh
from netgrad.engine.kernels.normalization import BatchNorm
from netgrad.keras import activations, initializers, layers, regularizers


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()
    netgrad.manual_seed(0)


def as64(a):
    return netgrad.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


# --------------------------------------------------------------------------------------------- Dense


def test_dense_kernel_is_input_dim_by_units_and_computes_x_kernel_plus_bias():
    dense = layers.Dense(3)
    dense.build((None, 4))
    assert tuple(dense.kernel.shape) == (4, 3) and tuple(dense.bias.shape) == (3,)
    kernel = np.arange(12, dtype=np.float32).reshape(4, 3)
    bias = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    dense.set_weights([kernel, bias])
    x = np.array([[1.0, 1.0, 1.0, 1.0], [1.0, 0.0, -1.0, 2.0]], dtype=np.float32)
    out = dense(x).detach().numpy()
    # column sums of the kernel plus the bias, computed element by element
    expected = [[sum(x[i, j] * kernel[j, k] for j in range(4)) + bias[k] for k in range(3)] for i in range(2)]
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert [w.shape for w in dense.get_weights()] == [(4, 3), (3,)]  # Keras order: kernel, bias


def test_dense_is_one_graph_node_with_exact_gradients():
    x, kernel, bias = as64(np.random.default_rng(0).standard_normal((5, 4))), \
        as64(np.random.default_rng(1).standard_normal((4, 3))), as64([0.1, -0.2, 0.3])
    dense = layers.Dense(3, dtype="float64")
    dense.build((None, 4))
    dense.kernel.assign(kernel)
    dense.bias.assign(bias)
    out = dense(x)
    assert isinstance(out.grad_fn, Linear)  # the engine's linear node, with Keras's (in, out) kernel
    np.testing.assert_allclose(out.detach().numpy(), x.detach().numpy() @ kernel.detach().numpy() +
                               bias.detach().numpy(), rtol=1e-12)
    assert netgrad.gradcheck(lambda a, k, b: Linear.apply(a, k, b, True), [x, kernel, bias])
    x3 = as64(np.random.default_rng(2).standard_normal((2, 3, 4)))  # a 3-D input transforms its last axis
    assert netgrad.gradcheck(lambda a, k: Linear.apply(a, k, None, True), [x3, kernel])


@pytest.mark.parametrize("activation, reference, function", [("relu", lambda z: np.maximum(z, 0), LinearReLU),
                                                              ("tanh", np.tanh, LinearTanh)])
def test_dense_relu_and_tanh_are_computed_inside_the_layers_node(activation, reference, function):
    dense = layers.Dense(3, activation=activation, dtype="float64")
    x = as64(np.random.default_rng(3).standard_normal((5, 4)) * 2)
    out = dense(x)
    assert out.grad_fn.next_functions[0][0].variable is x  # one node straight from the input
    kernel, bias = (w._data for w in (dense.kernel, dense.bias))
    np.testing.assert_allclose(out.detach().numpy(), reference(x.detach().numpy() @ kernel + bias), rtol=1e-12)
    assert isinstance(out.grad_fn, function)
    assert netgrad.gradcheck(lambda a, k, b: function.apply(a, k, b, True), [x, dense.kernel, dense.bias])
    x3 = as64(np.random.default_rng(4).standard_normal((2, 3, 4)))  # a 3-D input transforms its last axis
    assert netgrad.gradcheck(lambda a, k: function.apply(a, k, None, True), [x3, dense.kernel])


def test_dense_sigmoid_and_softmax_keep_their_logits_as_a_tensor():
    for activation in ("sigmoid", "softmax"):
        out = layers.Dense(3, activation=activation)(np.ones((2, 4), np.float32))
        assert isinstance(out.grad_fn.next_functions[0][0], Linear)


def test_dense_activation_units_and_bias_options():
    dense = layers.Dense(2, activation="relu", use_bias=False, kernel_initializer="ones")
    out = dense(np.array([[1.0, -3.0], [2.0, 1.0]], dtype=np.float32)).detach().numpy()
    np.testing.assert_array_equal(out, [[0.0, 0.0], [3.0, 3.0]])
    assert dense.bias is None and len(dense.weights) == 1
    for units in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="units"):
            layers.Dense(units)


def test_dense_wrong_input_size_names_layer_shapes_and_suggests_flatten():
    dense = layers.Dense(4, name="hidden")
    dense.build((None, 784))
    with pytest.raises(ValueError, match=r"'hidden'.*784.*\(5, 28, 28\).*Flatten"):
        dense(np.zeros((5, 28, 28), dtype=np.float32))


def test_glorot_uniform_default_kernel_has_keras_limits():
    dense = layers.Dense(400)
    dense.build((None, 600))
    kernel = dense.kernel.detach().numpy()
    limit = np.sqrt(6 / (600 + 400))
    assert kernel.min() >= -limit and kernel.max() <= limit
    assert abs(kernel.var() - limit ** 2 / 3) < 0.03 * limit ** 2 / 3
    np.testing.assert_array_equal(dense.bias.detach().numpy(), 0)


# ------------------------------------------------------------------------------------------ initializers


@pytest.mark.parametrize("name, variance", [
    ("he_normal", 2 / 600), ("he_uniform", 2 / 600), ("lecun_normal", 1 / 600), ("lecun_uniform", 1 / 600),
    ("glorot_normal", 2 / 1000), ("glorot_uniform", 2 / 1000),
])
def test_variance_scaling_initializers_match_the_notes_table(name, variance):
    values = initializers.get(name)((600, 400)).numpy()  # Keras fans: fan_in = 600, fan_out = 400
    assert values.dtype == np.float32
    assert abs(values.var() - variance) < 0.03 * variance


def test_truncated_normals_stay_within_two_standard_deviations():
    values = initializers.TruncatedNormal(stddev=1.0)((200, 200)).numpy()
    assert np.abs(values).max() <= 2.0
    he = initializers.HeNormal()((600, 400)).numpy()
    assert np.abs(he).max() <= 2 * np.sqrt(2 / 600) / 0.87962566103423978 + 1e-6


def test_initializer_defaults_seeds_and_names():
    assert isinstance(initializers.RandomNormal()((2,)), netgrad.Tensor)  # Keras 3 initializers return tensors
    np.testing.assert_allclose(initializers.RandomNormal()((20000,)).numpy().std(), 0.05, rtol=0.03)
    uniform = initializers.RandomUniform()((20000,)).numpy()
    assert uniform.min() >= -0.05 and uniform.max() <= 0.05
    seeded = initializers.GlorotUniform(seed=3)
    np.testing.assert_array_equal(seeded((3, 3)), seeded((3, 3)))  # Keras 3: a seeded initializer repeats
    q = initializers.Orthogonal(seed=1)((6, 4)).numpy()
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)
    np.testing.assert_array_equal(initializers.get("zeros")((2,)), [0, 0])
    np.testing.assert_array_equal(initializers.Constant(2.5)((2,)), [2.5, 2.5])
    with pytest.raises(ValueError, match="Unknown initializer 'glorot'.*glorot_uniform.*he_normal"):
        initializers.get("glorot")


# ------------------------------------------------------------------------------------------ activations


def test_activations_by_name_with_keras_defaults():
    x = netgrad.tensor([-2.0, -0.5, 0.0, 1.5, 8.0])
    data = x.numpy().astype(np.float64)
    expected = {
        "relu": np.maximum(data, 0),
        "leaky_relu": np.where(data > 0, data, 0.2 * data),  # Keras's slope is 0.2
        "sigmoid": 1 / (1 + np.exp(-data)),
        "tanh": np.tanh(data),
        "elu": np.where(data > 0, data, np.exp(data) - 1),
        "softplus": np.log1p(np.exp(data)),
        "softsign": data / (np.abs(data) + 1),
        "swish": data / (1 + np.exp(-data)),
        "hard_sigmoid": np.clip(data + 3, 0, 6) / 6,
        "relu6": np.clip(data, 0, 6),
        "exponential": np.exp(data),
        "linear": data,
    }
    for name, values in expected.items():
        np.testing.assert_allclose(activations.get(name)(x).detach().numpy(), values, rtol=1e-5, atol=1e-6,
                                   err_msg=name)
    np.testing.assert_allclose(activations.relu(x, max_value=1.0, threshold=0.5, negative_slope=0.1).detach().numpy(),
                               [-0.25, -0.1, -0.05, 1.0, 1.0], rtol=1e-6)
    assert activations.get(None) is activations.linear
    with pytest.raises(ValueError, match="Unknown activation 'rellu'. Valid names:.*relu.*softmax"):
        activations.get("rellu")


def test_softmax_output_remembers_its_logits_while_it_lives():
    logits = netgrad.tensor([[1.0, 2.0, 3.0]])
    probabilities = activations.softmax(logits)
    np.testing.assert_allclose(probabilities.numpy().sum(), 1.0, rtol=1e-6)
    assert activations.logits_of(probabilities, "softmax") is logits
    assert activations.logits_of(probabilities, "sigmoid") is None
    assert activations.logits_of(netgrad.tensor([[0.1, 0.9]]), "softmax") is None
    before = len(activations._logits_of)
    del probabilities
    assert len(activations._logits_of) == before - 1  # the entry leaves with its output


# ----------------------------------------------------------------------------------- BatchNormalization


def test_batch_normalization_uses_keras_momentum_convention_and_biased_variance():
    x = np.random.default_rng(0).normal(3.0, 2.0, (16, 4)).astype(np.float32)
    bn = layers.BatchNormalization(momentum=0.9, epsilon=1e-3)
    out = bn(x, training=True).detach().numpy()
    mean, var = x.mean(axis=0), x.var(axis=0)  # biased variance, as Keras
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.9 * 0.0 + 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.9 * 1.0 + 0.1 * var, rtol=1e-5)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    inference = bn(x).detach().numpy()  # called directly: inference mode, the moving statistics
    np.testing.assert_allclose(inference, (x - bn.moving_mean.numpy()) / np.sqrt(bn.moving_variance.numpy() + 1e-3),
                               rtol=1e-5)
    assert layers.BatchNormalization().momentum == 0.99 and layers.BatchNormalization().epsilon == 1e-3


def test_batch_normalization_weights_order_and_trainability():
    bn = layers.BatchNormalization()
    bn.build((None, 3))
    assert [w is t for w, t in zip(bn.weights, [bn.gamma, bn.beta, bn.moving_mean, bn.moving_variance])] == [True] * 4
    assert bn.trainable_weights == [bn.gamma, bn.beta]
    assert bn.non_trainable_weights == [bn.moving_mean, bn.moving_variance]
    assert bn.count_params() == 12
    assert set(dict(bn.named_buffers())) == {"moving_mean", "moving_variance"}  # PyTorch's view: buffers


def test_frozen_batch_normalization_uses_moving_statistics_even_in_training():
    bn = layers.BatchNormalization(momentum=0.5)
    x = np.random.default_rng(1).standard_normal((8, 2)).astype(np.float32)
    bn(x, training=True)
    frozen_mean = bn.moving_mean.numpy().copy()
    bn.trainable = False
    out = bn(x, training=True).detach().numpy()
    np.testing.assert_array_equal(bn.moving_mean.numpy(), frozen_mean)
    np.testing.assert_allclose(out, (x - frozen_mean) / np.sqrt(bn.moving_variance.numpy() + 1e-3), rtol=1e-5)


@pytest.mark.parametrize("training", [True, False])
def test_batch_normalization_gradients_by_central_differences(training):
    rng = np.random.default_rng(2)
    x = as64(rng.standard_normal((6, 2, 3)))
    gamma, beta = as64(rng.standard_normal(3)), as64(rng.standard_normal(3))
    moving_mean, moving_var = rng.standard_normal(3), rng.random(3) + 0.5

    def bn(a, g, b):
        return BatchNorm.apply(a, g, b, moving_mean.copy(), moving_var.copy(), training, 0.9, 1e-3, 2, "keras")

    assert netgrad.gradcheck(bn, [x, gamma, beta])


# ------------------------------------------------------------------------------- other built-in layers


def test_dropout_rate_scaling_and_inference_identity():
    x = np.ones((200, 50), dtype=np.float32)
    dropout = layers.Dropout(0.3)
    np.testing.assert_array_equal(dropout(x).detach().numpy(), x)  # called directly: inference
    out = dropout(x, training=True).detach().numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)
    assert abs(kept.mean() - 0.7) < 0.02
    rows = layers.Dropout(0.5, noise_shape=(None, 1), seed=1)(x, training=True).detach().numpy()
    assert all(len(set(row)) == 1 for row in rows)  # whole rows dropped or kept
    for rate in (-0.1, 1.5, "half"):
        with pytest.raises(ValueError, match="rate"):
            layers.Dropout(rate)


def test_flatten_reshape_rescaling_activation():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    assert tuple(layers.Flatten()(x).shape) == (2, 12)
    assert layers.Flatten().compute_output_shape((None, 3, 4)) == (None, 12)
    assert tuple(layers.Reshape((4, 3))(x).shape) == (2, 4, 3)
    assert layers.Reshape((-1, 2)).compute_output_shape((None, 3, 4)) == (None, 6, 2)
    np.testing.assert_allclose(layers.Rescaling(1 / 255, offset=-1)(np.array([[255.0]])).detach().numpy(), [[0.0]])
    np.testing.assert_allclose(layers.Activation("tanh")(np.array([[0.5]])).detach().numpy(), [[np.tanh(0.5)]],
                               rtol=1e-6)


def test_normalization_adapts_mean_and_variance():
    data = np.random.default_rng(3).normal([1.0, -5.0, 10.0], [2.0, 0.5, 3.0], (500, 3)).astype(np.float32)
    norm = layers.Normalization()
    norm.adapt(data)
    np.testing.assert_allclose(norm.mean.numpy(), data.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(norm.variance.numpy(), data.var(axis=0), rtol=1e-5)
    out = norm(data).detach().numpy()
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=0), 1, rtol=1e-4)
    assert norm.count_params() == 7 and norm.trainable_weights == []  # mean, variance and count, as Keras
    batched = layers.Normalization()
    batched.adapt([data[:123], data[123:400], data[400:]])  # batches merged exactly
    np.testing.assert_allclose(batched.variance.numpy(), data.var(axis=0), rtol=1e-5)
    fixed = layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.0])
    # sqrt(var) floored at 1e-7
    np.testing.assert_allclose(fixed(np.array([[3.0, 2.0]])).detach().numpy(), [[1.0, 0.0]])
    inverse = layers.Normalization(mean=[1.0], variance=[4.0], invert=True)
    np.testing.assert_allclose(inverse(np.array([[1.0]])).detach().numpy(), [[3.0]])


# ------------------------------------------------------------------------------------ the Layer contract


class SimpleDense(layers.Layer):
    """The notes' custom layer."""

    def __init__(self, units, activation=None):
        super().__init__()
        self.units = units
        self.activation = activation

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.W = self.add_weight(shape=(input_dim, self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        y = inputs @ self.W + self.b
        if self.activation is not None:
            y = self.activation(y)
        return y


def test_custom_layer_builds_lazily_and_registers_weights_under_their_attribute_names():
    layer = SimpleDense(units=32, activation=netgrad.relu)
    assert not layer.built and layer.weights == []
    out = layer(netgrad.ones(2, 784))
    assert tuple(out.shape) == (2, 32) and layer.built
    assert list(dict(layer.named_parameters())) == ["W", "b"]
    assert layer.weights == [layer.W, layer.b] and layer.trainable_weights == [layer.W, layer.b]
    assert layer.count_params() == 784 * 32 + 32
    assert isinstance(layer, nn.Module) and all(isinstance(p, nn.Parameter) for p in layer.parameters())
    assert abs(layer.W.detach().numpy().std() - 0.05) < 0.005  # random_normal: Keras's stddev 0.05
    assert layer.name == "simple_dense"


def test_layer_names_trainable_and_weights_round_trip():
    first, second = layers.Dense(2), layers.Dense(2)
    assert (first.name, second.name) == ("dense", "dense_1")
    with pytest.raises(ValueError, match="name"):
        layers.Dense(2, name="a/b")
    with pytest.raises(ValueError, match="count_params.*isn't built"):
        first.count_params()
    first.build((None, 3))
    first.trainable = False
    assert first.trainable_weights == [] and first.non_trainable_weights == [first.kernel, first.bias]
    assert not first.kernel.requires_grad
    first.trainable = True
    assert first.kernel.requires_grad
    values = [np.full((3, 2), 0.5, np.float32), np.array([1.0, -1.0], np.float32)]
    first.set_weights(values)
    for got, want in zip(first.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match=r"expected 2 weights, but received 1"):
        first.set_weights(values[:1])
    with pytest.raises(ValueError, match=r"shape \(3, 2\).*\(2, 3\)"):
        first.set_weights([values[0].T, values[1]])


def test_regularizers_are_the_layers_losses():
    dense = layers.Dense(2, kernel_regularizer=regularizers.l2(0.1), bias_regularizer="l1")
    dense.build((None, 2))
    dense.set_weights([np.array([[1.0, -2.0], [3.0, 0.5]], np.float32), np.array([0.5, -1.0], np.float32)])
    penalties = [float(loss.detach().numpy()) for loss in dense.losses]
    np.testing.assert_allclose(penalties, [0.1 * (1 + 4 + 9 + 0.25), 0.01 * 1.5], rtol=1e-6)
    np.testing.assert_allclose(float(regularizers.L1L2(l1=0.5, l2=0.25)(netgrad.tensor([-2.0, 1.0])).detach().numpy()),
                               0.5 * 3 + 0.25 * 5)
    with pytest.raises(ValueError, match="l2"):
        regularizers.L2(-1.0)
    with pytest.raises(ValueError, match="Unknown regularizer 'l3'.*l1.*l1_l2.*l2"):
        regularizers.get("l3")


def test_activity_regularizer_is_divided_by_the_batch_size():
    dense = layers.Dense(1, kernel_initializer="ones", use_bias=False, activity_regularizer=regularizers.L1(1.0))
    dense(np.array([[1.0, 2.0], [3.0, -4.0]], np.float32))
    np.testing.assert_allclose(float(dense.losses[0].detach().numpy()), (3 + 1) / 2)


def test_layer_configs_round_trip():
    dense = layers.Dense(5, activation="tanh", kernel_initializer=initializers.HeNormal(seed=2),
                         kernel_regularizer=regularizers.L2(0.01), name="out")
    clone = layers.Dense.from_config(dense.get_config())
    assert clone.get_config() == dense.get_config()
    assert clone.activation is activations.tanh and clone.name == "out"
    bn = layers.BatchNormalization(momentum=0.9, center=False)
    assert layers.BatchNormalization.from_config(bn.get_config()).get_config() == bn.get_config()
    custom = SimpleDense(4, activation=activations.relu)
    config = custom.get_config()  # recorded automatically from the constructor's arguments
    assert config["units"] == 4 and config["activation"]["config"] == "relu"
    rebuilt = SimpleDense.from_config(config)
    assert rebuilt.units == 4 and rebuilt.activation is activations.relu
    with pytest.raises(NotImplementedError, match="get_config"):
        SimpleDense(4, activation=lambda x: x).get_config()


def test_layers_run_inside_a_pytorch_style_model():
    model = nn.Sequential(layers.Dense(3, activation="relu"), nn.Linear(3, 2))
    out = model(netgrad.ones(4, 5))
    assert tuple(out.shape) == (4, 2)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
