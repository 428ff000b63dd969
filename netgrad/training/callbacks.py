"""Callbacks: code that runs at fixed points of :class:`~netgrad.training.Trainer` training, Keras-style.

A callback subclasses :class:`Callback` and overrides any of Keras's hooks. Inside a hook,
``self.trainer`` is the running Trainer, ``self.model`` its model, and ``self.params`` holds
``{"epochs", "steps", "verbose"}``. Setting ``self.trainer.stop_training = True`` ends training after the
current batch (the epoch is then finished as usual: validation, ``on_epoch_end``, history), as in Keras.

What the hooks receive in ``logs``:

- ``on_epoch_end``: ``{"loss": ..., <metric>: ..., "val_loss": ..., "val_<metric>": ...}``, the epoch's
  values (callbacks may add entries, e.g. ``"learning_rate"``; History records what is there after all
  callbacks ran).
- ``on_train_batch_end``: ``{"loss": running mean of the epoch so far, "batch_loss": this batch's loss,
  "size": samples in the batch}``. Metrics are computed once per epoch from all its predictions, so
  they are not in batch logs.
- ``on_test_end`` (after validation or ``evaluate``): the evaluation's logs, without the ``val_`` prefix.

The Trainer only calls the hooks a callback overrides, so a callback that needs nothing per batch costs
nothing per batch.

Example:
    >>> class PrintLoss(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(epoch, logs["loss"])
"""
from __future__ import annotations

import csv
import inspect
import math
import os
import sys
import time
import warnings
from typing import Any, Callable, Iterable

import numpy as np

from netgrad import io
from netgrad.engine import Tensor

__all__ = [
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "ModelCheckpoint",
    "LearningRateScheduler",
    "ReduceLROnPlateau",
    "CSVLogger",
    "TerminateOnNaN",
    "LambdaCallback",
    "ProgressBar",
]

HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
         "on_train_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end")


class Callback:
    """Base class of callbacks; every hook does nothing unless overridden (Keras's hook names)."""

    def __init__(self) -> None:
        self.trainer: Any = None
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_trainer(self, trainer: Any) -> None:
        """Called by the Trainer before training: gives the callback ``self.trainer`` and ``self.model``."""
        self.trainer = trainer
        self.model = trainer.model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called once at the start of ``fit``."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """Called once at the end of ``fit`` (also after Ctrl-C or a non-finite loss)."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of epoch ``epoch`` (0-based)."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of epoch ``epoch`` with its training and validation logs."""

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before the forward pass of training batch ``batch`` (0-based within the epoch)."""
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after the parameter update of training batch ``batch``."""
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Keras's older name of :meth:`on_train_batch_begin`."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Keras's older name of :meth:`on_train_batch_end`."""

    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called at the start of validation (each epoch) and of ``evaluate``."""

    def on_test_end(self, logs: dict | None = None) -> None:
        """Called at the end of validation and of ``evaluate``, with the evaluation's logs."""

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before each validation / evaluation batch."""

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after each validation / evaluation batch."""


def _overrides(callback: Callback, hook: str) -> bool:
    """Whether `callback` does anything in `hook` (a subclass method or a per-instance function)."""
    if hook in vars(callback):
        return True
    if getattr(type(callback), hook) is not getattr(Callback, hook):
        return True
    legacy = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}.get(hook)
    return legacy is not None and _overrides(callback, legacy)


class CallbackList:
    """The callbacks of one run, called in order; knows which hooks anybody listens to.

    ``wants[hook]`` is False when no callback overrides ``hook``: the Trainer then skips building the logs
    for it (this keeps the per-batch cost of training at zero when no callback looks at batches).
    """

    def __init__(self, callbacks: Iterable[Callback], trainer: Any, params: dict[str, Any]) -> None:
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            callback.set_trainer(trainer)
            callback.set_params(params)
        self.wants = {hook: any(_overrides(c, hook) for c in self.callbacks) for hook in HOOKS}
        self._listeners = {hook: [getattr(c, hook) for c in self.callbacks if _overrides(c, hook)]
                           for hook in HOOKS}

    def call(self, hook: str, *args: Any) -> None:
        for method in self._listeners[hook]:
            method(*args)

    def __iter__(self):
        return iter(self.callbacks)


# ------------------------------------------------------------------------------------------ helpers

# Metrics (and the loss) whose larger values are better / worse; used by mode='auto'.
_MAXIMISED = {"accuracy", "acc", "precision", "recall", "f1", "f1_score", "r2", "r2_score", "auc", "roc_auc",
              "balanced_accuracy", "accuracy_score", "precision_score", "recall_score"}
_MINIMISED = {"loss", "mae", "mse", "rmse", "mean_absolute_error", "mean_squared_error",
              "root_mean_squared_error", "log_loss", "crossentropy", "learning_rate"}


