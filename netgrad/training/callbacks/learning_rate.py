"""Callbacks that set the learning rate: a schedule per epoch, or a cut when a monitored value plateaus."""
from __future__ import annotations

import inspect
import math
import warnings
from typing import Callable

import numpy as np

from .base import Callback, _check_mode, _optimizer, get_learning_rate


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of every epoch from ``schedule(epoch, lr)`` (Keras).

    ``schedule`` receives the epoch index (0-based) and the current learning rate and returns the new one
    (a one-argument ``schedule(epoch)`` works too). It is applied to every parameter group with that
    group's current rate. The rate in use is logged as ``"learning_rate"`` at the end of each epoch.

    Example:
        >>> LearningRateScheduler(lambda epoch, lr: lr if epoch < 10 else lr * 0.9)
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise ValueError(f"schedule must be a function schedule(epoch, lr) -> lr, got {schedule!r}")
        self.schedule = schedule
        self.verbose = verbose
        self._takes_lr = _takes_two_arguments(schedule)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        optimizer = _optimizer(self, "LearningRateScheduler")
        for group in optimizer.param_groups:
            lr = self.schedule(epoch, float(group["lr"])) if self._takes_lr else self.schedule(epoch)
            if isinstance(lr, (bool, np.bool_)) or not isinstance(lr, (int, float, np.integer, np.floating)) \
                    or not math.isfinite(lr) or lr < 0:
                raise ValueError(f"The output of the `schedule` function should be a non-negative float. Got: {lr!r}")
            group["lr"] = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{get_learning_rate(optimizer)}.")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = get_learning_rate(_optimizer(self, "LearningRateScheduler"))


def _takes_two_arguments(function: Callable) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature
        return True
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in parameters)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when a monitored quantity stops improving (Keras).

    After ``patience`` epochs without an improvement of more than ``min_delta``, every parameter group's
    rate becomes ``max(lr * factor, min_lr)``; then ``cooldown`` epochs pass before counting starts again.
    The rate at the start of the epoch is logged as ``"learning_rate"``.

    For the PyTorch-style scheduler of the same name, pass ``netgrad.optim.lr_scheduler.ReduceLROnPlateau``
    as the Trainer's ``scheduler``; this callback is the Keras face of the same idea.

    Args:
        monitor: The logged quantity to watch.
        factor: The factor (< 1) the learning rate is multiplied by.
        patience: Epochs without improvement before the rate is reduced.
        verbose: 1 to print a message at each reduction.
        mode: ``'min'``, ``'max'`` or ``'auto'`` (``'max'`` when the name contains ``'acc'``, as Keras).
        min_delta: The smallest change that counts as an improvement.
        cooldown: Epochs to wait after a reduction before resuming normal operation.
        min_lr: The lower bound of the learning rate.
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10, verbose: int = 0,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0) -> None:
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}")
        if factor <= 0 or patience < 0 or cooldown < 0 or min_lr < 0:
            raise ValueError("ReduceLROnPlateau needs 0 < factor < 1 and non-negative patience, cooldown and min_lr; "
                             f"got factor={factor}, patience={patience}, cooldown={cooldown}, min_lr={min_lr}")
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.mode = _check_mode(mode, "ReduceLROnPlateau")
        self.min_delta = min_delta
        self.cooldown = cooldown
        self.min_lr = min_lr
        self._reset()

    def _reset(self) -> None:
        self._greater = self.mode == "max" or (self.mode == "auto" and "acc" in self.monitor)
        self.best = -math.inf if self._greater else math.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()

    def _improved(self, current: float) -> bool:
        if self._greater:
            return current > self.best + self.min_delta
        return current < self.best - self.min_delta

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs if logs is not None else {}
        optimizer = _optimizer(self, "ReduceLROnPlateau")
        logs["learning_rate"] = get_learning_rate(optimizer)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(logs)}.", stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                reduced = False
                for group in optimizer.param_groups:
                    old_lr = float(group["lr"])
                    if old_lr > np.float32(self.min_lr):
                        group["lr"] = max(old_lr * self.factor, self.min_lr)
                        reduced = True
                if reduced:
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                              f"{get_learning_rate(optimizer)}.")
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


# ------------------------------------------------------------------------------------- logging
