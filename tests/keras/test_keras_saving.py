"""Saving and loading Keras models: exact round trips, resumed training, and files that were tampered with."""
from __future__ import annotations

import json

import numpy as np
import pytest

import netgrad
from netgrad import io, keras
from netgrad.keras import layers


@pytest.fixture(autouse=True)
def fresh_names():
    keras.backend.clear_session()
    netgrad.manual_seed(0)


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    return (rng.standard_normal((n, 5)) + np.eye(3, 5)[y]).astype(np.float32), y


def trained_model():
    X, y = data()
    normalization = layers.Normalization()
    normalization.adapt(X)
    model = keras.Sequential([keras.Input((5,)), normalization, layers.Dense(8, activation="relu",
                                                                             kernel_regularizer="l2"),
                              layers.BatchNormalization(), layers.Dropout(0.3), layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    return model, X, y


def test_save_and_load_reproduce_predictions_exactly(tmp_path):
    model, X, y = trained_model()
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is keras.Sequential and [layer.name for layer in loaded.layers] == \
        [layer.name for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert loaded.count_params() == model.count_params()
    assert loaded.compiled and loaded.evaluate(X, y, verbose=0) == model.evaluate(X, y, verbose=0)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()


def test_a_loaded_model_resumes_training_exactly(tmp_path):
    model, X, y = trained_model()
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.optimizer.iterations == model.optimizer.iterations == 8
    for m in (model, loaded):
        netgrad.manual_seed(5)  # the same dropout masks for both
        m.fit(X, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


class SimpleDense(layers.Layer):
    def __init__(self, units, activation=None):
        super().__init__()
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.W = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return self.activation(inputs @ self.W + self.b)


def test_functional_and_custom_layer_models_round_trip(tmp_path):
    X, _ = data()
    inputs = keras.Input((5,))
    outputs = layers.Dense(2, activation="sigmoid")(SimpleDense(4, activation="tanh")(inputs))
    model = keras.Model(inputs, outputs)
    path = tmp_path / "functional.keras"
    model.save(path)
    with pytest.raises(ValueError, match="Unknown layer class 'SimpleDense'.*custom_objects"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, custom_objects={"SimpleDense": SimpleDense})
    assert not loaded.compiled
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    keras.saving.register_keras_serializable(package="tests")(SimpleDense)
    registered = keras.models.load_model(path)
    np.testing.assert_array_equal(registered.predict(X, verbose=0), model.predict(X, verbose=0))


def test_weights_files_and_json_architecture(tmp_path):
    model, X, _ = trained_model()
    twin = keras.models.model_from_json(model.to_json())
    assert json.loads(twin.to_json())["config"]["layers"][2]["config"]["units"] == 8
    twin.load_weights(_saved_weights(model, tmp_path))
    np.testing.assert_array_equal(twin.predict(X, verbose=0), model.predict(X, verbose=0))
    unbuilt = keras.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="not built"):
        unbuilt.save(tmp_path / "unbuilt.keras")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "weights.safetensors", overwrite=False)


def _saved_weights(model, tmp_path):
    path = tmp_path / "weights.safetensors"
    model.save_weights(path)
    return path


# ------------------------------------------------------------------------------------ tampered files


def _saved(tmp_path):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, activation="relu"), layers.Dense(2)])
    path = tmp_path / "model.keras"
    model.save(path)
    return model, path


def _replace_in_file(path, old: bytes, new: bytes):
    content = path.read_bytes()
    assert old in content and len(old) == len(new)
    path.write_bytes(content.replace(old, new, 1))


def test_damaged_json_is_refused(tmp_path):
    _, path = _saved(tmp_path)
    _replace_in_file(path, b'\\"tree\\":', b'\\"tree\\"!')  # the metadata stays a valid safetensors header
    with pytest.raises(ValueError, match="not a valid netgrad Keras model file.*not valid JSON"):
        keras.models.load_model(path)


def test_unknown_layer_class_is_refused(tmp_path):
    _, path = _saved(tmp_path)
    _replace_in_file(path, b'\\"Dense\\"', b'\\"Dxnse\\"')
    with pytest.raises(ValueError, match="Unknown layer class 'Dxnse'. Known layers:.*Dense"):
        keras.models.load_model(path)


