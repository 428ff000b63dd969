"""Keras's callbacks: netgrad's training callbacks, which already follow Keras's names and hooks.

``model.fit(..., callbacks=[keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)])``.
Inside a callback ``self.model`` is the Keras model (``self.model.stop_training = True`` ends training) and
``self.trainer`` the :class:`netgrad.training.Trainer` running it. ``ModelCheckpoint`` writes netgrad
checkpoints (``netgrad.io``); ``model.save`` writes a Keras model file.
"""
from ..training import (Callback, CSVLogger, EarlyStopping, History, LambdaCallback, LearningRateScheduler,
                        ModelCheckpoint, ReduceLROnPlateau, TerminateOnNaN)

__all__ = ["CSVLogger", "Callback", "EarlyStopping", "History", "LambdaCallback", "LearningRateScheduler",
           "ModelCheckpoint", "ReduceLROnPlateau", "TerminateOnNaN"]
