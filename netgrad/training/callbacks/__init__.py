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

from .base import HOOKS, Callback, CallbackList, _copy_state, _restore_state, get_learning_rate
from .checkpoint import ModelCheckpoint
from .csv_logger import CSVLogger
from .early_stopping import EarlyStopping
from .lambda_callback import LambdaCallback
from .learning_rate import LearningRateScheduler, ReduceLROnPlateau
from .progress import ProgressBar
from .terminate_on_nan import TerminateOnNaN

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
    "HOOKS",
    "get_learning_rate",
    "_copy_state",
    "_restore_state",
]
