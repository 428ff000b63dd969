"""The Trainer's input checks: data turned into a DataLoader, and arrays checked before training (NaN or
infinite values, lengths, class labels, targets that do not fit the model's output or the loss)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from netgrad.engine.autograd import no_grad
from netgrad.data import DataLoader, Dataset, TensorDataset
from netgrad.data.validation import check_array, check_class_labels, check_X_y, to_numpy
from netgrad.engine import Tensor, get_default_dtype
from netgrad.nn.module import training_mode

from .links import BINARY, MULTICLASS

__all__ = ["DataChecks", "DEFAULT_BATCH_SIZE", "length", "concatenate"]

DEFAULT_BATCH_SIZE = 32  # Keras's default for arrays


def length(loader: Any) -> int | None:
    """``len(loader)``, or None for a loader without a length."""
    try:
        return len(loader)
    except TypeError:
        return None


def concatenate(arrays: list[np.ndarray]) -> np.ndarray:
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


class DataChecks:
    """The data half of :class:`~netgrad.training.Trainer` (it reads ``self.model``, ``self.loss``,
    ``self._link``)."""

    model: Any
    loss: Any
    _link: str

    def _float_dtype(self) -> np.dtype:
        for p in self.model.parameters():
            if p._data.dtype.kind == "f":
                return p._data.dtype
        return get_default_dtype().numpy

    def _probe(self, sample: np.ndarray) -> np.ndarray:
        """The model's output for a few samples (eval mode, no gradient, nothing random)."""
        with training_mode(self.model, False), no_grad():
            sample = Tensor._wrap(sample)
            device = getattr(self, "device", None)
            return np.asarray(to_numpy(self.model(sample if device is None else sample.to(device))))

    def _checked_arrays(self, data: Sequence, role: str) -> tuple[np.ndarray, ...]:
        """Validate and convert ``(X, y[, sample_weight])`` before training: refused with a clear message."""
        if len(data) not in (2, 3):
            raise ValueError(f"{role} data must be a DataLoader, or (X, y) or (X, y, sample_weight) arrays; "
                             f"got a {type(data).__name__} of {len(data)} items")
        X, y = check_X_y(data[0], data[1], allow_nd=True)
        dtype = self._float_dtype()
        if X.dtype != dtype:
            X = X.astype(dtype)  # one conversion up front (ints, or float64 data for a float32 model)
        y = self._checked_targets(y, self._probe(X[:2]), role)
        arrays = (X, y)
        if len(data) == 3 and data[2] is not None:
            weight = to_numpy(data[2])
            if weight.ndim != 1 or len(weight) != len(X):
                raise ValueError(f"{role} sample_weight must have shape ({len(X)},), one weight per sample; "
                                 f"got shape {weight.shape}")
            weight = check_array(weight.astype(dtype, copy=False), name="sample_weight", ensure_2d=False)
            if (weight < 0).any():
                raise ValueError(f"{role} sample_weight must be non-negative; found {weight.min()}")
            arrays = (X, y, weight)
        return arrays

    def _checked_targets(self, y: np.ndarray, output: np.ndarray, role: str) -> np.ndarray:
        """Targets that fit the loss and the model's output, or a ValueError saying what does not."""
        link, name = self._link, f"{role} y"
        out_shape = output.shape[1:]
        if link in MULTICLASS:
            n_classes = out_shape[0] if len(out_shape) == 1 else None
            if y.ndim == 2 and y.shape[1] > 1:  # one-hot or probability rows
                if y.shape[1:] != out_shape:
                    raise ValueError(f"{name} has {y.shape[1]} columns of class probabilities but the model "
                                     f"outputs {out_shape} per sample")
                if y.min() < 0 or y.max() > 1:
                    raise ValueError(f"{name} of shape {y.shape} must hold one-hot rows or class probabilities in "
                                     f"[0, 1]; found values from {y.min()} to {y.max()}")
                return y.astype(output.dtype, copy=False)
            labels = check_class_labels(y.reshape(-1) if y.ndim == 2 and y.shape[1] == 1 else y, n_classes,
                                        name=name)
            if n_classes == 1:
                raise ValueError(f"the model has 1 output, but {type(self.loss).__name__} needs one output per "
                                 "class (2 for a binary problem); or use BCEWithLogitsLoss with 1 output")
            return labels
        y = y.astype(output.dtype, copy=False) if y.dtype != output.dtype else y
        if y.shape[1:] != out_shape:
            if y.ndim == 1 and out_shape == (1,):
                y = y.reshape(-1, 1)  # (n,) targets for a model with one output column
            else:
                raise ValueError(f"{name} has shape {y.shape} but the model outputs {out_shape} per sample "
                                 f"(shape {(len(y), *out_shape)} expected)")
        if link in BINARY and y.size and (y.min() < 0 or y.max() > 1):
            raise ValueError(f"{name} must hold 0/1 labels (or probabilities in [0, 1]) for "
                             f"{type(self.loss).__name__}; found values from {y.min()} to {y.max()}")
        return y

    def _loader(self, data: Any, batch_size: int | None, shuffle: bool, role: str) -> Any:
        """A DataLoader for `data`: a DataLoader (used as it is), a Dataset, or (X, y[, w]) arrays."""
        if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or batch_size < 1):
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        if isinstance(data, (tuple, list)):
            return DataLoader(TensorDataset(*self._checked_arrays(data, role)),
                              batch_size=batch_size or DEFAULT_BATCH_SIZE, shuffle=shuffle)
        if isinstance(data, Dataset):
            self._check_dataset(data, role)
            return DataLoader(data, batch_size=batch_size or DEFAULT_BATCH_SIZE, shuffle=shuffle)
        if batch_size is not None and isinstance(data, DataLoader):
            raise ValueError(f"batch_size={batch_size} was given with a DataLoader, which has its own batch size "
                             f"({data.batch_size}); pass one or the other")
        if not hasattr(data, "__iter__"):
            raise TypeError(f"{role} data must be a DataLoader, a Dataset or (X, y[, sample_weight]) arrays, "
                            f"got {type(data).__name__}")
        if isinstance(data, DataLoader):
            self._check_dataset(data.dataset, role)
        return data

    def _validation_loader(self, data: Any, batch_size: int | None) -> Any:
        if data is None:
            return None
        # the training batch size applies to validation arrays; a validation DataLoader keeps its own
        return self._loader(data, batch_size if isinstance(data, (tuple, list, Dataset)) else None, False,
                            "validation")

    def _check_dataset(self, dataset: Any, role: str) -> None:
        """Validate an array-backed dataset's arrays up front (other datasets are checked batch by batch)."""
        arrays = getattr(dataset, "arrays", None)
        if isinstance(dataset, TensorDataset) and arrays is not None and len(arrays) in (2, 3):
            X, y = check_X_y(arrays[0], arrays[1], allow_nd=True)
            self._checked_targets(y, self._probe(X[:2].astype(self._float_dtype(), copy=False)), role)
