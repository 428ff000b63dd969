"""The ``netgrad`` command: the main job (``demo``), and ``train`` / ``evaluate`` / ``predict`` on any data.

::

    netgrad demo                                   # 784-300-100-10 on Fashion-MNIST (or digits), pictures
    netgrad train --data iris --hidden 16 --epochs 50 --save iris.netgrad
    netgrad train --data houses.csv --target price --save houses.netgrad
    netgrad evaluate --model iris.netgrad --data iris
    netgrad predict --model houses.netgrad --input new_houses.csv --output predictions.csv
    netgrad playground                             # the browser playground (needs the 'web' extra)

Every model trains through :class:`netgrad.training.Trainer`. A saved model (``.netgrad``) is one
safetensors file written by :func:`netgrad.io.save`: the weights as tensors, and as JSON the architecture,
the preprocessing (the standard scaler's statistics, the feature and class names) and how it was trained.
Nothing in it is executable: loading parses JSON and copies arrays.

Bad arguments and unusable inputs end with one line, ``netgrad: error: ...``, and exit status 2.
"""
from __future__ import annotations

import argparse
import csv
import io
import math
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["main", "build_mlp", "save_model", "load_model", "SavedModel", "CLIError"]

MODEL_FORMAT = "netgrad-mlp"
MODEL_VERSION = 1
BUILTIN_DATASETS = ("xor", "circle", "spiral", "digits", "fashion-mnist", "iris", "wine", "breast-cancer",
                    "diabetes")
ACTIVATION_NAMES = ("relu", "leaky_relu", "elu", "selu", "gelu", "silu", "tanh", "sigmoid")
OPTIMIZER_NAMES = ("sgd", "adam", "adamw", "rmsprop", "adagrad", "adadelta", "adamax", "nadam")
SCHEDULE_NAMES = ("none", "onecycle", "cosine")
# A numeric target with at most this many distinct integer values is read as class labels (task 'auto').
MAX_AUTO_CLASSES = 20


class CLIError(Exception):
    """A problem with the user's arguments or files: printed as one line, exit status 2."""


def _one_line(message: Any) -> str:
    """A message on one line (library errors may span several)."""
    return " ".join(str(message).split())


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line that points to ``--help``."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


# ============================================================================================ data


@dataclass
class Data:
    """A dataset ready for training: raw features, targets, and what they mean."""

    name: str
    task: str  # "classification" or "regression"
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray | None
    y_test: np.ndarray | None
    feature_names: list[str]
    class_names: list[str] = field(default_factory=list)
    target_name: str = "target"
    images: tuple[int, int] | None = None  # (height, width) when the features are pixels


def _names_from_sklearn(loader: str, n_features: int) -> tuple[list[str], list[str] | None]:
    try:
        from sklearn import datasets

        bunch = getattr(datasets, loader)()
        classes = [str(c) for c in bunch.target_names] if hasattr(bunch, "target_names") else None
        return [str(n) for n in bunch.feature_names], classes
    except (ImportError, AttributeError):
        return [f"x{i + 1}" for i in range(n_features)], None


def _split(X: np.ndarray, y: np.ndarray, test_size: float, seed: int, stratify: bool) -> tuple:
    from netgrad.data import train_test_split

    if test_size <= 0:
        return X, y, None, None
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=seed,
                                                        stratify=y if stratify else None)
    return X_train, y_train, X_test, y_test


