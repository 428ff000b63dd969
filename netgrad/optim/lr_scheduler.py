"""Learning-rate schedules, with PyTorch's classes, arguments and exact learning-rate sequences.

A scheduler wraps an optimizer and rewrites ``group["lr"]`` of each parameter group; call
``scheduler.step()`` once per epoch (per batch for :class:`OneCycleLR`), after ``optimizer.step()``.
``get_last_lr()`` returns the learning rates it set last.

The schedules of the lecture notes (after Géron), with η₀ the initial learning rate and t the step count:

======================  ===================================  ================================================
notes                   formula                              netgrad
======================  ===================================  ================================================
power scheduling        η₀ / (1 + t/s)^c                     ``LambdaLR(opt, lambda t: (1 + t / s) ** -c)``
exponential scheduling  η₀ · 0.1^(t/s)                       ``ExponentialLR(opt, gamma=0.1 ** (1 / s))``
piecewise constant      η₀ · γ^(number of milestones ≤ t)    ``MultiStepLR(opt, milestones, gamma)``, ``StepLR``
performance scheduling  × factor when a metric stalls        ``ReduceLROnPlateau(opt, factor=0.5, patience=5)``
1cycle                  up to max_lr, then far below η₀      ``OneCycleLR(opt, max_lr, total_steps)``
======================  ===================================  ================================================

PyTorch's ``PolynomialLR`` (η₀ (1 - t/T)^p, reaching 0 at T), ``CosineAnnealingLR``, ``LinearLR``
(warm-up) and ``MultiplicativeLR`` are here too.

Like PyTorch, most schedulers update the learning rate *recursively* (multiplying the current one), so
that several schedulers can be chained; ``step(epoch)`` (deprecated in PyTorch) jumps to an epoch with
the closed form instead.
"""
from __future__ import annotations

import copy
import math
import types
import warnings
from bisect import bisect_right
from collections import Counter
from typing import Any, Callable, Iterable, Sequence

from .optimizer import Optimizer

__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "OneCycleLR", "ReduceLROnPlateau",
           "cosine_annealing", "polynomial_decay"]

_EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` is deprecated (as in PyTorch); "
    "use `scheduler.step()` without arguments. With an epoch, the closed form is used where available.")


def polynomial_decay(initial: float, final: float, step: float, total: float, power: float = 1.0) -> float:
    """(initial - final) (1 - min(step, total) / total)^power + final: the polynomial schedule in closed form."""
    return (initial - final) * (1.0 - min(step, total) / total) ** power + final


def cosine_annealing(initial: float, final: float, step: float, total: float) -> float:
    """final + (initial - final) (1 + cos(pi step / total)) / 2: the cosine schedule in closed form (SGDR)."""
    return final + (initial - final) * (1 + math.cos(math.pi * step / total)) / 2


def _group_values(optimizer: Optimizer, key: str) -> list[Any]:
    return [group[key] for group in optimizer.param_groups]


def _per_group(name: str, optimizer: Optimizer, value: Any) -> list[Any]:
    """One value per parameter group: a list of that length as given, or a scalar repeated."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. {name} has {len(value)} "
                             f"values, param_groups has {len(optimizer.param_groups)}.")
        return list(value)
    return [value] * len(optimizer.param_groups)


class LRScheduler:
    """Base class of the learning-rate schedulers.

    Subclasses implement :meth:`get_lr`, the learning rates for ``last_epoch`` (already advanced), and may
    implement ``_get_closed_form_lr`` for ``step(epoch)``.

    Args:
        optimizer: The optimizer whose learning rates are scheduled.
        last_epoch: Index of the last epoch seen; -1 (the default) starts a new schedule. Only set it when
            resuming, with ``initial_lr`` present in every parameter group.

    Creating a scheduler sets every group's ``initial_lr`` (when starting) and takes the first step, which
    sets the learning rate of epoch 0.
    """

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for number, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{number}] when resuming a "
                                   "scheduler with last_epoch >= 0: load the optimizer's state dict first, or "
                                   "start a new schedule with last_epoch=-1")
        self.base_lrs: list[float] = _group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def state_dict(self) -> dict[str, Any]:
        """Every attribute of the scheduler except the optimizer, as plain data (copied)."""
        return {key: copy.deepcopy(value) for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        self.__dict__.update(copy.deepcopy(state_dict))

    def get_last_lr(self) -> list[float]:
        """The learning rates the scheduler set last, one per parameter group."""
        return list(self._last_lr)

    def get_lr(self) -> list[float]:
        """The learning rates for the current ``last_epoch`` (called by :meth:`step`; use ``get_last_lr()``)."""
        raise NotImplementedError

    def _warn_if_called_outside_step(self) -> None:
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                          UserWarning, stacklevel=3)

    def step(self, epoch: int | None = None) -> None:
        """Advance the schedule by one epoch (or jump to `epoch`) and set the optimizer's learning rates."""
        if self._step_count == 1 and type(self.optimizer).step is Optimizer.step \
                and not getattr(self.optimizer, "_opt_called", True):
            warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. Call them in the "
                          "opposite order: `optimizer.step()` before `lr_scheduler.step()`; otherwise the first "
                          "value of the learning rate schedule is skipped.", UserWarning, stacklevel=2)
        self._step_count += 1
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                warnings.warn(_EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
                self.last_epoch = epoch
                closed_form = getattr(self, "_get_closed_form_lr", None)
                values = closed_form() if closed_form is not None else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = _group_values(self.optimizer, "lr")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(last_epoch={self.last_epoch}, last_lr={getattr(self, '_last_lr', None)})"


# ---------------------------------------------------------------------------------- lambda-based schedules


class _LambdaScheduler(LRScheduler):
    """Shared by LambdaLR and MultiplicativeLR: one function of the epoch per parameter group."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        for function in self.lr_lambdas:
            if not callable(function):
                raise TypeError(f"lr_lambda should be a function, but got {type(function).__name__}")
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state; a lambda is saved only when it is a callable object (its ``__dict__``)."""
        state = {key: copy.deepcopy(value) for key, value in self.__dict__.items()
                 if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(function, types.FunctionType) else copy.deepcopy(function.__dict__)
                               for function in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = {key: copy.deepcopy(value) for key, value in state_dict.items() if key != "lr_lambdas"}
        self.__dict__.update(state)
        for function, saved in zip(self.lr_lambdas, state_dict.get("lr_lambdas", ())):
            if saved is not None:
                function.__dict__.update(copy.deepcopy(saved))


class LambdaLR(_LambdaScheduler):
    """η_t = η₀ · f(t): the initial learning rate times a function of the epoch.

    Args:
        optimizer: The optimizer.
        lr_lambda: f, a function of the epoch index, or a list of them, one per parameter group.
        last_epoch: Index of the last epoch (-1 starts a new schedule).

    Example (the notes' power scheduling, η₀ / (1 + t/s)^c with s = 10 steps and c = 1):
        >>> scheduler = LambdaLR(optimizer, lambda t: (1 + t / 10) ** -1.0)
    """

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        return [base_lr * function(self.last_epoch) for function, base_lr in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaScheduler):
    """η_t = η_{t-1} · f(t): the current learning rate times a function of the epoch, at every step after the first.

    Args:
        optimizer: The optimizer.
        lr_lambda: f, a function of the epoch index, or a list of them, one per parameter group.
        last_epoch: Index of the last epoch (-1 starts a new schedule).
    """

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        if self._is_initial:
            return _group_values(self.optimizer, "lr")
        return [group["lr"] * function(self.last_epoch)
                for function, group in zip(self.lr_lambdas, self.optimizer.param_groups)]


# -------------------------------------------------------------------------------- piecewise / exponential


class StepLR(LRScheduler):
    """Piecewise constant: η_t = η₀ · γ^⌊t / step_size⌋ (the learning rate times γ every `step_size` epochs).

    Args:
        optimizer: The optimizer.
        step_size: Period of the decay, in epochs.
        gamma: Multiplicative factor of the decay (default 0.1).
        last_epoch: Index of the last epoch (-1 starts a new schedule).
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        if not isinstance(step_size, int) or step_size <= 0:
            raise ValueError(f"step_size must be a positive integer, got {step_size!r}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return _group_values(self.optimizer, "lr")
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Piecewise constant: η_t = η₀ · γ^(number of milestones ≤ t).

    Args:
        optimizer: The optimizer.
        milestones: Epoch indices at which the learning rate is multiplied by γ (a milestone listed n times
            multiplies it by γⁿ).
        gamma: Multiplicative factor (default 0.1).
        last_epoch: Index of the last epoch (-1 starts a new schedule).
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        if self.last_epoch not in self.milestones:
            return _group_values(self.optimizer, "lr")
        return [group["lr"] * self.gamma ** self.milestones[self.last_epoch] for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        milestones = sorted(Counter(self.milestones).elements())
        return [base_lr * self.gamma ** bisect_right(milestones, self.last_epoch) for base_lr in self.base_lrs]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self.milestones = Counter({int(epoch): count for epoch, count in dict(self.milestones).items()})


class ConstantLR(LRScheduler):
    """η_t = η₀ · factor while t < total_iters, then η₀.

    Args:
        optimizer: The optimizer.
        factor: Factor in [0, 1] applied until `total_iters` (default 1/3).
        total_iters: Number of epochs with the reduced learning rate (default 5).
        last_epoch: Index of the last epoch (-1 starts a new schedule).
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return _group_values(self.optimizer, "lr")
        return [group["lr"] * (1.0 / self.factor) for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """Linear warm-up (or decay): η_t = η₀ · (s + (e - s) · min(t, T) / T), s = start_factor, e = end_factor.

    Args:
        optimizer: The optimizer.
        start_factor: Factor at epoch 0, in (0, 1] (default 1/3).
        end_factor: Factor from epoch T on, in [0, 1] (default 1).
        total_iters: T, the number of epochs of the ramp (default 5).
        last_epoch: Index of the last epoch (-1 starts a new schedule).
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return _group_values(self.optimizer, "lr")
        change = self.end_factor - self.start_factor
        factor = 1.0 + change / (self.total_iters * self.start_factor + (self.last_epoch - 1) * change)
        return [group["lr"] * factor for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (self.start_factor + (self.end_factor - self.start_factor)
                           * min(self.total_iters, self.last_epoch) / self.total_iters)
                for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Exponential scheduling: η_t = η₀ · γ^t.

    The notes' η₀ · 0.1^(t/s) (divide by 10 every s steps) is ``ExponentialLR(optimizer, gamma=0.1 ** (1 / s))``.

    Args:
        optimizer: The optimizer.
        gamma: Multiplicative factor per epoch.
        last_epoch: Index of the last epoch (-1 starts a new schedule).
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        if self._is_initial:
            return _group_values(self.optimizer, "lr")
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** self.last_epoch for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Polynomial decay to zero: η_t = η₀ · (1 - min(t, T) / T)^power.

    Args:
        optimizer: The optimizer.
        total_iters: T, the number of epochs until the learning rate reaches 0 (default 5).
        power: The power of the polynomial (default 1.0, a linear decay).
        last_epoch: Index of the last epoch (-1 starts a new schedule).

    The notes' *power scheduling* η₀ / (1 + t/s)^c never reaches zero; it is a :class:`LambdaLR`.
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1) -> None:
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        if self._is_initial or self.last_epoch > self.total_iters:
            return _group_values(self.optimizer, "lr")
        decay = ((1.0 - self.last_epoch / self.total_iters)
                 / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [group["lr"] * decay for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [polynomial_decay(base_lr, 0.0, self.last_epoch, self.total_iters, self.power)
                for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing: η_t = η_min + ½ (η₀ - η_min) (1 + cos(π t / T_max)), computed recursively.

    The recursive form (PyTorch's) is
    η_{t+1} = η_min + (η_t - η_min) (1 + cos(π(t+1)/T_max)) / (1 + cos(πt/T_max)), which equals the closed
    form above up to rounding and also follows other changes made to the learning rate. After T_max the
    learning rate climbs back up (a cosine, without restarts).

    Args:
        optimizer: The optimizer.
        T_max: Number of epochs of the descent.
        eta_min: Minimum learning rate η_min (default 0).
        last_epoch: Index of the last epoch (-1 starts a new schedule).
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if T_max <= 0:
            raise ValueError(f"T_max must be a positive number of epochs, got {T_max!r}")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        groups = self.optimizer.param_groups
        if self._is_initial:
            return _group_values(self.optimizer, "lr")
        if self._step_count == 1 and self.last_epoch > 0:
            return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(self.last_epoch * math.pi / self.T_max)) / 2
                    for base_lr in self.base_lrs]
        if (self.last_epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            return [group["lr"] + (base_lr - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2
                    for base_lr, group in zip(self.base_lrs, groups)]
        return [(1 + math.cos(math.pi * self.last_epoch / self.T_max))
                / (1 + math.cos(math.pi * (self.last_epoch - 1) / self.T_max))
                * (group["lr"] - self.eta_min) + self.eta_min
                for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [cosine_annealing(base_lr, self.eta_min, self.last_epoch, self.T_max) for base_lr in self.base_lrs]


# ------------------------------------------------------------------------------------------------ 1cycle


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith's super-convergence): warm up to `max_lr`, then anneal far below the start.

    Over `total_steps` batches the learning rate goes from initial_lr = max_lr / div_factor up to max_lr
    during the first `pct_start` of the steps, then down to min_lr = initial_lr / final_div_factor, each
    phase following ``anneal_strategy``:

        cos:    η(p) = end + (start - end) · (1 + cos(π p)) / 2        (p goes from 0 to 1 within a phase)
        linear: η(p) = start + (end - start) · p

    With ``three_phase=True`` it goes back from max_lr to initial_lr symmetrically, then down to min_lr (the
    original paper). With ``cycle_momentum`` the momentum (SGD's ``momentum``, Adam's β₁) moves the
    opposite way, between `max_momentum` (at the ends) and `base_momentum` (at the peak). Call ``step()``
    after every batch.

    Args:
        optimizer: The optimizer.
        max_lr: Peak learning rate, or one per parameter group.
        total_steps: Number of steps of the cycle; or give `epochs` and `steps_per_epoch`.
        epochs: Number of epochs (with `steps_per_epoch`).
        steps_per_epoch: Number of batches per epoch (with `epochs`).
        pct_start: Fraction of the steps spent increasing the learning rate (default 0.3).
        anneal_strategy: ``'cos'`` (default) or ``'linear'``.
        cycle_momentum: Cycle the momentum inversely to the learning rate (default True).
        base_momentum: Momentum at the peak (default 0.85), or one per group.
        max_momentum: Momentum at the ends (default 0.95), or one per group.
        div_factor: initial_lr = max_lr / div_factor (default 25).
        final_div_factor: min_lr = initial_lr / final_div_factor (default 1e4).
        three_phase: Use the three-phase schedule.
        last_epoch: Index of the last batch (-1 starts a new schedule).
    """

    def __init__(self, optimizer: Optimizer, max_lr: float | list[float], total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | list[float] = 0.85, max_momentum: float | list[float] = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._anneal_func_type = anneal_strategy

        warm_up_end = float(pct_start * self.total_steps) - 1
        if three_phase:
            self._schedule_phases = [
                dict(end_step=warm_up_end, start_lr="initial_lr", end_lr="max_lr",
                     start_momentum="max_momentum", end_momentum="base_momentum"),
                dict(end_step=float(2 * pct_start * self.total_steps) - 2, start_lr="max_lr", end_lr="initial_lr",
                     start_momentum="base_momentum", end_momentum="max_momentum"),
                dict(end_step=self.total_steps - 1, start_lr="initial_lr", end_lr="min_lr",
                     start_momentum="max_momentum", end_momentum="max_momentum"),
            ]
        else:
            self._schedule_phases = [
                dict(end_step=warm_up_end, start_lr="initial_lr", end_lr="max_lr",
                     start_momentum="max_momentum", end_momentum="base_momentum"),
                dict(end_step=self.total_steps - 1, start_lr="max_lr", end_lr="min_lr",
                     start_momentum="base_momentum", end_momentum="max_momentum"),
            ]

        max_lrs = _per_group("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, group_max_lr in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = group_max_lr / div_factor
                group["max_lr"] = group_max_lr
                group["min_lr"] = group["initial_lr"] / final_div_factor

        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled "
                                 f"({type(optimizer).__name__} has neither; pass cycle_momentum=False)")
            self.use_beta1 = "betas" in optimizer.defaults
            max_momentums = _per_group("max_momentum", optimizer, max_momentum)
            base_momentums = _per_group("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for group, group_max, group_base in zip(optimizer.param_groups, max_momentums, base_momentums):
                    if self.use_beta1:
                        group["betas"] = (group_max, *group["betas"][1:])
                    else:
                        group["momentum"] = group_max
                    group["max_momentum"] = group_max
                    group["base_momentum"] = group_base
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        self._warn_if_called_outside_step()
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(f"Tried to step {step_num} times. The specified number of total steps is "
                             f"{self.total_steps}")
        lrs = []
        last_phase = len(self._schedule_phases) - 1
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for number, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step_num <= end_step or number == last_phase:
                    pct = (step_num - start_step) / (end_step - start_step)
                    lr = self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        momentum = self._anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                    break
                start_step = phase["end_step"]
            lrs.append(lr)
            if self.cycle_momentum:
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return lrs


# ------------------------------------------------------------------------------------ performance scheduling


class ReduceLROnPlateau(LRScheduler):
    """Performance scheduling: multiply the learning rate by `factor` when a metric stops improving.

    Call ``step(metric)`` once per epoch with the monitored value (a validation loss, say). A value is an
    improvement when it beats the best so far by the threshold: in ``'min'`` mode with ``'rel'``
    thresholds, value < best · (1 - threshold); with ``'abs'``, value < best - threshold (and the mirror
    images in ``'max'`` mode). After more than `patience` epochs without improvement,
    lr ← max(lr · factor, min_lr) (skipped if that changes it by less than `eps`), then `cooldown` epochs
    pass before bad epochs are counted again.

    Args:
        optimizer: The optimizer.
        mode: ``'min'`` (default) or ``'max'``.
        factor: Factor by which the learning rate is reduced, < 1 (default 0.1).
        patience: Number of epochs without improvement tolerated (default 10).
        threshold: Minimal improvement (default 1e-4).
        threshold_mode: ``'rel'`` (default) or ``'abs'``.
        cooldown: Epochs to wait after a reduction (default 0).
        min_lr: Lower bound on the learning rate, or one per group (default 0).
        eps: Smallest change of the learning rate that is applied (default 1e-8).
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr: float | list[float] = 0, eps: float = 1e-8) -> None:
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs, got {len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = _group_values(optimizer, "lr")
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics: Any, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record this epoch's metric and reduce the learning rate if it has stopped improving."""
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(_EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = _group_values(self.optimizer, "lr")

    def _reduce_lr(self) -> None:
        if len(self.optimizer.param_groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"The number of param groups in the optimizer ({len(self.optimizer.param_groups)}) "
                                   f"differs from when ReduceLROnPlateau was created ({len(self.min_lrs)}); "
                                   "set `min_lrs` to one value per group.")
            self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
        for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode!r} is unknown! (use 'min' or 'max')")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode!r} is unknown! (use 'rel' or 'abs')")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)