def _greater_is_better(monitor: str, mode: str, strict: bool, who: str) -> bool:
    """Whether larger values of `monitor` are better, from `mode` ('min' / 'max' / 'auto')."""
    if mode == "max":
        return True
    if mode == "min":
        return False
    name = monitor[4:] if monitor.startswith("val_") else monitor
    if name in _MAXIMISED:
        return True
    if name in _MINIMISED or name.endswith("loss") or name.endswith("error"):
        return False
    if strict:
        raise ValueError(f"{who} received monitor={monitor!r} but cannot tell whether it should be maximized or "
                         "minimized; pass mode='max' or mode='min'")
    return "acc" in name  # Keras's rule for ModelCheckpoint and ReduceLROnPlateau


def _check_mode(mode: str, who: str) -> str:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{who} mode must be 'auto', 'min' or 'max', got {mode!r}")
    return mode


def _optimizer(callback: Callback, who: str) -> Any:
    optimizer = getattr(callback.trainer, "optimizer", None)
    if optimizer is None or not getattr(optimizer, "param_groups", None):
        raise ValueError(f"{who} needs an optimizer with param_groups (a netgrad.optim optimizer)")
    return optimizer


def get_learning_rate(optimizer: Any) -> float:
    """The learning rate of the optimizer's first parameter group (Keras's ``optimizer.learning_rate``)."""
    return float(optimizer.param_groups[0]["lr"])


def _copy_state(model: Any) -> dict:
    """A deep copy of ``model.state_dict()`` (Keras's ``get_weights``): arrays copied, Tensors kept Tensors."""
    return _copy_of(model.state_dict())


def _restore_state(model: Any, state: dict) -> None:
    """Load a :func:`_copy_state` snapshot into `model`, leaving the snapshot itself untouched."""
    model.load_state_dict(_copy_of(state))


def _copy_of(state: dict) -> dict:
    copied = {}
    for name, value in state.items():
        data = getattr(value, "_data", None)
        if isinstance(data, np.ndarray):
            copied[name] = Tensor._wrap(data.copy())
        elif isinstance(value, np.ndarray):
            copied[name] = value.copy()
        else:
            copied[name] = value
    return copied


# ------------------------------------------------------------------------------------- early stopping


