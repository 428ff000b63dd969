"""netgrad.keras models: building, summary, compile / fit / evaluate / predict with Keras's semantics, checked
against hand computations in NumPy."""
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


def summary_of(model) -> str:
    lines = []
    model.summary(line_length=88, print_fn=lines.append)
    return "\n".join(lines)


def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def blobs(n=60, classes=3, features=4, seed=0, separation=2.0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    X = (rng.standard_normal((n, features)) + separation * np.eye(classes, features)[y]).astype(np.float32)
    return X, y


def linear_softmax_model(features=4, classes=3, optimizer=None):
    """A softmax regression with fixed, known weights and (by default) a learning rate of 0, so that the
    reported losses are those of these weights."""
    model = keras.Sequential([keras.Input((features,)), layers.Dense(classes, activation="softmax")])
    rng = np.random.default_rng(42)
    kernel, bias = rng.standard_normal((features, classes)), rng.standard_normal(classes)
    model.set_weights([kernel.astype(np.float32), bias.astype(np.float32)])
    model.compile(optimizer=optimizer or keras.optimizers.SGD(learning_rate=0.0),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model, kernel.astype(np.float32).astype(np.float64), bias.astype(np.float32).astype(np.float64)


def per_sample_cross_entropy(X, y, kernel, bias):
    return -log_softmax(X.astype(np.float64) @ kernel + bias)[np.arange(len(y)), y]


# ------------------------------------------------------------------------------------ building, summary


def test_summary_of_the_digits_model_reports_4810_parameters():
    model = keras.Sequential([keras.Input((64,)), layers.Dense(64, "relu"), layers.Dense(10, "softmax")])
    text = summary_of(model)
    assert 'Model: "sequential"' in text
    assert "dense (Dense)" in text and "dense_1 (Dense)" in text
    assert "(None, 64)" in text and "(None, 10)" in text
    assert "4,160" in text and "650" in text  # 64*64 + 64 and 64*10 + 10
    assert " Total params: 4,810 (18.79 KB)" in text  # 4810 float32 = 19 240 bytes
    assert " Trainable params: 4,810 (18.79 KB)" in text and " Non-trainable params: 0 (0.00 B)" in text
    assert all(len(line) == 88 for line in text.splitlines()[1:-3])
    assert model.count_params() == 4810


def test_summary_counts_batch_normalization_statistics_as_non_trainable():
    model = keras.Sequential([keras.Input((8,)), layers.Dense(4), layers.BatchNormalization(), layers.Dropout(0.5)])
    text = summary_of(model)
    assert " Total params: 52 " in text  # 8*4 + 4 + 4 gamma + 4 beta + 8 moving statistics
    assert " Trainable params: 44 " in text and " Non-trainable params: 8 " in text


def test_the_notes_784_300_100_10_network_has_266610_parameters():
    model = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense(300, "relu"),
                              layers.Dense(100, "relu"), layers.Dense(10, "softmax")])
    assert model.count_params() == 784 * 300 + 300 + 300 * 100 + 100 + 100 * 10 + 10 == 266610
    assert "(None, 784)" in summary_of(model)


def test_sequential_builds_lazily_adds_and_pops():
    model = keras.Sequential()
    model.add(layers.Dense(5, activation="relu"))
    model.add(layers.Dense(2))
    assert not model.built and "0 (unbuilt)" in summary_of(model)
    out = model(np.ones((3, 7), np.float32))
    assert tuple(out.shape) == (3, 2) and model.built and model.count_params() == 7 * 5 + 5 + 5 * 2 + 2
    assert "(None, 5)" in summary_of(model)
    popped = model.pop()
    assert popped.name == "dense_1" and [layer.name for layer in model.layers] == ["dense"]
    assert "dense_1" not in dict(model.named_modules())
    first = keras.Sequential([layers.Dense(3, input_shape=(4,))])  # Keras 2 style input_shape
    assert first.built and first.count_params() == 15
    with pytest.raises(ValueError, match="unique names"):
        keras.Sequential([layers.Dense(2, name="same"), layers.Dense(2, name="same")])
    with pytest.raises(TypeError, match="Only instances of `keras.layers.Layer`"):
        keras.Sequential([np.zeros(3)])


def test_layers_state_dict_and_train_eval_follow_pytorch():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2), layers.BatchNormalization()])
    assert list(model.state_dict()) == ["dense.kernel", "dense.bias", "batch_normalization.gamma",
                                        "batch_normalization.beta", "batch_normalization.moving_mean",
                                        "batch_normalization.moving_variance"]
    assert [w.shape for w in model.get_weights()] == [(3, 2), (2,), (2,), (2,), (2,), (2,)]
    assert not model.training  # a Keras model called directly runs in inference mode
    model.train()
    assert all(m.training for m in model.modules())


