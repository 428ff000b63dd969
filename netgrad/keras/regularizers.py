"""Keras's weight regularisers: penalties added to the training loss (the notes' L1 / L2 regularisation).

``Dense(64, kernel_regularizer=regularizers.l2(1e-4))`` adds ``1e-4 * sum(kernel**2)`` to the loss of every
batch. Note Keras's convention: L2 is ``l2 * sum(w^2)`` without the notes' factor 1/2, so ``l2 = λ/2`` in the
notes' ``λ/2 ||w||^2``. The model hands the sum of its layers' penalties (``model.losses``) to the
Trainer's ``penalty``.
"""
from __future__ import annotations

import math
from typing import Any

from ..engine import Tensor
from .names import Catalogue

__all__ = ["L1", "L1L2", "L2", "Regularizer", "deserialize", "get", "l1", "l1_l2", "l2", "serialize"]


def _non_negative(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. Received: "
                         f"{name}={value!r}")
    return float(value)


class Regularizer:
    """Base class: ``regularizer(weight) -> scalar Tensor`` (the penalty), ``get_config`` its arguments."""

    def __call__(self, x: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(x)")

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Regularizer":
        return cls(**config)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


class L1(Regularizer):
    """``l1 * sum(|x|)`` (Keras's default l1 = 0.01): pushes weights to exactly zero (sparsity)."""

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = _non_negative(l1, "l1")

    def __call__(self, x: Tensor) -> Tensor:
        return x.abs().sum() * self.l1

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x^2)`` (Keras's default l2 = 0.01): weight decay, shrinking large weights most."""

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = _non_negative(l2, "l2")

    def __call__(self, x: Tensor) -> Tensor:
        return (x * x).sum() * self.l2

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x^2)``; both default to 0, as in Keras."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _non_negative(l1, "l1")
        self.l2 = _non_negative(l2, "l2")

    def __call__(self, x: Tensor) -> Tensor:
        penalty = x.abs().sum() * self.l1
        if self.l2:
            penalty = penalty + (x * x).sum() * self.l2
        return penalty

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2  # Keras's lower-case names for the same classes

_BY_NAME: dict[str, type] = {"L1": L1, "L2": L2, "L1L2": L1L2, "l1": L1, "l2": L2, "l1_l2": L1L2}


_catalogue = Catalogue("regularizer", _BY_NAME, base=Regularizer)
get = _catalogue.get  # a name ('l2': the default strength), a config dict, an instance or a callable
serialize = _catalogue.serialize
deserialize = _catalogue.deserialize