def load_builtin(name: str, *, test_size: float = 0.2, seed: int = 0) -> Data:
    """One of :data:`BUILTIN_DATASETS`, split into training and test parts (Fashion-MNIST: its own split)."""
    from netgrad import data

    if name == "fashion-mnist":
        if not data.fashion_mnist_available():
            raise CLIError("Fashion-MNIST is not installed; install the Debian package with: "
                           "sudo apt-get install dataset-fashion-mnist (or use --data digits)")
        X_train, y_train = data.load_fashion_mnist(kind="train", flatten=True)
        X_test, y_test = data.load_fashion_mnist(kind="test", flatten=True)
        return Data(name, "classification", X_train, y_train, X_test, y_test,
                    [f"pixel{i + 1}" for i in range(784)], list(data.FASHION_MNIST_CLASSES), "label", (28, 28))
    if name in ("xor", "circle", "spiral"):
        maker = {"xor": lambda: data.make_xor(400, noise=0.15, seed=seed),
                 "circle": lambda: data.make_circle(400, seed=seed),
                 "spiral": lambda: data.make_spiral(400, seed=seed)}[name]
        X, y = maker()
        parts = _split(X, y, test_size, seed, stratify=True)
        return Data(name, "classification", *parts, ["x1", "x2"], ["0", "1"], "label")
    loaders = {"digits": "load_digits", "iris": "load_iris", "wine": "load_wine",
               "breast-cancer": "load_breast_cancer", "diabetes": "load_diabetes"}
    if name not in loaders:
        raise CLIError(f"unknown dataset {name!r}; choose from {', '.join(BUILTIN_DATASETS)} or give a .csv file")
    try:
        X, y = getattr(data, loaders[name])()
    except ImportError as err:
        raise CLIError(str(err)) from None
    task = "regression" if name == "diabetes" else "classification"
    if name == "digits":
        features, classes = [f"pixel{i + 1}" for i in range(64)], [str(d) for d in range(10)]
    else:
        features, classes = _names_from_sklearn(loaders[name], X.shape[1])
    if task == "classification" and not classes:
        classes = [str(c) for c in range(int(y.max()) + 1)]
    parts = _split(X, y, test_size, seed, stratify=task == "classification")
    return Data(name, task, *parts, features, classes if task == "classification" else [], "target",
                (8, 8) if name == "digits" else None)


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


@dataclass
class Table:
    """A CSV file: its column names, its rows of text, and the file line each row came from."""

    path: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]

    def column(self, name: str) -> list[str]:
        k = self.header.index(name)
        return [row[k].strip() for row in self.rows]


def read_csv(path: str) -> Table:
    """A CSV file with a header row; a file whose first row is all numbers gets columns ``x1, x2, ...``."""
    try:
        with open(path, newline="") as f:
            reader = csv.reader(f)
            numbered = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except FileNotFoundError:
        raise CLIError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise CLIError(f"cannot read {path}: {err}") from None
    if not numbered:
        raise CLIError(f"{path} is empty")
    header = [cell.strip() for cell in numbered[0][1]]
    if all(_is_number(cell) for cell in header):
        header = [f"x{i + 1}" for i in range(len(header))]
    else:
        numbered = numbered[1:]
    if not numbered:
        raise CLIError(f"{path} has a header but no rows of data")
    for line, row in numbered:
        if len(row) != len(header):
            raise CLIError(f"{path}, line {line}: {len(row)} values, but the header has {len(header)} columns")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise CLIError(f"{path}: duplicated column name(s) {', '.join(duplicated)}")
    return Table(path, header, [row for _, row in numbered], [line for line, _ in numbered])


def _numeric_columns(table: Table, columns: Sequence[str]) -> np.ndarray:
    """The named columns as a float32 matrix; a cell that is not a finite number is an error naming its line."""
    out = np.empty((len(table.rows), len(columns)), dtype=np.float32)
    for j, name in enumerate(columns):
        for i, cell in enumerate(table.column(name)):
            try:
                value = float(cell)
            except ValueError:
                what = "a missing value" if not cell else f"the non-numeric value {cell!r}"
                raise CLIError(f"{table.path}, line {table.lines[i]}: {what} in feature column {name!r}; features "
                               "must be numbers") from None
            if not math.isfinite(value):
                raise CLIError(f"{table.path}, line {table.lines[i]}: {cell!r} in column {name!r} is not a finite "
                               "number")
            out[i, j] = value
    return out


def _class_order(labels: Sequence[str]) -> list[str]:
    unique = sorted(set(labels))
    if all(_is_number(v) for v in unique):
        unique.sort(key=float)
    return unique


