"""Keras's models: ``Sequential``, functional ``Model(inputs, outputs)`` and subclassed ``Model`` with
``compile`` / ``fit`` / ``evaluate`` / ``predict`` / ``summary`` / ``save``.

Training runs through netgrad's one training loop, :class:`netgrad.training.Trainer`: ``compile`` records
the optimizer, loss and metrics, and ``fit`` hands the Trainer the model, the compiled loss (Keras's
``loss(y_true, y_pred)``, weighted per sample as Keras does), the optimizer bound to
``model.trainable_weights``, the metrics and the layers' regularisation penalties. ``fit`` returns the
Trainer's ``History``, keyed as in Keras (``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``).

Data are checked before training, with messages that say what is wrong: ``x`` and ``y`` with different
numbers of rows, NaN or infinite values, class labels outside the model's output size, targets whose shape
does not fit the output, ``fit`` before ``compile``.
"""
from __future__ import annotations

import json
import math
import shutil
from typing import Any, Callable, Iterable

import numpy as np

from ..engine.autograd import no_grad
from ..data import DataLoader, Subset, TensorDataset
from ..data.validation import check_array, check_class_labels, to_numpy
from ..distributed import data_parallel
from ..engine import Tensor
from ..training import Callback, History, Trainer
from . import losses as keras_losses
from . import metrics as keras_metrics
from . import optimizers as keras_optimizers
from .layers import InputLayer, KerasTensor, Layer, deserialize as deserialize_layer, serialize as serialize_layer
from .saving import load_model, model_from_json, save_model  # keras.models.load_model and friends

__all__ = ["Functional", "Model", "Sequential", "load_model", "model_from_json", "save_model"]

_DEFAULT_BATCH_SIZE = 32


# ------------------------------------------------------------------------------------ compile machinery


class _TrainerLoss:
    """The compiled Keras loss as the Trainer calls it: ``loss(output, target)``.

    ``reduction`` is 'mean' (Keras's reduction of the loss object) or, while the Trainer weights samples,
    'none': one value per sample (the Trainer then computes sum_i w_i l_i / batch_size, as Keras does).
    """

    def __init__(self, loss: keras_losses.Loss) -> None:
        self.keras_loss = loss
        self.reduction = "mean"

    def __call__(self, output: Tensor, target: Tensor) -> Tensor:
        if self.reduction == "none":
            if output.ndim == 1:  # one value per sample already: keep it per sample
                output, target = output.reshape(-1, 1), target.reshape(-1, 1)
            return self.keras_loss.call(target, output)
        return self.keras_loss(target, output)

    def __repr__(self) -> str:
        return f"TrainerLoss({self.keras_loss!r})"