def test_weights_of_the_wrong_shape_or_number_are_refused(tmp_path):
    model, path = _saved(tmp_path)
    content = io.load(path)
    content["weights"][0] = content["weights"][0].T.copy()
    io.save(content, path)
    with pytest.raises(ValueError, match=r"weight dense/kernel has shape \(3, 4\) in the file, but the layer expects "
                                         r"\(4, 3\)"):
        keras.models.load_model(path)
    content["weights"] = content["weights"][:-1]
    io.save(content, path)
    with pytest.raises(ValueError, match="holds 3 weights but the model built from its configuration has 4"):
        keras.models.load_model(path)
    config_changed = io.load(tmp_path / "model.keras")
    config_changed["model_config"]["config"]["layers"][1]["config"]["units"] = 5
    io.save(config_changed, path)
    with pytest.raises(ValueError, match="dense/kernel"):
        keras.models.load_model(path)


def test_files_that_are_not_keras_models_are_refused(tmp_path):
    not_model = tmp_path / "state.safetensors"
    io.save({"fc.weight": np.zeros((2, 2), np.float32)}, not_model)
    with pytest.raises(ValueError, match="not a netgrad Keras model file"):
        keras.models.load_model(not_model)
    _, path = _saved(tmp_path)
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="not a valid netgrad Keras model file"):
        keras.models.load_model(truncated)
    text = tmp_path / "text.keras"
    text.write_text("import os; os.system('echo no')")
    with pytest.raises(ValueError, match="not a valid netgrad Keras model file"):
        keras.models.load_model(text)
    with pytest.raises(FileNotFoundError):
        keras.models.load_model(tmp_path / "missing.keras")


class TwoLayer(keras.Model):
    def __init__(self, hidden=6, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(hidden, activation="relu")
        self.out = layers.Dense(3, activation="softmax")

    def call(self, inputs):
        return self.out(self.hidden(inputs))


def test_subclassed_and_nested_models_round_trip(tmp_path):
    X, y = data()
    model = TwoLayer(hidden=7)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(X, y, epochs=1, verbose=0)
    path = tmp_path / "subclassed.keras"
    model.save(path)
    loaded = keras.models.load_model(path, custom_objects={"TwoLayer": TwoLayer})
    assert type(loaded) is TwoLayer and loaded.hidden.units == 7
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    inner = keras.Sequential([layers.Dense(4, activation="tanh"), layers.Dense(2)])
    outer = keras.Sequential([keras.Input((5,)), inner, layers.Activation("softmax")])
    assert "sequential (Sequential)" in _summary(outer) and "└ dense" in _summary(outer, expand_nested=True)
    outer.save(path)
    reloaded = keras.models.load_model(path)
    assert type(reloaded.layers[0]) is keras.Sequential
    np.testing.assert_array_equal(reloaded.predict(X, verbose=0), outer.predict(X, verbose=0))


def _summary(model, **options):
    lines = []
    model.summary(print_fn=lines.append, **options)
    return lines[0]


def test_a_configuration_asking_for_a_huge_layer_is_refused_before_allocating(tmp_path):
    import tracemalloc

    _, path = _saved(tmp_path)
    content = io.load(path)
    content["model_config"]["config"]["layers"][1]["config"]["units"] = 10 ** 9  # 4 x 10^9 kernel values
    io.save(content, path)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"'dense' asks for a weight of shape \(4, 1000000000\).*does not match"):
            keras.models.load_model(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2 ** 20  # bytes: nothing near the 16 GB the configuration asked for


def test_many_layers_that_together_exceed_the_file_are_refused(tmp_path):
    _, path = _saved(tmp_path)
    content = io.load(path)
    dense = content["model_config"]["config"]["layers"][1]
    content["model_config"]["config"]["layers"][1:2] = [  # each 600 x 600 on the one before: 1.8 million values
        {**dense, "config": {**dense["config"], "units": 600, "name": f"wide_{i}"}, "build_config": None}
        for i in range(6)]
    io.save(content, path)
    with pytest.raises(ValueError, match="asks for a weight of shape .* more than the file's stored weights"):
        keras.models.load_model(path)
