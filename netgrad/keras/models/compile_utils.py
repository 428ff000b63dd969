"""What ``compile`` sets up for the one Trainer: the compiled loss (which also updates the compiled metrics
batch by batch, as Keras does), the metrics as the Trainer reads them, the callbacks that reset them and give
Keras's batch logs, the layers' added losses as the Trainer's penalty, and PyDataset batches."""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from ...data.validation import check_array
from ...engine import Tensor
from ...training import Callback
from .. import losses as keras_losses
from .. import metrics as keras_metrics
from ..utils import PyDataset

__all__ = ["EpochMetric", "KerasBatchLogs", "MetricsState", "PyDatasetBatches", "RegularizationPenalty", "TrainerLoss",
           "class_weight_to_sample_weights", "loss_kind", "loss_object", "metric_object", "with_keras_logs"]

class TrainerLoss:
    """The compiled Keras loss as the Trainer calls it: ``loss(output, target)``; it also updates the compiled
    metrics with each batch, as Keras does (their running values are the batch logs; their values at the end of
    an epoch or an evaluation the epoch's logs).

    ``reduction`` is 'mean' (Keras's reduction of the loss object) or, while the Trainer weights samples,
    'none': one value per sample (the Trainer then computes sum_i w_i l_i / batch_size, as Keras does).
    A model compiled without a loss (its loss comes from ``add_loss``) gets 0 here and its added losses
    through the Trainer's penalty.
    """

    def __init__(self, loss: keras_losses.Loss | None, metrics: list[keras_metrics.Metric]) -> None:
        self.keras_loss = loss
        self.metrics = metrics
        self.reduction = "mean"

    def __call__(self, output: Tensor, target: Tensor) -> Tensor:
        for metric in self.metrics:
            metric.update_state(target._data, output._data)
        if self.keras_loss is None:
            return Tensor._wrap(np.zeros(len(output) if self.reduction == "none" else (), output._data.dtype))
        if self.reduction == "none":
            if output.ndim == 1:  # one value per sample already: keep it per sample
                output, target = output.reshape(-1, 1), target.reshape(-1, 1)
            return self.keras_loss.call(target, output)
        return self.keras_loss(target, output)

    def __repr__(self) -> str:
        return f"TrainerLoss({self.keras_loss!r})"


class EpochMetric:
    """A Keras metric as the Trainer reads metrics at the end of an epoch or evaluation: its value over the
    batches it was updated with since :class:`MetricsState` last reset it (so the Trainer keeps no outputs
    for it)."""

    keeps_state = True

    def __init__(self, metric: keras_metrics.Metric) -> None:
        self.metric = metric
        self.__name__ = metric.name

    def __call__(self) -> float:
        return float(self.metric.result())


class PyDatasetBatches:
    """A PyDataset as the Trainer iterates batches: each ``(x, y[, sample_weight])`` as Tensors of the model's
    dtype (targets keep integer types), then ``on_epoch_end()``."""

    def __init__(self, dataset: PyDataset, dtype: str, role: str) -> None:
        if len(dataset) < 1:
            raise ValueError(f"the {role} PyDataset has no batches (its __len__ is {len(dataset)})")
        self.dataset, self.dtype = dataset, dtype

    def batch(self, index: int) -> tuple:
        batch = self.dataset[index]
        batch = tuple(batch) if isinstance(batch, (tuple, list)) else (batch,)
        x = check_array(batch[0], name="x", ensure_2d=False, allow_nd=True).astype(self.dtype, copy=False)
        rest = [check_array(a, name="y", ensure_2d=False, allow_nd=True) for a in batch[1:]]
        rest = [a.astype(self.dtype) if a.dtype.kind == "f" and a.dtype != self.dtype else a for a in rest]
        return (x, *rest)

    def __len__(self) -> int:
        return len(self.dataset)

    def __iter__(self) -> Iterator[tuple]:
        for index in range(len(self.dataset)):
            yield tuple(Tensor._wrap(a) for a in self.batch(index))
        self.dataset.on_epoch_end()


class MetricsState(Callback):
    """Resets the compiled metrics when an epoch or an evaluation begins (Keras's ``reset_metrics``)."""

    def __init__(self, metrics: list[keras_metrics.Metric]) -> None:
        super().__init__()
        self.metrics = metrics

    def _reset(self, *_: Any) -> None:
        for metric in self.metrics:
            metric.reset_state()

    on_train_begin = on_epoch_begin = on_test_begin = _reset