def test_functional_model_is_the_same_chain_as_sequential():
    inputs = keras.Input(shape=(4,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    outputs = layers.Dense(3, activation="softmax")(hidden)
    model = keras.Model(inputs=inputs, outputs=outputs)
    assert isinstance(model, keras.models.Functional) and model.name == "functional"
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense", "Dense"]
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    kernel1, bias1, kernel2, bias2 = model.get_weights()
    expected = np.maximum(x @ kernel1 + bias1, 0) @ kernel2 + bias2
    expected = np.exp(log_softmax(expected))
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5)
    assert "input_layer (InputLayer)" in summary_of(model) and " Total params: 67 " in summary_of(model)
    with pytest.raises(ValueError, match="not connected"):
        keras.Model(keras.Input((4,)), outputs)


class TwoLayer(keras.Model):
    def __init__(self, hidden=16, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(hidden, activation="relu")
        self.out = layers.Dense(3, activation="softmax")

    def call(self, inputs):
        return self.out(self.hidden(inputs))


def test_subclassed_model_trains_and_summarises():
    X, y = blobs(n=120, separation=5.0)
    model = TwoLayer()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=30, batch_size=16, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    assert [layer.name for layer in model.layers] == ["dense", "dense_1"]
    text = summary_of(model)
    assert 'Model: "two_layer"' in text and "(None, 16)" in text
    assert f" Total params: {4 * 16 + 16 + 16 * 3 + 3} " in text


# ---------------------------------------------------------------------------------------- bad input


def test_fit_before_compile_is_a_clear_error():
    model = keras.Sequential([layers.Dense(1)])
    with pytest.raises(ValueError, match=r"compile\(\)` before calling `fit\(\)"):
        model.fit(np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="compile"):
        model.evaluate(np.zeros((4, 2)), np.zeros(4))
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="No loss to compute.*loss` argument in `compile"):  # as Keras 3 says
        model.fit(np.zeros((4, 2)), np.zeros(4))


def test_bad_data_is_refused_before_training():
    X, y = blobs()
    model, _, _ = linear_softmax_model()
    with pytest.raises(ValueError, match="x has 60 rows but y has 59"):
        model.fit(X, y[:-1], verbose=0)
    with pytest.raises(ValueError, match=r"expected axis -1 of input shape to have value 4, but received input with "
                                         r"shape \(1, 3\)"):
        model.fit(X[:, :3], y, verbose=0)
    bad_labels = y.copy()
    bad_labels[7] = 3
    with pytest.raises(ValueError, match=r"\[3\] out of range for 3 classes.*the model has 3 outputs"):
        model.fit(X, bad_labels, verbose=0)
    with pytest.raises(ValueError, match="non-integer"):
        model.fit(X, y + 0.5, verbose=0)
    with pytest.raises(ValueError, match="NaN"):
        model.fit(np.where(np.arange(60)[:, None] == 5, np.nan, X), y, verbose=0)
    with pytest.raises(ValueError, match="one-hot rows: use loss='categorical_crossentropy'"):
        model.fit(X, np.eye(3)[y], verbose=0)
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="integer class labels: use loss='sparse_categorical_crossentropy'"):
        model.fit(X, y, verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(X, np.eye(3)[y], validation_split=1.5, verbose=0)
    with pytest.raises(ValueError, match="cannot `class_weight` and `sample_weight`"):
        model.fit(X, np.eye(3)[y], class_weight={0: 1.0}, sample_weight=np.ones(60), verbose=0)
    with pytest.raises(ValueError, match=r"y_val has shape \(60,\)"):
        model.fit(X, np.eye(3)[y], validation_data=(X, y), verbose=0)


def test_a_forgotten_flatten_is_pointed_out():
    model = keras.Sequential([keras.Input((28, 28)), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"shape \(4, 28\).*did you forget a Flatten layer"):
        model.fit(np.zeros((4, 28, 28), np.float32), np.arange(4), verbose=0)


def test_unknown_names_list_the_valid_ones():
    model = keras.Sequential([layers.Dense(1)])
    with pytest.raises(ValueError, match="Unknown optimizer 'adamm'. Valid names: adadelta, adagrad, adam, adamax, "
                                         "adamw, nadam, rmsprop, sgd"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="Unknown loss 'crossentropy'.*binary_crossentropy.*mse"):
        model.compile(optimizer="adam", loss="crossentropy")
    with pytest.raises(ValueError, match="Unknown metric 'acuracy'.*accuracy"):
        model.compile(optimizer="adam", loss="mse", metrics=["acuracy"])
    with pytest.raises(ValueError, match="Unknown activation 'rectifier'"):
        layers.Dense(2, activation="rectifier")
    with pytest.raises(ValueError, match="Unknown initializer"):
        layers.Dense(2, kernel_initializer="xavier")


# --------------------------------------------------------------------------- fit / evaluate semantics


def test_validation_split_takes_the_last_fraction_before_shuffling():
    X, y = blobs(n=50)
    model, kernel, bias = linear_softmax_model()
    history = model.fit(X, y, validation_split=0.2, epochs=1, batch_size=8, shuffle=True, verbose=0)
    losses = per_sample_cross_entropy(X, y, kernel, bias)
    np.testing.assert_allclose(history.history["loss"][0], losses[:40].mean(), rtol=1e-5)  # first 80 %
    np.testing.assert_allclose(history.history["val_loss"][0], losses[40:].mean(), rtol=1e-5)  # last 20 %
    predicted = (X.astype(np.float64) @ kernel + bias).argmax(axis=1)
    np.testing.assert_allclose(history.history["val_accuracy"][0], (predicted[40:] == y[40:]).mean())
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]


def test_class_weight_weights_each_sample_loss_as_keras():
    X, y = blobs(n=30)
    model, kernel, bias = linear_softmax_model()
    class_weight = {0: 0.5, 1: 2.0}  # class 2 not listed: weight 1
    history = model.fit(X, y, class_weight=class_weight, epochs=1, batch_size=30, verbose=0)
    weights = np.array([class_weight.get(int(label), 1.0) for label in y])
    expected = (weights * per_sample_cross_entropy(X, y, kernel, bias)).sum() / len(y)  # sum(w l) / n
    np.testing.assert_allclose(history.history["loss"][0], expected, rtol=1e-5)
    sample_weight = np.linspace(0.0, 2.0, 30)
    weighted = model.evaluate(X, y, sample_weight=sample_weight, verbose=0)[0]
    np.testing.assert_allclose(weighted, (sample_weight * per_sample_cross_entropy(X, y, kernel, bias)).mean(),
                               rtol=1e-5)


def test_evaluate_returns_loss_and_metrics_like_keras():
    X, y = blobs(n=40)
    model, kernel, bias = linear_softmax_model()
    loss, accuracy = model.evaluate(X, y, batch_size=7, verbose=0)
    np.testing.assert_allclose(loss, per_sample_cross_entropy(X, y, kernel, bias).mean(), rtol=1e-5)
    predicted = (X.astype(np.float64) @ kernel + bias).argmax(axis=1)
    np.testing.assert_allclose(accuracy, (predicted == y).mean())
    assert model.evaluate(X, y, verbose=0, return_dict=True).keys() == {"loss", "accuracy"}
    assert model.metrics_names == ["loss", "accuracy"]
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert isinstance(model.evaluate(X, y, verbose=0), float)  # no metrics: a scalar


def test_softmax_output_is_trained_from_its_logits_but_predicts_probabilities():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(2, activation="softmax")])
    model.set_weights([np.array([[1000.0, -1000.0], [0.0, 0.0]], np.float32), np.zeros(2, np.float32)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="sparse_categorical_crossentropy")
    x, y = np.array([[1.0, 0.0]], np.float32), np.array([1])
    # logits (1000, -1000), label 1: the exact loss is 2000; from the rounded probability it would be -log(1e-7)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), 2000.0, rtol=1e-6)
    history = model.fit(x, y, epochs=1, verbose=0)
    np.testing.assert_allclose(history.history["loss"][0], 2000.0, rtol=1e-6)
    np.testing.assert_allclose(model.predict(x, verbose=0), [[1.0, 0.0]])
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    logits_model = keras.Sequential([keras.Input((2,)), layers.Dense(2)])
    logits_model.set_weights(model.get_weights())
    logits_model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    np.testing.assert_allclose(logits_model.evaluate(x, y, verbose=0), 2000.0, rtol=1e-6)


def test_sigmoid_output_with_binary_crossentropy_uses_the_logits():
    model = keras.Sequential([keras.Input((1,)), layers.Dense(1, activation="sigmoid", kernel_initializer="ones")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x, y = np.array([[-50.0], [3.0]], np.float32), np.array([1.0, 0.0], np.float32)
    expected = np.mean([np.log1p(np.exp(50.0)), np.log1p(np.exp(3.0))])  # softplus(-z) for y=1, softplus(z) for y=0
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), expected, rtol=1e-6)


def test_regularization_penalty_is_part_of_the_loss():
    X, y = blobs(n=20)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax",
                                                               kernel_regularizer=keras.regularizers.l2(0.1))])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="sparse_categorical_crossentropy")
    kernel, bias = (w.astype(np.float64) for w in model.get_weights())
    history = model.fit(X, y, epochs=1, batch_size=20, verbose=0)
    expected = per_sample_cross_entropy(X, y, kernel, bias).mean() + 0.1 * (kernel ** 2).sum()
    np.testing.assert_allclose(history.history["loss"][0], expected, rtol=1e-5)


