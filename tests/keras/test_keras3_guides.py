"""Keras 3 guide idioms run with ``from netgrad import keras`` (scripts written in the guides' style).

Each result is compared with something independent: NumPy on the same predictions, Keras's published
schedule formulas, the draws of a generator seeded the same way.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import netgrad
from netgrad import keras, nn
from netgrad.keras import layers, ops


def data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 6)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    return x, y


# --------------------------------------------------------------- training_with_built_in_methods: metrics


class CategoricalTruePositives(keras.metrics.Metric):
    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
        values = ops.cast(values, "float32")
        if sample_weight is not None:
            values = ops.multiply(values, ops.cast(sample_weight, "float32"))
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives

    def reset_state(self):
        self.true_positives.assign(0.0)


def test_a_metric_subclass_with_add_variable_counts_like_numpy():
    x, y = data()
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((6,)), layers.Dense(8, activation="relu"), layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-2),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[CategoricalTruePositives()])
    history = model.fit(x, y.reshape(-1, 1), batch_size=32, epochs=2, verbose=0)
    assert len(history.history["categorical_true_positives"]) == 2
    logs = model.evaluate(x, y.reshape(-1, 1), verbose=0, return_dict=True)
    expected = (model.predict(x, verbose=0).argmax(axis=1) == y).sum()
    assert logs["categorical_true_positives"] == expected


def test_a_metric_created_without_state_variables_in_init_still_resets():
    metric = CategoricalTruePositives()
    metric.update_state(np.array([[1], [0]]), np.array([[0.1, 0.9], [0.2, 0.8]]))
    assert float(metric.result()) == 1.0
    metric.reset_state()
    assert float(metric.result()) == 0.0
    assert [v.shape for v in metric.variables] == [()]


# ---------------------------------------------- making_new_layers_and_models_via_subclassing: weights


class ComputeSum(keras.layers.Layer):
    def __init__(self, input_dim):
        super().__init__()
        self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return self.total


def test_non_trainable_weights_accumulate_with_assign_add():
    x = np.ones((2, 2), dtype="float32")
    my_sum = ComputeSum(2)
    my_sum(x)
    np.testing.assert_array_equal(my_sum(x).numpy(), [4.0, 4.0])
    assert len(my_sum.weights) == 1 and len(my_sum.non_trainable_weights) == 1 and not my_sum.trainable_weights
    my_sum.total.assign([1.0, 2.0])
    my_sum.total.assign_sub(np.array([1.0, 1.0]))
    np.testing.assert_array_equal(my_sum.total.numpy(), [0.0, 1.0])


def test_trainable_weights_have_assign_and_stay_parameters():
    dense = layers.Dense(2)
    dense.build((None, 3))
    dense.kernel.assign(np.eye(3, 2))
    dense.bias.assign_add(0.5)
    assert isinstance(dense.kernel, nn.Parameter) and dense.kernel.trainable
    np.testing.assert_allclose(ops.convert_to_numpy(dense(np.array([[1.0, 2.0, 3.0]]))), [[1.5, 2.5]])


def test_initializers_return_tensors_usable_as_initial_values():
    w_init = keras.initializers.RandomNormal(seed=3)
    values = w_init(shape=(4, 2))
    assert isinstance(values, netgrad.Tensor) and values.shape == (4, 2)
    np.testing.assert_array_equal(values.numpy(), np.random.default_rng(3).normal(0.0, 0.05, (4, 2)).astype("f"))


# --------------------------------------------------------------------------------------- schedules


@pytest.mark.parametrize("schedule, formula", [
    (keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=3, decay_rate=0.5),
     lambda t: 0.1 * 0.5 ** (t / 3)),
    (keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=3, decay_rate=0.5, staircase=True),
     lambda t: 0.1 * 0.5 ** (t // 3)),
    (keras.optimizers.schedules.InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5),
     lambda t: 0.1 / (1 + 0.5 * t / 2)),
    (keras.optimizers.schedules.PiecewiseConstantDecay([2, 5], [1.0, 0.5, 0.1]),
     lambda t: 1.0 if t <= 2 else 0.5 if t <= 5 else 0.1),
    (keras.optimizers.schedules.PolynomialDecay(0.1, decay_steps=4, end_learning_rate=0.01, power=2.0),
     lambda t: (0.1 - 0.01) * (1 - min(t, 4) / 4) ** 2 + 0.01),
    (keras.optimizers.schedules.CosineDecay(0.1, decay_steps=5, alpha=0.1),
     lambda t: 0.1 * ((1 - 0.1) * 0.5 * (1 + math.cos(math.pi * min(t, 5) / 5)) + 0.1)),
    (keras.optimizers.schedules.CosineDecay(0.0, decay_steps=4, warmup_target=0.2, warmup_steps=2),
     lambda t: 0.2 * t / 2 if t < 2 else 0.2 * 0.5 * (1 + math.cos(math.pi * min(t - 2, 4) / 4))),
    (keras.optimizers.schedules.CosineDecayRestarts(0.1, first_decay_steps=2, t_mul=1.0, m_mul=0.5),
     lambda t: 0.1 * 0.5 ** (t // 2) * 0.5 * (1 + math.cos(math.pi * (t / 2 - t // 2)))),
])
def test_schedules_follow_keras_formulas_and_drive_the_optimizer(schedule, formula):
    for t in range(9):
        assert schedule(t) == pytest.approx(formula(t), rel=1e-12, abs=1e-15)
    optimizer = keras.optimizers.SGD(learning_rate=schedule)
    weight = nn.Parameter(np.zeros(1))
    optimizer.build([weight])
    for t in range(6):
        weight._grad = np.ones(1)
        before = ops.convert_to_numpy(weight)
        optimizer.step()
        assert before - ops.convert_to_numpy(weight) == pytest.approx(formula(t), rel=1e-12, abs=1e-15)
    config = keras.optimizers.serialize(optimizer)
    again = keras.optimizers.deserialize(config)
    assert again.get_config() == optimizer.get_config() and again.learning_rate == pytest.approx(formula(0))


# ------------------------------------------------------------------------------------------ keras.random


def test_random_draws_are_seeded_like_keras():
    a = keras.random.normal((3, 2), seed=5)
    b = keras.random.normal((3, 2), seed=5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())  # an integer seed repeats the draw
    np.testing.assert_array_equal(a.numpy(), np.random.default_rng(5).normal(0, 1, (3, 2)).astype("float32"))
    generator = keras.random.SeedGenerator(1337)
    first, second = keras.random.uniform((4,), seed=generator), keras.random.uniform((4,), seed=generator)
    assert not np.array_equal(first.numpy(), second.numpy())  # a SeedGenerator advances
    replay = np.random.default_rng(1337)
    np.testing.assert_array_equal(first.numpy(), replay.uniform(0, 1, 4).astype("float32"))
    netgrad.manual_seed(7)
    c = keras.random.normal((5,))
    netgrad.manual_seed(7)
    np.testing.assert_array_equal(c.numpy(), keras.random.normal((5,)).numpy())  # global draws follow manual_seed
    assert np.abs(keras.random.truncated_normal((1000,), seed=1).numpy()).max() <= 2.0
    ints = keras.random.randint((1000,), 2, 5, seed=1).numpy()
    assert ints.dtype == np.int32 and set(np.unique(ints)) == {2, 3, 4}
    kept = keras.random.dropout(np.ones(10000), 0.25, seed=2).numpy()
    assert set(np.unique(kept)) == {0.0, 1 / 0.75} and abs((kept == 0).mean() - 0.25) < 0.02
    np.testing.assert_array_equal(np.sort(keras.random.shuffle(np.arange(10.0), seed=3).numpy()), np.arange(10.0))
