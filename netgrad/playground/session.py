"""One playground session: the data, the input features, the network, the optimizer and the training state
behind one open page.

A :class:`PlaygroundSession` is plain synchronous Python: the server runs each one in a thread of its own
and is the only caller of its methods. Training goes through :class:`netgrad.training.Trainer`, one
``train_epoch`` per :meth:`PlaygroundSession.step`; the losses shown are ``Trainer.evaluate`` on the
training and the test points at the current weights (as TensorFlow Playground shows them).

The model follows the notes' summary table: a binary problem has one output with a sigmoid and the binary
cross-entropy (``BCEWithLogitsLoss``), more classes have one output per class with a softmax and the
cross-entropy (``CrossEntropyLoss``), regression has one linear output and the mean squared error.

Everything random comes from ``config.seed``: the data, the train/test split, the initial weights
(``netgrad.manual_seed(seed)`` before the layers are built) and the shuffling (a ``DataLoader`` with a
generator seeded by ``seed``). So a configuration, such as the page's URL holds, always starts from the
same network, and :func:`netgrad.playground.export.export_script` rebuilds exactly that network.
"""
from __future__ import annotations

import base64
import csv
import functools
import math
import os
import tempfile
import threading
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Callable, Mapping, Sequence

import numpy as np

import netgrad
from netgrad import nn, optim
from netgrad.data import (PLAYGROUND_FEATURES, DataLoader, TensorDataset, make_circle, make_gaussians,
                          make_multi_gaussian, make_plane, make_playground_xor, make_spiral, playground_features,
                          train_test_split)
from netgrad.training import Callback, Trainer

__all__ = [
    "PlaygroundConfig",
    "PlaygroundSession",
    "UploadedData",
    "parse_csv",
    "infer_problem",
    "DATASETS",
    "FEATURES",
    "ACTIVATIONS",
    "OPTIMIZERS",
    "REGULARIZATIONS",
    "PROBLEMS",
    "options",
]

# ------------------------------------------------------------------------------------------ choices

#: Built-in datasets: name -> (generator name in netgrad.data, problem, number of points, label).
#: The point counts are TensorFlow Playground's (500 for classification, 1200 for regression).
DATASETS: dict[str, tuple[str, str, int, str]] = {
    "circle": ("make_circle", "classification", 500, "Circle"),
    "xor": ("make_playground_xor", "classification", 500, "Exclusive or"),
    "gauss": ("make_gaussians", "classification", 500, "Gaussian"),
    "spiral": ("make_spiral", "classification", 500, "Spiral"),
    "reg-plane": ("make_plane", "regression", 1200, "Plane"),
    "reg-gauss": ("make_multi_gaussian", "regression", 1200, "Multi Gaussian"),
}
_GENERATORS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "make_circle": make_circle, "make_playground_xor": make_playground_xor, "make_gaussians": make_gaussians,
    "make_spiral": make_spiral, "make_plane": make_plane, "make_multi_gaussian": make_multi_gaussian,
}
UPLOAD = "upload"

#: Input features, in the order the page lists them: name -> label.
FEATURES: dict[str, str] = {
    "x1": "X₁", "x2": "X₂", "x1^2": "X₁²", "x2^2": "X₂²", "x1*x2": "X₁X₂", "sin(x1)": "sin(X₁)",
    "sin(x2)": "sin(X₂)",
}
assert set(FEATURES) == set(PLAYGROUND_FEATURES)

#: Hidden-layer activations: name -> netgrad.nn module name.
ACTIVATIONS: dict[str, str] = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": "Identity"}

#: Optimizers of the notes: name -> (netgrad.optim class, its extra arguments, label).
OPTIMIZERS: dict[str, tuple[str, dict[str, Any], str]] = {
    "sgd": ("SGD", {}, "SGD"),
    "momentum": ("SGD", {"momentum": 0.9}, "Momentum"),
    "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}, "Nesterov"),
    "adagrad": ("Adagrad", {}, "Adagrad"),
    "rmsprop": ("RMSprop", {}, "RMSprop"),
    "adadelta": ("Adadelta", {}, "Adadelta"),
    "adam": ("Adam", {}, "Adam"),
    "adamax": ("Adamax", {}, "Adamax"),
    "nadam": ("NAdam", {}, "Nadam"),
    "adamw": ("AdamW", {}, "AdamW"),
}
REGULARIZATIONS = ("none", "l1", "l2")
PROBLEMS = ("classification", "regression")