def test_fit_trains_dropout_and_batch_normalization_in_training_mode_only():
    X, y = blobs(n=64)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(16, activation="relu"), layers.BatchNormalization(),
                              layers.Dropout(0.5), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    before = model.layers[1].moving_mean.numpy().copy()
    model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    assert not np.array_equal(model.layers[1].moving_mean.numpy(), before)  # updated by training batches
    assert not model.training
    first, second = model.predict(X, verbose=0), model.predict(X, verbose=0)
    np.testing.assert_array_equal(first, second)  # no dropout when predicting
    np.testing.assert_allclose(first.sum(axis=1), 1.0, rtol=1e-5)


def test_the_same_seed_gives_bit_identical_training():
    X, y = blobs(n=64)

    def train():
        keras.backend.clear_session()
        keras.utils.set_random_seed(7)
        model = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"), layers.Dropout(0.2),
                                  layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(X, y, epochs=3, batch_size=8, verbose=0)
        return model.get_weights()

    for a, b in zip(train(), train()):
        np.testing.assert_array_equal(a, b)


def test_categorical_crossentropy_with_one_hot_targets_and_callbacks():
    X, y = blobs(n=90)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="categorical_crossentropy",
                  metrics=["accuracy", "mae"])
    seen = []

    class StopAfterTwo(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(sorted(logs))
            if epoch == 1:
                self.model.stop_training = True  # Keras's way of ending fit from a callback

    history = model.fit(X, keras.utils.to_categorical(y, 3), epochs=10, verbose=0,
                        callbacks=[StopAfterTwo()], validation_data=(X, keras.utils.to_categorical(y)))
    assert len(history.history["loss"]) == 2 and seen[0] == ["accuracy", "loss", "mae", "val_accuracy", "val_loss",
                                                             "val_mae"]
    probabilities = model.predict(X, verbose=0)
    np.testing.assert_allclose(history.history["val_mae"][-1], np.abs(probabilities - np.eye(3)[y]).mean(),
                               rtol=1e-4)
    early = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0)  # no epoch improves by 10
    assert len(model.fit(X, keras.utils.to_categorical(y), epochs=5, verbose=0, callbacks=[early]).history["loss"]) == 2


