"""Training a Keras model through netgrad's one training loop, :class:`netgrad.training.Trainer`.

``compile`` records the optimizer, loss and metrics, and ``fit`` hands the Trainer the model, the compiled
loss (Keras's ``loss(y_true, y_pred)``, weighted per sample as Keras does), the optimizer bound to
``model.trainable_weights``, the metrics and the layers' regularisation penalties. ``fit`` returns the
Trainer's ``History``, keyed as in Keras (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``).

Data are checked before training, with messages that say what is wrong: ``x`` and ``y`` with different
numbers of rows, NaN or infinite values, class labels outside the model's output size, targets whose shape
does not fit the output, ``fit`` before ``compile``.
"""
from __future__ import annotations

import copy
import math
from typing import Any, Iterable

import numpy as np

from ...data import DataLoader, Subset, TensorDataset
from ...data.validation import check_array, check_class_labels, to_numpy
from ...engine import Tensor, no_grad
from ...engine.device import device as engine_device
from ...training import Callback, History, Trainer
from .. import losses as keras_losses
from .. import metrics as keras_metrics
from .. import optimizers as keras_optimizers
from ..backend import parse_device, scope_device
from ..utils import PyDataset
from .compile_utils import (
    EpochMetric,
    GroupedBatches,
    MetricsState,
    OutputLosses,
    PyDatasetBatches,
    RegularizationPenalty,
    TrainerLoss,
    class_weight_to_sample_weights,
    loss_kind,
    loss_object,
    metric_object,
    per_output,
    with_keras_logs,
)

__all__ = ["Training"]

_DEFAULT_BATCH_SIZE = 32