class KerasBatchLogs(Callback):
    """First among a run's callbacks: turns the Trainer's batch logs into Keras's (the running loss and the
    running compiled metrics, e.g. ``['loss', 'mean_absolute_error']``), for the callbacks after it. Added
    only when a callback looks at batches."""

    def __init__(self, metrics: list[keras_metrics.Metric]) -> None:
        super().__init__()
        self.metrics = metrics

    def _keras_logs(self, batch: int, logs: dict | None = None) -> None:
        if logs is None:
            return
        logs.pop("batch_loss", None)
        logs.pop("size", None)
        for metric in self.metrics:
            logs[metric.name] = float(metric.result())

    on_train_batch_end = on_test_batch_end = _keras_logs


_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end",
                "on_batch_begin", "on_batch_end")


def with_keras_logs(callbacks: list[Callback], metrics: list[keras_metrics.Metric]) -> list[Callback]:
    """``callbacks`` led by :class:`KerasBatchLogs` when one of them overrides a batch hook."""
    looks = any(hook in vars(c) or getattr(type(c), hook, None) is not getattr(Callback, hook, None)
                for c in callbacks for hook in _BATCH_HOOKS)
    return [KerasBatchLogs(metrics), *callbacks] if looks else callbacks


def loss_object(identifier: Any) -> keras_losses.Loss | None:
    """A compiled loss: a Loss object, a name, or a function fn(y_true, y_pred) (wrapped, named after it)."""
    loss = keras_losses.get(identifier)
    if loss is None or isinstance(loss, keras_losses.Loss):
        return loss
    if callable(loss):
        return keras_losses.LossFunctionWrapper(loss, name=getattr(loss, "__name__", None))
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


def loss_kind(loss: keras_losses.Loss | None) -> str:
    """'sparse', 'categorical', 'binary' (the cross-entropies), 'elementwise' (the other built-in losses:
    one target per output) or 'custom' (a user's loss, whose targets are not checked up front)."""
    fn = getattr(loss, "fn", None)
    if fn is keras_losses.sparse_categorical_crossentropy:
        return "sparse"
    if fn is keras_losses.categorical_crossentropy:
        return "categorical"
    if fn is keras_losses.binary_crossentropy:
        return "binary"
    if fn is not None and fn in keras_losses._FUNCTIONS.values():
        return "elementwise"
    return "custom"


def metric_object(spec: Any, y_shape: tuple, output_shape: tuple) -> keras_metrics.Metric:
    """A Metric for a compile() metric spec; 'accuracy' resolved from the shapes as in Keras."""
    if isinstance(spec, str) and spec.lower() in ("accuracy", "acc"):
        binary = output_shape[-1] == 1
        sparse = len(y_shape) < len(output_shape) or (y_shape[-1] == 1 and output_shape[-1] > 1)
        if binary:
            return keras_metrics.BinaryAccuracy(name=spec)
        if sparse:
            return keras_metrics.SparseCategoricalAccuracy(name=spec)
        return keras_metrics.CategoricalAccuracy(name=spec)
    metric = keras_metrics.get(spec)
    if isinstance(metric, keras_metrics.Metric):
        return metric
    name = spec if isinstance(spec, str) else getattr(metric, "__name__", type(metric).__name__)
    return keras_metrics.MeanMetricWrapper(metric, name=name)


def class_weight_to_sample_weights(y: np.ndarray, class_weight: dict) -> np.ndarray:
    """One weight per sample: ``class_weight[label]`` (1.0 for labels it does not list), as in Keras."""
    if not isinstance(class_weight, dict):
        raise TypeError(f"class_weight must be a dict {{class label: weight}}, got {type(class_weight).__name__}")
    labels = y
    if labels.ndim > 1:
        labels = labels.argmax(axis=-1) if labels.shape[-1] != 1 else labels.reshape(len(labels))
    labels = np.round(labels).astype(np.int64)
    lookup = {int(k): float(v) for k, v in class_weight.items()}
    return np.array([lookup.get(int(label), 1.0) for label in labels], dtype=np.float32)


class RegularizationPenalty:
    """The Trainer's penalty: the sum of the model's losses (weight regularisers and the losses its layers
    added in the last forward pass), or None. The layers are listed once, when training starts.

    ``required``: the model was compiled without a loss, so these losses are all there is to minimise.
    """

    def __init__(self, model: Any, required: bool = False) -> None:
        self.layers = model._flatten_layers()
        self.name, self.required = model.name, required

    def __call__(self, model: Any) -> Tensor | None:
        total = None
        for layer in self.layers:
            for loss in layer._own_losses():
                total = loss if total is None else total + loss
        if total is None and self.required:
            raise ValueError(f"No loss to compute: model {self.name!r} was compiled without a loss and none of its "
                             "layers called add_loss() in this forward pass; provide a `loss` argument in `compile()`")
        return total
