"""``keras.optimizers.schedules``: learning rates as functions of the optimizer's step (Keras 3).

Give a schedule as an optimizer's ``learning_rate`` (``keras.optimizers.SGD(learning_rate=ExponentialDecay(
0.1, decay_steps=100, decay_rate=0.96))``): before each update the optimizer sets its learning rate to
``schedule(iterations)``. The cosine and polynomial closed forms are netgrad.optim.lr_scheduler's.
"""
from __future__ import annotations

import bisect
import math
from typing import Any, Sequence

from ..optim.lr_scheduler import cosine_annealing, polynomial_decay
from .names import Catalogue

__all__ = ["CosineDecay", "CosineDecayRestarts", "ExponentialDecay", "InverseTimeDecay", "LearningRateSchedule",
           "PiecewiseConstantDecay", "PolynomialDecay", "deserialize", "serialize"]


def _positive(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"Argument `{name}` must be a positive number, received {name}={value!r}")
    return value


class LearningRateSchedule:
    """Base class: ``schedule(step)`` is the learning rate at that step (from 0)."""

    def __call__(self, step: int) -> float:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(step)")

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement get_config()")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "LearningRateSchedule":
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """lr0 * decay_rate^(step / decay_steps) (the exponent floored with ``staircase``)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                 name: str = "ExponentialDecay") -> None:
        self.initial_learning_rate, self.decay_rate = initial_learning_rate, decay_rate
        self.decay_steps, self.staircase, self.name = _positive(decay_steps, "decay_steps"), bool(staircase), name

    def __call__(self, step: int) -> float:
        exponent = step / self.decay_steps
        return self.initial_learning_rate * self.decay_rate ** (math.floor(exponent) if self.staircase else exponent)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """lr0 / (1 + decay_rate * step / decay_steps) (the ratio floored with ``staircase``)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                 name: str = "InverseTimeDecay") -> None:
        self.initial_learning_rate, self.decay_rate = initial_learning_rate, decay_rate
        self.decay_steps, self.staircase, self.name = _positive(decay_steps, "decay_steps"), bool(staircase), name

    def __call__(self, step: int) -> float:
        ratio = step / self.decay_steps
        return self.initial_learning_rate / (1 + self.decay_rate * (math.floor(ratio) if self.staircase else ratio))

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] up to boundaries[0] (included), values[1] up to boundaries[1], ..., values[-1] after."""

    def __init__(self, boundaries: Sequence[int], values: Sequence[float], name: str = "PiecewiseConstant") -> None:
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"The length of boundaries should be 1 less than the length of values. Received: "
                             f"boundaries={list(boundaries)} of length {len(boundaries)}, and values={list(values)} "
                             f"of length {len(values)}.")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step: int) -> float:
        return self.values[bisect.bisect_left(self.boundaries, step)]

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """(lr0 - end) (1 - min(step, decay_steps) / decay_steps)^power + end; with ``cycle`` the decay restarts
    over multiples of decay_steps."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, end_learning_rate: float = 0.0001,
                 power: float = 1.0, cycle: bool = False, name: str = "PolynomialDecay") -> None:
        self.initial_learning_rate, self.end_learning_rate = initial_learning_rate, end_learning_rate
        self.decay_steps, self.power = _positive(decay_steps, "decay_steps"), power
        self.cycle, self.name = bool(cycle), name

    def __call__(self, step: int) -> float:
        total = self.decay_steps
        if self.cycle:
            total = total * max(1, math.ceil(step / total))
        return polynomial_decay(self.initial_learning_rate, self.end_learning_rate, step, total, self.power)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Optional linear warm-up from lr0 to ``warmup_target`` over ``warmup_steps``, then cosine decay from the
    peak to ``alpha * peak`` over ``decay_steps``."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0, name: str = "CosineDecay",
                 warmup_target: float | None = None, warmup_steps: int = 0) -> None:
        self.initial_learning_rate, self.decay_steps, self.alpha = initial_learning_rate, decay_steps, alpha
        self.name, self.warmup_target, self.warmup_steps = name, warmup_target, warmup_steps
        if decay_steps < 0 or warmup_steps < 0:
            raise ValueError("decay_steps and warmup_steps must be non-negative")

    def __call__(self, step: int) -> float:
        peak = self.initial_learning_rate if self.warmup_target is None else self.warmup_target
        if self.warmup_target is not None and step < self.warmup_steps:
            return self.initial_learning_rate + (peak - self.initial_learning_rate) * step / self.warmup_steps
        step = min(step - (self.warmup_steps if self.warmup_target is not None else 0), self.decay_steps)
        if self.decay_steps == 0:
            return peak
        return cosine_annealing(peak, self.alpha * peak, step, self.decay_steps)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods of first_decay_steps * t_mul^i, each restart's peak
    m_mul times the previous one, decaying to ``alpha`` times the initial rate."""

    def __init__(self, initial_learning_rate: float, first_decay_steps: int, t_mul: float = 2.0, m_mul: float = 1.0,
                 alpha: float = 0.0, name: str = "SGDRDecay") -> None:
        self.initial_learning_rate, self.first_decay_steps = initial_learning_rate, _positive(first_decay_steps,
                                                                                               "first_decay_steps")
        self.t_mul, self.m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name

    def __call__(self, step: int) -> float:
        fraction = step / self.first_decay_steps
        if self.t_mul == 1.0:
            restarts = math.floor(fraction)
            fraction -= restarts
        else:
            restarts = math.floor(math.log(1 - fraction * (1 - self.t_mul)) / math.log(self.t_mul))
            sum_r = (1 - self.t_mul ** restarts) / (1 - self.t_mul)
            fraction = (fraction - sum_r) / self.t_mul ** restarts
        peak = self.m_mul ** restarts
        decayed = (1 - self.alpha) * cosine_annealing(peak, 0.0, fraction, 1.0) + self.alpha
        return self.initial_learning_rate * decayed

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self.t_mul, "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


_catalogue = Catalogue("learning rate schedule", {cls.__name__: cls for cls in (
    ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay, CosineDecayRestarts)},
    base=LearningRateSchedule)
serialize = _catalogue.serialize
deserialize = _catalogue.deserialize
