"""What ``compile`` sets up for the one Trainer: the compiled loss (which also updates the compiled metrics
batch by batch, as Keras does), the metrics as the Trainer reads them, the callbacks that reset them and give
Keras's batch logs, the layers' added losses as the Trainer's penalty, and PyDataset batches."""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from ...data.validation import check_array
from ...engine import Tensor
from ...engine.backend import array_module, to_host
from ...training import Callback
from .. import losses as keras_losses
from .. import metrics as keras_metrics
from ..utils import PyDataset

__all__ = ["EpochMetric", "GroupedBatches", "KerasBatchLogs", "MetricsState", "OutputLosses", "PyDatasetBatches",
           "RegularizationPenalty", "TrainerLoss", "class_weight_to_sample_weights", "loss_kind", "loss_object",
           "metric_object", "per_output", "with_keras_logs"]

class TrainerLoss:
    """The compiled Keras loss as the Trainer calls it: ``loss(output, target)``; it also updates the compiled
    metrics with each batch, as Keras does (their running values are the batch logs; their values at the end of
    an epoch or an evaluation the epoch's logs).

    ``reduction`` is 'mean' (Keras's reduction of the loss object) or, while the Trainer weights samples,
    'none': one value per sample (the Trainer then computes sum_i w_i l_i / batch_size, as Keras does).
    A model compiled without a loss (its loss comes from ``add_loss``) gets 0 here and its added losses
    through the Trainer's penalty.
    """

    def __init__(self, loss: keras_losses.Loss | None, metrics: list[keras_metrics.Metric],
                 weight: float = 1.0) -> None:
        self.keras_loss = loss
        self.metrics = metrics
        self.weight = weight  # compile's loss_weights for the one output
        self.reduction = "mean"

    def __call__(self, output: Tensor, target: Tensor) -> Tensor:
        if self.metrics:  # Keras's metric objects count on the host
            y_true, y_pred = to_host(target._data), to_host(output._data)
            for metric in self.metrics:
                metric.update_state(y_true, y_pred)
        if self.keras_loss is None:
            zeros = array_module(output._data).zeros
            return Tensor._wrap(zeros(len(output) if self.reduction == "none" else (), output._data.dtype))
        if self.reduction == "none":
            if output.ndim == 1:  # one value per sample already: keep it per sample
                output, target = output.reshape(-1, 1), target.reshape(-1, 1)
            value = self.keras_loss.call(target, output)
        else:
            value = self.keras_loss(target, output)
        return value if self.weight == 1.0 else value * self.weight

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


# ------------------------------------------------------------------------------------ several outputs


class OutputLosses:
    """The compiled loss of a model of several outputs, as Keras's ``CompileLoss``: the Trainer calls it as
    ``loss(outputs, targets)`` and gets ``sum_k loss_weight_k * loss_k(y_k, y_pred_k, sample_weight)``.

    ``outputs`` is the model's list or dict of outputs, ``targets`` a tuple of one target per output followed
    by the batch's sample weights when ``fit`` was given them (each loss then weights its samples as Keras
    does: ``sum_i w_i l_i / batch_size``). An output whose loss is None is not trained. With more than one
    loss, each output's unweighted loss is tracked as ``<output>_loss`` (a mean over the samples); every
    output's compiled metrics are updated with its target and prediction.
    """

    def __init__(self, keys: list[str], losses: list[keras_losses.Loss | None], weights: list[float],
                 metrics: list[list[keras_metrics.Metric]]) -> None:
        self.keys, self.losses, self.weights, self.metrics = keys, losses, weights, metrics
        tracked = sum(loss is not None for loss in losses) > 1
        self.trackers = [keras_metrics.Mean(name=f"{key}_loss") if tracked and loss is not None else None
                         for key, loss in zip(keys, losses)]

    def __call__(self, outputs: Any, targets: Any) -> Tensor:
        outputs = list(outputs.values()) if isinstance(outputs, dict) else list(outputs)
        targets = list(targets)
        weight = targets.pop() if len(targets) > len(outputs) else None
        total = None
        for output, target, loss, factor, metrics, tracker in zip(outputs, targets, self.losses, self.weights,
                                                                  self.metrics, self.trackers):
            for metric in metrics:
                metric.update_state(target._data, output._data)
            if loss is None:
                continue
            value = loss(target, output, sample_weight=weight)
            if tracker is not None:
                tracker.update_state(float(value._data), sample_weight=len(output))
            term = value if factor == 1.0 else value * factor
            total = term if total is None else total + term
        if total is None:
            raise ValueError(f"No loss to compute: every output of {self.keys} was compiled without a loss")
        return total

    def compiled_metrics(self) -> list[keras_metrics.Metric]:
        """What the logs hold after ``loss``, in Keras's order: each output's loss, then each output's metrics."""
        return [t for t in self.trackers if t is not None] + [m for metrics in self.metrics for m in metrics]


