"""``netgrad demo``: the notes' digit network (input-300-100-10) trained on real images, with pictures.

The data decides the input layer: Fashion-MNIST (28x28 images, 784-300-100-10) when the Debian package
``dataset-fashion-mnist`` is installed, else scikit-learn's 8x8 digits (64-300-100-10).
"""
from __future__ import annotations

import argparse
import math
import os
import time
from typing import Any

import numpy as np

import netgrad
from netgrad import metrics
from netgrad.data import fashion_mnist_available

from .commands import check_writable_folder, training_device
from .datasets import Data, load_builtin
from .demo_cnn import cmd_demo_cnn
from .model_file import SavedModel, save_model
from .training import fit, prepare, print_confusion

__all__ = ["cmd_demo", "DEMO_RECIPE", "DEMO_DATA"]

#: The demo's recipe for the notes' input-300-100-10 network (measured: see the docs' user guide).
DEMO_RECIPE = {"hidden": (300, 100), "activation": "relu", "dropout": 0.3, "batch_norm": True, "optimizer": "adam",
               "lr": 3e-3, "schedule": "onecycle", "epochs": 30, "batch_size": 128, "weight_decay": 0.0,
               "label_smoothing": 0.1}

#: What each data choice means: name -> (what it is, the network).
DEMO_DATA = {"fashion-mnist": ("Fashion-MNIST, 28x28 clothing images", "784-300-100-10"),
             "digits": ("scikit-learn's 8x8 handwritten digits", "64-300-100-10")}


def cmd_demo(args: argparse.Namespace) -> int:
    if getattr(args, "model", "mlp") == "cnn":  # the convolutional network: its own recipe and pictures
        return cmd_demo_cnn(args)
    device = training_device(args)
    check_writable_folder(args.out, "--out")
    name = args.data
    if name == "auto":
        name = "fashion-mnist" if fashion_mnist_available() else "digits"
    what, network = DEMO_DATA[name]
    print(f"netgrad demo: the notes' {network} network (two hidden layers of 300 and 100 units) on {what}"
          + ("" if args.data != "auto" or name == "fashion-mnist" else
             " (Fashion-MNIST is not installed: sudo apt-get install dataset-fashion-mnist)"), flush=True)
    netgrad.manual_seed(args.seed)
    recipe = dict(DEMO_RECIPE)
    if args.epochs is not None:
        recipe["epochs"] = args.epochs
    data = load_builtin(name, test_size=0.2, seed=args.seed)
    saved, X_train, y_train = prepare(data, recipe["hidden"], recipe["activation"], recipe["dropout"],
                                      recipe["batch_norm"])
    print(f"data: {len(X_train)} training and {len(data.X_test)} test images, {len(data.class_names)} classes")
    print(f"recipe: standardised pixels, Linear -> BatchNorm1d -> ReLU -> Dropout({recipe['dropout']}), "
          f"cross-entropy with label smoothing {recipe['label_smoothing']:g}, Adam with a one-cycle schedule up to "
          f"lr={recipe['lr']:g}, {recipe['epochs']} epochs of batch {recipe['batch_size']}")
    start = time.perf_counter()
    history = fit(saved, data, X_train, y_train, optimizer=recipe["optimizer"], lr=recipe["lr"], momentum=0.0,
                  weight_decay=recipe["weight_decay"], schedule=recipe["schedule"], epochs=recipe["epochs"],
                  batch_size=recipe["batch_size"], verbose=1, label_smoothing=recipe["label_smoothing"], device=device)
    seconds = time.perf_counter() - start
    predicted = saved.predict(data.X_test)
    accuracy = float(np.mean(predicted == data.y_test))
    print(f"\ntest accuracy: {accuracy * 100:.2f} % ({int(np.sum(predicted == data.y_test))} of {len(data.y_test)} "
          f"test images), trained in {seconds:.0f} s")
    print_confusion(saved, data.X_test, data.y_test)
    out = args.out
    os.makedirs(out, exist_ok=True)
    model_path = os.path.join(out, "model.netgrad")
    saved.info = {"data": name, "epochs": recipe["epochs"], "optimizer": recipe["optimizer"], "lr": recipe["lr"],
                  "seed": args.seed, "test_size": 0.2, "seconds": round(seconds, 2), "test": {"accuracy": accuracy}}
    save_model(saved, model_path)
    try:
        paths = _demo_pictures(out, saved, data, history, predicted, accuracy)
    except ImportError as err:
        print(f"pictures skipped: {err}")
        paths = []
    print("saved:")
    for path in [model_path, *paths]:
        print(f"  {path}")
    return 0


def _demo_pictures(out: str, saved: SavedModel, data: Data, history: Any, predicted: np.ndarray,
                   accuracy: float) -> list[str]:
    from netgrad import viz  # matplotlib is optional

    paths = [os.path.join(out, name) for name in ("curves.png", "predictions.png", "network.png",
                                                   "confusion_matrix.png")]
    viz.plot_history(history, path=paths[0], title=f"{data.name}: loss and accuracy (validation = test set)")
    # a grid that shows both kinds: mostly right answers, and the first mistakes marked in red
    wrong = np.flatnonzero(predicted != data.y_test)[:8]
    right = np.flatnonzero(predicted == data.y_test)[:32 - len(wrong)]
    shown = np.sort(np.concatenate([right, wrong]))
    height, width = data.images or (int(math.isqrt(data.X_test.shape[1])),) * 2
    viz.plot_image_grid(data.X_test[shown].reshape(-1, height, width), data.y_test[shown], predicted[shown],
                        path=paths[1], class_names=data.class_names,
                        title=f"test images: predicted label (true label in red when wrong); accuracy "
                              f"{accuracy * 100:.1f} %")
    viz.plot_network(saved.model, path=paths[2], output_names=data.class_names)
    matrix = metrics.confusion_matrix(data.y_test, predicted, labels=list(range(len(data.class_names))))
    viz.plot_confusion_matrix(matrix, data.class_names, path=paths[3])
    import matplotlib.pyplot as plt

    plt.close("all")
    return paths