def test_regression_with_mse_and_metrics():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3)).astype(np.float32)
    y = (X @ np.array([1.5, -2.0, 0.5]) + 0.3).astype(np.float32)
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse", metrics=["mae"])
    model.fit(X, y, epochs=30, batch_size=20, verbose=0)
    loss, mae = model.evaluate(X, y, verbose=0)
    assert loss < 1e-4 and mae < 1e-2
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel[:, 0], [1.5, -2.0, 0.5], atol=1e-2)
    np.testing.assert_allclose(bias, [0.3], atol=1e-2)
    assert model.predict(X[:5], verbose=0).shape == (5, 1)
    with pytest.raises(ValueError, match=r"y has shape \(200, 2\) but the model outputs shape \(None, 1\)"):
        model.fit(X, np.stack([y, y], axis=1), verbose=0)


def test_learning_rate_scheduler_drives_the_keras_optimizer():
    X, y = blobs(n=32)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy")
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    model.fit(X, y, epochs=3, verbose=0, callbacks=[schedule])
    np.testing.assert_allclose(model.optimizer.learning_rate, 0.1 * 0.5 ** 3)


def test_a_pytorch_style_optimizer_can_train_a_keras_model(tmp_path):
    X, y = blobs(n=60, separation=4.0)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=netgrad.optim.SGD(model.parameters(), lr=0.5), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(X, y, epochs=10, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    assert not loaded.compiled  # a netgrad.optim optimizer is not saved; the weights are
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_an_optimizer_built_for_other_weights_is_refused():
    X, y = blobs(n=20)
    optimizer = keras.optimizers.Adam()
    first = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    first.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    first.fit(X, y, verbose=0)
    second = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="softmax")])
    second.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="call compile\\(\\) again"):
        second.fit(X, y, verbose=0)