# The page's menus (TensorFlow Playground's values); any positive rate is accepted from a URL.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
REGULARIZATION_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 8
MAX_CLASSES = 10
MAX_UPLOAD_ROWS = 10_000
MIN_UPLOAD_ROWS = 10
MAX_SEED = 2**31 - 1
DOMAIN = (-6.0, 6.0)  # the Playground's input plane


class _TurnLock:
    """A re-entrant lock handed out first come, first served, so that no session starves the others.

    Sessions run in threads of their own, but some of netgrad's state is process-wide: the grad mode that
    ``no_grad`` switches (``Trainer.evaluate`` and the heatmaps use it; one session's evaluation must not
    switch off another's graph recording mid-epoch) and the random generator that ``manual_seed`` replaces
    (each network must get exactly the initial weights its seed promises). So sessions compute in turns,
    an epoch or a snapshot at a time.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._owner: int | None = None
        self._depth = 0

    def __enter__(self) -> None:
        me = threading.get_ident()
        with self._condition:
            if self._owner == me:
                self._depth += 1
                return
            ticket = self._next_ticket
            self._next_ticket += 1
            while self._serving != ticket:
                self._condition.wait()
            self._owner, self._depth = me, 1

    def __exit__(self, *exc: Any) -> None:
        with self._condition:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._serving += 1
                self._condition.notify_all()


_NETGRAD_TURNS = _TurnLock()


def _in_turn(method: Callable) -> Callable:
    """Run ``method`` holding :data:`_NETGRAD_TURNS`."""
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _NETGRAD_TURNS:
            return method(*args, **kwargs)
    return wrapper


def options() -> dict[str, Any]:
    """The choices the page offers, with their labels and limits (sent to the page on connection)."""
    return {
        "datasets": [{"value": k, "label": v[3], "problem": v[1]} for k, v in DATASETS.items()],
        "features": [{"value": k, "label": v} for k, v in FEATURES.items()],
        "activations": list(ACTIVATIONS),
        "optimizers": [{"value": k, "label": v[2]} for k, v in OPTIMIZERS.items()],
        "regularizations": list(REGULARIZATIONS),
        "problems": list(PROBLEMS),
        "learning_rates": list(LEARNING_RATES),
        "regularization_rates": list(REGULARIZATION_RATES),
        "max_hidden_layers": MAX_HIDDEN_LAYERS,
        "max_neurons": MAX_NEURONS,
        "defaults": PlaygroundConfig().to_dict(),
    }


# ------------------------------------------------------------------------------------------ configuration


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _choice(name: str, value: Any, valid: Sequence[str]) -> None:
    if value not in valid:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, valid))}; got {value!r}")


def _int_range(name: str, value: Any, low: int, high: int) -> None:
    if not _is_int(value) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}; got {value!r}")


@dataclass(frozen=True)
class PlaygroundConfig:
    """Everything the page lets a person choose; the page's URL holds exactly these fields.

    Attributes:
        dataset: a built-in set (``circle``, ``xor``, ``gauss``, ``spiral``, ``reg-plane``,
            ``reg-gauss``) or ``upload`` (the CSV given to :meth:`PlaygroundSession.upload`).
        problem: ``classification`` or ``regression``; a built-in set fixes it.
        noise: the Playground's noise level in percent, 0 to 50.
        train_ratio: percentage of the points used for training, 10 to 90; the rest are test points.
        batch_size: points per gradient step, 1 to 30.
        seed: seeds the data, the split, the initial weights and the shuffling.
        features: the input features, names from :data:`FEATURES`.
        hidden: neurons per hidden layer (0 to 6 layers of 1 to 8 neurons).
        activation: ``relu``, ``tanh``, ``sigmoid`` or ``linear`` (every hidden layer).
        learning_rate: the optimizer's learning rate, > 0.
        regularization: ``none``, ``l1`` or ``l2`` penalty on the weights.
        regularization_rate: the penalty's factor, >= 0.
        optimizer: a name from :data:`OPTIMIZERS`.
    """

    dataset: str = "circle"
    problem: str = "classification"
    noise: int = 0
    train_ratio: int = 50
    batch_size: int = 10
    seed: int = 1
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    learning_rate: float = 0.03
    regularization: str = "none"
    regularization_rate: float = 0.0
    optimizer: str = "sgd"

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        object.__setattr__(self, "hidden", tuple(self.hidden))
        _choice("dataset", self.dataset, [*DATASETS, UPLOAD])
        _choice("problem", self.problem, PROBLEMS)
        if self.dataset in DATASETS and DATASETS[self.dataset][1] != self.problem:
            raise ValueError(f"dataset {self.dataset!r} is a {DATASETS[self.dataset][1]} set, but problem is "
                             f"{self.problem!r}; choose a {self.problem} dataset or change the problem type")
        _int_range("noise", self.noise, 0, 50)
        _int_range("train_ratio", self.train_ratio, 10, 90)
        _int_range("batch_size", self.batch_size, 1, 30)
        _int_range("seed", self.seed, 0, MAX_SEED)
        if not self.features:
            raise ValueError(f"choose at least one feature from: {', '.join(FEATURES)}")
        for name in self.features:
            _choice("each feature", name, list(FEATURES))
        if len(set(self.features)) != len(self.features):
            raise ValueError(f"features must not repeat; got {list(self.features)}")
        if len(self.hidden) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers; got {len(self.hidden)}")
        for width in self.hidden:
            _int_range("the neurons of each hidden layer", width, 1, MAX_NEURONS)
        _choice("activation", self.activation, list(ACTIVATIONS))
        if not _is_number(self.learning_rate) or not 0 < self.learning_rate <= 100 \
                or not math.isfinite(self.learning_rate):
            raise ValueError(f"learning_rate must be a number in (0, 100]; got {self.learning_rate!r}")
        _choice("regularization", self.regularization, REGULARIZATIONS)
        if not _is_number(self.regularization_rate) or not 0 <= self.regularization_rate <= 100 \
                or not math.isfinite(self.regularization_rate):
            raise ValueError(f"regularization_rate must be a number in [0, 100]; got {self.regularization_rate!r}")
        _choice("optimizer", self.optimizer, list(OPTIMIZERS))

    @classmethod
    def from_dict(cls, values: Mapping[str, Any], base: "PlaygroundConfig | None" = None) -> "PlaygroundConfig":
        """A configuration from (some of) its fields; the others come from ``base`` (default: the defaults).

        Raises:
            ValueError: for an unknown field or a bad value.
        """
        if not isinstance(values, Mapping):
            raise ValueError(f"a configuration must be a JSON object; got {type(values).__name__}")
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"unknown configuration field(s) {', '.join(map(repr, unknown))}; valid fields are "
                             f"{', '.join(known)}")
        values = dict(values)
        for name in ("features", "hidden"):
            if name in values and not isinstance(values[name], (list, tuple)):
                raise ValueError(f"{name} must be a list; got {values[name]!r}")
        if _is_int(values.get("learning_rate")):
            values["learning_rate"] = float(values["learning_rate"])
        if _is_int(values.get("regularization_rate")):
            values["regularization_rate"] = float(values["regularization_rate"])
        return replace(base or cls(), **values)

    def to_dict(self) -> dict[str, Any]:
        """The fields as JSON-ready values (lists for the tuples)."""
        values = asdict(self)
        values["features"], values["hidden"] = list(self.features), list(self.hidden)
        return values


# What a change of each field rebuilds: the data (and so the network), the network, the optimizer, or
# nothing (the new value is read at the next step, as TensorFlow Playground does for the learning rate).
_REBUILDS_DATA = {"dataset", "problem", "noise", "train_ratio", "seed"}
_REBUILDS_NETWORK = {"features", "hidden", "activation"}
_REBUILDS_OPTIMIZER = {"optimizer"}


# ------------------------------------------------------------------------------------------ uploaded data


def _as_float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value


@dataclass(frozen=True)
class UploadedData:
    """Points from a CSV: ``X`` float32 ``(n, 2)`` and the label column as the file spells it."""

    X: np.ndarray
    labels: tuple[str, ...]
    columns: tuple[str, str, str] = ("x1", "x2", "label")

    def __post_init__(self) -> None:
        if self.X.ndim != 2 or self.X.shape[1] != 2 or len(self.X) != len(self.labels):
            raise ValueError(f"uploaded data needs points of shape (n, 2) and n labels; got {self.X.shape} and "
                             f"{len(self.labels)} labels")


def parse_csv(text: str) -> UploadedData:
    """Read a CSV with two feature columns and a label column (an optional header line is kept as names).

    The delimiter may be a comma, a semicolon or a tab; blank lines are skipped.

    Raises:
        ValueError: naming the line that is wrong (column count, a feature that is not a finite number),
            or when there are fewer than 10 or more than 10 000 rows.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError("the CSV file is empty; expected rows of two feature columns and a label")
    delimiter = max((",", ";", "\t"), key=lambda d: lines[0].count(d))
    rows = [[cell.strip() for cell in row] for row in csv.reader(lines, delimiter=delimiter)]
    columns = ("x1", "x2", "label")
    if len(rows[0]) == 3 and (_as_float(rows[0][0]) is None or _as_float(rows[0][1]) is None):
        columns = tuple(rows[0])  # a header line
        rows = rows[1:]
    if not MIN_UPLOAD_ROWS <= len(rows) <= MAX_UPLOAD_ROWS:
        raise ValueError(f"the CSV file needs {MIN_UPLOAD_ROWS} to {MAX_UPLOAD_ROWS} data rows; got {len(rows)}")
    points = np.empty((len(rows), 2), dtype=np.float64)
    first_line = len(lines) - len(rows) + 1
    for i, row in enumerate(rows):
        if len(row) != 3:
            raise ValueError(f"line {first_line + i}: expected 3 columns (two features and a label), got "
                             f"{len(row)}: {delimiter.join(row)!r}")
        for j in (0, 1):
            value = _as_float(row[j])
            if value is None or not math.isfinite(value):
                raise ValueError(f"line {first_line + i}: feature {columns[j]!r} must be a finite number, got "
                                 f"{row[j]!r}")
            points[i, j] = value
        if not row[2]:
            raise ValueError(f"line {first_line + i}: the label is empty")
    if np.abs(points).max() > 1e6:
        raise ValueError("feature values must lie within +-1e6; rescale the data (the built-in sets use -6..6)")
    return UploadedData(points.astype(np.float32), tuple(row[2] for row in rows), columns)