def load_csv(path: str, target: str | None, task: str = "auto", *, test_size: float = 0.2, seed: int = 0) -> Data:
    """A CSV file with a header: ``target`` (default: the last column) is predicted from the other columns."""
    table = read_csv(path)
    header = table.header
    if len(header) < 2:
        raise CLIError(f"{path} has one column; it needs at least one feature column and a target column")
    target = header[-1] if target is None else target
    if target not in header:
        raise CLIError(f"{path} has no column {target!r}; its columns are {', '.join(header)}")
    features = [name for name in header if name != target]
    X = _numeric_columns(table, features)
    raw = table.column(target)
    if any(not v for v in raw):
        line = table.lines[next(i for i, v in enumerate(raw) if not v)]
        raise CLIError(f"{path}, line {line}: missing value in the target column {target!r}")
    numeric = all(_is_number(v) for v in raw)
    if task == "auto":
        if not numeric:
            task = "classification"
        else:
            values = np.array([float(v) for v in raw])
            integral = np.all(values == np.round(values))
            task = "classification" if integral and len(np.unique(values)) <= MAX_AUTO_CLASSES else "regression"
    if task == "regression":
        if not numeric:
            bad = next(v for v in raw if not _is_number(v))
            raise CLIError(f"--task regression needs a numeric target, but column {target!r} holds {bad!r}")
        y = np.array([float(v) for v in raw], dtype=np.float32)
        classes: list[str] = []
    else:
        if numeric:  # "1" and "1.0" are the same class
            raw = [format(float(v), "g") for v in raw]
        classes = _class_order(raw)
        if len(classes) < 2:
            raise CLIError(f"the target column {target!r} holds a single class ({classes[0]!r}); nothing to learn")
        lookup = {name: i for i, name in enumerate(classes)}
        y = np.array([lookup[v] for v in raw], dtype=np.int64)
    if test_size > 0 and len(X) < 10:
        raise CLIError(f"{path} has {len(X)} rows: too few to set a test part aside (use --test-size 0)")
    stratify = task == "classification" and np.bincount(y).min() >= 2
    parts = _split(X, y, test_size, seed, stratify)
    return Data(os.path.basename(path), task, *parts, features, classes, target)


def load_data(spec: str, target: str | None = None, task: str = "auto", *, test_size: float = 0.2,
              seed: int = 0) -> Data:
    """A built-in dataset by name, or a ``.csv`` file."""
    if spec in BUILTIN_DATASETS:
        if target is not None:
            raise CLIError(f"--target is for CSV files; {spec!r} is a built-in dataset")
        data = load_builtin(spec, test_size=test_size, seed=seed)
        if task not in ("auto", data.task):
            raise CLIError(f"{spec!r} is a {data.task} dataset, not {task}")
        return data
    if spec.lower().endswith(".csv") or os.path.exists(spec):
        return load_csv(spec, target, task, test_size=test_size, seed=seed)
    raise CLIError(f"unknown dataset {spec!r}; choose from {', '.join(BUILTIN_DATASETS)} or give a .csv file")


# ============================================================================================ models


