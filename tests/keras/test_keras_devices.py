"""Keras models on a device: ``compile(device=...)`` and the ``keras.device(...)`` scope. Trained on the 'standin'
device (whose arrays refuse to meet NumPy arrays, as a GPU's do, so a batch, a weight, a mask or an optimizer
moment left behind fails), a model gives the CPU's figures to the last bit (the stand-in computes with NumPy),
and fit / evaluate / predict return NumPy values on the host."""
import numpy as np
import pytest

import netgrad
from netgrad import keras

rng = np.random.default_rng(0)
X = rng.normal(size=(64, 6)).astype(np.float32)
Y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)


def _model():
    netgrad.manual_seed(0)
    return keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu", kernel_regularizer="l2"),
                             keras.layers.BatchNormalization(), keras.layers.Dropout(0.2),
                             keras.layers.Dense(3, activation="softmax")])


def _run(model, **fit):
    history = model.fit(X, Y, epochs=2, batch_size=16, verbose=0, validation_split=0.25, **fit)
    return history.history, model.evaluate(X, Y, verbose=0), model.predict(X, verbose=0)


def _cpu_reference():
    model = _model()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return _run(model)


def _assert_same(ours, reference):
    assert ours[0] == reference[0] and ours[1] == reference[1]
    assert type(ours[2]) is np.ndarray
    np.testing.assert_array_equal(ours[2], reference[2])


def test_compile_device_trains_there_and_returns_numpy():
    model = _model()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], device="standin")
    ours = _run(model)
    assert {w.device.type for w in model.weights} == {"standin"}
    assert all(isinstance(v, float) for values in ours[0].values() for v in values)
    _assert_same(ours, _cpu_reference())


def test_weights_and_saved_models_of_a_device_model_are_the_cpus(tmp_path):
    model = _model()
    model.compile("adam", "sparse_categorical_crossentropy", device="standin")
    model.fit(X, Y, epochs=1, verbose=0)
    weights = model.get_weights()
    assert all(type(w) is np.ndarray for w in weights)
    model.set_weights([w * 0.5 for w in weights])  # NumPy arrays go to the weights' device
    assert {type(w._data).__name__ for w in model.weights} == {"StandinArray"}
    model.save(tmp_path / "model.keras")
    restored = keras.models.load_model(tmp_path / "model.keras")  # on the CPU
    np.testing.assert_array_equal(restored.predict(X, verbose=0), model.predict(X, verbose=0))
    np.testing.assert_array_equal(restored.get_weights()[0], weights[0] * 0.5)


def test_the_keras_device_scope_moves_the_model_and_its_optimizer_state():
    model = _model()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, Y, epochs=1, batch_size=16, verbose=0)  # on the CPU: Adam's moments are made there
    with keras.device("standin"):
        model.fit(X, Y, epochs=2, batch_size=16, verbose=0, initial_epoch=1)
        assert model.optimizer.state and all(type(m).__name__ == "StandinArray"
                                             for state in model.optimizer.state.values()
                                             for m in state.values() if isinstance(m, np.ndarray))
    outside = model.predict(X, verbose=0)  # outside every scope: where the weights are
    reference = _model()
    reference.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    reference.fit(X, Y, epochs=2, batch_size=16, verbose=0)
    np.testing.assert_array_equal(outside, reference.predict(X, verbose=0))
    with keras.device("cpu:0"):
        np.testing.assert_array_equal(model.predict(X, verbose=0), outside)
    assert {w.device.type for w in model.weights} == {"cpu"}


def test_a_scope_wins_over_compile_and_predict_builds_before_it_moves():
    model = _model()
    model.compile("adam", "sparse_categorical_crossentropy", device="cpu")
    with keras.device("standin"):
        predictions = model.predict(X[:5], verbose=0)
    assert {w.device.type for w in model.weights} == {"standin"} and type(predictions) is np.ndarray
    unbuilt = keras.Sequential([keras.layers.Dense(2)])
    with keras.device("standin"):
        assert unbuilt.predict(X[:3], verbose=0).shape == (3, 2)


@pytest.mark.parametrize("name, message", [
    (3, r"Invalid value for argument `device_name`. Expected a string like 'gpu:0' or 'cpu'. Received: "
        r"device_name=3"),
    ("tpu:0", r"device_name='tpu:0' is not a device: use 'cpu', 'cuda', 'cuda:N' or 'auto'"),
])
def test_a_bad_device_name_is_a_value_error(name, message):
    with pytest.raises(ValueError, match=message):
        with keras.device(name):
            pass


@pytest.mark.skipif(netgrad.cuda.is_available(), reason="a GPU is present")
def test_gpu_without_one_says_what_is_missing_and_auto_is_the_cpu():
    model = _model()
    with pytest.raises(ValueError, match=r"device='cuda:0': device 'cuda' needs (CuPy|an NVIDIA GPU)"):
        model.compile("adam", "sparse_categorical_crossentropy", device="gpu:0")
    model.compile("adam", "sparse_categorical_crossentropy", device="auto")
    model.fit(X, Y, epochs=1, verbose=0)
    assert {w.device.type for w in model.weights} == {"cpu"}
