"""The one training loop of netgrad, and what plugs into it.

:class:`Trainer` runs the notes' training loop (batches, forward, loss, backward, clipping, step,
schedule, validation, metrics, callbacks, history); every front end (``netgrad.keras`` ``fit``, the
estimators, the playground, the command line) trains through it. Callbacks follow Keras; :func:`find_lr`
is the learning-rate finder.

Example:
    >>> from netgrad.training import Trainer, EarlyStopping
    >>> trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
    ...                   metrics=["accuracy"], callbacks=[EarlyStopping(patience=3, restore_best_weights=True)])
    >>> history = trainer.fit((X, y), epochs=50, validation_data=(X_val, y_val))
"""
from .callbacks import (
                        Callback,
                        CallbackList,
                        CSVLogger,
                        EarlyStopping,
                        LambdaCallback,
                        LearningRateScheduler,
                        ModelCheckpoint,
                        ProgressBar,
                        ReduceLROnPlateau,
                        TerminateOnNaN,
)
from .history import History
from .lr_finder import LRFinderResult, LRRangeTest, find_lr
from .trainer import NonFiniteLossError, Trainer

__all__ = [
    "Trainer", "NonFiniteLossError", "History",
    "Callback", "CallbackList", "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler", "ReduceLROnPlateau",
    "CSVLogger", "TerminateOnNaN", "LambdaCallback", "ProgressBar",
    "find_lr", "LRFinderResult", "LRRangeTest",
]
