"""The Keras face on real data: scikit-learn's 8x8 digits and Fashion-MNIST (the notes' 784-300-100-10 network)."""
from __future__ import annotations

import contextlib

import numpy as np
import pytest

import netgrad
from netgrad import keras
from netgrad.data import load_digits, train_test_split
from netgrad.data.real import fashion_mnist_available, load_fashion_mnist
from netgrad.keras import layers

try:  # scikit-learn's dependency; see single_blas_thread
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None


@pytest.fixture(autouse=True)
def single_blas_thread():
    """One BLAS thread: on a small machine shared with other work, OpenBLAS's threads spin against each
    other and a matrix product can take tens of times longer than on one thread."""
    with threadpool_limits(1) if threadpool_limits is not None else contextlib.nullcontext():
        keras.backend.clear_session()
        yield


def test_digits_dense_network_reaches_95_percent_and_has_4810_parameters():
    netgrad.manual_seed(0)
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)
    model = keras.Sequential([keras.Input((64,)), layers.Dense(64, "relu"), layers.Dense(10, "softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    lines = []
    model.summary(print_fn=lines.append)
    assert " Total params: 4,810 " in lines[0]
    history = model.fit(X_train, y_train, epochs=30, batch_size=32, validation_split=0.1, verbose=0)
    assert history.history["val_accuracy"][-1] > 0.9
    loss, accuracy = model.evaluate(X_test, y_test, verbose=0)
    predicted = model.predict(X_test, verbose=0).argmax(axis=1)
    assert accuracy == pytest.approx((predicted == y_test).mean())
    assert accuracy >= 0.95, f"test accuracy {accuracy:.3f}"


@pytest.mark.skipif(not fashion_mnist_available(),
                    reason="Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
def test_fashion_mnist_784_300_100_10_reaches_85_percent():
    netgrad.manual_seed(0)
    X_train, y_train = load_fashion_mnist(kind="train")
    X_test, y_test = load_fashion_mnist(kind="test")
    model = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense(300, activation="relu"),
                              layers.Dense(100, activation="relu"), layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    assert model.count_params() == 266610
    history = model.fit(X_train, y_train, epochs=3, batch_size=128, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    _, accuracy = model.evaluate(X_test, y_test, batch_size=1000, verbose=0)
    assert accuracy >= 0.85, f"test accuracy {accuracy:.3f}"
    np.testing.assert_allclose(model.predict(X_test[:10], verbose=0).sum(axis=1), 1.0, rtol=1e-5)
