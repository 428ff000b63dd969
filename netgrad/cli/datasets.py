"""The data a ``netgrad`` command trains or scores on: a built-in dataset by name, or a CSV file.

CSV files are read by :mod:`netgrad.data.csv_files` (the reader the playground uses too): UTF-8 with or
without a byte-order mark, comma / semicolon (with a decimal comma) / tab separators, an optional header.
With ``--task auto`` a target column holds classes when it is text, or whole numbers with at most
:data:`~netgrad.data.csv_files.MAX_CLASS_VALUES` distinct values; otherwise it is a regression target.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from netgrad import data as datasets
from netgrad.data.csv_files import class_indices, infer_task, read_csv

from .errors import CLIError

__all__ = ["Data", "BUILTIN_DATASETS", "TOY_DATASETS", "load_builtin", "load_csv", "load_data"]

#: The 2-D toy sets of the notes: name -> (generator, its keyword arguments).
TOY_DATASETS = {
    "xor": (datasets.make_xor, {"n_samples": 400, "noise": 0.15}),
    "circle": (datasets.make_circle, {"n_samples": 400}),
    "spiral": (datasets.make_spiral, {"n_samples": 400}),
}
_SKLEARN_LOADERS = {"digits": "load_digits", "iris": "load_iris", "wine": "load_wine",
                    "breast-cancer": "load_breast_cancer", "diabetes": "load_diabetes"}
BUILTIN_DATASETS = (*TOY_DATASETS, "digits", "fashion-mnist", "iris", "wine", "breast-cancer", "diabetes")


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
        from sklearn import datasets as sklearn_datasets

        bunch = getattr(sklearn_datasets, loader)()
        classes = [str(c) for c in bunch.target_names] if hasattr(bunch, "target_names") else None
        return [str(n) for n in bunch.feature_names], classes
    except (ImportError, AttributeError):
        return [f"x{i + 1}" for i in range(n_features)], None


def _split(X: np.ndarray, y: np.ndarray, test_size: float, seed: int, stratify: bool) -> tuple:
    if test_size <= 0:
        return X, y, None, None
    X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, test_size=test_size, random_state=seed,
                                                                 stratify=y if stratify else None)
    return X_train, y_train, X_test, y_test


def load_builtin(name: str, *, test_size: float = 0.2, seed: int = 0) -> Data:
    """One of :data:`BUILTIN_DATASETS`, split into training and test parts (Fashion-MNIST: its own split)."""
    if name == "fashion-mnist":
        if not datasets.fashion_mnist_available():
            raise CLIError("Fashion-MNIST is not installed; install the Debian package with: "
                           "sudo apt-get install dataset-fashion-mnist (or use --data digits)")
        X_train, y_train = datasets.load_fashion_mnist(kind="train", flatten=True)
        X_test, y_test = datasets.load_fashion_mnist(kind="test", flatten=True)
        return Data(name, "classification", X_train, y_train, X_test, y_test,
                    [f"pixel{i + 1}" for i in range(784)], list(datasets.FASHION_MNIST_CLASSES), "label", (28, 28))
    if name in TOY_DATASETS:
        generator, options = TOY_DATASETS[name]
        X, y = generator(**options, seed=seed)
        parts = _split(X, y, test_size, seed, stratify=True)
        return Data(name, "classification", *parts, ["x1", "x2"], ["0", "1"], "label")
    if name not in _SKLEARN_LOADERS:
        raise CLIError(f"unknown dataset {name!r}; choose from {', '.join(BUILTIN_DATASETS)} or give a .csv file")
    try:
        X, y = getattr(datasets, _SKLEARN_LOADERS[name])()
    except ImportError as err:
        raise CLIError(str(err)) from None
    task = "regression" if name == "diabetes" else "classification"
    if name == "digits":
        features, classes = [f"pixel{i + 1}" for i in range(64)], [str(d) for d in range(10)]
    else:
        features, classes = _names_from_sklearn(_SKLEARN_LOADERS[name], X.shape[1])
    if task == "classification" and not classes:
        classes = [str(c) for c in range(int(y.max()) + 1)]
    parts = _split(X, y, test_size, seed, stratify=task == "classification")
    return Data(name, task, *parts, features, classes if task == "classification" else [], "target",
                (8, 8) if name == "digits" else None)


def load_csv(path: str, target: str | None, task: str = "auto", *, test_size: float = 0.2, seed: int = 0) -> Data:
    """A CSV file: ``target`` (default: the last column) is predicted from the other columns."""
    table = read_csv(path)
    header = table.header
    if len(header) < 2:
        raise CLIError(f"{path} has one column; it needs at least one feature column and a target column")
    target = header[-1] if target is None else target
    if target not in header:
        raise CLIError(f"{path} has no column {target!r}; its columns are {', '.join(header)}")
    features = [name for name in header if name != target]
    X = table.numbers(features)
    raw = table.column(target)
    if any(not v for v in raw):
        line = table.lines[next(i for i, v in enumerate(raw) if not v)]
        raise CLIError(f"{path}, line {line}: missing value in the target column {target!r}")
    numeric = [table.number(v) for v in raw]
    if task == "auto":
        task = infer_task(raw, table.decimal_comma)
    if task == "regression":
        if any(v is None for v in numeric):
            bad = next(v for v, number in zip(raw, numeric) if number is None)
            raise CLIError(f"--task regression needs a numeric target, but column {target!r} holds {bad!r}")
        y = np.array(numeric, dtype=np.float32)
        classes: list[str] = []
    else:
        y, classes = class_indices(raw, table.decimal_comma)
        if len(classes) < 2:
            raise CLIError(f"the target column {target!r} holds a single class ({classes[0]!r}); nothing to learn")
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
