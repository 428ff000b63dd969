"""The notes' Keras workflow: a linear classifier, the custom SimpleDense layer, and digits with Sequential.

Three steps, each with Keras's API running on netgrad (``from netgrad import keras``):

1. The linear classifier: two Gaussian clouds of 1000 points, means (0, 3) and (3, 0), separated by one
   ``Dense(1, activation="sigmoid")`` unit trained with binary cross-entropy. The learned line
   ``x . w + b = 0`` is the decision boundary.
2. ``SimpleDense``: the notes' custom layer (``build`` creates W and b with ``add_weight``, ``call`` computes
   ``inputs @ W + b``), first called on a (2, 784) batch, then stacked into a small model for the clouds.
3. Digits (scikit-learn's 8x8 images): ``Sequential([Input((64,)), Dense(64, "relu"), Dense(10, "softmax")])``
   with Adam, its ``summary()`` (4,810 parameters), training with a validation split, the test accuracy, and
   a save / load round trip of the model (``<out>/digits.keras``, safetensors inside).

With matplotlib installed it also saves the linear classifier's decision boundary
(``<out>/keras_linear_classifier.png``) and the digits training curves (``<out>/keras_digits_history.png``).

Run it with::

    python examples/keras_workflow.py --out netgrad-examples/
"""
from __future__ import annotations

import argparse
import importlib.util
import os

import numpy as np

import netgrad
from netgrad import keras, viz
from netgrad.data import load_digits, train_test_split
from netgrad.keras import layers


class SimpleDense(keras.layers.Layer):
    """A dense layer written as in the notes: weights in build(), the forward pass in call()."""

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


def two_clouds(n: int = 1000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    covariance = [[1.0, 0.5], [0.5, 1.0]]
    X = np.vstack([rng.multivariate_normal([0.0, 3.0], covariance, n),
                   rng.multivariate_normal([3.0, 0.0], covariance, n)]).astype(np.float32)
    y = np.hstack([np.zeros(n), np.ones(n)]).astype(np.float32)
    return X, y


def have_matplotlib() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def linear_classifier(epochs: int, out: str) -> None:
    print("1. The linear classifier: one sigmoid unit, binary cross-entropy")
    X, y = two_clouds()
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(X, y, epochs=epochs, batch_size=32, verbose=0)
    (w1, w2), (b,) = model.get_weights()[0][:, 0], model.get_weights()[1]
    print(f"   loss {history.history['loss'][0]:.4f} -> {history.history['loss'][-1]:.4f}, "
          f"accuracy {history.history['accuracy'][-1]:.3f}")
    print(f"   decision boundary: {w1:.3f} x1 {w2:+.3f} x2 {b:+.3f} = 0")
    print(f"   P(class 1) of the points (0, 3) and (3, 0): "
          f"{np.round(model.predict(np.array([[0.0, 3.0], [3.0, 0.0]]), verbose=0)[:, 0], 3)}")
    if have_matplotlib():
        path = os.path.join(out, "keras_linear_classifier.png")
        viz.plot_decision_boundary(model, X, y.astype(np.int64), path, title="Dense(1, activation='sigmoid')")
        print(f"   decision boundary saved to {path}")


def simple_dense(epochs: int) -> None:
    print("\n2. The SimpleDense custom layer")
    my_dense = SimpleDense(units=32, activation=netgrad.relu)
    output = my_dense(netgrad.ones(2, 784))
    print(f"   SimpleDense(32) on a (2, 784) batch -> {tuple(output.shape)}, weights "
          f"{[tuple(w.shape) for w in my_dense.weights]}")
    X, y = two_clouds(n=300, seed=1)
    model = keras.Sequential([SimpleDense(8, activation=keras.activations.relu),
                              SimpleDense(1, activation=keras.activations.sigmoid)])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(X, y, epochs=epochs, batch_size=16, verbose=0)
    print(f"   a 2-8-1 network of SimpleDense layers: accuracy {history.history['accuracy'][-1]:.3f}")


def digits(epochs: int, out: str) -> None:
    print("\n3. Digits with Sequential + Dense")
    keras.backend.clear_session()  # number the layers from "dense" again, as in a fresh Keras session
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.25, stratify=y, random_state=0)
    model = keras.Sequential([keras.Input((64,)), layers.Dense(64, "relu"), layers.Dense(10, "softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    history = model.fit(X_train, y_train, epochs=epochs, batch_size=32, validation_split=0.1, verbose=2)
    loss, accuracy = model.evaluate(X_test, y_test, verbose=0)
    print(f"   validation accuracy {history.history['val_accuracy'][-1]:.3f}; test loss {loss:.4f}, "
          f"test accuracy {accuracy:.3f}")
    path = os.path.join(out, "digits.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    same = np.array_equal(restored.predict(X_test, verbose=0), model.predict(X_test, verbose=0))
    print(f"   saved to {path} and loaded back: {'the same' if same else 'DIFFERENT'} predictions")
    if have_matplotlib():
        curves = os.path.join(out, "keras_digits_history.png")
        viz.plot_history(history, path=curves, title="digits: Dense(64, relu) -> Dense(10, softmax)")
        print(f"   training curves saved to {curves}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the saved digits model")
    parser.add_argument("--epochs", type=int, default=20, help="epochs of each training run")
    parser.add_argument("--seed", type=int, default=0, help="seed of netgrad's random generator")
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    linear_classifier(args.epochs, args.out)
    simple_dense(args.epochs)
    digits(args.epochs, args.out)


if __name__ == "__main__":
    main()
