"""Stop training when a monitored value stops improving, optionally restoring the best weights."""
from __future__ import annotations

import warnings

from .base import Callback, _check_mode, _copy_state, _greater_is_better, _restore_state


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