def per_output(keys: list[str], loss: Any, loss_weights: Any, metrics: Any) -> tuple[list, list, list]:
    """compile()'s ``loss``, ``loss_weights`` and ``metrics`` for a model of several outputs, as one list per
    output in the order of ``keys``: one loss for all, a list, or a dict by output name (Keras's rules and
    messages)."""
    n = len(keys)
    if isinstance(loss, dict):
        if set(loss) != set(keys):
            raise ValueError(f"Expected keys {keys} in loss dict, but found loss.keys()={list(loss)}")
        losses = [loss[key] for key in keys]
    elif isinstance(loss, (list, tuple)):
        if len(loss) != n:
            raise ValueError(f"`loss` must have one entry per output of the model {keys}, got {len(loss)}: {loss}")
        losses = list(loss)
    else:
        losses = [loss] * n
    if loss_weights is None:
        weights = [1.0] * n
    elif isinstance(loss_weights, (dict, list, tuple)):
        if isinstance(loss_weights, dict) and set(loss_weights) <= set(keys) and len(loss_weights) == n:
            loss_weights = [loss_weights[key] for key in keys]
        if isinstance(loss_weights, dict) or len(loss_weights) != n:
            raise ValueError(f"`loss_weights` must match the number of losses, got {n} losses and "
                             f"{len(loss_weights)} weights.")
        weights = [float(w) for w in loss_weights]
    else:
        weights = [float(loss_weights)] * n

    def as_list(entry: Any) -> list:
        return [] if entry is None else list(entry) if isinstance(entry, (list, tuple)) else [entry]

    if metrics is None:
        metric_lists: list[list] = [[] for _ in keys]
    elif isinstance(metrics, dict):
        unknown = sorted(set(metrics) - set(keys))
        if unknown:
            raise ValueError(f"Invalid `metrics`: the keys {unknown} are not outputs of the model {keys}")
        metric_lists = [as_list(metrics.get(key)) for key in keys]
    elif isinstance(metrics, (list, tuple)) and len(metrics) == n:
        metric_lists = [as_list(entry) for entry in metrics]
    else:
        raise ValueError(f"Invalid `metrics`. `metrics` should contain metrics objects and either be a dict or a "
                         f"list matching the output names of the functional model {keys} or match the output "
                         f"structure of the model. Received: metrics={metrics}")
    return [loss_object(entry) for entry in losses], weights, metric_lists


class GroupedBatches:
    """A loader of flat batches ``(x_1, ..., x_m, y_1, ..., y_k[, w])`` as the Trainer takes them: ``x`` a tuple
    of the inputs (or the one input), ``y`` a tuple of the targets with the sample weights last (several
    outputs: :class:`OutputLosses` reads them), or ``(x, y, w)`` for one output."""

    def __init__(self, loader: Any, n_inputs: int, several_outputs: bool, weighted: bool) -> None:
        self.loader, self.n_inputs, self.several_outputs, self.weighted = loader, n_inputs, several_outputs, weighted

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Iterator[tuple]:
        split = max(self.n_inputs, 1)
        for batch in self.loader:
            x = tuple(batch[:split]) if self.n_inputs else batch[0]
            if self.several_outputs:
                yield x, tuple(batch[split:])
            else:
                yield (x, *batch[split:])
