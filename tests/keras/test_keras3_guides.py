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


# ------------------------------------------------------------------------ writing_your_own_callbacks


class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("train_batch_end", batch, dict(logs)))

    def on_test_begin(self, logs=None):
        self.calls.append(("test_begin",))

    def on_test_batch_end(self, batch, logs=None):
        self.calls.append(("test_batch_end", batch, dict(logs)))

    def on_predict_begin(self, logs=None):
        self.calls.append(("predict_begin",))

    def on_predict_batch_end(self, batch, logs=None):
        self.calls.append(("predict_batch_end", batch, logs["outputs"].shape))

    def on_predict_end(self, logs=None):
        self.calls.append(("predict_end",))


def regression_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1), loss="mean_squared_error",
                  metrics=["mean_absolute_error"])
    return model


def test_batch_logs_are_keras_logs_and_evaluate_and_predict_take_callbacks():
    rng = np.random.default_rng(1)
    x = rng.random((100, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    model = regression_model()
    recorder = Recorder()
    model.fit(x, y, batch_size=50, epochs=1, verbose=0, callbacks=[recorder])
    assert [sorted(call[2]) for call in recorder.calls] == [["loss", "mean_absolute_error"]] * 2
    recorder.calls.clear()
    model.evaluate(x, y, batch_size=50, verbose=0, callbacks=[recorder])
    predictions = model.predict(x, batch_size=50, callbacks=[recorder])
    assert [c[0] for c in recorder.calls] == ["test_begin", "test_batch_end", "test_batch_end", "predict_begin",
                                              "predict_batch_end", "predict_batch_end", "predict_end"]
    first, second = recorder.calls[1][2], recorder.calls[2][2]  # running values, as Keras logs them
    errors = predictions - y
    assert first["mean_absolute_error"] == pytest.approx(np.abs(errors[:50]).mean(), rel=1e-5)
    assert second["mean_absolute_error"] == pytest.approx(np.abs(errors).mean(), rel=1e-5)
    assert second["loss"] == pytest.approx((errors ** 2).mean(), rel=1e-5)
    assert recorder.calls[4][2] == (50, 1)


def test_model_checkpoint_saves_every_save_freq_batches(tmp_path):
    rng = np.random.default_rng(2)
    x, y = rng.random((100, 4)).astype("float32"), rng.random((100, 1)).astype("float32")
    model = regression_model()
    saved = []

    class Saved(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if checkpoint.last_path and checkpoint.last_path not in saved:
                saved.append(checkpoint.last_path)

    checkpoint = keras.callbacks.ModelCheckpoint(str(tmp_path / "model_{epoch}_{loss:.6f}.keras"), save_freq=3,
                                                 monitor="loss")
    model.fit(x, y, batch_size=25, epochs=2, verbose=0, shuffle=False, callbacks=[checkpoint, Saved()])
    assert len(saved) == 2 and saved[0].startswith(str(tmp_path / "model_1_")) and "model_2_" in saved[1]
    restored = keras.models.load_model(checkpoint.last_path)  # saved after batch 6 of 8: the weights then
    assert restored.get_weights()[0].shape == (4, 1)
    with pytest.raises(ValueError, match="save_freq"):
        keras.callbacks.ModelCheckpoint("m.keras", save_freq=0)


# -------------------------------------------------------------------------------------------- PyDataset


class Batches(keras.utils.PyDataset):
    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.batch_size, self.epochs_ended = x, y, batch_size, 0

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index):
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[rows], self.y[rows]

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_a_py_dataset_feeds_fit_evaluate_and_predict():
    rng = np.random.default_rng(3)
    x = rng.random((70, 4)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5], [0.0]], dtype="float32")
    model = regression_model()
    batches = Batches(x, y, 32, workers=1)
    history = model.fit(batches, epochs=3, verbose=0, validation_data=Batches(x, y, 64))
    assert batches.epochs_ended == 3 and len(history.history["val_loss"]) == 3
    predictions = model.predict(Batches(x, y, 16))
    np.testing.assert_allclose(predictions, model.predict(x), rtol=1e-6)
    loss, mae = model.evaluate(Batches(x, y, 32), verbose=0)
    assert loss == pytest.approx(((predictions - y) ** 2).mean(), rel=1e-5)
    assert mae == pytest.approx(np.abs(predictions - y).mean(), rel=1e-5)
    with pytest.raises(ValueError, match="do not pass y or batch_size"):
        model.fit(batches, y)


# ------------------------------------------------- layers of two inputs, add_loss as the only loss, merging


