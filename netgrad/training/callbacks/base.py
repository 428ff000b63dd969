"""The callback contract (:class:`Callback`, its hooks) and what the callbacks share: the list the Trainer calls,
mode='auto' and the model-state copies."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from netgrad.engine import Tensor

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
