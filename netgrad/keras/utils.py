"""Keras's utilities: ``to_categorical``, ``set_random_seed``, ``clear_session``, ``PyDataset``."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..data.validation import check_class_labels
from ..random import manual_seed
from .backend import clear_session

__all__ = ["PyDataset", "clear_session", "set_random_seed", "to_categorical"]


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer class labels: ``to_categorical([0, 2], 3)`` is ``[[1, 0, 0], [0, 0, 1]]``.

    A trailing axis of length 1 is dropped first, as in Keras; the result is float32 with one more axis.

    Raises:
        ValueError: for labels that are not integers from 0, or not below ``num_classes``.
    """
    labels = np.asarray(x)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    labels = check_class_labels(labels, num_classes, name="x")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    categorical = np.zeros(labels.shape + (num_classes,), dtype=np.float32)
    np.put_along_axis(categorical, labels[..., None], 1.0, axis=-1)
    return categorical


def set_random_seed(seed: int) -> None:
    """Seed every random draw of netgrad (initialisers, shuffling, dropout): ``netgrad.manual_seed(seed)``."""
    manual_seed(seed)


class PyDataset:
    """Keras 3's base class of batch generators for ``fit`` / ``evaluate`` / ``predict``.

    Override ``__len__`` (batches per epoch) and ``__getitem__(index)``, which returns one batch
    ``(x, y)`` or ``(x, y, sample_weight)`` (just ``x`` is enough for ``predict``); ``on_epoch_end`` runs after
    every epoch (e.g. to reshuffle). ``workers``, ``use_multiprocessing`` and ``max_queue_size`` are accepted
    for Keras compatibility; batches are produced in the calling thread, in order.
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10) -> None:
        self.workers, self.use_multiprocessing, self.max_queue_size = workers, use_multiprocessing, max_queue_size

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index), returning one batch")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__(), the number of batches")

    @property
    def num_batches(self) -> int:
        return len(self)

    def on_epoch_end(self) -> None:
        """Called after every epoch; does nothing unless overridden."""