class _EpochMetric:
    """A Keras metric as the Trainer computes metrics: once per epoch over all its samples."""

    def __init__(self, metric: keras_metrics.Metric) -> None:
        self.metric = metric
        self.__name__ = metric.name

    def __call__(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        self.metric.reset_state()
        self.metric.update_state(y_true, y_pred)
        return float(self.metric.result())


def _loss_object(identifier: Any) -> keras_losses.Loss | None:
    """A compiled loss: a Loss object, a name, or a function fn(y_true, y_pred) (wrapped, named after it)."""
    loss = keras_losses.get(identifier)
    if loss is None or isinstance(loss, keras_losses.Loss):
        return loss
    if callable(loss):
        return keras_losses.LossFunctionWrapper(loss, name=getattr(loss, "__name__", None))
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")


def _loss_kind(loss: keras_losses.Loss | None) -> str:
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


def _metric_object(spec: Any, y_shape: tuple, output_shape: tuple) -> keras_metrics.Metric:
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


def _class_weight_to_sample_weights(y: np.ndarray, class_weight: dict) -> np.ndarray:
    """One weight per sample: ``class_weight[label]`` (1.0 for labels it does not list), as in Keras."""
    if not isinstance(class_weight, dict):
        raise TypeError(f"class_weight must be a dict {{class label: weight}}, got {type(class_weight).__name__}")
    labels = y
    if labels.ndim > 1:
        labels = labels.argmax(axis=-1) if labels.shape[-1] != 1 else labels.reshape(len(labels))
    labels = np.round(labels).astype(np.int64)
    lookup = {int(k): float(v) for k, v in class_weight.items()}
    return np.array([lookup.get(int(label), 1.0) for label in labels], dtype=np.float32)


def _readable_size(size: float) -> str:
    """Bytes as Keras prints them: '18.79 KB'."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _count(weights: Iterable[Tensor]) -> tuple[int, int]:
    """(number of scalars, bytes) of some weights."""
    weights = list(weights)
    return (int(sum(math.prod(w.shape) for w in weights)),
            int(sum(math.prod(w.shape) * w._data.dtype.itemsize for w in weights)))


# -------------------------------------------------------------------------------------------------- Model


class Model(Layer):
    """A layer with training: subclass it (layers in ``__init__``, the forward pass in ``call``), or call
    ``Model(inputs, outputs)`` with ``keras.Input`` tensors for a functional model.

    Example (subclassing)::

        class TwoLayer(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = layers.Dense(64, activation="relu")
                self.out = layers.Dense(10, activation="softmax")

            def call(self, inputs):
                return self.out(self.hidden(inputs))
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> "Model":
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            return Layer.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args:
            raise TypeError(f"{type(self).__name__}.__init__ takes keyword arguments only (name=, trainable=, dtype=); "
                            "for a functional model call keras.Model(inputs, outputs)")
        super().__init__(**kwargs)
        self.optimizer: Any = None
        self.loss: Any = None
        self.compiled = False
        self.history: History | None = None
        self._compiled_loss: keras_losses.Loss | None = None
        self._metric_specs: list = []
        self._trainer: Trainer | None = None

    def build(self, input_shape: tuple) -> None:
        """Build a subclassed model: run ``call`` once on zeros so that every layer creates its weights."""
        input_shape = tuple(input_shape)
        zeros = Tensor._wrap(np.zeros(tuple(1 if n is None else n for n in input_shape), dtype=self.dtype))
        kwargs = {"training": False} if self._call_takes_training() else {}
        with no_grad():
            self.call(zeros, **kwargs)
        if input_shape and input_shape[0] is None:  # record the batch axis as unknown, not as 1
            for layer in self._flatten_layers():
                shape = layer._build_input_shape
                if layer is not self and shape and shape[0] == 1:
                    layer._build_input_shape = (None,) + tuple(shape[1:])
        for layer in self._flatten_layers():
            layer._added_losses.clear()

    @property
    def layers(self) -> list[Layer]:
        """The model's layers, in the order they were assigned."""
        return self._layers

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by its name or its index in ``layers``."""
        if (name is None) == (index is None):
            raise ValueError("Provide either a layer name or layer index (exactly one)")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has {len(layers)} layers")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in layers]}")

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

    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Iterable[Any] | None = None) -> None:
        """Set the optimizer, the loss and the metrics for ``fit`` and ``evaluate``.

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

        Raises:
            ValueError: for an unknown name (the message lists the valid ones).
        """
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
        self._compiled_loss = _loss_object(loss)
        self._metric_specs = specs
        self._trainer = None
        self.compiled = True

    def _assert_compiled(self, what: str) -> None:
        if not self.compiled:
            raise ValueError(f"You must call `compile()` before calling `{what}()`: e.g. model.compile("
                             "optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])")
        if self._compiled_loss is None:
            raise ValueError(f"`{what}()` needs a loss, but the model was compiled with loss=None: call "
                             "compile(optimizer=..., loss=...) with a loss")

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

    def _ensure_built(self, x: np.ndarray) -> tuple:
        """Build the model for samples shaped like x's and return the output shape (batch axis None).

        One sample goes through the model (inference mode, no graph), so that inputs the layers cannot take
        are refused, with the layer's own message, before training starts.
        """
        if not self.built:
            self._maybe_build((None,) + x.shape[1:])
        with no_grad():
            output = self(x[:1], training=False)
        return (None,) + tuple(output.shape[1:])

    def _check_targets(self, y: np.ndarray, output_shape: tuple, name: str = "y") -> np.ndarray:
        """Targets that fit the compiled loss and the model's output, or a ValueError saying what does not."""
        kind = _loss_kind(self._compiled_loss)
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

    def _get_trainer(self, y: np.ndarray, output_shape: tuple) -> Trainer:
        if self._trainer is None:
            if isinstance(self.optimizer, keras_optimizers.Optimizer):
                self.optimizer.build(self.trainable_weights)
                optimized = {id(p) for group in self.optimizer.param_groups for p in group["params"]}
                if not optimized.issuperset(id(w) for w in self.trainable_weights):
                    raise ValueError(f"The optimizer {self.optimizer.name!r} was built for other weights than this "
                                     "model's trainable weights (a layer was added, or an optimizer object is shared "
                                     "between models): call compile() again with a new optimizer")
            metrics = [_EpochMetric(_metric_object(spec, y.shape, output_shape)) for spec in self._metric_specs]
            self._trainer = Trainer(self, _TrainerLoss(self._compiled_loss), self.optimizer, metrics=metrics,
                                    penalty=_RegularizationPenalty(self))
        return self._trainer

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
        x = self._input_array(x)
        y = self._target_array(y, len(x))
        if class_weight is not None and sample_weight is not None:
            raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
        weight = self._weight_array(sample_weight, len(x))
        if class_weight is not None:
            weight = _class_weight_to_sample_weights(y, class_weight)
        batch_size = self._batch_size(batch_size)
        n = len(x)
        train_rows = np.arange(n)
        val_loader = None
        arrays = (x, y) if weight is None else (x, y, weight)
        if validation_data is None and validation_split:
            if not 0.0 < validation_split < 1.0:
                raise ValueError(f"validation_split must be in [0, 1), got {validation_split}")
            split_at = int(math.floor(n * (1.0 - validation_split)))
            if split_at in (0, n):
                raise ValueError(f"Training data contains {n} samples, which is not sufficient to split it into a "
                                 f"validation and training set as specified by `validation_split={validation_split}`. "
                                 "Either provide more data, or a different value for the `validation_split` argument.")
            train_rows = np.arange(split_at)
            val_loader = self._loader(arrays, np.arange(split_at, n), batch_size, False)
        output_shape = self._ensure_built(x)
        self._check_targets(y, output_shape)
        if validation_data is not None:
            val_loader = self._validation_loader(validation_data, output_shape, batch_size)
        trainer = self._get_trainer(y, output_shape)
        history = trainer.fit(self._loader(arrays, train_rows, batch_size, bool(shuffle)), epochs=epochs,
                              validation_data=val_loader, verbose=verbose, initial_epoch=initial_epoch,
                              callbacks=list(callbacks or []))
        self.history = history
        return history

    def _validation_loader(self, data: Any, output_shape: tuple, batch_size: int) -> DataLoader:
        if not isinstance(data, (tuple, list)) or len(data) not in (2, 3):
            raise ValueError("validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight_val)")
        x = self._input_array(data[0], "x_val")
        y = self._check_targets(self._target_array(data[1], len(x), "y_val"), output_shape, "y_val")
        weight = self._weight_array(data[2], len(x)) if len(data) == 3 else None
        arrays = (x, y) if weight is None else (x, y, weight)
        return self._loader(arrays, np.arange(len(x)), batch_size, False)

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: int | str = "auto",
                 sample_weight: Any = None, return_dict: bool = False) -> Any:
        """The loss and metrics on ``(x, y)``, in inference mode.

        Returns:
            ``[loss, metric_1, ...]`` in the order of ``metrics_names``; just the loss when there are no metrics;
            ``{'loss': ..., name: ...}`` with ``return_dict=True``.
        """
        self._assert_compiled("evaluate")
        x = self._input_array(x)
        y = self._target_array(y, len(x))
        weight = self._weight_array(sample_weight, len(x))
        output_shape = self._ensure_built(x)
        self._check_targets(y, output_shape)
        trainer = self._get_trainer(y, output_shape)
        arrays = (x, y) if weight is None else (x, y, weight)
        logs = trainer.evaluate(self._loader(arrays, np.arange(len(x)), self._batch_size(batch_size), False))
        if verbose not in (0, False):
            print(" - ".join(f"{name}: {value:.4f}" for name, value in logs.items()))
        if return_dict:
            return logs
        values = [logs[name] for name in trainer.metrics_names]
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = None, verbose: int | str = "auto") -> np.ndarray:
        """The model's outputs for ``x`` as a NumPy array (inference mode, batches of ``batch_size``, no graph).

        A softmax output layer gives probabilities (also when it was trained from its logits). ``verbose`` is
        accepted for Keras compatibility; prediction prints nothing.
        """
        x = self._input_array(x)
        size = self._batch_size(batch_size)
        with no_grad():
            outputs = [to_numpy(self(x[start:start + size], training=False)) for start in range(0, len(x), size)]
        if not outputs:
            raise ValueError("predict() got no samples")
        return np.concatenate(outputs) if len(outputs) > 1 else np.array(outputs[0])

    # -------------------------------------------------------------------------------------------- summary

    def summary(self, line_length: int | None = None, positions: Iterable[float] | None = None,
                print_fn: Callable[[str], Any] | None = None, expand_nested: bool = False,
                show_trainable: bool = False) -> None:
        """Print the layers (name and type, output shape, parameter count) and the parameter totals.

        Unlike Keras 3, the totals count the model's weights only, not the optimizer's variables.

        Args:
            line_length: The table's width in characters (default 88, as in Keras).
            positions: Where the columns end, as fractions of the width (default [0.45, 0.80, 1.0]).
            print_fn: Called once with the whole summary (default ``print``).
            expand_nested: Also list the layers inside nested models.
            show_trainable: Add a column saying whether each layer is trainable.
        """
        print_fn = print_fn or print
        print_fn(_summary_text(self, line_length, positions, expand_nested, show_trainable))

    # ------------------------------------------------------------------------------------ configuration

    def get_compile_config(self) -> dict[str, Any] | None:
        """The compile() arguments as JSON-able data (None before compile)."""
        if not self.compiled:
            return None
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
        self.compile(optimizer=keras_optimizers.deserialize(optimizer),
                     loss=None if config.get("loss") is None else keras_losses.deserialize(config["loss"]),
                     metrics=[keras_metrics.deserialize(m) for m in config.get("metrics") or []])

    def to_json(self, **kwargs: Any) -> str:
        """The model's architecture as a JSON string (``keras.models.model_from_json`` rebuilds it)."""
        return json.dumps(serialize_layer(self), **kwargs)

    def save(self, filepath: str, overwrite: bool = True) -> None:
        """Save architecture, weights and compile state to one safetensors file (no pickle).

        ``keras.models.load_model(filepath)`` restores the model, ready to predict or go on training.
        While a process group is open (``netgrad.distributed``) only rank 0 writes.
        """
        from .saving import save_model

        if data_parallel.is_main_process():
            save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath: str, overwrite: bool = True) -> None:
        """Save the weights only (safetensors), in the order of ``model.weights``; on rank 0 only while a
        process group is open."""
        from .saving import save_weights

        if data_parallel.is_main_process():
            save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: str) -> None:
        """Load weights saved by :meth:`save_weights` (or :meth:`save`) into this built model."""
        from .saving import load_weights

        load_weights(self, filepath)