def _activation(name: str) -> Any:
    from netgrad import nn

    return {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "selu": nn.SELU, "gelu": nn.GELU,
            "silu": nn.SiLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[name]()


def build_mlp(n_inputs: int, hidden: Sequence[int], n_outputs: int, activation: str = "relu", *,
              dropout: float = 0.0, batch_norm: bool = False) -> Any:
    """A multilayer perceptron: ``[Linear -> (BatchNorm1d) -> activation -> (Dropout)] * len(hidden) -> Linear``.

    The output layer has no activation: it gives logits for classification (``CrossEntropyLoss`` applies the
    softmax) and values for regression.
    """
    from netgrad import nn

    if activation not in ACTIVATION_NAMES:
        raise ValueError(f"unknown activation {activation!r}; choose from {', '.join(ACTIVATION_NAMES)}")
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    layers: list[Any] = []
    width = n_inputs
    for units in hidden:
        layers.append(nn.Linear(width, units))
        if batch_norm:
            layers.append(nn.BatchNorm1d(units))
        layers.append(_activation(activation))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = units
    layers.append(nn.Linear(width, n_outputs))
    return nn.Sequential(*layers)


@dataclass
class SavedModel:
    """A trained MLP with everything needed to use it on raw data.

    Attributes:
        model: The ``nn.Sequential``.
        architecture: ``{"inputs", "hidden", "outputs", "activation", "dropout", "batch_norm"}``.
        task: ``"classification"`` or ``"regression"``.
        feature_names, class_names, target_name: What the columns and classes are called.
        mean, scale: The standard scaler of the inputs (``(x - mean) / scale``).
        y_mean, y_scale: The scaler of a regression target (the model predicts scaled values).
        info: How it was trained (data, epochs, optimizer, test scores, split).
    """

    model: Any
    architecture: dict
    task: str
    feature_names: list[str]
    class_names: list[str]
    target_name: str
    mean: np.ndarray
    scale: np.ndarray
    y_mean: float = 0.0
    y_scale: float = 1.0
    info: dict = field(default_factory=dict)

    def transform(self, X: np.ndarray) -> np.ndarray:
        return ((X - self.mean) / self.scale).astype(np.float32)

    def outputs(self, X: np.ndarray) -> np.ndarray:
        """The model's raw outputs (logits, or scaled values) on raw features ``X``, in eval mode."""
        import netgrad

        self.model.eval()
        with netgrad.no_grad():
            return self.model(netgrad.tensor(self.transform(X))).numpy()

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        logits = self.outputs(X).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class indices for classification, values in the target's units for regression."""
        if self.task == "classification":
            return self.outputs(X).argmax(axis=1)
        return self.outputs(X)[:, 0] * self.y_scale + self.y_mean


def save_model(saved: SavedModel, path: str) -> None:
    """Write ``saved`` to ``path`` (safetensors via :func:`netgrad.io.save`; JSON metadata, no pickle)."""
    import netgrad.io

    netgrad.io.save({
        "format": MODEL_FORMAT, "version": MODEL_VERSION, "architecture": saved.architecture, "task": saved.task,
        "state_dict": saved.model.state_dict(),
        "preprocessing": {"mean": saved.mean.astype(np.float32), "scale": saved.scale.astype(np.float32),
                          "feature_names": saved.feature_names, "class_names": saved.class_names,
                          "target_name": saved.target_name, "y_mean": saved.y_mean, "y_scale": saved.y_scale},
        "info": saved.info,
    }, path)


def load_model(path: str) -> SavedModel:
    """Read a model written by :func:`save_model`; the message of any problem names the file."""
    import netgrad.io

    if not os.path.exists(path):
        raise CLIError(f"no such model file: {path}")
    try:
        stored = netgrad.io.load(path)
    except (ValueError, OSError, KeyError) as err:
        raise CLIError(f"{path} is not a netgrad model file: {err}") from None
    if not isinstance(stored, dict) or stored.get("format") != MODEL_FORMAT:
        raise CLIError(f"{path} is a safetensors file but not a model saved by 'netgrad train'")
    if stored.get("version") != MODEL_VERSION:
        raise CLIError(f"{path} has model format version {stored.get('version')}; this netgrad reads "
                       f"version {MODEL_VERSION}")
    try:
        arch, prep = stored["architecture"], stored["preprocessing"]
        model = build_mlp(arch["inputs"], arch["hidden"], arch["outputs"], arch["activation"],
                          dropout=arch["dropout"], batch_norm=arch["batch_norm"])
        model.load_state_dict(stored["state_dict"])
        saved = SavedModel(model, arch, stored["task"], list(prep["feature_names"]), list(prep["class_names"]),
                           prep["target_name"], np.asarray(prep["mean"]), np.asarray(prep["scale"]),
                           float(prep["y_mean"]), float(prep["y_scale"]), stored.get("info", {}))
    except KeyError as err:
        raise CLIError(f"{path} is damaged: it has no {err} entry") from None
    except (ValueError, TypeError, RuntimeError) as err:
        raise CLIError(f"{path} is damaged: its architecture and weights do not fit together ({_one_line(err)})") \
            from None
    model.eval()
    return saved


def _optimizer(name: str, parameters: Any, lr: float, momentum: float, weight_decay: float) -> Any:
    from netgrad import optim

    cls = {"sgd": optim.SGD, "adam": optim.Adam, "adamw": optim.AdamW, "rmsprop": optim.RMSprop,
           "adagrad": optim.Adagrad, "adadelta": optim.Adadelta, "adamax": optim.Adamax, "nadam": optim.NAdam}[name]
    options: dict[str, Any] = {"lr": lr, "weight_decay": weight_decay}
    if name in ("sgd", "rmsprop"):
        options["momentum"] = momentum
    return cls(parameters, **options)


def _scheduler(name: str, optimizer: Any, lr: float, epochs: int, steps_per_epoch: int) -> Any:
    from netgrad.optim import lr_scheduler

    if name == "onecycle":
        return lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps_per_epoch)
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    return None


# ============================================================================================ reports


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


