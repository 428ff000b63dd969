"""How the command line trains and scores an MLP: preparation (scaling), the Trainer run, scores, reports."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from netgrad import metrics, nn
from netgrad.data import StandardScaler
from netgrad.nn.mlp import build_mlp
from netgrad.optim import lr_scheduler
from netgrad.optim.names import create as create_optimizer
from netgrad.training import Trainer

from .datasets import Data
from .model_file import SavedModel

__all__ = ["prepare", "fit", "scores", "print_scores", "print_confusion", "format_confusion_matrix",
           "ACTIVATION_NAMES", "OPTIMIZER_NAMES", "SCHEDULE_NAMES"]

# The choices the command offers, all resolved through netgrad.nn.names and netgrad.optim.names.
ACTIVATION_NAMES = ("relu", "leaky_relu", "elu", "selu", "gelu", "silu", "tanh", "sigmoid")
OPTIMIZER_NAMES = ("sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam")
SCHEDULE_NAMES = ("none", "onecycle", "cosine")


def _optimizer(name: str, parameters: Any, lr: float, momentum: float, weight_decay: float) -> Any:
    options: dict[str, Any] = {"weight_decay": weight_decay}
    if name in ("sgd", "rmsprop"):
        options["momentum"] = momentum
    return create_optimizer(name, parameters, lr, OPTIMIZER_NAMES, **options)


def _scheduler(name: str, optimizer: Any, lr: float, epochs: int, steps_per_epoch: int) -> Any:
    if name == "onecycle":
        return lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps_per_epoch)
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    return None


def prepare(data: Data, hidden: Sequence[int], activation: str, dropout: float, batch_norm: bool) -> tuple:
    """The scaled training arrays and an untrained :class:`SavedModel` for ``data``."""
    scaler = StandardScaler().fit(data.X_train)
    mean, scale = scaler.mean_.astype(np.float32), scaler.scale_.astype(np.float32)
    y_mean, y_scale = 0.0, 1.0
    if data.task == "classification":
        n_outputs, y_train = len(data.class_names), data.y_train.astype(np.int64)
    else:
        y_mean, y_scale = float(data.y_train.mean()), float(data.y_train.std() or 1.0)
        n_outputs, y_train = 1, ((data.y_train - y_mean) / y_scale).astype(np.float32)
    architecture = {"inputs": int(data.X_train.shape[1]), "hidden": [int(h) for h in hidden], "outputs": n_outputs,
                    "activation": activation, "dropout": float(dropout), "batch_norm": bool(batch_norm)}
    model = build_mlp(architecture["inputs"], hidden, n_outputs, activation, dropout=dropout, batch_norm=batch_norm,
                      activations=ACTIVATION_NAMES)
    saved = SavedModel(model, architecture, data.task, data.feature_names, data.class_names, data.target_name,
                       mean, scale, y_mean, y_scale)
    return saved, saved.transform(data.X_train), y_train


def fit(saved: SavedModel, data: Data, X_train: np.ndarray, y_train: np.ndarray, *, optimizer: str, lr: float,
        momentum: float, weight_decay: float, schedule: str, epochs: int, batch_size: int, verbose: int,
        label_smoothing: float = 0.0, device: Any = None) -> Any:
    """Train ``saved.model`` through the Trainer (on ``device``), the test part as validation data; return the
    History. The model is back on the CPU afterwards, for predictions, pictures and saving."""
    classification = saved.task == "classification"
    loss = nn.CrossEntropyLoss(label_smoothing=label_smoothing) if classification else nn.MSELoss()
    opt = _optimizer(optimizer, saved.model.parameters(), lr, momentum, weight_decay)
    steps = math.ceil(len(X_train) / batch_size)
    trainer = Trainer(saved.model, loss, opt, metrics=["accuracy"] if classification else ["mae"],
                      scheduler=_scheduler(schedule, opt, lr, epochs, steps), device=device)
    validation = None
    if data.X_test is not None:
        y_val = data.y_test if classification else (data.y_test - saved.y_mean) / saved.y_scale
        validation = (saved.transform(data.X_test), y_val.astype(np.int64 if classification else np.float32))
    history = trainer.fit((X_train, y_train), epochs=epochs, batch_size=batch_size, validation_data=validation,
                          verbose=verbose)
    saved.model.cpu()
    return history


def format_confusion_matrix(matrix: np.ndarray, class_names: Sequence[str]) -> str:
    """A confusion matrix as a text table: rows are true classes, columns predicted ones."""
    names = [str(n) for n in class_names]
    width = max(5, max(len(str(int(matrix.max()))), 1) + 1)
    label_width = max(len(n) for n in names) + 1
    short = [n[:width - 1] for n in names]
    lines = [" " * label_width + "predicted →", " " * label_width + "".join(s.rjust(width) for s in short)]
    for name, row in zip(names, matrix):
        lines.append(name.ljust(label_width) + "".join(str(int(v)).rjust(width) for v in row))
    return "\n".join(lines)


def scores(saved: SavedModel, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Accuracy and log-loss for a classifier; MAE, RMSE and R² for a regressor."""
    if saved.task == "classification":
        return {"accuracy": metrics.accuracy(y, saved.predict(X)),
                "log_loss": metrics.log_loss(y, saved.predict_proba(X)) if len(saved.class_names) > 2 else
                metrics.log_loss(y, saved.predict_proba(X)[:, 1])}
    predicted = saved.predict(X)
    return {"mae": metrics.mean_absolute_error(y, predicted), "rmse": metrics.root_mean_squared_error(y, predicted),
            "r2": metrics.r2_score(y, predicted)}


def print_scores(values: dict[str, float], where: str) -> None:
    parts = [f"{name} {value * 100:.2f} %" if name == "accuracy" else f"{name} {value:.4g}"
             for name, value in values.items()]
    print(f"{where}: " + ", ".join(parts))


def print_confusion(saved: SavedModel, X: np.ndarray, y: np.ndarray) -> None:
    k = len(saved.class_names)
    matrix = metrics.confusion_matrix(y, saved.predict(X), labels=list(range(k)))
    print("confusion matrix (rows: true class, columns: predicted class):")
    print(format_confusion_matrix(matrix, saved.class_names))
