"""Save the model (or its weights) during training, every epoch or only when it improves."""
from __future__ import annotations

import math
import os
import warnings

from netgrad import io

from .base import Callback, _check_mode, _greater_is_better


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
