"""The one table of names for activations and losses, shared by every front end.

The command line (``--activation relu``), the estimators (``activation='logistic'``), the playground's menus
and the exported scripts all look names up here, so a name means the same module everywhere. Each face
offers the subset it documents (scikit-learn's four activations, the playground's four) and keeps its
own spelling where its model API has one: ``logistic`` (scikit-learn) and ``sigmoid`` are one entry,
``linear`` (Keras, the playground) and ``identity`` (scikit-learn) another.

    >>> activation("relu")
    ReLU()
    >>> ACTIVATIONS["logistic"] is ACTIVATIONS["sigmoid"]
    True
"""
from __future__ import annotations

from typing import Any

from .activations import ELU, GELU, SELU, LeakyReLU, Mish, ReLU, Sigmoid, SiLU, Softplus, Tanh
from .layers import Identity
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss
from .module import Module

__all__ = ["ACTIVATIONS", "LOSSES", "activation", "loss"]

#: Hidden-layer activations: name -> ``nn`` module class (aliases share an entry).
ACTIVATIONS: dict[str, type[Module]] = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "elu": ELU,
    "selu": SELU,
    "gelu": GELU,
    "silu": SiLU,
    "swish": SiLU,
    "mish": Mish,
    "softplus": Softplus,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "logistic": Sigmoid,
    "identity": Identity,
    "linear": Identity,
}

#: Losses: name -> ``nn`` loss class (Keras' long names where the meaning is the same).
LOSSES: dict[str, type[Module]] = {
    "mse": MSELoss,
    "mean_squared_error": MSELoss,
    "mae": L1Loss,
    "l1": L1Loss,
    "mean_absolute_error": L1Loss,
    "huber": HuberLoss,
    "bce": BCELoss,
    "binary_crossentropy": BCELoss,
    "bce_with_logits": BCEWithLogitsLoss,
    "cross_entropy": CrossEntropyLoss,
    "nll": NLLLoss,
}


def _lookup(table: dict[str, type[Module]], kind: str, name: str, choices: tuple[str, ...] | None) -> type[Module]:
    allowed = tuple(table) if choices is None else choices
    if not isinstance(name, str) or name not in allowed or name not in table:
        raise ValueError(f"unknown {kind} {name!r}; choose from {', '.join(allowed)}")
    return table[name]


def activation(name: str, choices: tuple[str, ...] | None = None, **options: Any) -> Module:
    """A new activation module for ``name`` (one of ``choices`` when given, else any of :data:`ACTIVATIONS`)."""
    return _lookup(ACTIVATIONS, "activation", name, choices)(**options)


def loss(name: str, choices: tuple[str, ...] | None = None, **options: Any) -> Module:
    """A new loss module for ``name`` (one of ``choices`` when given, else any of :data:`LOSSES`)."""
    return _lookup(LOSSES, "loss", name, choices)(**options)
