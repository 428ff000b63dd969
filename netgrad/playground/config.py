"""What a playground page lets a person choose: the menus (datasets, features, activations, optimizers) and
:class:`PlaygroundConfig`, the checked set of choices that the page's URL holds.

The menus are views of netgrad's shared tables: the datasets are
:data:`netgrad.data.PLAYGROUND_DATASETS`, the activations and optimizers names of
:mod:`netgrad.nn.names` and :mod:`netgrad.optim.names`.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Mapping, Sequence

import numpy as np

from netgrad.data import PLAYGROUND_DATASETS, PLAYGROUND_FEATURES
from netgrad.data.csv_files import MAX_CLASS_VALUES

__all__ = ["PlaygroundConfig", "options", "held_out_count", "DATASETS", "UPLOAD", "FEATURES", "ACTIVATIONS",
           "OPTIMIZERS", "REGULARIZATIONS", "PROBLEMS", "MAX_CLASSES", "MAX_SEED"]

#: Built-in datasets: name -> :class:`netgrad.data.synthetic.PlaygroundDataset`.
DATASETS = PLAYGROUND_DATASETS
UPLOAD = "upload"

#: Input features, in the order the page lists them: name -> label.
FEATURES: dict[str, str] = {
    "x1": "X₁", "x2": "X₂", "x1^2": "X₁²", "x2^2": "X₂²", "x1*x2": "X₁X₂", "sin(x1)": "sin(X₁)",
    "sin(x2)": "sin(X₂)",
}
assert set(FEATURES) == set(PLAYGROUND_FEATURES)

#: Hidden-layer activations offered (names of :data:`netgrad.nn.names.ACTIVATIONS`).
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")

#: Optimizers of the notes: preset name (of :data:`netgrad.optim.names.PRESETS`) -> label.
OPTIMIZERS: dict[str, str] = {
    "sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "Adagrad", "rmsprop": "RMSprop",
    "adadelta": "Adadelta", "adam": "Adam", "adamax": "Adamax", "nadam": "Nadam", "adamw": "AdamW",
}
REGULARIZATIONS = ("none", "l1", "l2")
PROBLEMS = ("classification", "regression")

# The page's menus (TensorFlow Playground's values); any positive rate is accepted from a URL.
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
REGULARIZATION_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
MAX_HIDDEN_LAYERS = 6
MAX_NEURONS = 8
MAX_CLASSES = MAX_CLASS_VALUES
MAX_SEED = 2**31 - 1
DOMAIN = (-6.0, 6.0)  # the Playground's input plane


def options() -> dict[str, Any]:
    """The choices the page offers, with their labels and limits (sent to the page on connection)."""
    return {
        "datasets": [{"value": k, "label": v.label, "problem": v.problem} for k, v in DATASETS.items()],
        "features": [{"value": k, "label": v} for k, v in FEATURES.items()],
        "activations": list(ACTIVATIONS),
        "optimizers": [{"value": k, "label": v} for k, v in OPTIMIZERS.items()],
        "regularizations": list(REGULARIZATIONS),
        "problems": list(PROBLEMS),
        "learning_rates": list(LEARNING_RATES),
        "regularization_rates": list(REGULARIZATION_RATES),
        "max_hidden_layers": MAX_HIDDEN_LAYERS,
        "max_neurons": MAX_NEURONS,
        "defaults": PlaygroundConfig().to_dict(),
    }


def held_out_count(n_samples: int, train_ratio: int) -> int:
    """Test points out of ``n_samples`` for a training percentage (at least one of each kind)."""
    n_train = min(max(round(n_samples * train_ratio / 100), 1), n_samples - 1)
    return n_samples - n_train


def is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def check_choice(name: str, value: Any, valid: Sequence[str]) -> None:
    if value not in valid:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, valid))}; got {value!r}")


def _int_range(name: str, value: Any, low: int, high: int) -> None:
    if not is_int(value) or not low <= value <= high:
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
        check_choice("dataset", self.dataset, [*DATASETS, UPLOAD])
        check_choice("problem", self.problem, PROBLEMS)
        if self.dataset in DATASETS and DATASETS[self.dataset].problem != self.problem:
            raise ValueError(f"dataset {self.dataset!r} is a {DATASETS[self.dataset].problem} set, but problem is "
                             f"{self.problem!r}; choose a {self.problem} dataset or change the problem type")
        _int_range("noise", self.noise, 0, 50)
        _int_range("train_ratio", self.train_ratio, 10, 90)
        _int_range("batch_size", self.batch_size, 1, 30)
        _int_range("seed", self.seed, 0, MAX_SEED)
        if not self.features:
            raise ValueError(f"choose at least one feature from: {', '.join(FEATURES)}")
        for name in self.features:
            check_choice("each feature", name, list(FEATURES))
        if len(set(self.features)) != len(self.features):
            raise ValueError(f"features must not repeat; got {list(self.features)}")
        if len(self.hidden) > MAX_HIDDEN_LAYERS:
            raise ValueError(f"at most {MAX_HIDDEN_LAYERS} hidden layers; got {len(self.hidden)}")
        for width in self.hidden:
            _int_range("the neurons of each hidden layer", width, 1, MAX_NEURONS)
        check_choice("activation", self.activation, list(ACTIVATIONS))
        if not _is_number(self.learning_rate) or not 0 < self.learning_rate <= 100 \
                or not math.isfinite(self.learning_rate):
            raise ValueError(f"learning_rate must be a number in (0, 100]; got {self.learning_rate!r}")
        check_choice("regularization", self.regularization, REGULARIZATIONS)
        if not _is_number(self.regularization_rate) or not 0 <= self.regularization_rate <= 100 \
                or not math.isfinite(self.regularization_rate):
            raise ValueError(f"regularization_rate must be a number in [0, 100]; got {self.regularization_rate!r}")
        check_choice("optimizer", self.optimizer, list(OPTIMIZERS))

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
        if is_int(values.get("learning_rate")):
            values["learning_rate"] = float(values["learning_rate"])
        if is_int(values.get("regularization_rate")):
            values["regularization_rate"] = float(values["regularization_rate"])
        return replace(base or cls(), **values)

    def to_dict(self) -> dict[str, Any]:
        """The fields as JSON-ready values (lists for the tuples)."""
        values = asdict(self)
        values["features"], values["hidden"] = list(self.features), list(self.hidden)
        return values