class EarlyStopping(Callback):
    """Stop training when a monitored quantity has stopped improving (Keras's ``EarlyStopping``).

    At the end of each epoch from ``start_from_epoch`` on, the monitored value counts as an improvement
    when it beats the best so far by more than ``min_delta``; after ``patience`` epochs without one,
    training stops. With ``baseline``, the patience counter only resets on values that also beat the
    baseline. With ``restore_best_weights``, the weights of the best epoch are put back at the end of
    training (whether it stopped early or not).

    Args:
        monitor: The logged quantity to watch (``'val_loss'``, ``'val_accuracy'``, ``'loss'``, ...).
        min_delta: The smallest change that counts as an improvement (its sign is ignored).
        patience: Epochs without improvement after which training stops.
        verbose: 1 to print a message when stopping / restoring.
        mode: ``'min'``, ``'max'`` or ``'auto'`` (from the name: accuracy-like metrics are maximised,
            losses and errors minimised).
        baseline: A value the monitored quantity has to beat for the patience counter to reset.
        restore_best_weights: Restore the model's state from the best epoch at the end.
        start_from_epoch: Epochs to wait before monitoring starts (a warm-up).

    Attributes:
        best: The best monitored value; ``best_epoch`` its epoch; ``stopped_epoch`` the epoch training
            stopped at (0 if it did not stop early); ``wait`` epochs since the last improvement.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0) -> None:
        super().__init__()
        if patience < 0:
            raise ValueError(f"EarlyStopping patience must be >= 0, got {patience}")
        if start_from_epoch < 0:
            raise ValueError(f"EarlyStopping start_from_epoch must be >= 0, got {start_from_epoch}")
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.mode = _check_mode(mode, "EarlyStopping")
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self._greater: bool | None = None
        self.on_train_begin()

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best: float | None = None
        self.best_weights: dict | None = None
        self.best_epoch = 0

    def _is_improvement(self, value: float, reference: float | None) -> bool:
        if reference is None:
            return True
        if self._greater:
            return value - self.min_delta > reference
        return value + self.min_delta < reference

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self._greater is None:
            self._greater = _greater_is_better(self.monitor, self.mode, True, "EarlyStopping")
        current = (logs or {}).get(self.monitor)
        if current is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                          f"Available metrics are: {','.join(logs or {})}", stacklevel=2)
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something is better, the current weights are the best.
            self.best_weights = _copy_state(self.model)
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = _copy_state(self.model)
            # Only restart the count when the value beats both the baseline and the previous best.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.trainer.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            _restore_state(self.model, self.best_weights)


# ------------------------------------------------------------------------------------- checkpoints


class ModelCheckpoint(Callback):
    """Save the model (or a full training checkpoint) at the end of every epoch, or only when it improves.

    ``filepath`` may contain ``{epoch}`` (1-based, as Keras) and any logged value with a format spec, e.g.
    ``"ckpt-{epoch:02d}-{val_loss:.2f}.safetensors"``. Files are written with :mod:`netgrad.io`
    (safetensors, atomically):

    - ``save_weights_only=True``: ``netgrad.io.save(model.state_dict(), path)``;
    - otherwise a full checkpoint with ``netgrad.io.save_checkpoint``: model, optimizer, scheduler, the
      number of completed epochs, the global random generator's state, and the epoch's logs as ``extra``
      (``{"logs": {...}}``). ``Trainer.load_checkpoint(path)`` (or ``netgrad.io.load_checkpoint``) resumes
      from it bit-identically.

    Args:
        filepath: Where to save; a template as above.
        monitor: The quantity compared with ``save_best_only``.
        verbose: 1 to print a line for every save (or skip).
        save_best_only: Save only when ``monitor`` improved on the best value so far.
        save_weights_only: Save the model's state dict only (not optimizer, scheduler and RNG state).
        mode: ``'min'``, ``'max'`` or ``'auto'`` (accuracy-like names are maximised, everything else
            minimised, as in Keras).
        initial_value_threshold: A value the monitored quantity must beat for the first save.

    Attributes:
        best: The best monitored value so far.
        last_path: The path of the last file written (None before the first save).
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
                 initial_value_threshold: float | None = None) -> None:
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.mode = _check_mode(mode, "ModelCheckpoint")
        self._greater = _greater_is_better(monitor, mode, False, "ModelCheckpoint")
        self.best = initial_value_threshold if initial_value_threshold is not None else \
            (-math.inf if self._greater else math.inf)
        self.last_path: str | None = None

    def _improved(self, current: float) -> bool:
        return current > self.best if self._greater else current < self.best

    def file_path(self, epoch: int, logs: dict | None = None) -> str:
        """The path for epoch `epoch` (0-based): the template filled with ``epoch + 1`` and the logs."""
        try:
            return self.filepath.format(epoch=epoch + 1, **(logs or {}))
        except KeyError as error:
            raise KeyError(f"ModelCheckpoint filepath {self.filepath!r} names {error}, which is not in the "
                           f"logs (available: epoch, {', '.join(logs or {})})") from None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        path = self.file_path(epoch, logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"Can save best model only with {self.monitor} available, skipping.", stacklevel=2)
                return
            if not self._improved(current):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, "
                      f"saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        self._save(path, epoch, logs)

    def _save(self, path: str, epoch: int, logs: dict) -> None:
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            io.save(self.model.state_dict(), path)
        else:
            io.save_checkpoint(path, model=self.model, optimizer=self.trainer.optimizer,
                               scheduler=self.trainer.scheduler, epoch=epoch + 1,
                               extra={"logs": {k: v for k, v in logs.items() if isinstance(v, (int, float))}})
        self.last_path = path


# ------------------------------------------------------------------------------------- learning rates


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


