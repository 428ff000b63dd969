"""A small convolutional network on Fashion-MNIST, written twice: PyTorch style and Keras style.

Two blocks of convolution (3x3, 'same' padding) -> batch normalisation -> ReLU -> 2x2 max-pooling turn a
28x28 image into 64 maps of 7x7; a dropout-regularised dense head classifies them:

    (N, 1, 28, 28) -> conv 32 -> (N, 32, 28, 28) -> pool -> (N, 32, 14, 14)
                   -> conv 64 -> (N, 64, 14, 14) -> pool -> (N, 64, 7, 7) -> 3136 -> 128 -> 10

Parameters: conv 1x3x3x32 + 32 = 320, conv 32x3x3x64 + 64 = 18 496, batch norms 2 x (32 + 64) learned,
dense 3136 x 128 + 128 = 401 536 and 128 x 10 + 10 = 1 290. A convolution shares its 3x3 weights over
every position of the image, so its two layers hold 5 % of the parameters and do most of the arithmetic.

By default it trains 2 epochs on 5 000 training images, so that it finishes in about a minute; with
``--train-size 60000 --epochs 8`` (Adam with a one-cycle schedule) it is meant to pass 91 % test accuracy,
the figure ``netgrad demo --model cnn`` is checked against (the dense 784-300-100-10 network of
``digit_network.py`` stops near 90 %). The PyTorch-style model is trained through the Trainer; the Keras one
with ``compile`` / ``fit``, from (N, 28, 28, 1) channels-last images. Pictures (``--out``): the first layer's
32 learned filters and the feature maps of one test image.

    python examples/cnn_fashion_mnist.py --out netgrad-examples/ [--face nn|keras|both] [--epochs 8]

Fashion-MNIST comes with the Debian package ``dataset-fashion-mnist``; without it the example runs on
scikit-learn's 8x8 digits (two poolings leave 2x2 maps there).
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

import netgrad
from netgrad import keras, nn, optim
from netgrad.data import (
    FASHION_MNIST_CLASSES,
    fashion_mnist_available,
    load_digits,
    load_fashion_mnist,
    train_test_split,
)
from netgrad.keras import layers
from netgrad.training import Trainer


def load(train_size: int, seed: int) -> tuple:
    """Standardised images (N, side, side) and labels; the training set's mean and deviation for both splits."""
    if fashion_mnist_available():
        X_train, y_train = load_fashion_mnist(kind="train")
        X_test, y_test = load_fashion_mnist(kind="test")
    else:
        print("Fashion-MNIST is not installed (sudo apt-get install dataset-fashion-mnist): using the 8x8 digits")
        X, y = load_digits()
        X_train, X_test, y_train, y_test = train_test_split(X.reshape(-1, 8, 8), y, test_size=0.25,
                                                            random_state=seed, stratify=y)
    rows = np.random.default_rng(seed).permutation(len(X_train))[:train_size]
    X_train, y_train = X_train[rows], y_train[rows]
    mean, std = X_train.mean(), X_train.std()
    return ((X_train - mean) / std).astype(np.float32), y_train, ((X_test - mean) / std).astype(np.float32), y_test


def pytorch_style(X_train, y_train, X_test, y_test, epochs: int, batch_size: int) -> tuple[nn.Module, float]:
    side = X_train.shape[1]
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding="same"), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding="same"), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * (side // 4) ** 2, 128), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(128, 10),
    )
    print(model)
    optimizer = optim.Adam(model.parameters(), lr=2e-3)
    steps = epochs * -(-len(X_train) // batch_size)
    schedule = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, total_steps=steps)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optimizer, metrics=["accuracy"], scheduler=schedule,
                      scheduler_interval="batch")
    images = X_train[:, None]  # (N, 1, 28, 28): PyTorch puts the channels first
    trainer.fit((images, y_train), epochs=epochs, batch_size=batch_size, verbose=2)
    predicted = trainer.predict(X_test[:, None]).argmax(axis=1)
    return model, float(np.mean(predicted == y_test))


def keras_style(X_train, y_train, X_test, y_test, epochs: int, batch_size: int) -> tuple[keras.Model, float]:
    model = keras.Sequential([
        keras.Input((*X_train.shape[1:], 1)),  # Keras puts the channels last
        layers.Conv2D(32, 3, padding="same"), layers.BatchNormalization(), layers.Activation("relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, padding="same"), layers.BatchNormalization(), layers.Activation("relu"),
        layers.MaxPooling2D(),
        layers.Flatten(), layers.Dropout(0.3), layers.Dense(128, activation="relu"), layers.Dropout(0.3),
        layers.Dense(10, activation="softmax"),
    ])
    model.summary()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(X_train[..., None], y_train, epochs=epochs, batch_size=batch_size, verbose=2)
    _, accuracy = model.evaluate(X_test[..., None], y_test, verbose=0)
    return model, float(accuracy)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the pictures")
    parser.add_argument("--face", choices=("nn", "keras", "both"), default="both")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--train-size", type=int, default=5_000, help="training images used (of 60 000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    X_train, y_train, X_test, y_test = load(args.train_size, args.seed)
    results = {}
    if args.face in ("nn", "both"):
        netgrad.manual_seed(args.seed)
        start = time.perf_counter()
        model, results["PyTorch style"] = pytorch_style(X_train, y_train, X_test, y_test, args.epochs,
                                                        args.batch_size)
        print(f"PyTorch style: test accuracy {results['PyTorch style'] * 100:.2f} % "
              f"({time.perf_counter() - start:.0f} s)")
        pictures(model, X_test, y_test, args.out)
    if args.face in ("keras", "both"):
        keras.utils.set_random_seed(args.seed)
        start = time.perf_counter()
        _, results["Keras style"] = keras_style(X_train, y_train, X_test, y_test, args.epochs, args.batch_size)
        print(f"Keras style: test accuracy {results['Keras style'] * 100:.2f} % ({time.perf_counter() - start:.0f} s)")
    for face, accuracy in results.items():
        print(f"{face:14s} {accuracy * 100:.2f} % on the {len(y_test)} test images")


def pictures(model: nn.Module, X_test: np.ndarray, y_test: np.ndarray, out: str) -> None:
    try:
        import matplotlib.pyplot as plt

        from netgrad import viz
    except ImportError as err:
        print(f"pictures skipped: {err}")
        return
    os.makedirs(out, exist_ok=True)
    paths = [os.path.join(out, "cnn_filters.png"), os.path.join(out, "cnn_feature_maps.png")]
    viz.plot_filters(model, paths[0], title="the 32 learned 3x3 filters of the first convolution")
    names = FASHION_MNIST_CLASSES if X_test.shape[1] == 28 else [str(d) for d in range(10)]
    viz.plot_feature_maps(model, X_test[0], paths[1], layers=[0, 3, 4, 7],
                          title=f"one test image ({names[y_test[0]]}) through the network")
    plt.close("all")
    print("wrote " + ", ".join(paths))


if __name__ == "__main__":
    main()
