"""The notes' digit network, 784-300-100-10, in PyTorch style: on the digits or on Fashion-MNIST.

The notes' fully connected image classifier: 784 pixels in, hidden layers of 300 and 100 ReLU neurons,
10 outputs (one per class), softmax. Its parameters, layer by layer (the notes' polls):

    784 x 300 + 300 = 235 500     (each first-layer neuron: 784 weights + 1 bias = 785)
    300 x 100 + 100 =  30 100
    100 x  10 +  10 =   1 010     (each output neuron: 100 weights + 1 bias = 101)
                      -------
                      266 610

With ``--data digits`` (the default; scikit-learn's 8x8 digits, so 64 inputs) it trains in seconds; with
``--data fashion-mnist`` (28x28 images of clothes, installed by the Debian package
``dataset-fashion-mnist``) it trains the full 784-300-100-10 network on a part of the training set so
that it finishes within a minute (``--train-size 60000 --epochs 30`` for the whole job, or run
``netgrad demo``). The model is written module by module, trained through the Trainer, and scored on the
test set. Pictures: ``<out>/digit_network_curves.png`` and ``<out>/digit_network_mistakes.png``.

Run it with::

    python examples/digit_network.py --out netgrad-examples/ [--data fashion-mnist]
"""
from __future__ import annotations

import argparse
import os

import numpy as np

import netgrad
from netgrad import nn, optim
from netgrad.data import (
    FASHION_MNIST_CLASSES,
    StandardScaler,
    fashion_mnist_available,
    load_digits,
    load_fashion_mnist,
    train_test_split,
)
from netgrad.metrics import confusion_matrix
from netgrad.nn.utils import count_parameters
from netgrad.training import Trainer


def load(name: str, train_size: int, seed: int):
    """``(X_train, y_train, X_test, y_test, image side, class names)``; images kept 2-D (n, h, w)."""
    if name == "fashion-mnist":
        X_train, y_train = load_fashion_mnist(kind="train")
        X_test, y_test = load_fashion_mnist(kind="test")
        rows = np.random.default_rng(seed).permutation(len(X_train))[:train_size]
        return X_train[rows], y_train[rows], X_test, y_test, 28, list(FASHION_MNIST_CLASSES)
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X.reshape(-1, 8, 8), y, test_size=0.25, random_state=seed,
                                                        stratify=y)
    return X_train, y_train, X_test, y_test, 8, [str(d) for d in range(10)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the pictures")
    parser.add_argument("--data", choices=("digits", "fashion-mnist"), default="digits")
    parser.add_argument("--epochs", type=int, default=None, help="default: 20 (digits), 5 (fashion-mnist)")
    parser.add_argument("--train-size", type=int, default=10000, help="Fashion-MNIST training images used")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.data == "fashion-mnist" and not fashion_mnist_available():
        parser.error("Fashion-MNIST is not installed (sudo apt-get install dataset-fashion-mnist); use --data digits")
    epochs = args.epochs or (20 if args.data == "digits" else 5)

    X_train, y_train, X_test, y_test, side, classes = load(args.data, args.train_size, args.seed)
    # standardise every pixel with the training set's statistics (on flattened images), keep the 2-D shape
    scaler = StandardScaler().fit(X_train.reshape(len(X_train), -1))

    def standardise(images: np.ndarray) -> np.ndarray:
        return scaler.transform(images.reshape(len(images), -1)).reshape(images.shape)

    X_train_s, X_test_s = standardise(X_train).astype(np.float32), standardise(X_test).astype(np.float32)

    netgrad.manual_seed(args.seed)
    pixels = side * side
    model = nn.Sequential(
        nn.Flatten(),                       # (n, side, side) -> (n, pixels)
        nn.Linear(pixels, 300), nn.ReLU(),
        nn.Linear(300, 100), nn.ReLU(),
        nn.Linear(100, 10),                 # logits; CrossEntropyLoss applies the softmax
    )
    print(model)
    for layer in (model[1], model[3], model[5]):
        print(f"  {layer.in_features:3d} x {layer.out_features:3d} + {layer.out_features:3d} = "
              f"{count_parameters(layer):7,d} parameters ({layer.in_features + 1} per neuron)")
    print(f"  total {count_parameters(model):,d}")

    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optimizer, metrics=["accuracy"])
    history = trainer.fit((X_train_s, y_train), epochs=epochs, batch_size=128, validation_data=(X_test_s, y_test),
                          verbose=2)
    predicted = trainer.predict(X_test_s).argmax(axis=1)
    accuracy = float(np.mean(predicted == y_test))
    print(f"\n{args.data}: test accuracy {accuracy * 100:.2f} % ({len(X_train)} training images, {epochs} epochs)")
    matrix = confusion_matrix(y_test, predicted, labels=list(range(10)))
    worst = np.argsort(np.diag(matrix) / matrix.sum(axis=1))[:3]
    print("hardest classes: " + ", ".join(f"{classes[k]} ({matrix[k, k] / matrix[k].sum() * 100:.0f} % right, most "
                                          f"often taken for {classes[int(np.argsort(matrix[k])[-2])]})" for k in worst))

    try:
        import matplotlib.pyplot as plt

        from netgrad import viz
    except ImportError as err:
        print(f"pictures skipped: {err}")
        return
    os.makedirs(args.out, exist_ok=True)
    paths = [os.path.join(args.out, "digit_network_curves.png"), os.path.join(args.out, "digit_network_mistakes.png")]
    viz.plot_history(history, path=paths[0], title=f"784-300-100-10 on {args.data}" if side == 28 else
                     f"64-300-100-10 on {args.data}")
    wrong = np.flatnonzero(predicted != y_test)[:24]
    viz.plot_image_grid(X_test[wrong], y_test[wrong], predicted[wrong], paths[1], class_names=classes,
                        title="mistakes: predicted (true)")
    plt.close("all")
    print("wrote " + ", ".join(paths))


if __name__ == "__main__":
    main()
