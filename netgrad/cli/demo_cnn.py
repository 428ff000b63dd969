"""``netgrad demo --model cnn``: a small convolutional network trained on real images, with pictures.

Two blocks of 3x3 convolution ('same') -> BatchNorm2d -> ReLU -> 2x2 max-pooling and a dense head with
dropout, trained with Adam and a one-cycle schedule on standardised pixels: Fashion-MNIST (28x28) when the
Debian package ``dataset-fashion-mnist`` is installed, else scikit-learn's 8x8 digits.
"""
from __future__ import annotations

import argparse
import os
import time
from typing import Any

import numpy as np

import netgrad
from netgrad import metrics, nn, optim
from netgrad.data import fashion_mnist_available
from netgrad.training import Trainer

from .commands import check_writable_folder, training_device
from .datasets import load_builtin

__all__ = ["CNN_RECIPE", "build_cnn", "train_cnn", "cmd_demo_cnn"]

#: The CNN demo's recipe: the network and training of examples/cnn_fashion_mnist.py, whose slow test
#: (tests/training/test_cnn_fashion_mnist.py) checks >= 91 % test accuracy on Fashion-MNIST.
CNN_RECIPE = {"channels": (32, 64), "hidden": 128, "dropout": 0.3, "lr": 2e-3, "epochs": 8, "batch_size": 128}


def build_cnn(side: int, classes: int, channels: tuple = CNN_RECIPE["channels"], hidden: int = CNN_RECIPE["hidden"],
              dropout: float = CNN_RECIPE["dropout"]) -> nn.Sequential:
    """(N, 1, side, side) images -> class logits: per block conv 3x3 -> BatchNorm2d -> ReLU -> max-pool 2."""
    blocks: list[nn.Module] = []
    previous = 1
    for width in channels:
        blocks += [nn.Conv2d(previous, width, 3, padding="same"), nn.BatchNorm2d(width), nn.ReLU(), nn.MaxPool2d(2)]
        previous = width
    flat = previous * (side // 2 ** len(channels)) ** 2
    return nn.Sequential(*blocks, nn.Flatten(), nn.Dropout(dropout), nn.Linear(flat, hidden), nn.ReLU(),
                         nn.Dropout(dropout), nn.Linear(hidden, classes))


def train_cnn(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, y_test: np.ndarray, *,
              epochs: int = CNN_RECIPE["epochs"], seed: int = 0, verbose: int = 1,
              device: Any = None) -> tuple[nn.Module, Any, float]:
    """Train :func:`build_cnn` on standardised (N, side, side) images on ``device``; return (model back on the
    CPU, history, test accuracy)."""
    netgrad.manual_seed(seed)
    side, classes = X_train.shape[1], int(max(y_train.max(), y_test.max())) + 1
    train_images, test_images = X_train[:, None], X_test[:, None]
    model = build_cnn(side, classes)
    batch = CNN_RECIPE["batch_size"]
    optimizer = optim.Adam(model.parameters(), lr=CNN_RECIPE["lr"])
    schedule = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=CNN_RECIPE["lr"],
                                             total_steps=epochs * -(-len(train_images) // batch))
    trainer = Trainer(model, nn.CrossEntropyLoss(), optimizer, metrics=["accuracy"], scheduler=schedule,
                      scheduler_interval="batch", device=device)
    history = trainer.fit((train_images, y_train), epochs=epochs, batch_size=batch,
                          validation_data=(test_images, y_test), verbose=verbose)
    predicted = trainer.predict(test_images).argmax(axis=1)
    model.cpu()
    return model, history, float(np.mean(predicted == y_test))


def cmd_demo_cnn(args: argparse.Namespace) -> int:
    device = training_device(args)
    check_writable_folder(args.out, "--out")
    name = args.data
    if name == "auto":
        name = "fashion-mnist" if fashion_mnist_available() else "digits"
    data = load_builtin(name, test_size=0.2, seed=args.seed)
    height, width = data.images
    mean, std = float(data.X_train.mean()), float(data.X_train.std())  # standardised with the training pixels
    X_train = ((data.X_train - mean) / std).astype(np.float32).reshape(-1, height, width)
    X_test = ((data.X_test - mean) / std).astype(np.float32).reshape(-1, height, width)
    epochs = args.epochs or CNN_RECIPE["epochs"]
    print(f"netgrad demo: a convolutional network on {data.name} ({len(X_train)} training and {len(X_test)} test "
          f"images of {height}x{width}, {len(data.class_names)} classes)", flush=True)
    print(f"recipe: standardised pixels, 2 x [Conv2d 3x3 -> BatchNorm2d -> ReLU -> MaxPool2d(2)] with "
          f"{CNN_RECIPE['channels']} channels, Dropout({CNN_RECIPE['dropout']}) -> Linear({CNN_RECIPE['hidden']}) "
          f"-> ReLU -> Linear, Adam with a one-cycle schedule up to lr={CNN_RECIPE['lr']:g}, {epochs} epochs of "
          f"batch {CNN_RECIPE['batch_size']}")
    start = time.perf_counter()
    model, history, accuracy = train_cnn(X_train, data.y_train, X_test, data.y_test, epochs=epochs, seed=args.seed,
                                         device=device)
    seconds = time.perf_counter() - start
    print(f"\ntest accuracy: {accuracy * 100:.2f} % ({len(X_test)} test images), trained in {seconds:.0f} s")
    os.makedirs(args.out, exist_ok=True)
    model_path = os.path.join(args.out, "cnn.safetensors")
    netgrad.save(model.state_dict(), model_path)
    try:
        paths = _pictures(args.out, model, history, X_test, data.y_test, data.class_names, accuracy)
    except ImportError as err:
        print(f"pictures skipped: {err}")
        paths = []
    print("saved:")
    for path in [model_path, *paths]:
        print(f"  {path}")
    return 0


def _pictures(out: str, model: nn.Module, history: Any, X_test: np.ndarray, y_test: np.ndarray,
              class_names: list, accuracy: float) -> list[str]:
    from netgrad import viz  # matplotlib is optional

    image = X_test[0]
    paths = [os.path.join(out, name) for name in ("cnn_curves.png", "cnn_filters.png", "cnn_feature_maps.png",
                                                   "cnn_confusion_matrix.png")]
    viz.plot_history(history, path=paths[0], title=f"CNN: loss and accuracy (validation = test set), "
                                                   f"test accuracy {accuracy * 100:.1f} %")
    viz.plot_filters(model, paths[1], title="the first convolution's learned 3x3 filters")
    viz.plot_feature_maps(model, image, paths[2], layers=[0, 3, 4, 7],
                          title=f"one test image ({class_names[int(y_test[0])]}) through the network")
    model.eval()
    with netgrad.no_grad():
        images = X_test[:, None]
        predicted = np.concatenate([model(netgrad.tensor(images[i:i + 1000])).numpy().argmax(axis=1)
                                    for i in range(0, len(images), 1000)])
    matrix = metrics.confusion_matrix(y_test, predicted, labels=list(range(len(class_names))))
    viz.plot_confusion_matrix(matrix, class_names, path=paths[3])
    import matplotlib.pyplot as plt

    plt.close("all")
    return paths