def _scores(saved: SavedModel, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    from netgrad import metrics

    if saved.task == "classification":
        return {"accuracy": metrics.accuracy(y, saved.predict(X)),
                "log_loss": metrics.log_loss(y, saved.predict_proba(X)) if len(saved.class_names) > 2 else
                metrics.log_loss(y, saved.predict_proba(X)[:, 1])}
    predicted = saved.predict(X)
    return {"mae": metrics.mean_absolute_error(y, predicted), "rmse": metrics.root_mean_squared_error(y, predicted),
            "r2": metrics.r2_score(y, predicted)}


def _print_scores(scores: dict[str, float], where: str) -> None:
    parts = [f"{name} {value * 100:.2f} %" if name == "accuracy" else f"{name} {value:.4g}"
             for name, value in scores.items()]
    print(f"{where}: " + ", ".join(parts))


def _print_confusion(saved: SavedModel, X: np.ndarray, y: np.ndarray) -> None:
    from netgrad import metrics

    k = len(saved.class_names)
    matrix = metrics.confusion_matrix(y, saved.predict(X), labels=list(range(k)))
    print("confusion matrix (rows: true class, columns: predicted class):")
    print(format_confusion_matrix(matrix, saved.class_names))


# ============================================================================================ commands


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {value}")
    return value


def _hidden_sizes(text: str) -> list[int]:
    text = text.strip()
    if text in ("", "0", "none"):
        return []
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected layer sizes like 300,100, got {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got {text!r}")
    return sizes


def _fit(saved: SavedModel, data: Data, X_train: np.ndarray, y_train: np.ndarray, *, optimizer: str, lr: float,
         momentum: float, weight_decay: float, schedule: str, epochs: int, batch_size: int, verbose: int,
         label_smoothing: float = 0.0) -> Any:
    """Train ``saved.model`` through the Trainer; return the History."""
    from netgrad import nn
    from netgrad.training import Trainer

    classification = saved.task == "classification"
    loss = nn.CrossEntropyLoss(label_smoothing=label_smoothing) if classification else nn.MSELoss()
    opt = _optimizer(optimizer, saved.model.parameters(), lr, momentum, weight_decay)
    steps = math.ceil(len(X_train) / batch_size)
    trainer = Trainer(saved.model, loss, opt, metrics=["accuracy"] if classification else ["mae"],
                      scheduler=_scheduler(schedule, opt, lr, epochs, steps))
    validation = None
    if data.X_test is not None:
        y_val = data.y_test if classification else (data.y_test - saved.y_mean) / saved.y_scale
        validation = (saved.transform(data.X_test), y_val.astype(np.int64 if classification else np.float32))
    return trainer.fit((X_train, y_train), epochs=epochs, batch_size=batch_size, validation_data=validation,
                       verbose=verbose)


def _prepare(data: Data, hidden: Sequence[int], activation: str, dropout: float, batch_norm: bool) -> tuple:
    """The scaled training arrays and an untrained SavedModel for ``data``."""
    from netgrad.data import StandardScaler

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
    model = build_mlp(architecture["inputs"], hidden, n_outputs, activation, dropout=dropout, batch_norm=batch_norm)
    saved = SavedModel(model, architecture, data.task, data.feature_names, data.class_names, data.target_name,
                       mean, scale, y_mean, y_scale)
    return saved, saved.transform(data.X_train), y_train


def _save_training_pictures(out: str, saved: SavedModel, data: Data, history: Any) -> list[str]:
    """Curves, network diagram and (for 2-D classification) the decision boundary, saved under ``out``."""
    from netgrad import viz

    os.makedirs(out, exist_ok=True)
    paths = [os.path.join(out, "curves.png"), os.path.join(out, "network.png")]
    viz.plot_history(history, path=paths[0], title=f"{data.name}: training")
    viz.plot_network(saved.model, path=paths[1], input_names=saved.feature_names if len(saved.feature_names) <= 12
                     else None, output_names=saved.class_names or [saved.target_name])
    if saved.task == "classification" and len(saved.feature_names) == 2:
        paths.append(os.path.join(out, "decision_boundary.png"))
        X = np.concatenate([data.X_train] + ([data.X_test] if data.X_test is not None else []))
        y = np.concatenate([data.y_train] + ([data.y_test] if data.y_test is not None else []))
        viz.plot_decision_boundary(saved.predict_proba, X, y, path=paths[-1], title=f"{data.name}: decision boundary")
    import matplotlib.pyplot as plt

    plt.close("all")
    return paths


def cmd_train(args: argparse.Namespace) -> int:
    import netgrad

    netgrad.manual_seed(args.seed)
    data = load_data(args.data, args.target, args.task, test_size=args.test_size, seed=args.seed)
    saved, X_train, y_train = _prepare(data, args.hidden, args.activation, args.dropout, args.batch_norm)
    shape = "-".join(str(n) for n in [saved.architecture["inputs"], *args.hidden, saved.architecture["outputs"]])
    n_test = 0 if data.X_test is None else len(data.X_test)
    kind = f"{len(data.class_names)} classes" if data.task == "classification" else f"target {data.target_name!r}"
    print(f"data: {data.name}, {data.task} ({kind}), {len(X_train)} training / {n_test} test samples")
    print(f"model: {shape} MLP, {args.activation}, {args.optimizer} lr={args.lr:g}, {args.epochs} epochs of "
          f"batch {args.batch_size}")
    start = time.perf_counter()
    history = _fit(saved, data, X_train, y_train, optimizer=args.optimizer, lr=args.lr, momentum=args.momentum,
                   weight_decay=args.weight_decay, schedule=args.schedule, epochs=args.epochs,
                   batch_size=args.batch_size, verbose=0 if args.quiet else 1,
                   label_smoothing=args.label_smoothing)
    seconds = time.perf_counter() - start
    train_scores = _scores(saved, data.X_train, data.y_train)
    _print_scores(train_scores, "training")
    saved.info = {"data": data.name, "epochs": args.epochs, "optimizer": args.optimizer, "lr": args.lr,
                  "batch_size": args.batch_size, "seed": args.seed, "test_size": args.test_size,
                  "seconds": round(seconds, 2), "train": train_scores}
    if data.X_test is not None:
        test_scores = _scores(saved, data.X_test, data.y_test)
        _print_scores(test_scores, "test")
        saved.info["test"] = test_scores
    if args.save:
        save_model(saved, args.save)
        print(f"saved the model to {args.save}")
    if args.out:
        try:
            paths = _save_training_pictures(args.out, saved, data, history)
        except ImportError as err:
            print(f"pictures skipped: {err}")
        else:
            print("pictures: " + ", ".join(paths))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    saved = load_model(args.model)
    info = saved.info
    if args.data in BUILTIN_DATASETS:
        if args.data != info.get("data"):
            print(f"note: the model was trained on {info.get('data')!r}; evaluating on {args.data!r}")
        # the same split as in training: evaluate on the part the model has not seen
        data = load_data(args.data, test_size=float(info.get("test_size", 0.2)), seed=int(info.get("seed", 0)))
        X, y, where = (data.X_test, data.y_test, "test") if data.X_test is not None else \
            (data.X_train, data.y_train, "all")
    else:
        data = load_data(args.data, args.target or saved.target_name, saved.task, test_size=0)
        X, y, where = data.X_train, data.y_train, os.path.basename(args.data)
        missing = [name for name in saved.feature_names if name not in data.feature_names]
        if missing:
            raise CLIError(f"{args.data} lacks the model's feature column(s) {', '.join(missing[:5])}")
        X = X[:, [data.feature_names.index(name) for name in saved.feature_names]]
        if saved.task == "classification":
            y = _class_indices(saved, [data.class_names[i] for i in y], args.data)
    if X.shape[1] != saved.architecture["inputs"]:
        raise CLIError(f"the model expects {saved.architecture['inputs']} features but {args.data} has {X.shape[1]}")
    _print_scores(_scores(saved, X, y), f"{where} ({len(X)} samples)")
    if saved.task == "classification":
        _print_confusion(saved, X, y)
    return 0


def _class_indices(saved: SavedModel, labels: Sequence[str], path: str) -> np.ndarray:
    lookup = {name: i for i, name in enumerate(saved.class_names)}
    unknown = sorted({v for v in labels if v not in lookup})
    if unknown:
        raise CLIError(f"{path} has class(es) {', '.join(map(repr, unknown[:5]))} that the model does not know; "
                       f"its classes are {', '.join(saved.class_names)}")
    return np.array([lookup[v] for v in labels], dtype=np.int64)


def cmd_predict(args: argparse.Namespace) -> int:
    saved = load_model(args.model)
    table = read_csv(args.input)
    missing = [name for name in saved.feature_names if name not in table.header]
    if missing:
        extra = f" (and {len(missing) - 5} more)" if len(missing) > 5 else ""
        raise CLIError(f"{args.input} lacks the model's feature column(s) {', '.join(missing[:5])}{extra}")
    X = _numeric_columns(table, saved.feature_names)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if saved.task == "classification":
        proba = saved.predict_proba(X)
        writer.writerow([f"predicted_{saved.target_name}"] + [f"p_{name}" for name in saved.class_names])
        for p in proba:
            writer.writerow([saved.class_names[int(p.argmax())]] + [f"{v:.6f}" for v in p])
    else:
        writer.writerow([f"predicted_{saved.target_name}"])
        for value in saved.predict(X):
            writer.writerow([f"{value:.6g}"])
    if args.output:
        with open(args.output, "w", newline="") as f:
            f.write(out.getvalue())
        print(f"wrote {len(X)} predictions to {args.output}")
    else:
        sys.stdout.write(out.getvalue())
    return 0


# ---------------------------------------------------------------------------------------------- demo

#: The demo's recipe for the notes' 784-300-100-10 digit network (measured: see the docs' user guide).
DEMO_RECIPE = {"hidden": (300, 100), "activation": "relu", "dropout": 0.3, "batch_norm": True, "optimizer": "adam",
               "lr": 3e-3, "schedule": "onecycle", "epochs": 30, "batch_size": 128, "weight_decay": 0.0,
               "label_smoothing": 0.1}


def cmd_demo(args: argparse.Namespace) -> int:
    import netgrad
    from netgrad.data import fashion_mnist_available

    name = args.data
    if name == "auto":
        name = "fashion-mnist" if fashion_mnist_available() else "digits"
    netgrad.manual_seed(args.seed)
    recipe = dict(DEMO_RECIPE)
    if args.epochs is not None:
        recipe["epochs"] = args.epochs
    data = load_builtin(name, test_size=0.2, seed=args.seed)
    saved, X_train, y_train = _prepare(data, recipe["hidden"], recipe["activation"], recipe["dropout"],
                                       recipe["batch_norm"])
    shape = "-".join(str(n) for n in [saved.architecture["inputs"], *recipe["hidden"], saved.architecture["outputs"]])
    print(f"netgrad demo: the notes' {shape} network on {name} ({len(X_train)} training, {len(data.X_test)} test "
          f"images, {len(data.class_names)} classes)")
    print(f"recipe: standardised pixels, Linear -> BatchNorm1d -> ReLU -> Dropout({recipe['dropout']}), "
          f"cross-entropy with label smoothing {recipe['label_smoothing']:g}, Adam with a one-cycle schedule up to "
          f"lr={recipe['lr']:g}, {recipe['epochs']} epochs of batch {recipe['batch_size']}")
    start = time.perf_counter()
    history = _fit(saved, data, X_train, y_train, optimizer=recipe["optimizer"], lr=recipe["lr"], momentum=0.0,
                   weight_decay=recipe["weight_decay"], schedule=recipe["schedule"], epochs=recipe["epochs"],
                   batch_size=recipe["batch_size"], verbose=1, label_smoothing=recipe["label_smoothing"])
    seconds = time.perf_counter() - start
    predicted = saved.predict(data.X_test)
    accuracy = float(np.mean(predicted == data.y_test))
    print(f"\ntest accuracy: {accuracy * 100:.2f} % ({int(np.sum(predicted == data.y_test))} of {len(data.y_test)} "
          f"test images), trained in {seconds:.0f} s")
    _print_confusion(saved, data.X_test, data.y_test)
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
    from netgrad import metrics, viz

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


def cmd_playground(args: argparse.Namespace, rest: list[str]) -> int:
    try:
        from netgrad.playground import server
    except ImportError as err:
        raise CLIError(f"the playground needs the 'web' extra ({err}); install it with: "
                       'pip install "netgrad[web]"') from None
    try:
        result = server.main(rest)
    except ImportError as err:  # a server dependency imported on first use
        raise CLIError(f"the playground needs the 'web' extra ({err}); install it with: "
                       'pip install "netgrad[web]"') from None
    return int(result or 0)


# ============================================================================================ parser


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hidden", type=_hidden_sizes, default=[300, 100], metavar="SIZES",
                        help="hidden layer sizes, comma-separated (default: 300,100; 0 for none)")
    parser.add_argument("--activation", choices=ACTIVATION_NAMES, default="relu",
                        help="hidden activation (default: relu)")
    parser.add_argument("--dropout", type=_fraction, default=0.0, help="dropout after each hidden layer (default: 0)")
    parser.add_argument("--batch-norm", action="store_true", help="batch normalisation after each hidden Linear")
    parser.add_argument("--optimizer", choices=OPTIMIZER_NAMES, default="adam", help="optimizer (default: adam)")
    parser.add_argument("--lr", type=_positive_float, default=1e-3, help="learning rate (default: 1e-3)")
    parser.add_argument("--momentum", type=_fraction, default=0.0, help="momentum for sgd and rmsprop (default: 0)")
    parser.add_argument("--weight-decay", type=_fraction, default=0.0, help="L2 weight decay (default: 0)")
    parser.add_argument("--schedule", choices=SCHEDULE_NAMES, default="none",
                        help="learning-rate schedule (default: none; onecycle peaks at --lr)")
    parser.add_argument("--label-smoothing", type=_fraction, default=0.0,
                        help="label smoothing of the cross-entropy, classification only (default: 0)")
    parser.add_argument("--epochs", type=_positive_int, default=20, help="training epochs (default: 20)")
    parser.add_argument("--batch-size", type=_positive_int, default=64, help="mini-batch size (default: 64)")


def build_parser() -> argparse.ArgumentParser:
    data_help = f"a built-in dataset ({', '.join(BUILTIN_DATASETS)}) or a CSV file with a header row"
    parser = _Parser(prog="netgrad", description="netgrad: neural networks from first principles on NumPy.",
                     epilog="Run 'netgrad COMMAND --help' for a command's options.")
    from netgrad import __version__

    parser.add_argument("--version", action="version", version=f"netgrad {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = commands.add_parser("demo", help="train the notes' 784-300-100-10 network on real images, with pictures",
                               description="Train the notes' digit network (784-300-100-10) on Fashion-MNIST when the "
                               "Debian package dataset-fashion-mnist is installed, else on scikit-learn's digits; "
                               "print the test accuracy and a confusion matrix; save the curves, a grid of test "
                               "images with their predicted labels, the network diagram and the model.")
    demo.add_argument("--out", default="netgrad-demo",
                      help="folder for the pictures and the model (default: netgrad-demo)")
    demo.add_argument("--epochs", type=_positive_int, default=None,
                      help=f"training epochs (default: {DEMO_RECIPE['epochs']})")
    demo.add_argument("--data", choices=("auto", "fashion-mnist", "digits"), default="auto",
                      help="auto: Fashion-MNIST if installed, else digits")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")

    train = commands.add_parser("train", help="train an MLP on a dataset or a CSV file and save it",
                                description="Train a multilayer perceptron; print training and test scores; "
                                "optionally save the model (--save) and pictures (--out).")
    train.add_argument("--data", required=True, help=data_help)
    train.add_argument("--target", help="the CSV column to predict (default: the last column)")
    train.add_argument("--task", choices=("auto", "classification", "regression"), default="auto",
                       help="auto: classification for text labels or few integer values, else regression")
    _add_model_options(train)
    train.add_argument("--test-size", type=_fraction, default=0.2, help="fraction held out for testing (default: 0.2)")
    train.add_argument("--seed", type=int, default=0,
                       help="random seed for initialisation, shuffling, split (default: 0)")
    train.add_argument("--save", metavar="PATH", help="save the trained model here (e.g. model.netgrad)")
    train.add_argument("--out", metavar="DIR", help="save pictures here: curves, network, decision boundary")
    train.add_argument("--quiet", action="store_true", help="no progress bars")

    evaluate = commands.add_parser("evaluate", help="score a saved model on a dataset or a CSV file",
                                   description="Print the scores of a saved model and, for a classifier, its "
                                   "confusion matrix. On the built-in dataset it was trained on, the test part "
                                   "of the same split is used.")
    evaluate.add_argument("--model", required=True, help="a model saved by 'netgrad train --save'")
    evaluate.add_argument("--data", required=True, help=data_help)
    evaluate.add_argument("--target", help="the CSV column with the true values (default: the model's target name)")

    predict = commands.add_parser("predict", help="predict with a saved model on the rows of a CSV file",
                                  description="Read a CSV file with the model's feature columns (other columns are "
                                  "ignored) and write one prediction per row, with class probabilities for a "
                                  "classifier.")
    predict.add_argument("--model", required=True, help="a model saved by 'netgrad train --save'")
    predict.add_argument("--input", required=True, help="CSV file with a header row naming the features")
    predict.add_argument("--output", help="where to write the predictions as CSV (default: standard output)")

    commands.add_parser("playground", help="the interactive playground in the browser (needs the 'web' extra)",
                        description="Start the playground server; options after 'playground' go to it "
                        "(see 'netgrad playground --help').", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``netgrad`` command with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if argv and argv[0] == "playground":
        try:
            return cmd_playground(argparse.Namespace(), argv[1:])
        except CLIError as err:
            print(f"netgrad: error: {_one_line(err)}", file=sys.stderr)
            return 2
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "demo": cmd_demo, "train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict}
    try:
        return handlers[args.command](args)
    except (CLIError, ValueError, FileNotFoundError, IsADirectoryError, PermissionError) as err:
        # bad input, found here or by the library (a shape, a value, a file): its message is the explanation
        print(f"netgrad: error: {_one_line(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nnetgrad: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