class _RegularizationPenalty:
    """The Trainer's penalty: the sum of the model's losses (weight regularisers and the losses its layers
    added in the last forward pass), or None. The layers are listed once, when training starts."""

    def __init__(self, model: Model) -> None:
        self.layers = model._flatten_layers()

    def __call__(self, model: Model) -> Tensor | None:
        total = None
        for layer in self.layers:
            for loss in layer._own_losses():
                total = loss if total is None else total + loss
        return total


# ---------------------------------------------------------------------------------------------- Sequential


class Sequential(Model):
    """A plain stack of layers, each feeding the next: ``Sequential([Input((64,)), Dense(64, 'relu'),
    Dense(10, 'softmax')])``.

    With an ``Input`` first (or ``input_shape=`` on the first layer) the model is built at once; otherwise it
    is built from the first data it sees.
    """

    def __init__(self, layers: Iterable[Any] | None = None, trainable: bool = True, name: str | None = None) -> None:
        super().__init__(trainable=trainable, name=name)
        self.__dict__["_input_layer"] = None  # not a sub-module: an InputLayer has no weights
        self._sequence: list[Layer] = []
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._rebuild()

    def add(self, layer: Any, rebuild: bool = True) -> None:
        """Append a layer (or an ``Input``, first)."""
        if isinstance(layer, KerasTensor):
            if not isinstance(layer.operation, InputLayer):
                raise ValueError("Only input tensors (keras.Input) may be added to a Sequential model; got the output "
                                 f"of layer {getattr(layer.operation, 'name', None)!r}")
            layer = layer.operation
        if not isinstance(layer, Layer):
            raise TypeError(f"Only instances of `keras.layers.Layer` can be added to a Sequential model. Received: "
                            f"{layer!r} (of type {type(layer).__name__})")
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._sequence:
                raise ValueError("An InputLayer (keras.Input) can only be the first layer of a Sequential model")
            self.__dict__["_input_layer"] = layer
        else:
            if any(existing.name == layer.name for existing in self._sequence):
                raise ValueError(f"All layers added to a Sequential model should have unique names. Name "
                                 f"{layer.name!r} is already the name of a layer in this model. Update the `name` "
                                 "argument to pass a unique name.")
            try:
                self.add_module(layer.name, layer)
            except KeyError:
                raise ValueError(f"A layer of a Sequential model cannot be named {layer.name!r}, which is an "
                                 "attribute of the model; pass another name") from None
            if not self._sequence and self._input_layer is None and layer._input_shape_arg is not None:
                self.__dict__["_input_layer"] = InputLayer(shape=layer._input_shape_arg)
            self._sequence.append(layer)
        self._trainer = None  # the Trainer is set up again for the new set of layers
        if rebuild:
            self._rebuild()

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer."""
        if not self._sequence:
            raise TypeError("There are no layers in the model.")
        layer = self._sequence.pop()
        self._forget(layer.name)
        self._trainer = None
        if rebuild:
            self._rebuild()
        return layer

    def _rebuild(self) -> None:
        self.built = False
        self._output_shape = None
        if self._input_layer is not None and self._sequence:
            self._maybe_build(self._input_layer.batch_shape)

    @property
    def layers(self) -> list[Layer]:
        """The layers in order (the InputLayer excluded, as in Keras)."""
        return list(self._sequence)

    def build(self, input_shape: tuple) -> None:
        if not self._sequence:
            raise ValueError(f"Sequential model {self.name!r} has no layers: add some before building it")
        shape = (None,) + tuple(input_shape)[1:]
        if self._input_layer is None:
            self.__dict__["_input_layer"] = InputLayer(batch_shape=shape)
        tensor = self._input_layer.output if tuple(self._input_layer.batch_shape[1:]) == shape[1:] \
            else KerasTensor(shape, self.dtype)
        for layer in self._sequence:
            try:
                tensor = layer(tensor)
            except ValueError as error:
                raise ValueError(f"Sequential model {self.name!r}: layer {layer.name!r} cannot take the output of the "
                                 f"layer before it, of shape {tensor.shape}: {error}") from None
        self._output_shape = tensor.shape
        self._build_input_shape = shape

    def call(self, inputs: Tensor) -> Tensor:
        for layer in self._sequence:
            inputs = layer(inputs)
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = tuple(input_shape)
        for layer in self._sequence:
            shape = tuple(layer.compute_output_shape(shape))
        return shape

    def get_config(self) -> dict[str, Any]:
        layers = ([serialize_layer(self._input_layer)] if self._input_layer is not None else []) + \
            [serialize_layer(layer) for layer in self._sequence]
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype, "layers": layers,
                "build_input_shape": None if self._build_input_shape is None else list(self._build_input_shape)}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> "Sequential":
        if not isinstance(config.get("layers"), list):
            raise ValueError("a Sequential configuration needs a 'layers' list")
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config["layers"]:
            model.add(deserialize_layer(layer_config, custom_objects), rebuild=False)
        model._rebuild()
        if not model.built and config.get("build_input_shape"):
            model._maybe_build(tuple(config["build_input_shape"]))
        return model


# ---------------------------------------------------------------------------------------------- Functional


class Functional(Model):
    """A model defined by connecting layers to a ``keras.Input`` (``Model(inputs, outputs)``).

    netgrad's layers each take one input, so a functional model is a chain from its input to its output.
    """

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None, trainable: bool = True) -> None:
        super().__init__(name=name, trainable=trainable)
        inputs = _single(inputs, "inputs")
        outputs = _single(outputs, "outputs")
        chain: list[Layer] = []
        tensor = outputs
        while tensor is not inputs:
            if tensor.inbound is None or tensor.operation is None:
                raise ValueError("The outputs are not connected to the inputs: every layer between keras.Input and "
                                 "the output must be called on the previous layer's output")
            chain.append(tensor.operation)
            tensor = tensor.inbound
        if not isinstance(inputs.operation, InputLayer):
            raise ValueError("`inputs` must come from keras.Input(...)")
        chain.reverse()
        if len({id(layer) for layer in chain}) != len(chain):
            raise ValueError("A layer is used twice in this functional model; netgrad's functional models do not "
                             "share layers: create a second layer")
        self.__dict__["_input_layer"] = inputs.operation
        self._sequence: list[Layer] = []
        for layer in chain:
            if any(existing.name == layer.name for existing in self._sequence):
                raise ValueError(f"Layer names must be unique in a model; {layer.name!r} appears twice")
            self.add_module(layer.name, layer)
            self._sequence.append(layer)
        self.built = True
        self._build_input_shape = inputs.shape
        self._output_shape = outputs.shape
        self.inputs, self.outputs = [inputs], [outputs]

    @property
    def layers(self) -> list[Layer]:
        """The InputLayer and then every layer, in order (as in Keras)."""
        return [self._input_layer, *self._sequence]

    def call(self, inputs: Tensor) -> Tensor:
        for layer in self._sequence:
            inputs = layer(inputs)
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = tuple(input_shape)
        for layer in self._sequence:
            shape = tuple(layer.compute_output_shape(shape))
        return shape

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable,
                "layers": [serialize_layer(layer) for layer in self.layers]}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> "Functional":
        layers = config.get("layers")
        if not isinstance(layers, list) or not layers:
            raise ValueError("a functional model's configuration needs a non-empty 'layers' list")
        input_layer = deserialize_layer(layers[0], custom_objects)
        if not isinstance(input_layer, InputLayer):
            raise ValueError("the first layer of a functional model's configuration must be an InputLayer")
        tensor = input_layer.output
        for layer_config in layers[1:]:
            tensor = deserialize_layer(layer_config, custom_objects)(tensor)
        return cls(input_layer.output, tensor, name=config.get("name"), trainable=config.get("trainable", True))


def _single(tensors: Any, what: str) -> KerasTensor:
    if isinstance(tensors, (list, tuple)):
        if len(tensors) != 1:
            raise ValueError(f"netgrad.keras functional models take exactly one input and one output; got {len(tensors)} "
                             f"{what}")
        tensors = tensors[0]
    if not isinstance(tensors, KerasTensor):
        raise TypeError(f"`{what}` must be KerasTensors (from keras.Input and layer calls), got {type(tensors).__name__}")
    return tensors


# ------------------------------------------------------------------------------------------------ summary


def _format_shape(layer: Layer) -> str:
    try:
        shape = layer.output_shape
    except (AttributeError, TypeError, ValueError, NotImplementedError):
        return "?"
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _summary_rows(model: Model, expand_nested: bool, show_trainable: bool, level: int = 0) -> list[list[str]]:
    rows = []
    layers = [layer for layer in model.layers if not (isinstance(model, Sequential) and isinstance(layer, InputLayer))]
    for layer in layers:
        prefix = "   " * level + "└ " if level else ""
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        row = [f"{prefix}{layer.name} ({type(layer).__name__})", _format_shape(layer), params]
        if show_trainable:
            row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        rows.append(row)
        if expand_nested and isinstance(layer, Model):
            rows.extend(_summary_rows(layer, expand_nested, show_trainable, level + 1))
    return rows


def _summary_text(model: Model, line_length: int | None, positions: Iterable[float] | None, expand_nested: bool,
                  show_trainable: bool) -> str:
    header = ["Layer (type)", "Output Shape", "Param #"]
    positions = list(positions or [0.45, 0.80, 1.0])
    line_length = line_length or min(88, max(40, shutil.get_terminal_size((88, 24)).columns - 4))
    if show_trainable:
        header.append("Trainable")
        line_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
    if len(positions) != len(header):
        raise ValueError(f"positions needs {len(header)} entries, one per column, got {positions}")
    # column i spans up to character ends[i]; each cell is one border character plus its padded text
    ends = [int(p * line_length) if max(positions) <= 1.0 else int(p) for p in positions]
    widths = [end - start - 1 for start, end in zip([0] + ends[:-1], ends)]
    widths[-1] -= 1  # the closing border
    if any(w < 4 for w in widths):
        raise ValueError("Insufficient console width to print summary.")
    right = [False, False, True, False][:len(header)]

    def line(cells: list[str], left: str, middle: str, end: str, fill: str = " ") -> str:
        parts = []
        for cell, width, align_right in zip(cells, widths, right):
            text = cell if len(cell) <= width - 2 else cell[:width - 3] + "…"
            parts.append(" " + (text.rjust(width - 2) if align_right else text.ljust(width - 2)) + " ")
        return left + middle.join(parts) + end

    def rule(left: str, middle: str, end: str, fill: str) -> str:
        return left + middle.join(fill * w for w in widths) + end

    rows = _summary_rows(model, expand_nested, show_trainable)
    lines = [f'Model: "{model.name}"', rule("┏", "┳", "┓", "━"), line(header, "┃", "┃", "┃"), rule("┡", "╇", "┩", "━")]
    for number, row in enumerate(rows):
        if number:
            lines.append(rule("├", "┼", "┤", "─"))
        lines.append(line(row, "│", "│", "│"))
    lines.append(rule("└", "┴", "┘", "─"))
    trainable, trainable_bytes = _count(model.trainable_weights)
    frozen, frozen_bytes = _count(model.non_trainable_weights)
    lines.append(f" Total params: {trainable + frozen:,} ({_readable_size(trainable_bytes + frozen_bytes)})")
    lines.append(f" Trainable params: {trainable:,} ({_readable_size(trainable_bytes)})")
    lines.append(f" Non-trainable params: {frozen:,} ({_readable_size(frozen_bytes)})")
    return "\n".join(lines)
