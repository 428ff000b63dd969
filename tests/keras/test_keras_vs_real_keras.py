"""netgrad.keras against real Keras 3 (skipped unless ``keras`` and ``torch`` are installed; Keras is not a
dependency of netgrad). Run with a Keras installation on the path, e.g.
``PYTHONPATH=<a venv's site-packages with keras> python -m pytest tests/keras/test_keras_vs_real_keras.py``.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
torch = pytest.importorskip("torch")
real = pytest.importorskip("keras")

from netgrad import keras, nn  # noqa: E402 (after the skip)

torch.set_num_threads(1)
rng = np.random.default_rng(0)
GRADS = [rng.standard_normal((3, 2)).astype("float32") for _ in range(5)]
START = rng.standard_normal((3, 2)).astype("float32")


@pytest.mark.parametrize("name, options", [
    ("SGD", dict(learning_rate=0.1, momentum=0.9, nesterov=True)), ("SGD", dict(learning_rate=0.1, clipnorm=0.5)),
    ("RMSprop", dict(learning_rate=0.01, momentum=0.5, centered=True)), ("Adagrad", dict(learning_rate=0.1)),
    ("Adadelta", dict(learning_rate=0.5)), ("Adam", dict(learning_rate=0.01, amsgrad=True)),
    ("AdamW", dict(learning_rate=0.01, weight_decay=0.1)), ("Adamax", dict(learning_rate=0.01)),
    ("Nadam", dict(learning_rate=0.01)),
])
def test_optimizers_take_the_steps_real_keras_takes(name, options):
    variable = real.Variable(START)
    theirs = getattr(real.optimizers, name)(**options)
    for g in GRADS:
        theirs.apply_gradients([(real.ops.convert_to_tensor(g), variable)])
    weight = nn.Parameter(START.copy())
    ours = getattr(keras.optimizers, name)(**options)
    ours.build([weight])
    for g in GRADS:
        weight._grad = g.copy()
        ours.step()
    np.testing.assert_allclose(weight.detach().numpy(), np.asarray(variable.numpy()), atol=1e-6)


@pytest.mark.parametrize("name, options", [
    ("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=3, decay_rate=0.5, staircase=True)),
    ("PiecewiseConstantDecay", dict(boundaries=[2, 5], values=[1.0, 0.5, 0.1])),
    ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=4, end_learning_rate=0.01, power=2.0,
                             cycle=True)),
    ("CosineDecay", dict(initial_learning_rate=0.0, decay_steps=4, warmup_target=0.2, warmup_steps=2)),
    ("CosineDecayRestarts", dict(initial_learning_rate=0.1, first_decay_steps=2, t_mul=2.0, m_mul=0.5, alpha=0.1)),
    ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=2, decay_rate=0.5)),
])
def test_schedules_match_real_keras(name, options):
    theirs = getattr(real.optimizers.schedules, name)(**options)
    ours = getattr(keras.optimizers.schedules, name)(**options)
    for step in range(12):
        assert ours(step) == pytest.approx(float(theirs(step)), rel=1e-6, abs=1e-8)


def test_batch_logs_have_real_keras_keys():
    def run(library):
        keys = []

        class Keys(library.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                keys.append(("train", sorted(logs)))

            def on_test_batch_end(self, batch, logs=None):
                keys.append(("test", sorted(logs)))

            def on_predict_batch_end(self, batch, logs=None):
                keys.append(("predict", sorted(logs)))

        model = library.Sequential([library.layers.Dense(1)])
        model.compile(optimizer="rmsprop", loss="mse", metrics=["mean_absolute_error"])
        x, y = np.ones((10, 3), "float32"), np.ones((10, 1), "float32")
        model.fit(x, y, batch_size=5, verbose=0, callbacks=[Keys()])
        model.evaluate(x, y, batch_size=5, verbose=0, callbacks=[Keys()])
        model.predict(x, batch_size=5, verbose=0, callbacks=[Keys()])
        return keys

    assert run(keras) == run(real)


def _two_by_two(library, as_dicts):
    """Two inputs, two outputs, a merge and a layer shared by two calls."""
    layers = library.layers
    a, b = library.Input((3,), name="xa"), library.Input((2,), name="xb")
    shared = layers.Dense(2, name="shared")
    hidden = layers.Concatenate(name="cat")([layers.Dense(4, activation="relu", name="h1")(a), b])
    p = layers.Dense(3, activation="softmax", name="o1")(hidden)
    q = layers.Add(name="add")([shared(layers.Dense(2, name="q0")(hidden)), shared(layers.Dense(2, name="q1")(hidden))])
    if as_dicts:
        return library.Model(inputs={"xa": a, "xb": b}, outputs={"p": p, "q": q})
    return library.Model(inputs=[a, b], outputs=[p, q])


@pytest.mark.parametrize("as_dicts", [False, True], ids=["lists", "dicts"])
def test_several_inputs_and_outputs_train_as_real_keras(as_dicts, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich (Keras's summary) cuts its table to the terminal's width
    data_rng = np.random.default_rng(1)
    xa, xb = data_rng.normal(size=(12, 3)).astype("float32"), data_rng.normal(size=(12, 2)).astype("float32")
    y1, y2 = data_rng.integers(0, 3, 12), data_rng.normal(size=(12, 2)).astype("float32")
    weight = data_rng.random(12).astype("float32")
    keys = ["p", "q"] if as_dicts else ["o1", "add"]  # the outputs dict's keys, else the output layers' names
    x = {"xa": xa, "xb": xb} if as_dicts else [xa, xb]
    y = {"p": y1, "q": y2} if as_dicts else [y1, y2]
    results = []
    theirs = _two_by_two(real, as_dicts)
    ours = _two_by_two(keras, as_dicts)
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]
    ours.set_weights(theirs.get_weights())
    for library, model in ((real, theirs), (keras, ours)):
        model.compile(optimizer=library.optimizers.Adam(0.01), loss=dict(zip(keys, ["sparse_categorical_crossentropy",
                                                                                   "mae"])),
                      loss_weights=dict(zip(keys, [1.0, 2.0])), metrics={keys[0]: "accuracy", keys[1]: ["mse"]})
        history = model.fit(x, y, epochs=2, batch_size=5, shuffle=False, verbose=0, sample_weight=weight,
                            validation_data=(x, y))
        results.append((history.history, model.evaluate(x, y, verbose=0, return_dict=True),
                        model.predict(x, verbose=0)))
    (their_history, their_logs, their_out), (our_history, our_logs, our_out) = results
    assert sorted(our_history) == sorted(their_history)
    for key in their_history:
        np.testing.assert_allclose(our_history[key], their_history[key], rtol=1e-4, atol=1e-5, err_msg=key)
    assert sorted(our_logs) == sorted(their_logs)
    for key in their_logs:
        np.testing.assert_allclose(our_logs[key], their_logs[key], rtol=1e-4, atol=1e-5, err_msg=key)
    assert type(our_out) is type(their_out)
    for key in (keys if as_dicts else range(2)):
        np.testing.assert_allclose(our_out[key], np.asarray(their_out[key]), rtol=1e-4, atol=1e-5)
    summaries = []
    for model in (ours, theirs):
        lines: list = []
        model.summary(line_length=100, print_fn=lambda text, line_break=True, lines=lines: lines.append(text))
        summaries.append("\n".join(lines))
    assert summaries[0].splitlines()[1:22] == summaries[1].splitlines()[1:22]  # the table, Connected to included
