"""`History`: the per-epoch record of a training run (Keras's ``History`` callback).

Every :class:`~netgrad.training.Trainer` attaches one. After ``fit`` it holds one entry per completed epoch::

    history.epoch                # [0, 1, 2]  (epoch indices, 0-based like Keras)
    history.history["loss"]      # training loss of each epoch
    history.history["val_loss"]  # validation loss, when there was validation data
    history.history["accuracy"]  # each metric, under the name it was given

An epoch that was cut short (Ctrl-C, a non-finite loss) is not recorded, so every list has the same length.
"""
from __future__ import annotations

from typing import Any

from .callbacks import Callback

__all__ = ["History"]


class History(Callback):
    """Records the epoch logs (loss, metrics, their ``val_`` versions) of a training run.

    Attributes:
        history: ``{name: [value of epoch 0, value of epoch 1, ...]}``.
        epoch: The indices of the recorded epochs (``initial_epoch`` onwards when training resumed).
        params: The run's parameters (``epochs``, ``steps``, ``verbose``).
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)

    def __getitem__(self, name: str) -> list:
        return self.history[name]

    def __repr__(self) -> str:
        names = ", ".join(self.history)
        return f"History(epochs={len(self.epoch)}, keys=[{names}])"

    def to_dict(self) -> dict[str, Any]:
        """A plain copy ``{"epoch": [...], name: [...], ...}`` that :func:`netgrad.io.save` can store."""
        return {"epoch": list(self.epoch), **{name: list(values) for name, values in self.history.items()}}
