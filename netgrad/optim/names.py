"""The one table of optimizer names, shared by every front end.

The command line (``--optimizer adam``), the estimators (``solver='adam'``), the playground's menu and its
exported scripts look names up here. :data:`PRESETS` are named settings of one optimizer (the notes'
"momentum" and "Nesterov" are SGD with ``momentum=0.9``); :data:`KERAS_NAMES` gives the Keras class of each
name where Keras has the same update rule.

    >>> create("sgd", model.parameters(), lr=0.1, momentum=0.9)
    SGD (...)
"""
from __future__ import annotations

from typing import Any, Iterable

from .optimizer import Optimizer
from .optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RMSprop

__all__ = ["OPTIMIZERS", "PRESETS", "KERAS_NAMES", "create"]

#: name -> ``netgrad.optim`` class, in increasing complexity.
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adadelta": Adadelta,
    "adam": Adam,
    "adamw": AdamW,
    "adamax": Adamax,
    "nadam": NAdam,
}

#: Named settings: preset -> (optimizer name, its extra arguments).
PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    **{name: (name, {}) for name in OPTIMIZERS},
    "momentum": ("sgd", {"momentum": 0.9}),
    "nesterov": ("sgd", {"momentum": 0.9, "nesterov": True}),
}

#: name -> the class in ``netgrad.keras.optimizers`` (Keras 3's spelling) with the same update rule.
KERAS_NAMES: dict[str, str] = {
    "sgd": "SGD", "adagrad": "Adagrad", "rmsprop": "RMSprop", "adadelta": "Adadelta", "adam": "Adam",
    "adamw": "AdamW", "adamax": "Adamax", "nadam": "Nadam",
}


def create(name: str, params: Iterable[Any], lr: float, choices: Iterable[str] | None = None,
           **options: Any) -> Optimizer:
    """The optimizer (or preset) called ``name`` over ``params`` with learning rate ``lr``.

    Raises:
        ValueError: for a name that is not in :data:`PRESETS` (or not in ``choices`` when given).
    """
    allowed = tuple(PRESETS if choices is None else choices)
    if not isinstance(name, str) or name not in allowed or name not in PRESETS:
        raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(allowed)}")
    base, preset = PRESETS[name]
    return OPTIMIZERS[base](params, lr=lr, **{**preset, **options})