def _numeric_labels(labels: Sequence[str]) -> np.ndarray | None:
    values = [_as_float(label) for label in labels]
    if any(v is None or not math.isfinite(v) for v in values):
        return None
    return np.asarray(values, dtype=np.float64)


def infer_problem(labels: Sequence[str]) -> str:
    """``classification`` for text labels or at most 10 distinct integers, else ``regression``."""
    numeric = _numeric_labels(labels)
    if numeric is None:
        return "classification"
    if np.all(numeric == np.round(numeric)) and len(np.unique(numeric)) <= MAX_CLASSES:
        return "classification"
    return "regression"


def _class_targets(labels: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Class indices 0..K-1 in sorted label order (numerically when the labels are numbers)."""
    numeric = _numeric_labels(labels)
    if numeric is not None and np.all(numeric == np.round(numeric)):
        values, index = np.unique(numeric, return_inverse=True)
        names = [str(int(v)) for v in values]
    elif numeric is not None:
        raise ValueError("the labels are fractional numbers; choose the regression problem type for them")
    else:
        names_array, index = np.unique(np.asarray(labels, dtype=object).astype(str), return_inverse=True)
        names = names_array.tolist()
    if not 2 <= len(names) <= MAX_CLASSES:
        raise ValueError(f"classification needs 2 to {MAX_CLASSES} classes; the labels have {len(names)} "
                         f"distinct values{' (use the regression problem type)' if len(names) > 2 else ''}")
    return index.astype(np.int64), names


def _regression_targets(labels: Sequence[str]) -> np.ndarray:
    numeric = _numeric_labels(labels)
    if numeric is None:
        bad = next(label for label in labels if _as_float(label) is None or not math.isfinite(float(label)))
        raise ValueError(f"regression needs numeric labels; got {bad!r} (choose classification for class names)")
    return numeric.astype(np.float32)


# ------------------------------------------------------------------------------------------ the session


class _GradientNorms(Callback):
    """Averages, over the batches of an epoch, the L2 norm of each Linear layer's gradient (weight and bias)."""

    def __init__(self, layers: Sequence[Any]) -> None:
        super().__init__()
        self.layers = list(layers)
        self.sums = np.zeros(len(self.layers))
        self.batches = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.sums[:] = 0.0
        self.batches = 0

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        for i, layer in enumerate(self.layers):
            squares = 0.0
            for param in (layer.weight, layer.bias):
                if param is not None and param._grad is not None:
                    squares += float(np.vdot(param._grad, param._grad))
            self.sums[i] += math.sqrt(squares)
        self.batches += 1

    def epoch_means(self) -> list[float]:
        return (self.sums / max(self.batches, 1)).tolist()


def held_out_count(n_samples: int, train_ratio: int) -> int:
    """Test points out of ``n_samples`` for a training percentage (at least one of each kind)."""
    n_train = min(max(round(n_samples * train_ratio / 100), 1), n_samples - 1)
    return n_samples - n_train


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _quantize(values: np.ndarray, low: float, high: float) -> str:
    """Base64 of uint8 codes: ``low`` -> 0, ``high`` -> 255, clipped; NaN becomes the middle of the range."""
    scaled = (np.nan_to_num(values, nan=(low + high) / 2, posinf=high, neginf=low) - low) / (high - low)
    codes = np.round(np.clip(scaled, 0.0, 1.0) * 255).astype(np.uint8)
    return base64.b64encode(codes.tobytes()).decode("ascii")


def _downsample(length: int, limit: int) -> np.ndarray:
    """At most ``limit`` evenly spread indices of ``range(length)``, always with the first and the last."""
    if length <= limit:
        return np.arange(length)
    return np.unique(np.linspace(0, length - 1, limit).round().astype(int))


class PlaygroundSession:
    """The training state behind one page.

    Args:
        config: the starting configuration (a :class:`PlaygroundConfig` or a dict of its fields).
        grid_size: the output heatmap's resolution (``grid_size`` x ``grid_size`` points of the plane).
        neuron_grid_step: every ``neuron_grid_step``-th grid point in each direction makes the neurons'
            small heatmaps.

    Example:
        >>> session = PlaygroundSession({"features": ["x1^2", "x2^2"], "hidden": []})
        >>> session.step(10)
        >>> session.epoch, session.losses()["train"] < 0.5
        (10, True)
    """

    HISTORY_POINTS = 400  # loss-chart points sent to the page
    GRADIENT_POINTS = 100  # gradient-norm sparkline points per layer
    HISTORY_LIMIT = 4000  # loss-history points kept; beyond, older ones are thinned out (a page may play for hours)

    @_in_turn
    def __init__(self, config: PlaygroundConfig | Mapping[str, Any] | None = None, *, grid_size: int = 75,
                 neuron_grid_step: int = 3) -> None:
        if not _is_int(grid_size) or grid_size < 2:
            raise ValueError(f"grid_size must be an int >= 2; got {grid_size!r}")
        if not _is_int(neuron_grid_step) or not 1 <= neuron_grid_step <= grid_size:
            raise ValueError(f"neuron_grid_step must be an int from 1 to grid_size; got {neuron_grid_step!r}")
        if config is None:
            config = PlaygroundConfig()
        elif not isinstance(config, PlaygroundConfig):
            config = PlaygroundConfig.from_dict(config)
        self.grid_size = grid_size
        self.neuron_grid_step = neuron_grid_step
        self.uploaded: UploadedData | None = None
        self.data_version = 0
        self._config = config
        self._build_data()

    # -------------------------------------------------------------------- configuration

    @property
    def config(self) -> PlaygroundConfig:
        """The current configuration (change it with :meth:`update`)."""
        return self._config

    @_in_turn
    def update(self, changes: Mapping[str, Any]) -> str:
        """Apply some configuration fields; rebuild only what they affect.

        Returns:
            What was rebuilt: ``"data"`` (new points, new network, training restarts), ``"network"`` (new
            network, training restarts), ``"optimizer"`` (new optimizer, weights kept), ``"live"`` (the
            learning rate, regularization or batch size apply from the next step on) or ``"none"``.

        Raises:
            ValueError: for an unknown field or a bad value; the session is then unchanged.
        """
        new = PlaygroundConfig.from_dict(changes, base=self._config)
        if new.dataset == UPLOAD and self.uploaded is None:
            raise ValueError("no CSV has been uploaded in this session; upload one before choosing 'upload'")
        changed = {f.name for f in fields(PlaygroundConfig) if getattr(new, f.name) != getattr(self._config, f.name)}
        if not changed:
            return "none"
        old = self._config
        self._config = new
        try:
            if changed & _REBUILDS_DATA:
                self._build_data()
                return "data"
            if changed & _REBUILDS_NETWORK:
                self._build_network()
                return "network"
            if changed & _REBUILDS_OPTIMIZER:
                self._build_optimizer()
                return "optimizer"
        except Exception:
            self._config = old
            self._build_data()
            raise
        if "learning_rate" in changed:
            for group in self.optimizer.param_groups:
                group["lr"] = new.learning_rate
        if "batch_size" in changed:
            self._build_loader()
        return "live"  # regularization is read by the penalty at every step

    @_in_turn
    def upload(self, data: UploadedData, problem: str | None = None) -> dict[str, Any]:
        """Train on uploaded points from now on (``dataset='upload'``); training restarts.

        Args:
            data: from :func:`parse_csv`.
            problem: ``classification`` or ``regression``; by default :func:`infer_problem` decides.

        Returns:
            A summary: the problem type, the number of points and the class names.
        """
        problem = infer_problem(data.labels) if problem is None else problem
        _choice("problem", problem, PROBLEMS)
        if problem == "classification":
            _class_targets(data.labels)  # fail now, before anything changes
        else:
            _regression_targets(data.labels)
        old_data, old_config = self.uploaded, self._config
        self.uploaded, self._config = data, replace(old_config, dataset=UPLOAD, problem=problem)
        try:
            self._build_data()
        except Exception:
            self.uploaded, self._config = old_data, old_config
            self._build_data()
            raise
        return {"problem": problem, "n_samples": len(data.labels), "classes": self.classes}

    @_in_turn
    def regenerate(self, seed: int | None = None) -> None:
        """New data (and a new network) from a new seed; a random one unless ``seed`` is given."""
        if seed is None:
            seed = int(np.random.default_rng().integers(0, MAX_SEED))
        self._config = replace(self._config, seed=seed)
        self._build_data()

    @_in_turn
    def reset(self) -> None:
        """Back to epoch 0 with the initial weights (the same ones: they come from the seed)."""
        self._build_network()

    # -------------------------------------------------------------------- building

    def _raw_data(self) -> tuple[np.ndarray, np.ndarray]:
        cfg = self._config
        if cfg.dataset == UPLOAD:
            if self.uploaded is None:
                raise ValueError("no CSV has been uploaded in this session")
            if cfg.problem == "classification":
                y, self.classes = _class_targets(self.uploaded.labels)
            else:
                y, self.classes = _regression_targets(self.uploaded.labels), []
            return self.uploaded.X, y
        generator_name, problem, n_samples, _ = DATASETS[cfg.dataset]
        X, y = _GENERATORS[generator_name](n_samples, noise=cfg.noise / 100, seed=cfg.seed)
        self.classes = ["0", "1"] if problem == "classification" else []
        return X, y

    def _build_data(self) -> None:
        cfg = self._config
        X, y = self._raw_data()
        self.X_train, self.X_test, self.y_train, self.y_test = train_test_split(
            X, y, test_size=held_out_count(len(X), cfg.train_ratio), random_state=cfg.seed)
        self.n_classes = len(self.classes)
        if cfg.dataset == UPLOAD:
            self.domain = self._upload_domain(X)
        else:
            self.domain = DOMAIN + DOMAIN
        x1 = np.linspace(self.domain[0], self.domain[1], self.grid_size)
        x2 = np.linspace(self.domain[3], self.domain[2], self.grid_size)  # row 0 is the top of the picture
        grid_x1, grid_x2 = np.meshgrid(x1, x2)
        self.grid = np.stack([grid_x1.ravel(), grid_x2.ravel()], axis=1).astype(np.float32)
        # The colour scale of a regression output: symmetric around 0, covering the targets.
        self.target_scale = float(max(np.abs(y).max(), 1e-6)) if cfg.problem == "regression" else 1.0
        self.data_version += 1
        self._build_network()

    @staticmethod
    def _upload_domain(X: np.ndarray) -> tuple[float, float, float, float]:
        low, high = X.min(axis=0).astype(float), X.max(axis=0).astype(float)
        margin = np.maximum((high - low) * 0.1, 1e-3)
        return (low[0] - margin[0], high[0] + margin[0], low[1] - margin[1], high[1] + margin[1])

    @property
    def n_outputs(self) -> int:
        """1 for regression and two classes, else the number of classes."""
        return self.n_classes if self.n_classes > 2 else 1

    def _targets(self, y: np.ndarray) -> np.ndarray:
        """Targets as the loss wants them: class indices for cross-entropy, a column otherwise."""
        if self.n_classes > 2:
            return y.astype(np.int64)
        return y.astype(np.float32).reshape(-1, 1)

    def _build_network(self) -> None:
        cfg = self._config
        features = list(cfg.features)
        self.inputs_train = playground_features(self.X_train, features).astype(np.float32)
        self.inputs_test = playground_features(self.X_test, features).astype(np.float32)
        self.targets_train, self.targets_test = self._targets(self.y_train), self._targets(self.y_test)
        self.grid_inputs = playground_features(self.grid, features).astype(np.float32)
        activation = getattr(nn, ACTIVATIONS[cfg.activation])
        widths = [len(features), *cfg.hidden]
        with _NETGRAD_TURNS:
            saved = netgrad.get_rng_state()
            netgrad.manual_seed(cfg.seed)
            self.linears = [nn.Linear(fan_in, fan_out) for fan_in, fan_out in zip(widths, widths[1:])]
            self.linears.append(nn.Linear(widths[-1], self.n_outputs))
            netgrad.set_rng_state(saved)
        modules: list[Any] = []
        for linear in self.linears[:-1]:
            modules += [linear, activation()]
        modules.append(self.linears[-1])
        self.model = nn.Sequential(*modules)
        if cfg.problem == "regression":
            self.loss = nn.MSELoss()
        elif self.n_classes > 2:
            self.loss = nn.CrossEntropyLoss()
        else:
            self.loss = nn.BCEWithLogitsLoss()
        self.epoch = 0
        self.history: dict[str, list] = {"epoch": [], "train_loss": [], "test_loss": []}
        self.gradient_history: list[list[float]] = [[] for _ in self.linears]
        self._shuffle_generator = np.random.default_rng(cfg.seed)
        self._build_loader()
        self._build_optimizer()
        self._record_losses()

    def _build_loader(self) -> None:
        self.loader = DataLoader(TensorDataset(self.inputs_train, self.targets_train),
                                 batch_size=self._config.batch_size, shuffle=True, generator=self._shuffle_generator)

    def _build_optimizer(self) -> None:
        cfg = self._config
        class_name, extra, _ = OPTIMIZERS[cfg.optimizer]
        self.optimizer = getattr(optim, class_name)(self.model.parameters(), lr=cfg.learning_rate, **extra)
        self._gradient_norms = _GradientNorms(self.linears)
        self.trainer = Trainer(self.model, self.loss, self.optimizer, callbacks=[self._gradient_norms],
                               penalty=self._penalty)
        # The losses shown are the data's loss alone, as TensorFlow Playground shows them (training and test
        # loss then compare like with like); training minimises the loss plus the penalty.
        self._evaluator = Trainer(self.model, self.loss, self.optimizer)

    def _penalty(self, model: Any) -> Any:
        """``rate * sum |w|`` (L1) or ``rate * sum w^2`` (L2) over the weights, not the biases (as Keras's
        ``kernel_regularizer``); read from the config at every step, so a change applies at once."""
        cfg = self._config
        if cfg.regularization == "none" or cfg.regularization_rate == 0:
            return None
        penalty = nn.utils.l1_penalty if cfg.regularization == "l1" else nn.utils.l2_penalty
        return penalty(model, cfg.regularization_rate)

    # -------------------------------------------------------------------- training

    def step(self, epochs: int = 1) -> None:
        """Train ``epochs`` epochs (one ``Trainer.train_epoch`` each) and record the losses.

        Raises:
            netgrad.training.NonFiniteLossError: the loss became NaN or infinite (the learning rate is
                too high); the weights are those before the failing batch.
        """
        if not _is_int(epochs) or epochs < 1:
            raise ValueError(f"epochs must be a positive int; got {epochs!r}")
        for _ in range(epochs):
            with _NETGRAD_TURNS, np.errstate(all="ignore"):  # NaN losses are shown on the page, not warned
                self.trainer.train_epoch(self.loader)
                self.epoch += 1
                for history, norm in zip(self.gradient_history, self._gradient_norms.epoch_means()):
                    history.append(norm)
                self._record_losses()
            self._bound_memory()

    def _bound_memory(self) -> None:
        """Keep the histories bounded however long the page plays."""
        history = self.history
        if len(history["epoch"]) > self.HISTORY_LIMIT:
            last = len(history["epoch"]) - 1
            for key, values in history.items():
                history[key] = values[0:last:2] + [values[last]]
        for norms in self.gradient_history:
            if len(norms) > 2 * self.GRADIENT_POINTS:
                del norms[:-self.GRADIENT_POINTS]
        trainer_history = self.trainer.history  # the Trainer's own record: the page never reads it
        if len(trainer_history.epoch) > self.HISTORY_LIMIT:
            trainer_history.epoch.clear()
            for values in trainer_history.history.values():
                values.clear()

    def _evaluate(self, inputs: np.ndarray, targets: np.ndarray) -> float:
        if len(inputs) == 0:
            return float("nan")
        with np.errstate(all="ignore"):
            return float(self._evaluator.evaluate((inputs, targets))["loss"])

    def _record_losses(self) -> None:
        self.history["epoch"].append(self.epoch)
        self.history["train_loss"].append(self._evaluate(self.inputs_train, self.targets_train))
        self.history["test_loss"].append(self._evaluate(self.inputs_test, self.targets_test))

    def losses(self) -> dict[str, float]:
        """The training and test loss at the current weights."""
        return {"train": self.history["train_loss"][-1], "test": self.history["test_loss"][-1]}

    # -------------------------------------------------------------------- what the page draws

    def _activations(self, inputs: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """Each hidden layer's outputs and the network's output (logits) at ``inputs``."""
        hidden = []
        with netgrad.no_grad(), np.errstate(all="ignore"):
            x = netgrad.from_numpy(inputs)
            for module in self.model:
                x = module(x)
                if not isinstance(module, nn.Linear):
                    hidden.append(x.numpy())
        return hidden, x.numpy()

    def _output_channels(self, logits: np.ndarray) -> list[dict[str, Any]]:
        """The output heatmap: P(class 1), each class's probability, or the regression value."""
        with np.errstate(all="ignore"):
            if self._config.problem == "regression":
                s = self.target_scale
                return [{"lo": -s, "hi": s, "values": _quantize(logits[:, 0], -s, s)}]
            if self.n_classes > 2:
                shifted = logits - logits.max(axis=1, keepdims=True)
                probabilities = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
            else:
                probabilities = 1 / (1 + np.exp(-logits))
        return [{"lo": 0.0, "hi": 1.0, "values": _quantize(p, 0.0, 1.0)} for p in probabilities.T]

    @_in_turn
    def snapshot(self) -> dict[str, Any]:
        """The state the page draws, JSON-ready (see docs/playground.md, "Protocol").

        Grids are ``grid_size`` squared (the output) or ``neuron_grid_size`` squared (the neurons) values,
        row by row from the top (largest x2) left to right, each byte mapping ``0..255`` onto ``lo..hi``.
        """
        cfg = self._config
        n, step = self.grid_size, self.neuron_grid_step
        small = np.zeros((n, n), dtype=bool)
        small[step // 2::step, step // 2::step] = True
        small = small.ravel()
        hidden, logits = self._activations(self.grid_inputs)
        features = []
        for column in self.grid_inputs[small].T:
            scale = float(max(np.abs(column).max(), 1e-6))
            features.append(_quantize(column, -scale, scale))
        neurons = [[_quantize(a, -1.0, 1.0) for a in layer[small].T] for layer in hidden]
        history_index = _downsample(len(self.history["epoch"]), self.HISTORY_POINTS)
        return {
            "epoch": self.epoch,
            "train_loss": _finite_or_none(self.history["train_loss"][-1]),
            "test_loss": _finite_or_none(self.history["test_loss"][-1]),
            "history": {key: [_finite_or_none(values[i]) if key != "epoch" else values[i] for i in history_index]
                        for key, values in self.history.items()},
            "gradient_norms": [[_finite_or_none(v) for v in h[-self.GRADIENT_POINTS:]] for h in self.gradient_history],
            "config": cfg.to_dict(),
            "data_version": self.data_version,
            "layers": [len(cfg.features), *cfg.hidden, self.n_outputs],
            "weights": [np.round(np.nan_to_num(linear.weight._data), 4).tolist() for linear in self.linears],
            "biases": [np.round(np.nan_to_num(linear.bias._data), 4).tolist() for linear in self.linears],
            "grid": {"size": n, "neuron_size": len(range(step // 2, n, step))},
            "output": self._output_channels(logits),
            "features": features,
            "neurons": neurons,
        }

    def data_snapshot(self) -> dict[str, Any]:
        """The points (train and test), the plane's domain, the problem and the class names."""
        def points(X: np.ndarray, y: np.ndarray) -> dict[str, list]:
            return {"x": np.round(X, 4).tolist(), "y": np.round(y, 4).tolist()}
        return {
            "data_version": self.data_version,
            "problem": self._config.problem,
            "classes": self.classes,
            "domain": list(self.domain),
            "target_scale": self.target_scale,
            "train": points(self.X_train, self.y_train),
            "test": points(self.X_test, self.y_test),
        }

    # -------------------------------------------------------------------- export

    @_in_turn
    def model_bytes(self) -> bytes:
        """The trained model as a netgrad file (safetensors written by ``netgrad.io.save``).

        It holds ``state_dict`` (the ``nn.Sequential``'s weights) and ``playground`` (the configuration,
        the epoch, the feature names and the class names), so ``netgrad.io.load`` gives both back.
        """
        import netgrad.io

        handle, path = tempfile.mkstemp(suffix=".netgrad")
        os.close(handle)
        try:
            netgrad.io.save({"state_dict": self.model.state_dict(),
                             "playground": {"config": self._config.to_dict(), "epoch": self.epoch,
                                            "classes": list(self.classes)}}, path)
            with open(path, "rb") as file:
                return file.read()
        finally:
            os.remove(path)

    def script(self, api: str = "nn", epochs: int | None = None) -> str:
        """A runnable Python script that rebuilds and trains this network (see :mod:`.export`)."""
        from netgrad.playground.export import export_script

        data = self.uploaded if self._config.dataset == UPLOAD else None
        return export_script(self._config, api=api, epochs=epochs or self.epoch or 100, uploaded=data)