class LogisticEndpoint(keras.layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    def call(self, targets, logits, sample_weights=None):
        self.add_loss(self.loss_fn(targets, logits, sample_weights))
        return ops.sigmoid(logits)


def test_a_layer_called_with_targets_and_logits_adds_its_loss():
    targets = np.array([[1.0, 0.0], [0.0, 1.0]], dtype="float32")
    logits = np.array([[2.0, -1.0], [0.5, 0.0]], dtype="float32")
    endpoint = LogisticEndpoint()
    probabilities = endpoint(targets, logits)
    np.testing.assert_allclose(ops.convert_to_numpy(probabilities), 1 / (1 + np.exp(-logits)), rtol=1e-6)
    expected = np.mean(np.maximum(logits, 0) - logits * targets + np.log1p(np.exp(-np.abs(logits))))
    assert [float(loss) for loss in endpoint.losses] == pytest.approx([expected], rel=1e-6)


class ActivityRegularization(keras.layers.Layer):
    def call(self, inputs):
        self.add_loss(0.1 * ops.sum(ops.square(inputs)))
        return inputs


class Regularized(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(3)
        self.regularization = ActivityRegularization()

    def call(self, inputs):
        return self.regularization(self.dense(inputs))


def test_a_model_whose_only_loss_comes_from_add_loss_trains():
    x = np.random.default_rng(4).random((40, 5)).astype("float32")
    keras.utils.set_random_seed(0)
    model = Regularized()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01))
    history = model.fit(x, epochs=3, batch_size=40, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    kernel, bias = model.dense.get_weights()
    assert model.evaluate(x, batch_size=40, verbose=0) == pytest.approx(0.1 * ((x @ kernel + bias) ** 2).sum(),
                                                                       rel=1e-5)
    silent = keras.Sequential([keras.Input((5,)), layers.Dense(1)])
    silent.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="No loss to compute.*compiled without a loss.*add_loss"):
        silent.fit(x, epochs=1, verbose=0)


def test_merging_layers_match_numpy_and_pass_gradients():
    a, b = np.random.default_rng(5).standard_normal((2, 3, 2)).astype("float32")  # a layer computes in float32
    np.testing.assert_array_equal(ops.convert_to_numpy(layers.concatenate([a, b])), np.concatenate([a, b], axis=-1))
    np.testing.assert_array_equal(ops.convert_to_numpy(layers.Concatenate(axis=0)([a, b])), np.concatenate([a, b]))
    assert layers.Concatenate().compute_output_shape([(None, 2), (None, 3)]) == (None, 5)
    np.testing.assert_allclose(ops.convert_to_numpy(layers.add([a, b, a])), a + b + a)
    np.testing.assert_allclose(ops.convert_to_numpy(layers.subtract([a, b])), a - b)
    np.testing.assert_allclose(ops.convert_to_numpy(layers.multiply([a, b])), a * b)
    np.testing.assert_allclose(ops.convert_to_numpy(layers.average([a, b])), (a + b) / 2)
    np.testing.assert_allclose(ops.convert_to_numpy(layers.maximum([a, b])), np.maximum(a, b))
    np.testing.assert_allclose(ops.convert_to_numpy(layers.minimum([a, b])), np.minimum(a, b))
    x1, x2 = (netgrad.tensor(v.astype("float64"), requires_grad=True) for v in (a, b))
    assert netgrad.gradcheck(lambda p, q: layers.Concatenate(dtype="float64")([p, q]) * 2.0, (x1, x2))
    with pytest.raises(ValueError, match="matching shapes"):
        layers.concatenate([a, np.ones((2, 3, 2), "float32")], axis=1)
    joined = layers.concatenate([keras.Input((2,)), keras.Input((3,))])  # symbolic: a node of a functional model
    assert joined.shape == (None, 5) and len(joined.inbound_tensors) == 2


# ---------------------------------------------------------------------------------------- sequential_model


def test_sequential_guide_layers_pop_and_feature_extraction():
    model = keras.Sequential([layers.Dense(2, activation="relu", name="layer1"),
                              layers.Dense(3, activation="relu", name="layer2"), layers.Dense(4, name="layer3")])
    assert model(ops.ones((3, 3))).shape == (3, 4) and [layer.name for layer in model.layers] == [
        "layer1", "layer2", "layer3"]
    model.pop()
    assert len(model.layers) == 2
    layer = layers.Dense(3)
    assert layer.weights == []
    layer(ops.ones((1, 4)))
    assert [tuple(w.shape) for w in layer.weights] == [(4, 3), (3,)]
    initial = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(4, activation="relu"),
                                layers.Dense(3, activation="relu", name="my_intermediate_layer"), layers.Dense(3)])
    extractor = keras.Model(inputs=initial.inputs, outputs=initial.get_layer(name="my_intermediate_layer").output)
    x = np.random.default_rng(6).random((2, 8)).astype("float32")
    (w1, b1), (w2, b2) = initial.layers[0].get_weights(), initial.layers[1].get_weights()
    expected = np.maximum(np.maximum(x @ w1 + b1, 0) @ w2 + b2, 0)
    np.testing.assert_allclose(ops.convert_to_numpy(extractor(x)), expected, rtol=1e-5, atol=1e-7)
    with pytest.raises(AttributeError, match="'Dense' object has no attribute 'output'"):  # Keras 3's message
        _ = layers.Dense(2).output
