"""Keras's callbacks: netgrad's training callbacks, which follow Keras's names and hooks, plus Keras's own.

``model.fit(..., callbacks=[keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)])``.
Inside a callback ``self.model`` is the Keras model (``self.model.stop_training = True`` ends training) and
``self.trainer`` the :class:`netgrad.training.Trainer` running it. Batch hooks get Keras's logs (the running
loss and compiled metrics). :class:`Callback` adds Keras's ``on_predict_*`` hooks, which ``model.predict``
calls; :class:`ModelCheckpoint` writes Keras model files (``model.save``, or ``model.save_weights`` with
``save_weights_only``) every epoch or every ``save_freq`` batches.
"""
from __future__ import annotations

import os
from typing import Any

from ..training import Callback as _TrainingCallback
from ..training import (
    CSVLogger,
    EarlyStopping,
    History,
    LambdaCallback,
    LearningRateScheduler,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from ..training import ModelCheckpoint as _TrainingCheckpoint

__all__ = ["CSVLogger", "Callback", "EarlyStopping", "History", "LambdaCallback", "LearningRateScheduler",
           "ModelCheckpoint", "ReduceLROnPlateau", "TerminateOnNaN"]


class Callback(_TrainingCallback):
    """Base class of Keras callbacks: the training hooks, and the prediction hooks of ``model.predict``."""

    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called when ``predict`` starts."""

    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called when ``predict`` ends."""

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before ``predict`` runs batch ``batch``."""

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after ``predict`` ran batch ``batch``; ``logs['outputs']`` holds its outputs."""


class ModelCheckpoint(_TrainingCheckpoint):
    """Save the Keras model (``.keras``) or its weights at the end of every epoch, or every ``save_freq`` batches.

    Args:
        filepath: Where to save; may contain ``{epoch}`` and logged values, e.g. ``"model_{epoch:02d}.keras"``.
        monitor, verbose, save_best_only, save_weights_only, mode, initial_value_threshold: As in Keras.
        save_freq: ``'epoch'``, or a number of batches: save after every ``save_freq`` batches (counted across
            epochs), monitoring the running batch logs.
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
                 save_freq: int | str = "epoch", initial_value_threshold: float | None = None) -> None:
        super().__init__(filepath, monitor, verbose, save_best_only, save_weights_only, mode, initial_value_threshold)
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"Unrecognized save_freq: {save_freq!r}. Expected save_freq are 'epoch' or a positive "
                             "integer (a number of batches)")
        self.save_freq = save_freq
        self._batches_seen = 0
        self._epoch = 0
        if save_freq != "epoch":  # only then does the Trainer need to build batch logs for this callback
            self.on_train_batch_end = self._on_batch_end

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            super().on_epoch_end(epoch, logs)

    def _on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._batches_seen += 1
        if self._batches_seen % self.save_freq == 0:
            super().on_epoch_end(self._epoch, logs)

    def _save(self, path: str, epoch: int, logs: dict) -> None:
        if not hasattr(self.model, "save_weights"):  # not a Keras model: a netgrad checkpoint
            super()._save(path, epoch, logs)
            return
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
        self.last_path = path

    def get_config(self) -> dict[str, Any]:
        return {"filepath": self.filepath, "monitor": self.monitor, "save_freq": self.save_freq}
