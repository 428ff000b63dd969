"""The lecture notes' Keras material: the linear classifier, the custom ``SimpleDense`` layer, and the notes'
worked examples written as Keras models (with the maths, not the slides' slips, as the reference)."""
from __future__ import annotations

import numpy as np
import pytest

import netgrad
from netgrad import keras
from netgrad.keras import layers


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()
    netgrad.manual_seed(0)


def two_clouds(n=1000, seed=0):
    """The linear classifier's data: two Gaussian clouds, means (0, 3) and (3, 0), covariance [[1, .5], [.5, 1]]."""
    rng = np.random.default_rng(seed)
    covariance = [[1.0, 0.5], [0.5, 1.0]]
    negative = rng.multivariate_normal([0.0, 3.0], covariance, n)
    positive = rng.multivariate_normal([3.0, 0.0], covariance, n)
    X = np.vstack([negative, positive]).astype(np.float32)
    y = np.hstack([np.zeros(n), np.ones(n)]).astype(np.float32)
    return X, y


class SimpleDense(keras.layers.Layer):
    """The notes' (and Chollet's) custom layer, as written there."""

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


def test_linear_classifier_one_dense_sigmoid_unit_with_binary_cross_entropy():
    X, y = two_clouds()
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(X, y, epochs=10, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.97
    probabilities = model.predict(X, verbose=0)
    assert probabilities.shape == (2000, 1) and ((probabilities >= 0) & (probabilities <= 1)).all()
    kernel, bias = model.get_weights()
    # the decision boundary is the line x . w + b = 0: probability above 0.5 exactly on its positive side
    np.testing.assert_array_equal(probabilities[:, 0] > 0.5, X @ kernel[:, 0] + bias[0] > 0)
    assert kernel[0, 0] > 0 > kernel[1, 0]  # class 1 lies towards (3, 0)


def test_simple_dense_custom_layer_as_in_the_notes():
    my_dense = SimpleDense(units=32, activation=netgrad.relu)
    input_tensor = netgrad.ones(2, 784)
    output_tensor = my_dense(input_tensor)
    assert tuple(output_tensor.shape) == (2, 32)
    assert [tuple(w.shape) for w in my_dense.weights] == [(784, 32), (32,)]


def test_simple_dense_layers_train_and_predict():
    X, y = two_clouds(n=300)
    model = keras.Sequential([SimpleDense(8, activation=keras.activations.relu),
                              SimpleDense(1, activation=keras.activations.sigmoid)])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["accuracy"][-1] > 0.95
    assert model.evaluate(X, y, verbose=0)[1] > 0.95
    assert model.predict(X[:4], verbose=0).shape == (4, 1)
    assert model.count_params() == 2 * 8 + 8 + 8 + 1


def test_logistic_regression_worked_example():
    # w = (0.2, 0.5, -0.3), b = -0.1, x = (1, 2, 0): z = 1.1, p = sigmoid(1.1) = 0.7503
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1, activation="sigmoid")])
    model.set_weights([np.array([[0.2], [0.5], [-0.3]], np.float32), np.array([-0.1], np.float32)])
    x = np.array([[1.0, 2.0, 0.0]], np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), [[1 / (1 + np.exp(-1.1))]], rtol=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0), [[0.7503]], atol=1e-4)
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    # "not spam", y = 0: L = -log(1 - 0.7503) = 1.3873 (the slide's 0.2877 is -log(0.75), the y = 1 loss)
    np.testing.assert_allclose(model.evaluate(x, np.array([0.0]), verbose=0), np.log1p(np.exp(1.1)), rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(x, np.array([1.0]), verbose=0), np.log1p(np.exp(-1.1)), rtol=1e-6)


# The notes' three-class example (C, Java, Python): in Keras's convention kernel[i, k] is w_(i+1),class k.
STACK_KERNEL = np.array([[0.2, 0.5, -0.1], [0.8, -0.4, 0.2], [-0.5, 0.3, 0.7]], np.float32)
STACK_BIAS = np.array([-0.1, 0.2, 0.1], np.float32)


def test_stack_exchange_softmax_regression_example():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(3, activation="softmax")])
    model.set_weights([STACK_KERNEL, STACK_BIAS])
    x = np.array([[1.0, 2.0, 0.0]], np.float32)
    z = np.array([0.2 + 1.6 - 0.1, 0.5 - 0.8 + 0.2, -0.1 + 0.4 + 0.1])  # z_C = 1.7, z_Java = -0.1, z_Python = 0.4
    expected = np.exp(z) / np.exp(z).sum()
    probabilities = model.predict(x, verbose=0)
    np.testing.assert_allclose(probabilities, [expected], rtol=1e-6)
    assert probabilities.argmax() == 0  # predicted: C
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    np.testing.assert_allclose(model.evaluate(x, np.array([2]), verbose=0), -np.log(expected[2]), rtol=1e-6)


def test_stack_exchange_multi_label_example_thresholds_at_one_half():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(3, activation="sigmoid")])
    model.set_weights([STACK_KERNEL, STACK_BIAS])
    probabilities = model.predict(np.array([[1.0, 2.0, 0.0]], np.float32), verbose=0)
    np.testing.assert_array_equal(probabilities > 0.5, [[True, False, True]])  # C and Python
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["binary_accuracy"])
    loss, accuracy = model.evaluate(np.array([[1.0, 2.0, 0.0]]), np.array([[1.0, 0.0, 1.0]]), verbose=0)
    p = 1 / (1 + np.exp(-np.array([1.7, -0.1, 0.4])))
    np.testing.assert_allclose(loss, -(np.log(p[0]) + np.log(1 - p[1]) + np.log(p[2])) / 3, rtol=1e-6)
    assert accuracy == 1.0


def test_notes_posts_predicted_from_their_logits():
    logits = np.array([[0.4967, -0.1383, 0.6477], [1.5230, -0.2342, -0.2341], [1.5792, 0.7674, -0.4695]])
    model = keras.Sequential([keras.Input((3,)), layers.Activation("softmax")])
    np.testing.assert_array_equal(model.predict(logits, verbose=0).argmax(axis=1), [2, 0, 0])  # Python, C, C


def test_parameter_counts_of_the_notes_networks():
    logistic = keras.Sequential([keras.Input((784,)), layers.Dense(10, activation="softmax")])
    assert logistic.count_params() == 10 * 784 + 10  # the poll's answer
    digits = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense(300, activation="relu"),
                               layers.Dense(100, activation="relu"), layers.Dense(10, activation="softmax")])
    assert digits.count_params() == 266610
    hidden, _, output = digits.layers[1:]
    assert hidden.kernel.shape[0] + 1 == 785  # parameters of one neuron of the first hidden layer
    assert output.kernel.shape[0] + 1 == 101  # ... and of one output neuron
    three_neurons = keras.Sequential([keras.Input((1,)), layers.Dense(2, activation="relu"), layers.Dense(1)])
    assert three_neurons.count_params() == 7  # w11, w12, b11, b12, w21, w22, b21


@pytest.mark.parametrize("batch_size, updates", [(3, 4), (12, 1), (1, 12)])
def test_mini_batch_arithmetic_12_samples(batch_size, updates):
    X, y = two_clouds(n=6)
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="binary_crossentropy")
    model.fit(X, y, batch_size=batch_size, epochs=1, verbose=0)
    assert model.optimizer.iterations == updates
