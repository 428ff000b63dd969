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