class CSVLogger(Callback):
    """Write each epoch's logs as a row of a CSV file (Keras's ``CSVLogger``).

    The first column is ``epoch`` (0-based, as Keras); the others are the logged names in sorted order.
    When the first epoch has no ``val_`` entries, ``val_`` columns are added anyway (filled with ``NA``),
    as Keras does, so that a file keeps one layout whatever the validation schedule.

    Args:
        filename: The CSV file.
        separator: The column separator.
        append: Append to an existing file (its header is kept; a header is written only to an empty or
            new file); otherwise the file is overwritten.
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys: list[str] | None = None
        self.writer: Any = None
        self.csv_file: Any = None
        self.append_header = True

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, encoding="utf-8") as existing:
                    self.append_header = not bool(len(existing.readline()))
            mode = "a"
        else:
            mode = "w"
        self.keys = None
        self.writer = None
        self.csv_file = open(self.filename, mode, newline="", encoding="utf-8")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if not any(key.startswith("val_") for key in self.keys):
                self.keys.extend("val_" + key for key in list(self.keys))
        if self.writer is None:
            separator = self.sep

            class Dialect(csv.excel):
                delimiter = separator

            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch", *self.keys], dialect=Dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _csv_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.csv_file is not None:
            self.csv_file.close()
        self.csv_file = None
        self.writer = None


def _csv_value(value: Any) -> Any:
    if isinstance(value, str) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value
    if isinstance(value, Iterable):
        return f"[{', '.join(map(str, value))}]"
    return value


class TerminateOnNaN(Callback):
    """Stop training quietly when a batch's loss is NaN or infinite (Keras's ``TerminateOnNaN``).

    Without it a non-finite loss raises :class:`~netgrad.training.NonFiniteLossError`. Either way the
    batch with the bad loss does not update the weights.
    """

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("batch_loss", (logs or {}).get("loss"))
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.trainer.stop_training = True


class LambdaCallback(Callback):
    """A callback made of plain functions, one per hook (Keras's ``LambdaCallback``).

    Example:
        >>> LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    """

    def __init__(self, on_epoch_begin: Callable | None = None, on_epoch_end: Callable | None = None,
                 on_train_begin: Callable | None = None, on_train_end: Callable | None = None,
                 on_train_batch_begin: Callable | None = None, on_train_batch_end: Callable | None = None,
                 **kwargs: Callable) -> None:
        super().__init__()
        functions = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end, on_train_begin=on_train_begin,
                         on_train_end=on_train_end, on_train_batch_begin=on_train_batch_begin,
                         on_train_batch_end=on_train_batch_end)
        aliases = {"on_batch_begin": "on_train_batch_begin", "on_batch_end": "on_train_batch_end"}
        for name, function in kwargs.items():
            hook = aliases.get(name, name)
            if hook not in HOOKS:
                raise ValueError(f"LambdaCallback got an unknown hook {name!r}; the hooks are {', '.join(HOOKS)}")
            functions[hook] = function
        for hook, function in functions.items():
            if function is not None:
                if not callable(function):
                    raise ValueError(f"LambdaCallback {hook} must be callable, got {function!r}")
                setattr(self, hook, function)


# ------------------------------------------------------------------------------------- progress


def _format_logs(logs: dict) -> str:
    return " - ".join(f"{name}: {value:.4f}" if isinstance(value, float) else f"{name}: {value}"
                      for name, value in logs.items() if name not in ("batch_loss", "size"))


class ProgressBar(Callback):
    """Training progress: a tqdm bar per epoch (``verbose=1``) or one line per epoch (``verbose=2``).

    The bar shows the running loss and metrics of the epoch; its text is refreshed at most every
    ``refresh_interval`` seconds, so the per-batch cost is a clock read. The Trainer adds one
    automatically for ``fit(verbose=1 or 2)``.

    Args:
        verbose: 1 (a bar per epoch) or 2 (a line per epoch).
        file: Where to write; the bar defaults to ``sys.stderr`` (as tqdm), the lines to ``sys.stdout``
            (as Keras).
        refresh_interval: Seconds between updates of the bar.
    """

    def __init__(self, verbose: int = 1, file: Any = None, refresh_interval: float = 0.25) -> None:
        super().__init__()
        if verbose not in (1, 2):
            raise ValueError(f"ProgressBar verbose must be 1 (a bar per epoch) or 2 (a line per epoch), "
                             f"got {verbose!r}")
        self.verbose = verbose
        self.file = file
        self.refresh_interval = refresh_interval
        self.bar: Any = None
        self._epoch_start = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch_start = time.perf_counter()
        if self.verbose != 1:
            return
        from tqdm.auto import tqdm

        epochs = self.params.get("epochs")
        self.bar = tqdm(total=self.params.get("steps"), desc=f"Epoch {epoch + 1}/{epochs}", unit="batch",
                        file=self.file if self.file is not None else sys.stderr, leave=True, dynamic_ncols=True,
                        mininterval=0, miniters=1)
        self._shown = 0  # batches the bar shows
        self._done = 0  # batches finished
        self._next_refresh = self._epoch_start + self.refresh_interval

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.bar is None:
            return
        self._done = batch + 1
        now = time.perf_counter()
        if now >= self._next_refresh:
            self._next_refresh = now + self.refresh_interval
            self._refresh(logs or {})

    def _refresh(self, logs: dict) -> None:
        postfix = {"loss": logs["loss"]} if "loss" in logs else {}
        postfix.update(self.trainer.running_metrics())
        self.bar.set_postfix_str(_format_logs(postfix), refresh=False)
        self.bar.update(self._done - self._shown)
        self._shown = self._done

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.bar is not None:
            self.bar.set_postfix_str(_format_logs(logs), refresh=False)
            self.bar.update(self._done - self._shown)
            self.bar.close()
            self.bar = None
        elif self.verbose == 2:
            seconds = time.perf_counter() - self._epoch_start
            file = self.file if self.file is not None else sys.stdout
            print(f"Epoch {epoch + 1}/{self.params.get('epochs')} - {seconds:.2f}s - {_format_logs(logs)}",
                  file=file, flush=True)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.bar is not None:  # an epoch cut short (Ctrl-C, non-finite loss)
            self.bar.update(self._done - self._shown)
            self.bar.close()
            self.bar = None
