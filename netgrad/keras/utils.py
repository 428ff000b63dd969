"""Keras's utilities that the notes' workflow uses: ``to_categorical``, ``set_random_seed``, ``clear_session``."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..data.validation import check_class_labels
from ..random import manual_seed
from .backend import clear_session

__all__ = ["clear_session", "set_random_seed", "to_categorical"]


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