class Training:
    """``compile`` / ``fit`` / ``evaluate`` / ``predict`` of :class:`~netgrad.keras.Model` (which inherits them)."""

    def _init_training(self) -> None:
        self.optimizer: Any = None
        self.loss: Any = None
        self.compiled = False
        self.history: History | None = None
        self._compiled_loss: keras_losses.Loss | None = None
        self._metric_specs: list = []
        self._trainer: Trainer | None = None
        self._compiled_metrics: list[keras_metrics.Metric] = []
        self._compiled_device: engine_device | None = None
        self._output_specs: tuple | None = None  # per-output (losses, loss weights, metrics) of several outputs
        self.loss_weights: Any = None
        self._loss_weight = 1.0

    @property
    def stop_training(self) -> bool:
        """Set to True in a callback (``self.model.stop_training = True``) to end ``fit`` after this batch."""
        return bool(self._trainer is not None and self._trainer.stop_training)

    @stop_training.setter
    def stop_training(self, value: bool) -> None:
        if self._trainer is not None:
            self._trainer.stop_training = bool(value)

    @property
    def metrics_names(self) -> list[str]:
        """``['loss', <metric names>]``, the order of ``evaluate``'s list (known once trained or evaluated)."""
        if self._trainer is not None:
            return list(self._trainer.metrics_names)
        return ["loss"] + [m if isinstance(m, str) else getattr(m, "name", getattr(m, "__name__", repr(m)))
                           for m in self._metric_specs]

    # ------------------------------------------------------------------------------------------ compile

    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None,
                metrics: Any = None, *, device: Any = None) -> None:
        """Set the optimizer, the loss and the metrics for ``fit`` and ``evaluate``.

        A functional model of several outputs (a list or dict of them) takes one loss for all its outputs, a
        list (one per output) or a dict by output name (the outputs dict's keys, else the output layers'
        names); ``loss_weights`` (a list or dict) weights them in the total loss; ``metrics`` is a list with
        one entry (a metric or a list of metrics) per output, or a dict by output name. The logs then hold
        ``loss`` (the weighted total), ``<output>_loss`` (each output's own loss) and ``<output>_<metric>``, as
        in Keras 3.

        Args:
            optimizer: A name (``'adam'``, ``'sgd'``, ``'rmsprop'`` (the default), ``'adamw'``, ``'adagrad'``,
                ``'adadelta'``, ``'adamax'``, ``'nadam'``: Keras's default hyper-parameters) or an optimizer object
                (``keras.optimizers.Adam(learning_rate=1e-3)``, or a ``netgrad.optim`` optimizer over
                ``model.parameters()``).
            loss: A name (``'mse'``, ``'mae'``, ``'huber'``, ``'binary_crossentropy'``,
                ``'categorical_crossentropy'``, ``'sparse_categorical_crossentropy'``, ...), a loss object
                (``keras.losses.SparseCategoricalCrossentropy(from_logits=True)``) or a function
                ``fn(y_true, y_pred)`` returning one value per sample.
            metrics: Names (``'accuracy'``, ``'mae'``, ``'mse'``, ``'precision'``, ...), metric objects or
                functions ``fn(y_true, y_pred)``. ``'accuracy'`` thresholds a single output column at 0.5, as
                in Keras: for logits use ``keras.metrics.BinaryAccuracy(threshold=0.0)``.
            loss_weights: With several outputs, the weight of each output's loss (a list or a dict by name);
                with one output, a number that scales the loss.
            device: Where ``fit`` / ``evaluate`` / ``predict`` run (netgrad's addition; Keras has no such
                argument): ``'cpu'``, ``'gpu'`` / ``'cuda'``, ``'gpu:1'``, ``'auto'`` (the GPU when there is
                one). A ``keras.device(...)`` scope around a call wins over it; with neither, the model runs where
                its weights are (the CPU). Results are NumPy arrays on the host wherever the model runs.

        Raises:
            ValueError: for an unknown name (the message lists the valid ones), or a device that is not one or
                cannot be used (the message says whether CuPy or the GPU is missing).
        """
        self._compiled_device = parse_device(device, "device")
        keys = self._output_keys()
        if keys is not None:
            losses, weights, metric_lists = per_output(keys, loss, loss_weights, metrics)
            for spec in (spec for specs in metric_lists for spec in specs):
                if not (isinstance(spec, str) and spec.lower() in ("accuracy", "acc")):
                    keras_metrics.get(spec)  # unknown names fail here, not in fit
            self._output_specs = (losses, weights, metric_lists)
            self.optimizer = keras_optimizers.get(optimizer)
            self.loss, self.loss_weights = loss, loss_weights
            self._compiled_loss, self._metric_specs, self._trainer, self.compiled = None, [], None, True
            return
        self._output_specs = None
        self.loss_weights = loss_weights
        if isinstance(loss_weights, (list, tuple)) and len(loss_weights) == 1:
            loss_weights = loss_weights[0]
        if isinstance(loss_weights, dict) and len(loss_weights) == 1:
            loss_weights = next(iter(loss_weights.values()))
        if loss_weights is not None and not isinstance(loss_weights, (int, float)):
            raise ValueError(f"`loss_weights` must match the number of losses, got 1 losses and {loss_weights}")
        self._loss_weight = 1.0 if loss_weights is None else float(loss_weights)
        if isinstance(metrics, dict):
            raise TypeError("metrics must be a list; per-output metric dicts need a model with several outputs, "
                            "which netgrad.keras does not build")
        specs = list(metrics or [])
        for spec in specs:
            if isinstance(spec, str) and spec.lower() in ("accuracy", "acc"):
                continue
            keras_metrics.get(spec)  # unknown names fail here, not in fit
        self.optimizer = keras_optimizers.get(optimizer)
        self.loss = loss
        self._compiled_loss = loss_object(loss)
        self._metric_specs = specs
        self._trainer = None
        self.compiled = True

    def _output_keys(self) -> list[str] | None:
        """The names of the outputs of a model with a list or dict of them (None for a single output)."""
        return self.output_keys if isinstance(getattr(self, "_outputs_struct", None), (list, dict)) else None

    def _several_inputs(self) -> bool:
        return hasattr(self, "flat_inputs") and (len(self.inputs) > 1 or isinstance(self._inputs_struct, dict))

    def _inputs(self, x: Any, name: str = "x") -> Any:
        """``x`` checked: one array, or a tuple of arrays in the order of the model's inputs."""
        if not self._several_inputs():
            if isinstance(x, (list, tuple)) and len(x) == 1 and hasattr(self, "flat_inputs"):
                x = x[0]
            return self._input_array(x, name)
        keys = self.input_keys
        arrays = tuple(self._input_array(a, f"{name}[{key!r}]") for key, a in zip(keys, self.flat_inputs(x)))
        lengths = {key: len(a) for key, a in zip(keys, arrays)}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"Data cardinality is ambiguous: the inputs have different numbers of rows {lengths}; "
                             "give every input one row per sample")
        return arrays

    def _output_targets(self, y: Any, n: int, name: str = "y") -> Any:
        """``y`` checked: one array, or (several outputs) a tuple of arrays in the order of the outputs."""
        keys = self._output_keys()
        if keys is None:
            return self._targets(y, n, name)
        if isinstance(y, dict):
            missing = [key for key in keys if key not in y]
            if missing:
                raise ValueError(f"{name} is missing the targets of output(s) {missing}; the model's outputs are "
                                 f"{keys}")
            values = [y[key] for key in keys]
        elif isinstance(y, (list, tuple)):
            if len(y) != len(keys):
                raise ValueError(f"{name} has {len(y)} targets but the model has {len(keys)} outputs {keys}: give "
                                 "one target array per output (a list in their order or a dict by name)")
            values = list(y)
        elif len(keys) == 1:
            values = [y]
        else:
            raise ValueError(f"{name} must hold one target array per output of the model {keys} (a list in their "
                             f"order or a dict by name), got {type(y).__name__}")
        losses = self._output_specs[0]
        return tuple(np.zeros((n, 0), dtype=self.dtype) if value is None and loss is None
                     else self._target_array(value, n, f"{name}[{key!r}]")
                     for key, value, loss in zip(keys, values, losses))

    def _check_all_targets(self, y: Any, output_shape: Any, name: str = "y") -> Any:
        if self._output_specs is None:
            return self._check_targets(y, output_shape, name)
        for key, target, shape, loss in zip(self.output_keys, y, output_shape, self._output_specs[0]):
            if loss is not None:
                self._check_targets(target, shape, f"{name}[{key!r}]", loss)
        return y

    def _arrays(self, x: Any, y: Any, weight: Any) -> tuple:
        """The flat tuple of arrays a TensorDataset holds: the inputs, the targets, the sample weights."""
        xs = x if isinstance(x, tuple) else (x,)
        ys = y if isinstance(y, tuple) else (y,)
        return (*xs, *ys) + (() if weight is None else (weight,))

    def _grouped(self, loader: Any, n_inputs: int, weighted: bool) -> Any:
        """Batches as the Trainer takes them, ``(x, y[, w])``, from the flat batches of :meth:`_arrays`."""
        several_outputs = self._output_specs is not None
        if n_inputs == 1 and not several_outputs:
            return loader
        return GroupedBatches(loader, n_inputs if self._several_inputs() else 0, several_outputs, weighted)

    def _assert_compiled(self, what: str) -> None:
        if not self.compiled:
            raise ValueError(f"You must call `compile()` before calling `{what}()`: e.g. model.compile("
                             "optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])")

    def _targets(self, y: Any, n: int, name: str = "y") -> np.ndarray:
        """The checked targets; a model compiled without a loss (its loss comes from ``add_loss``) may have none."""
        if y is None and self._compiled_loss is None:
            return np.zeros((n, 0), dtype=self.dtype)
        return self._target_array(y, n, name)

    # ------------------------------------------------------------------------------------------- data

    def _input_array(self, x: Any, name: str = "x") -> np.ndarray:
        if x is None:
            raise ValueError(f"{name} is required (a NumPy array or Tensor with one row per sample)")
        if isinstance(x, (DataLoader,)) or isinstance(x, (dict,)):
            raise TypeError(f"{name} must be a NumPy array or a Tensor, got {type(x).__name__}; to train on a "
                            "DataLoader use netgrad.training.Trainer")
        array = check_array(x, name=name, ensure_2d=False, allow_nd=True)
        return array.astype(self.dtype, copy=False) if array.dtype != self.dtype else array

    def _target_array(self, y: Any, n: int, name: str = "y") -> np.ndarray:
        if y is None:
            raise ValueError(f"{name} is required: the targets, one row per sample")
        array = check_array(y, name=name, ensure_2d=False, allow_nd=True)
        if len(array) != n:
            raise ValueError(f"Data cardinality is ambiguous: x has {n} rows but {name} has {len(array)} "
                             f"(shape {array.shape}); give one target per sample")
        if array.dtype.kind == "f" and array.dtype != self.dtype:
            array = array.astype(self.dtype)
        return array

    def _weight_array(self, sample_weight: Any, n: int) -> np.ndarray | None:
        if sample_weight is None:
            return None
        weight = check_array(sample_weight, name="sample_weight", ensure_2d=False).astype(self.dtype, copy=False)
        if weight.shape != (n,):
            raise ValueError(f"sample_weight must have shape ({n},), one weight per sample; got shape {weight.shape}")
        if (weight < 0).any():
            raise ValueError(f"sample_weight must be non-negative, found {weight.min()}")
        return weight

    def _ensure_built(self, x: Any) -> Any:
        """Build the model for samples shaped like x's and return the output shape (batch axis None; a list
        of shapes for several outputs).

        One sample goes through the model (inference mode, no graph), so that inputs the layers cannot take
        are refused, with the layer's own message, before training starts.
        """
        where = self._ready(x)
        with no_grad():
            if isinstance(x, tuple):
                output = self(tuple(Tensor._wrap(a[:1]).to(where) for a in x), training=False)
            else:
                output = self(Tensor._wrap(x[:1]).to(where), training=False)
        if isinstance(output, (list, dict)):
            return [(None,) + tuple(o.shape[1:]) for o in (output.values() if isinstance(output, dict) else output)]
        return (None,) + tuple(output.shape[1:])

    # ------------------------------------------------------------------------------------------ devices

    def _device(self) -> engine_device:
        """Where fit / evaluate / predict run: the innermost ``keras.device`` scope, else compile's ``device``,
        else where the weights are (the CPU for a new model)."""
        chosen = scope_device() or self._compiled_device
        if chosen is None:
            weights = self.weights
            chosen = weights[0].device if weights else engine_device("cpu")
        return chosen

    def _ready(self, x: Any) -> engine_device:
        """Build the model for samples shaped like ``x``'s (one array; a functional model of several inputs is
        built already), move its weights and optimizer state to :meth:`_device` when they are elsewhere, and
        return that device."""
        if not self.built and not isinstance(x, tuple):
            self._maybe_build((None,) + x.shape[1:])
        where = self._device()
        if any(w.device != where for w in self.weights):
            self.to(where)
            if hasattr(self.optimizer, "_state_to"):  # moments made on the old device follow the weights
                self.optimizer._state_to(where.type, where.index)
        if self._trainer is not None:
            self._trainer.device = where
        return where

    def _check_targets(self, y: np.ndarray, output_shape: tuple, name: str = "y", loss: Any = "compiled") -> np.ndarray:
        """Targets that fit the compiled loss and the model's output, or a ValueError saying what does not."""
        kind = loss_kind(self._compiled_loss if loss == "compiled" else loss)
        outputs = output_shape[1:]
        if kind == "custom":
            return y
        flatten_hint = ""
        if len(outputs) > 1 and y.ndim <= 2:
            flatten_hint = (f"; the model's output for each sample has shape {tuple(outputs)}: did you forget a "
                            "Flatten layer before the Dense layers?")
        if kind == "sparse":
            classes = outputs[-1] if outputs else None
            expected = (len(y),) + tuple(outputs[:-1])
            if y.shape not in (expected, expected + (1,)):
                hint = " (these look like one-hot rows: use loss='categorical_crossentropy')" \
                    if y.shape[1:] == tuple(outputs) else flatten_hint
                raise ValueError(f"{name} has shape {y.shape}, but sparse_categorical_crossentropy needs one integer "
                                 f"class label per sample, shape {expected}{hint}")
            try:
                check_class_labels(y, classes, name=name)
            except ValueError as error:
                raise ValueError(f"{error}; the model has {classes} outputs, so sparse_categorical_crossentropy "
                                 f"takes class labels 0 to {classes - 1}") from None
            return y
        same = y.shape[1:] == tuple(outputs) or (y.ndim == 1 and tuple(outputs) == (1,)) or \
            (y.ndim == len(outputs) + 2 and y.shape[-1] == 1 and y.shape[1:-1] == tuple(outputs))
        if not same:
            hint = flatten_hint
            if kind == "categorical" and (y.ndim == 1 or y.shape[1:] == (1,)):
                hint = "; these look like integer class labels: use loss='sparse_categorical_crossentropy'"
            raise ValueError(f"{name} has shape {y.shape} but the model outputs shape {(None, *outputs)}: the "
                             f"targets of each sample must have shape {tuple(outputs)}{hint}")
        if kind in ("binary", "categorical") and y.size and (y.min() < 0 or y.max() > 1):
            what = "0/1 labels or probabilities" if kind == "binary" else "one-hot rows or class probabilities"
            raise ValueError(f"{name} must hold {what} in [0, 1] for {kind}_crossentropy; found values from "
                             f"{y.min()} to {y.max()}")
        return y

    def _loader(self, arrays: tuple, rows: np.ndarray, batch_size: int, shuffle: bool) -> DataLoader:
        # The rows of arrays already checked here against Keras's rules, batched by netgrad's DataLoader.
        return DataLoader(Subset(TensorDataset(*arrays), rows), batch_size=batch_size, shuffle=shuffle)

    def _get_trainer(self, y: Any, output_shape: Any) -> Trainer:
        if self._trainer is None and self._output_specs is not None:
            self._build_optimizer()
            losses, weights, metric_lists = self._output_specs
            metrics = [[self._output_metric(spec, key, target.shape, shape) for spec in specs]
                       for key, specs, target, shape in zip(self.output_keys, metric_lists, y, output_shape)]
            compiled = OutputLosses(self.output_keys, losses, weights, metrics)
            self._compiled_metrics = compiled.compiled_metrics()
            self._trainer = Trainer(self, compiled, self.optimizer,
                                    metrics=[EpochMetric(m) for m in self._compiled_metrics],
                                    callbacks=[MetricsState(self._compiled_metrics)],
                                    penalty=RegularizationPenalty(self))
        if self._trainer is None:
            self._build_optimizer()
            metrics = [metric_object(spec, y.shape, output_shape) for spec in self._metric_specs]
            self._compiled_metrics = metrics
            self._trainer = Trainer(self, TrainerLoss(self._compiled_loss, metrics, self._loss_weight), self.optimizer,
                                    metrics=[EpochMetric(m) for m in metrics], callbacks=[MetricsState(metrics)],
                                    penalty=RegularizationPenalty(self, required=self._compiled_loss is None),
                                    device=self._device())
        return self._trainer

    def _build_optimizer(self) -> None:
        if isinstance(self.optimizer, keras_optimizers.Optimizer):
            self.optimizer.build(self.trainable_weights)
            optimized = {id(p) for group in self.optimizer.param_groups for p in group["params"]}
            if not optimized.issuperset(id(w) for w in self.trainable_weights):
                raise ValueError(f"The optimizer {self.optimizer.name!r} was built for other weights than this "
                                 "model's trainable weights (a layer was added, or an optimizer object is shared "
                                 "between models): call compile() again with a new optimizer")

    @staticmethod
    def _output_metric(spec: Any, key: str, y_shape: tuple, output_shape: tuple) -> keras_metrics.Metric:
        """A compiled metric of one output, named ``<output>_<metric>`` as Keras logs it (a metric object given
        to compile is copied, so that each output keeps its own state)."""
        metric = metric_object(copy.deepcopy(spec) if isinstance(spec, keras_metrics.Metric) else spec,
                               y_shape, output_shape)
        metric.name = f"{key}_{metric.name}"
        return metric

    @staticmethod
    def _batch_size(batch_size: Any) -> int:
        if batch_size is None:
            return _DEFAULT_BATCH_SIZE
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        return int(batch_size)

    # ----------------------------------------------------------------------------------------- training

    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: int | str = "auto", callbacks: Iterable[Callback] | None = None, validation_split: float = 0.0,
            validation_data: tuple | None = None, shuffle: bool = True, class_weight: dict | None = None,
            sample_weight: Any = None, initial_epoch: int = 0) -> History:
        """Train the model on ``(x, y)`` for ``epochs`` epochs of mini-batches; return the History.

        Args:
            x, y: Inputs and targets (NumPy arrays or Tensors, one row per sample).
            batch_size: Samples per gradient update (default 32).
            epochs: The index of the last epoch (training runs epochs ``initial_epoch`` to ``epochs - 1``).
            verbose: 0 silent, 1 progress bar, 2 one line per epoch, ``'auto'``.
            callbacks: ``keras.callbacks`` objects (EarlyStopping, ModelCheckpoint, ...).
            validation_split: The fraction of the data held out for validation: the *last* samples, taken
                before shuffling (as in Keras). Ignored when ``validation_data`` is given.
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight_val)``.
            shuffle: Reshuffle the training samples before each epoch.
            class_weight: ``{class: weight}``: each sample's loss is weighted by its class's weight.
            sample_weight: One weight per sample (not together with ``class_weight``).
            initial_epoch: The epoch to start from (to resume training).

        Returns:
            The :class:`~netgrad.training.History`: ``history.history['loss']``, each metric, ``val_`` versions.
        """
        self._assert_compiled("fit")
        if isinstance(x, PyDataset):
            return self._fit_batches(PyDatasetBatches(x, self.dtype, "training"), y, batch_size, epochs, verbose,
                                     callbacks, validation_data, initial_epoch)
        x = self._inputs(x)
        n = len(x[0]) if isinstance(x, tuple) else len(x)
        y = self._output_targets(y, n)
        if class_weight is not None and sample_weight is not None:
            raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
        weight = self._weight_array(sample_weight, n)
        if class_weight is not None:
            if isinstance(y, tuple):
                raise ValueError("`class_weight` is only supported for Models with a single output.")
            weight = class_weight_to_sample_weights(y, class_weight)
        batch_size = self._batch_size(batch_size)
        train_rows = np.arange(n)
        val_loader = None
        arrays = self._arrays(x, y, weight)
        n_inputs = len(x) if isinstance(x, tuple) else 1
        if validation_data is None and validation_split:
            if not 0.0 < validation_split < 1.0:
                raise ValueError(f"validation_split must be in [0, 1), got {validation_split}")
            split_at = int(math.floor(n * (1.0 - validation_split)))
            if split_at in (0, n):
                raise ValueError(f"Training data contains {n} samples, which is not sufficient to split it into a "
                                 f"validation and training set as specified by `validation_split={validation_split}`. "
                                 "Either provide more data, or a different value for the `validation_split` argument.")
            train_rows = np.arange(split_at)
            val_loader = self._grouped(self._loader(arrays, np.arange(split_at, n), batch_size, False), n_inputs,
                                       weight is not None)
        output_shape = self._ensure_built(x)
        self._check_all_targets(y, output_shape)
        if validation_data is not None:
            val_loader = self._validation_loader(validation_data, output_shape, batch_size)
        trainer = self._get_trainer(y, output_shape)
        train_loader = self._grouped(self._loader(arrays, train_rows, batch_size, bool(shuffle)), n_inputs,
                                     weight is not None)
        history = trainer.fit(train_loader, epochs=epochs,
                              validation_data=val_loader, verbose=verbose, initial_epoch=initial_epoch,
                              callbacks=with_keras_logs(list(callbacks or []), self._compiled_metrics))
        self.history = history
        return history

    def _fit_batches(self, batches: PyDatasetBatches, y: Any, batch_size: Any, epochs: int, verbose: Any,
                     callbacks: Any, validation_data: Any, initial_epoch: int) -> History:
        """``fit`` on a PyDataset: the batches are the dataset's own."""
        if y is not None or batch_size is not None:
            raise ValueError("When x is a PyDataset, its batches hold the targets and set the batch size: do not "
                             "pass y or batch_size")
        first = batches.batch(0)
        output_shape = self._ensure_built(first[0])
        targets = self._check_targets(first[1] if len(first) > 1 else self._targets(None, len(first[0])),
                                      output_shape)
        validation = None
        if isinstance(validation_data, PyDataset):
            validation = PyDatasetBatches(validation_data, self.dtype, "validation")
        elif validation_data is not None:
            validation = self._validation_loader(validation_data, output_shape, _DEFAULT_BATCH_SIZE)
        trainer = self._get_trainer(targets, output_shape)
        self.history = trainer.fit(batches, epochs=epochs, validation_data=validation, verbose=verbose,
                                   initial_epoch=initial_epoch,
                                   callbacks=with_keras_logs(list(callbacks or []), self._compiled_metrics))
        return self.history

    def _validation_loader(self, data: Any, output_shape: tuple, batch_size: int) -> DataLoader:
        if not isinstance(data, (tuple, list)) or len(data) not in (2, 3):
            raise ValueError("validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight_val)")
        x = self._inputs(data[0], "x_val")
        n = len(x[0]) if isinstance(x, tuple) else len(x)
        y = self._check_all_targets(self._output_targets(data[1], n, "y_val"), output_shape, "y_val")
        weight = self._weight_array(data[2], n) if len(data) == 3 else None
        loader = self._loader(self._arrays(x, y, weight), np.arange(n), batch_size, False)
        return self._grouped(loader, len(x) if isinstance(x, tuple) else 1, weight is not None)

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: int | str = "auto",
                 sample_weight: Any = None, callbacks: Iterable[Callback] | None = None,
                 return_dict: bool = False) -> Any:
        """The loss and metrics on ``(x, y)``, in inference mode; ``callbacks`` get the ``on_test_*`` hooks.

        Returns:
            ``[loss, metric_1, ...]`` in the order of ``metrics_names``; just the loss when there are no metrics;
            ``{'loss': ..., name: ...}`` with ``return_dict=True``.
        """
        self._assert_compiled("evaluate")
        if isinstance(x, PyDataset):
            data: Any = PyDatasetBatches(x, self.dtype, "evaluation")
            first = data.batch(0)
            output_shape = self._ensure_built(first[0])
            y = self._check_targets(first[1] if len(first) > 1 else self._targets(None, len(first[0])),
                                    output_shape)
        else:
            x = self._inputs(x)
            n = len(x[0]) if isinstance(x, tuple) else len(x)
            y = self._output_targets(y, n)
            weight = self._weight_array(sample_weight, n)
            output_shape = self._ensure_built(x)
            self._check_all_targets(y, output_shape)
            data = self._grouped(self._loader(self._arrays(x, y, weight), np.arange(n), self._batch_size(batch_size),
                                              False), len(x) if isinstance(x, tuple) else 1, weight is not None)
        trainer = self._get_trainer(y, output_shape)
        for metric in self._compiled_metrics:
            metric.reset_state()
        logs = trainer.evaluate(data, callbacks=with_keras_logs(list(callbacks or []), self._compiled_metrics))
        if verbose not in (0, False):
            print(" - ".join(f"{name}: {value:.4f}" for name, value in logs.items()))
        if return_dict:
            return logs
        values = [logs[name] for name in trainer.metrics_names]
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = None, verbose: int | str = "auto",
                callbacks: Iterable[Callback] | None = None) -> np.ndarray:
        """The model's outputs for ``x`` as a NumPy array (inference mode, batches of ``batch_size``, no graph).

        A softmax output layer gives probabilities (also when it was trained from its logits). ``verbose`` is
        accepted for Keras compatibility; prediction prints nothing. ``callbacks`` get Keras's
        ``on_predict_begin``, ``on_predict_batch_begin``, ``on_predict_batch_end`` (logs ``{'outputs': ...}``)
        and ``on_predict_end`` where they define them.
        """
        if isinstance(x, PyDataset):
            batches = PyDatasetBatches(x, self.dtype, "prediction")
            x = np.concatenate([batches.batch(index)[0] for index in range(len(batches))])
        x = self._inputs(x)
        n = len(x[0]) if isinstance(x, tuple) else len(x)
        size = self._batch_size(batch_size)
        where = self._ready(x)
        callbacks = list(callbacks or [])
        for callback in callbacks:
            callback.model = self

        def call(hook: str, *args: Any) -> None:
            for callback in callbacks:
                method = getattr(callback, hook, None)
                if method is not None:
                    method(*args)

        call("on_predict_begin", {})
        outputs = []
        with no_grad():
            for batch, start in enumerate(range(0, n, size)):
                call("on_predict_batch_begin", batch, {})
                rows = (tuple(Tensor._wrap(a[start:start + size]).to(where) for a in x) if isinstance(x, tuple)
                        else Tensor._wrap(x[start:start + size]).to(where))
                outputs.append(_numpy_outputs(self(rows, training=False)))
                call("on_predict_batch_end", batch, {"outputs": outputs[-1]})
        call("on_predict_end", {})
        if not outputs:
            raise ValueError("predict() got no samples")
        return _joined(outputs)

    # ------------------------------------------------------------------------------------ configuration

    def get_compile_config(self) -> dict[str, Any] | None:
        """The compile() arguments as JSON-able data (None before compile)."""
        if not self.compiled:
            return None
        if self._output_specs is not None:
            losses, weights, metric_lists = self._output_specs
            return {"optimizer": keras_optimizers.serialize(self.optimizer)
                    if isinstance(self.optimizer, keras_optimizers.Optimizer) else None,
                    "output_keys": self.output_keys,
                    "loss": [None if loss is None else keras_losses.serialize(loss) for loss in losses],
                    "loss_weights": weights,
                    "metrics": [[keras_metrics.serialize(m) for m in specs] for specs in metric_lists]}
        return {"optimizer": keras_optimizers.serialize(self.optimizer)
                if isinstance(self.optimizer, keras_optimizers.Optimizer) else None,
                "loss": None if self._compiled_loss is None else keras_losses.serialize(self._compiled_loss),
                "metrics": [keras_metrics.serialize(m) for m in self._metric_specs]}

    def compile_from_config(self, config: dict[str, Any]) -> None:
        """compile() with the arguments recorded by :meth:`get_compile_config`.

        A model that was compiled with a ``netgrad.optim`` optimizer (which is not saved) stays uncompiled.
        """
        optimizer = config.get("optimizer")
        if optimizer is None:
            return
        if config.get("output_keys") is not None:  # several outputs: one loss, weight and metric list each
            self.compile(optimizer=keras_optimizers.deserialize(optimizer),
                         loss=[None if loss is None else keras_losses.deserialize(loss) for loss in config["loss"]],
                         loss_weights=config.get("loss_weights"),
                         metrics=[[keras_metrics.deserialize(m) for m in specs] for specs in config.get("metrics")])
            return
        self.compile(optimizer=keras_optimizers.deserialize(optimizer),
                     loss=None if config.get("loss") is None else keras_losses.deserialize(config["loss"]),
                     metrics=[keras_metrics.deserialize(m) for m in config.get("metrics") or []])


def _numpy_outputs(output: Any) -> Any:
    """A batch's outputs as NumPy arrays, in the model's structure (one array, a list or a dict)."""
    if isinstance(output, dict):
        return {key: to_numpy(value) for key, value in output.items()}
    if isinstance(output, (list, tuple)):
        return [to_numpy(value) for value in output]
    return to_numpy(output)


def _joined(batches: list) -> Any:
    """The batches' outputs joined along the samples, in the model's structure."""
    first = batches[0]
    if isinstance(first, dict):
        return {key: np.concatenate([b[key] for b in batches]) for key in first}
    if isinstance(first, list):
        return [np.concatenate([b[i] for b in batches]) for i in range(len(first))]
    return np.concatenate(batches) if len(batches) > 1 else np.array(first)
