"""Keras's layers, built on ``netgrad.nn.Module``: ``Layer``, ``Input`` / ``InputLayer``, ``Dense``,
``Activation``, ``Dropout``, ``BatchNormalization``, ``Flatten``, ``Reshape``, ``Normalization``, ``Rescaling``.

The Keras contract: a layer creates its weights in ``build(input_shape)`` with ``add_weight`` (called once,
on the first input, so the input size never has to be given) and computes its output in ``call(inputs)``.
The notes' custom layer::

    class SimpleDense(keras.layers.Layer):
        def __init__(self, units, activation=None):
            super().__init__()
            self.units, self.activation = units, activation

        def build(self, input_shape):
            self.W = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")

        def call(self, inputs):
            y = inputs @ self.W + self.b
            return self.activation(y) if self.activation is not None else y

Keras's conventions hold inside this face: a Dense kernel is ``(input_dim, units)`` and the output is
``inputs @ kernel + bias`` (PyTorch's ``Linear.weight`` is the transpose). Trainable weights are
``nn.Parameter`` objects and non-trainable ones (moving statistics) buffers, so ``parameters()``,
``state_dict()``, ``train()`` / ``eval()`` and every ``netgrad.optim`` optimizer work on Keras layers.
A layer called directly runs in inference mode (as in Keras); ``fit`` switches to training mode, and
``layer(x, training=True)`` asks for it explicitly.
"""
from __future__ import annotations

import functools
import inspect
import math
from typing import Any, Callable, Iterable

import numpy as np

from ..engine.kernels.linear import LinearReLU, LinearTanh, column_sums
from ..engine.autograd import Function, no_grad
from ..nn.module import Module, Parameter
from ..engine import Tensor
from . import activations, initializers, regularizers
from .backend import standardize_dtype, to_snake_case, unique_name

__all__ = [
    "Activation", "BatchNormalization", "Dense", "Dropout", "Flatten", "Input", "InputLayer", "KerasTensor", "Layer",
    "Normalization", "Rescaling", "Reshape", "deserialize", "serialize",
    "Conv1D", "Conv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
]


# ------------------------------------------------------------------------------------------ symbolic tensors


class KerasTensor:
    """The shape and dtype of a future value: what ``keras.Input`` returns and layers map symbolically.

    Calling a layer on a KerasTensor builds the layer and returns the KerasTensor of its output, which
    records the layer and its input; ``keras.Model(inputs, outputs)`` follows these records back.
    """

    def __init__(self, shape: tuple, dtype: str = "float32", name: str | None = None,
                 operation: "Layer | None" = None, inbound: "KerasTensor | None" = None) -> None:
        self.shape = tuple(shape)
        self.dtype = dtype
        self.name = name or unique_name("keras_tensor")
        self.operation = operation
        self.inbound = inbound

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"


# ------------------------------------------------------------------------------------------- the base class

# The outermost layer call sets the mode (training or inference) for every layer it calls.
# Each outermost call is numbered; a layer's added losses are those of the latest call it took part in.
_call_context: dict[str, Any] = {"depth": 0, "training": None, "number": 0}

_BASIC = (type(None), bool, int, float, str)
_takes_training: dict[type, bool] = {}  # whether a layer class's call() has a `training` argument


def _auto_value(value: Any) -> Any:
    """A constructor argument as JSON-able data, or raise TypeError (for automatic ``get_config``)."""
    if isinstance(value, _BASIC) or isinstance(value, (np.integer, np.floating)):
        return value.item() if isinstance(value, np.generic) else value
    if isinstance(value, (list, tuple)):
        return [_auto_value(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: _auto_value(v) for k, v in value.items()}
    if callable(value):
        return {"module": "keras.activations", "class_name": "function", "config": activations.serialize(value)}
    raise TypeError(f"{type(value).__name__} cannot be saved")


def _decode_auto_value(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get("class_name") == "function" and "config" in value:
            return activations.get(value)
        return {k: _decode_auto_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode_auto_value(v) for v in value]
    return value


class Layer(Module):
    """Base class of Keras layers: ``build(input_shape)`` creates weights, ``call(inputs)`` computes.

    Args:
        trainable: Whether the layer's weights are trained (``layer.trainable = False`` freezes them).
        dtype: The dtype of the weights and computations (default ``'float32'``); NumPy inputs are cast to it.
        name: A unique name (default: the class name in snake case, numbered: ``dense``, ``dense_1``, ...).
        activity_regularizer: A regulariser of the layer's output, divided by the batch size, added to the loss.
        input_shape: For the first layer of a ``Sequential``: the shape of one sample (like ``keras.Input``).
        input_dim: The same, for a 1-D sample: ``input_dim=8`` is ``input_shape=(8,)``.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:  # Keras's contract: after build(input_shape) the layer is built
            cls.build = _marking_built(cls.__dict__["build"])

    def __new__(cls, *args: Any, **kwargs: Any) -> "Layer":
        layer = super().__new__(cls)
        # Keras records the constructor's arguments so that simple custom layers get get_config() for free.
        layer.__dict__["_constructor_arguments"] = (args, kwargs)
        return layer

    def __init__(self, *, trainable: bool = True, dtype: Any = None, name: str | None = None,
                 activity_regularizer: Any = None, input_shape: Iterable[int | None] | None = None,
                 input_dim: int | None = None, **kwargs: Any) -> None:
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected keyword argument(s) {sorted(kwargs)}; a Keras layer "
                            "also accepts trainable, dtype, name, activity_regularizer, input_shape and input_dim")
        Module.__init__(self)
        state = self.__dict__
        state["training"] = False  # called directly, a Keras layer runs in inference mode
        if name is not None and (not isinstance(name, str) or not name or "/" in name or "." in name):
            raise ValueError(f"Argument `name` must be a non-empty string without '/' or '.', received name={name!r}")
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self.dtype = standardize_dtype(dtype)
        if np.dtype(self.dtype).kind != "f":
            raise ValueError(f"a layer's dtype must be a float type such as 'float32', got {self.dtype!r}")
        self._trainable = bool(trainable)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.built = False
        self._build_input_shape: tuple | None = None
        self._output_shape: tuple | None = None
        self._own_trainable: list[Parameter] = []
        self._own_non_trainable: list[Tensor] = []
        self._regularized: list[tuple[Tensor, Callable]] = []
        self._added_losses: list[Tensor] = []
        self._losses_call = -1  # the number of the outermost call that _added_losses belong to
        self._weight_keys: set[str] = set()  # registry names chosen by add_weight, renamed on assignment
        if input_dim is not None:
            input_shape = (input_dim,)
        self._input_shape_arg = None if input_shape is None else tuple(input_shape)

    # --------------------------------------------------------------------------------------- weights

    def __setattr__(self, name: str, value: Any) -> None:
        # `self.W = self.add_weight(...)`: the weight takes the attribute's name in the module's registry
        keys = self.__dict__.get("_weight_keys")
        if keys and isinstance(value, Tensor) and name not in keys:
            for what in ("_parameters", "_buffers"):
                registry = self.__dict__[what]
                old = next((key for key in keys if registry.get(key) is value), None)
                if old is not None:
                    self._forget(name)
                    self.__dict__[what] = {(name if key == old else key): v for key, v in registry.items()}
                    del self.__dict__[old]
                    self.__dict__[name] = value
                    keys.discard(old)
                    return
        super().__setattr__(name, value)

    def _free_key(self, base: str) -> str:
        key, number = base, 0
        while key in self.__dict__ or hasattr(type(self), key):
            number += 1
            key = f"{base}_{number}"
        return key

    def add_weight(self, shape: Iterable[int] | None = None, initializer: Any = None, dtype: Any = None,
                   trainable: bool = True, regularizer: Any = None, name: str | None = None) -> Tensor:
        """Create a weight of this layer (in ``build``) and return it.

        Args:
            shape: The weight's shape (default ``()``, a scalar).
            initializer: A name (``'glorot_uniform'``, the default for floats; ``'zeros'`` for integers), an
                initializer object or a function ``(shape, dtype) -> array``.
            dtype: Default: the layer's dtype.
            trainable: True: an ``nn.Parameter`` updated by training. False: a buffer (saved, not trained).
            regularizer: A penalty on the weight added to the loss (e.g. ``regularizers.l2(1e-4)``).
            name: The weight's name (default ``'variable'``); assigning the weight to an attribute
                (``self.kernel = self.add_weight(...)``) registers it under the attribute's name.
        """
        shape = () if shape is None else tuple(shape) if not isinstance(shape, (int, np.integer)) else (shape,)
        if any(n is None or int(n) < 0 for n in shape):
            raise ValueError(f"{self.name}: add_weight needs a fully known shape, got {shape}")
        shape = tuple(int(n) for n in shape)
        dtype = standardize_dtype(dtype or self.dtype)
        floating = np.dtype(dtype).kind == "f"
        if initializer is None:
            initializer = "glorot_uniform" if floating else "zeros"
        init = initializers.get(initializer)
        values = init(shape, dtype=dtype)
        values = np.array(values._data if isinstance(values, Tensor) else values, dtype=dtype)
        if values.shape != shape:
            raise ValueError(f"{self.name}: the initializer returned shape {values.shape} for a weight of shape {shape}")
        key = self._free_key(name or "variable")
        if trainable:
            if not floating:
                raise ValueError(f"{self.name}: only float weights can be trainable (got dtype {dtype})")
            weight: Tensor = Parameter(values, requires_grad=self._trainable)
            self.register_parameter(key, weight)
            self._own_trainable.append(weight)
        else:
            weight = Tensor._wrap(values)
            self.register_buffer(key, weight)
            self._own_non_trainable.append(weight)
        self._weight_keys.add(key)
        if regularizer is not None:
            self._regularized.append((weight, regularizers.get(regularizer)))
        return weight

    @property
    def _layers(self) -> list["Layer"]:
        """The layers assigned to this one's attributes (its sub-layers), in order."""
        return [m for m in self._modules.values() if isinstance(m, Layer)]

    def _flatten_layers(self) -> list["Layer"]:
        """This layer and every layer below it."""
        return [m for m in self.modules() if isinstance(m, Layer)]

    @property
    def weights(self) -> list[Tensor]:
        """All weights: this layer's trainable then non-trainable ones (creation order), then its sub-layers'."""
        seen: set[int] = set()
        result = []
        for w in [*self._own_trainable, *self._own_non_trainable,
                  *(w for layer in self._layers for w in layer.weights)]:
            if id(w) not in seen:
                seen.add(id(w))
                result.append(w)
        return result

    variables = weights

    @property
    def trainable_weights(self) -> list[Tensor]:
        """The weights that training updates (none when the layer is frozen)."""
        if not self.trainable:
            return []
        return [w for w in self.weights if isinstance(w, Parameter) and w.requires_grad]

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        """The weights that training does not update (moving statistics, frozen weights)."""
        if not self.trainable:
            return self.weights
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    non_trainable_variables = non_trainable_weights

    @property
    def trainable(self) -> bool:
        """Whether the weights are trained; setting it applies to every sub-layer too (freezing)."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        for layer in self._flatten_layers():
            layer._trainable = value
            for weight in layer._own_trainable:
                weight.requires_grad_(value)

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as NumPy arrays, in the order of ``weights`` (a Dense: kernel, bias)."""
        return [np.array(w._data, copy=True) for w in self.weights]

    def set_weights(self, weights: Iterable[Any]) -> None:
        """Set the weights from NumPy arrays given in the order of ``get_weights()`` (copied, cast to dtype).

        Raises:
            ValueError: for the wrong number of arrays or an array of the wrong shape (nothing is changed).
        """
        weights = [w._data if isinstance(w, Tensor) else np.asarray(w) for w in weights]
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(f"Layer {self.name!r} expected {len(own)} weights, but received {len(weights)} input "
                             f"weights (shapes {[tuple(w.shape) for w in own]})")
        for number, (target, value) in enumerate(zip(own, weights)):
            if tuple(target.shape) != value.shape:
                raise ValueError(f"Layer {self.name!r} weight {number} has shape {tuple(target.shape)}, which is not "
                                 f"compatible with the provided weight of shape {value.shape}")
        for target, value in zip(own, weights):
            target._data[...] = value

    def count_params(self) -> int:
        """The number of scalars in all weights (trainable or not).

        Raises:
            ValueError: if the layer is not built yet.
        """
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer {self.name!r}, but the layer isn't built. "
                             "You can build it manually via: `layer.build(input_shape)`, or call it on data first.")
        return int(sum(math.prod(w.shape) for w in self.weights))

    # ---------------------------------------------------------------------------------------- losses

    def add_loss(self, loss: Tensor) -> None:
        """Add a loss term during ``call`` (kept until the next call of the outermost layer)."""
        self._added_losses.append(loss)

    def _own_losses(self) -> list[Tensor]:
        """This layer's penalties, without its sub-layers'."""
        result = list(self._added_losses)
        if self._trainable and self._regularized:
            result.extend(regularizer(w) for w, regularizer in self._regularized
                          if not isinstance(w, Parameter) or w.requires_grad)
        return result

    @property
    def losses(self) -> list[Tensor]:
        """The penalties to add to the loss: weight regularisers (recomputed now, differentiable) and the
        losses added during the last call, of this layer and its sub-layers."""
        return [loss for layer in self._flatten_layers() for loss in layer._own_losses()]

    # ----------------------------------------------------------------------------------------- calling

    def build(self, input_shape: tuple) -> None:
        """Create the weights, given the input's shape (batch axis first, possibly None). Default: none."""

    def call(self, inputs: Tensor, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"Layer {type(self).__name__} does not have a `call()` method implemented")

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """PyTorch's name for calling the layer."""
        return self(*args, **kwargs)

    def _maybe_build(self, input_shape: tuple) -> None:
        if not self.built:
            self.build(tuple(input_shape))
            self.built = True
            if self._build_input_shape is None:
                self._build_input_shape = tuple(input_shape)

    def _call_takes_training(self) -> bool:
        cls = type(self)
        takes = _takes_training.get(cls)
        if takes is None:
            try:
                takes = "training" in inspect.signature(cls.call).parameters
            except (TypeError, ValueError):
                takes = False
            _takes_training[cls] = takes
        return takes

    def _as_input(self, inputs: Any) -> Tensor:
        """Inputs as a Tensor: NumPy data cast to the layer's dtype; float Tensors of another float type too."""
        if isinstance(inputs, Tensor):
            data = inputs._data
            if data.dtype.kind == "f" and data.dtype != self.dtype:
                return inputs.to(self.dtype)
            return inputs
        data = np.asarray(inputs)
        if data.dtype.kind not in "biuf":
            raise TypeError(f"Layer {self.name!r} expects numbers, got {type(inputs).__name__} of dtype {data.dtype}")
        return Tensor._wrap(data.astype(self.dtype, copy=False))

    def __call__(self, inputs: Any, *args: Any, training: bool | None = None, **kwargs: Any) -> Any:
        if isinstance(inputs, KerasTensor):
            return self._symbolic_call(inputs)
        inputs = self._as_input(inputs)
        context = _call_context
        outermost = context["depth"] == 0
        if training is None:
            training = self.training if outermost or context["training"] is None else context["training"]
        training = bool(training)
        if outermost:
            context["number"] += 1
        if self._losses_call != context["number"]:  # this layer's first call in this forward pass
            state = self.__dict__  # plain attributes: skip Module.__setattr__ on the hot path
            state["_added_losses"] = []
            state["_losses_call"] = context["number"]
        self._maybe_build(tuple(inputs.shape))
        if self._call_takes_training():
            kwargs["training"] = training
        previous = context["training"]
        context["depth"] += 1
        context["training"] = training
        try:
            outputs = self.call(inputs, *args, **kwargs)
        finally:
            context["depth"] -= 1
            context["training"] = previous
        if self.activity_regularizer is not None and isinstance(outputs, Tensor):
            penalty = self.activity_regularizer(outputs)
            if outputs.ndim > 0 and outputs.shape[0]:
                penalty = penalty / float(outputs.shape[0])
            self._added_losses.append(penalty)
        return outputs

    def _symbolic_call(self, inputs: KerasTensor) -> KerasTensor:
        """Build from a KerasTensor's shape and return the KerasTensor of the output."""
        self._maybe_build(inputs.shape)
        shape = tuple(self.compute_output_shape(inputs.shape))
        self._output_shape = shape
        return KerasTensor(shape, self.dtype, operation=self, inbound=inputs)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        """The output's shape for an input of ``input_shape`` (None for unknown sizes, e.g. the batch).

        The default runs the layer once on zeros (batch of 1, inference mode, no gradient).
        """
        input_shape = tuple(input_shape)
        self._maybe_build(input_shape)
        zeros = Tensor._wrap(np.zeros(tuple(1 if n is None else n for n in input_shape), dtype=self.dtype))
        kwargs = {"training": False} if self._call_takes_training() else {}
        added = list(self._added_losses)
        with no_grad():
            output = self.call(zeros, **kwargs)
        self._added_losses[:] = added
        if not isinstance(output, Tensor):
            raise TypeError(f"Layer {self.name!r} returned {type(output).__name__} instead of a Tensor")
        shape = tuple(output.shape)
        return (None,) + shape[1:] if input_shape and input_shape[0] is None and shape else shape

    @property
    def output_shape(self) -> tuple:
        """The shape of the layer's output, known once it was built in a model (batch axis None)."""
        if self._output_shape is not None:
            return self._output_shape
        if self._build_input_shape is not None:
            return self.compute_output_shape(self._build_input_shape)
        raise AttributeError(f"The layer {self.name!r} has never been called and thus has no defined output shape")

    # ---------------------------------------------------------------------------------- configuration

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments as JSON-able data (``from_config`` rebuilds the layer, without weights).

        A custom layer that does not override this gets its constructor's arguments recorded automatically
        when they are numbers, strings, lists, dicts or named activations (as in Keras 3).
        """
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        if type(self).get_config is Layer.get_config and not _is_builtin(type(self)):
            config.update(self._auto_config())
        return config

    def _auto_config(self) -> dict[str, Any]:
        args, kwargs = self.__dict__.get("_constructor_arguments", ((), {}))
        try:
            bound = inspect.signature(type(self).__init__).bind(self, *args, **kwargs)
        except TypeError:
            bound = None
        recorded: dict[str, Any] = {}
        for key, value in (bound.arguments.items() if bound else ()):
            if key == "self":
                continue
            kind = inspect.signature(type(self).__init__).parameters[key].kind
            values = value.items() if kind is inspect.Parameter.VAR_KEYWORD else [(key, value)]
            for name, item in values:
                try:
                    recorded[name] = _auto_value(item)
                except (TypeError, ValueError) as error:
                    raise NotImplementedError(
                        f"Layer {type(self).__name__} does not define get_config(), and its argument {name!r} "
                        f"({error}) cannot be recorded automatically; implement get_config() returning the "
                        "constructor's arguments") from None
        return recorded

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Layer":
        """A new (unbuilt) layer from :meth:`get_config`'s dict."""
        config = {key: _decode_auto_value(value) for key, value in config.items()}
        parameters = inspect.signature(cls.__init__).parameters
        takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
        base = {key: config.pop(key) for key in ("name", "trainable", "dtype", "activity_regularizer")
                if key in config and not takes_any and key not in parameters}
        layer = cls(**config)
        if "name" in base:
            layer.name = base["name"]
        if "trainable" in base:
            layer.trainable = base["trainable"]
        return layer

    def get_build_config(self) -> dict[str, Any] | None:
        """The input shape the layer was built with, so that a loaded layer can be rebuilt before its weights
        are restored."""
        return None if self._build_input_shape is None else {"input_shape": list(self._build_input_shape)}

    def build_from_config(self, config: dict[str, Any] | None) -> None:
        if config and config.get("input_shape") is not None:
            self._maybe_build(tuple(config["input_shape"]))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _marking_built(build: Callable) -> Callable:
    """``build`` that also marks the layer built and records the input shape (so that a layer built by
    hand, ``layer.build((None, 4))``, is not built again on its first call)."""
    @functools.wraps(build)
    def build_and_mark(self: Layer, input_shape: Any = None, *args: Any, **kwargs: Any) -> Any:
        result = build(self, input_shape, *args, **kwargs)
        self.built = True
        if self._build_input_shape is None and input_shape is not None:
            self._build_input_shape = tuple(input_shape)
        return result

    return build_and_mark


def _is_builtin(cls: type) -> bool:
    return cls.__module__.startswith("netgrad.keras.")


# ----------------------------------------------------------------------------------------------- inputs


class InputLayer(Layer):
    """The entry point of a model: holds the shape of one batch, ``(batch_size, *shape)``; passes data through.

    Args:
        shape: The shape of one sample, e.g. ``(64,)`` or ``(28, 28)`` (batch axis excluded).
        batch_size: A fixed batch size, or None (any).
        batch_shape: ``(batch_size, *shape)`` in one tuple, instead of the two above.
    """

    def __init__(self, shape: Iterable[int | None] | None = None, batch_size: int | None = None, dtype: Any = None,
                 batch_shape: Iterable[int | None] | None = None, name: str | None = None, **kwargs: Any) -> None:
        if "input_shape" in kwargs and shape is None:
            shape = kwargs.pop("input_shape")
        super().__init__(dtype=dtype, name=name, **kwargs)
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if shape is None and batch_shape is None:
            raise ValueError("You must pass a `shape` argument (the shape of one sample, e.g. shape=(64,)).")
        if shape is not None:
            shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
            batch_shape = (batch_size,) + shape
        batch_shape = tuple(None if n is None else int(n) for n in batch_shape)
        if any(n is not None and n < 0 for n in batch_shape):
            raise ValueError(f"Input shape sizes must be non-negative, got {batch_shape}")
        self.batch_shape = batch_shape
        self.built = True
        self._build_input_shape = batch_shape
        self._output_shape = batch_shape
        self.output = KerasTensor(batch_shape, self.dtype, name=self.name, operation=self)

    def call(self, inputs: Tensor) -> Tensor:
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "name": self.name}


def Input(shape: Iterable[int | None] | None = None, batch_size: int | None = None, dtype: Any = None,  # noqa: N802
          batch_shape: Iterable[int | None] | None = None, name: str | None = None) -> KerasTensor:
    """A symbolic input of the given sample ``shape`` (``keras.Input((64,))``), to start a model."""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape, name=name).output


# ------------------------------------------------------------------------------------------------ Dense


class _DenseFunction(Function):
    """y = x K + b with K of shape (input_dim, units), one graph node (Keras's Dense).

    dx = g K^T,  dK = x^T g,  db = sum over rows of g  (inputs of more than 2 dimensions are flattened to rows).
    """

    @staticmethod
    def forward(ctx, x, kernel, bias):
        ctx.x, ctx.kernel = x, kernel
        out = x @ kernel
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, g):
        need_x, need_kernel, need_bias = ctx.inputs
        x, kernel = ctx.x, ctx.kernel
        grad_x = g @ kernel.T if need_x is not None else None
        if g.ndim != 2:
            g = g.reshape(-1, g.shape[-1])
            x = x.reshape(-1, x.shape[-1])
        grad_kernel = x.T @ g if need_kernel is not None else None
        grad_bias = column_sums(g) if need_bias is not None else None
        return grad_x, grad_kernel, grad_bias


def _dense(inputs: Tensor, kernel: Tensor, bias: Tensor | None) -> Tensor:
    return _DenseFunction.apply(inputs, kernel, bias)


class _DenseReLU(LinearReLU):
    """relu(x K + b) as one graph node."""

    linear = _DenseFunction


class _DenseTanh(LinearTanh):
    """tanh(x K + b) as one graph node."""

    linear = _DenseFunction


# Dense activations computed inside the layer's node. Not sigmoid or softmax: their input (the logits)
# must exist as a tensor, for the cross-entropy losses to use (see netgrad.keras.activations).
_FUSED = ((activations.relu, _DenseReLU), (activations.tanh, _DenseTanh))


class Dense(Layer):
    """A densely connected layer: ``output = activation(inputs @ kernel + bias)``, kernel ``(input_dim, units)``.

    Args:
        units: The number of outputs (neurons).
        activation: A name (``'relu'``, ``'softmax'``, ...), a function, or None for the identity.
        use_bias: Whether to add a bias vector.
        kernel_initializer: Default ``'glorot_uniform'``, U(-l, l) with l = sqrt(6 / (input_dim + units)).
        bias_initializer: Default ``'zeros'``.
        kernel_regularizer, bias_regularizer: Penalties on the weights (e.g. ``regularizers.l2(1e-4)``).
        activity_regularizer: A penalty on the output.

    An input of more than two dimensions ``(batch, ..., input_dim)`` is transformed along its last axis.
    """

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 **kwargs: Any) -> None:
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. Received: "
                             f"units={units!r}")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel: Parameter | None = None
        self.bias: Parameter | None = None

    def build(self, input_shape: tuple) -> None:
        if not input_shape or input_shape[-1] is None:
            raise ValueError(f"Dense layer {self.name!r} needs inputs whose last axis has a known size, got shape "
                             f"{tuple(input_shape)}")
        self.kernel = self.add_weight((input_shape[-1], self.units), self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, name="kernel")
        if self.use_bias:
            self.bias = self.add_weight((self.units,), self.bias_initializer, regularizer=self.bias_regularizer,
                                        name="bias")

    def call(self, inputs: Tensor) -> Tensor:
        input_dim = self.kernel.shape[0]
        if inputs.ndim < 1 or inputs.shape[-1] != input_dim:
            shape = tuple(inputs.shape)
            hint = ""
            if len(shape) > 2 and math.prod(shape[1:]) == input_dim:
                hint = "; did you forget a Flatten layer before it?"
            raise ValueError(f"Input 0 of layer {self.name!r} is incompatible with the layer: expected axis -1 of "
                             f"input shape to have value {input_dim}, but received input with shape {shape}{hint}")
        for activation, fused in _FUSED:
            if self.activation is activation:
                return fused.apply(inputs, self.kernel, self.bias)
        out = _dense(inputs, self.kernel, self.bias)
        return out if self.activation is activations.linear else self.activation(out)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({
            "units": self.units, "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": None if self.kernel_regularizer is None
            else regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": None if self.bias_regularizer is None else regularizers.serialize(self.bias_regularizer),
        })
        return config


# -------------------------------------------------------------------------------------- simple layers


class Activation(Layer):
    """Applies an activation function: ``Activation('relu')``."""

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs: Tensor) -> Tensor:
        return self.activation(inputs)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Inverted dropout: in training, each input is zeroed with probability ``rate`` and the others are scaled
    by 1 / (1 - rate), so the expected output equals the input; in inference, the identity.

    Args:
        rate: The fraction of inputs to drop, in [0, 1].
        noise_shape: The shape of the mask, broadcast over the input (None entries take the input's size);
            e.g. ``(None, 1)`` drops whole rows.
        seed: A seed for this layer's own generator (default: netgrad's global generator).
    """

    def __init__(self, rate: float, noise_shape: Iterable[int | None] | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             f"Received: rate={rate!r}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._generator = None if seed is None else np.random.default_rng(seed)

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        shape = tuple(inputs.shape)
        if self.noise_shape is not None:
            if len(self.noise_shape) != len(shape):
                raise ValueError(f"{self.name}: noise_shape {self.noise_shape} must have one entry per input axis "
                                 f"(input shape {shape})")
            shape = tuple(size if n is None else n for n, size in zip(self.noise_shape, shape))
        if self.rate == 1:
            return inputs * np.zeros(shape, dtype=inputs._data.dtype)
        from ..random import get_generator

        generator = self._generator if self._generator is not None else get_generator()
        keep = generator.random(shape) >= self.rate
        return inputs * (keep / (1.0 - self.rate)).astype(inputs._data.dtype)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        noise_shape = None if self.noise_shape is None else list(self.noise_shape)
        return {**super().get_config(), "rate": self.rate, "noise_shape": noise_shape, "seed": self.seed}


class Flatten(Layer):
    """Flattens each sample: ``(batch, d1, d2, ...)`` becomes ``(batch, d1 * d2 * ...)``."""

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.ndim < 1:
            raise ValueError(f"{self.name}: Flatten needs inputs with a batch axis, got a scalar")
        return inputs.reshape(inputs.shape[0], -1) if inputs.ndim != 2 else inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        size = None if any(n is None for n in rest) else math.prod(rest)
        return (input_shape[0], size)


class Reshape(Layer):
    """Reshapes each sample to ``target_shape`` (one entry may be -1): ``Reshape((28, 28))``."""

    def __init__(self, target_shape: Iterable[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(int(n) for n in target_shape)
        if sum(n == -1 for n in self.target_shape) > 1 or any(n < -1 or n == 0 for n in self.target_shape):
            raise ValueError(f"Invalid target_shape {self.target_shape}: positive sizes and at most one -1")

    def call(self, inputs: Tensor) -> Tensor:
        size = math.prod(inputs.shape[1:])
        known = math.prod(n for n in self.target_shape if n != -1)
        if (-1 in self.target_shape and size % known) or (-1 not in self.target_shape and size != known):
            raise ValueError(f"{self.name}: cannot reshape samples of shape {tuple(inputs.shape[1:])} ({size} values) "
                             f"to {self.target_shape}")
        return inputs.reshape(inputs.shape[0], *self.target_shape)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        target = list(self.target_shape)
        if -1 in target and all(n is not None for n in input_shape[1:]):
            target[target.index(-1)] = math.prod(input_shape[1:]) // math.prod(n for n in target if n != -1)
        return (input_shape[0], *(None if n == -1 else n for n in target))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Rescaling(Layer):
    """``inputs * scale + offset``, e.g. ``Rescaling(1 / 255)`` for pixel values."""

    def __init__(self, scale: float, offset: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale, self.offset = float(scale), float(offset)

    def call(self, inputs: Tensor) -> Tensor:
        out = inputs * self.scale
        return out + self.offset if self.offset else out

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


# ------------------------------------------------------------------------------------------- normalisation


class _BatchNormalization(Function):
    """Keras's batch normalisation over ``axes`` (every axis but the features'), one graph node.

    Training, with mu and var the mean and *biased* variance of the batch over ``axes`` (m values each):
        x_hat = (x - mu) / sqrt(var + eps),   y = gamma x_hat + beta,
        moving_mean <- momentum moving_mean + (1 - momentum) mu      (in place; var likewise),
        dx = gamma / (m sqrt(var + eps)) (m g - sum g - x_hat sum(g x_hat)),  dgamma = sum g x_hat,  dbeta = sum g.
    Inference uses the moving statistics as constants:  dx = g gamma / sqrt(moving_var + eps).
    """

    @staticmethod
    def forward(ctx, x, gamma, beta, moving_mean, moving_variance, axes, shape, training, momentum, epsilon):
        if training:
            mean = x.mean(axis=axes)
            centered = x - mean.reshape(shape)
            variance = np.mean(centered * centered, axis=axes)
            moving_mean *= momentum
            moving_mean += (1.0 - momentum) * mean
            moving_variance *= momentum
            moving_variance += (1.0 - momentum) * variance
        else:
            centered = x - moving_mean.reshape(shape)
            variance = moving_variance
        inv_std = (1.0 / np.sqrt(variance + epsilon)).astype(x.dtype, copy=False)
        x_hat = centered
        x_hat *= inv_std.reshape(shape)
        ctx.x_hat, ctx.inv_std, ctx.gamma, ctx.training = x_hat, inv_std, gamma, training
        ctx.axes, ctx.shape, ctx.count = axes, shape, x.size // inv_std.size
        out = x_hat * gamma.reshape(shape) if gamma is not None else x_hat.copy()
        if beta is not None:
            out += beta.reshape(shape)
        return out

    @staticmethod
    def backward(ctx, g):
        x_hat, inv_std, gamma, axes, shape = ctx.x_hat, ctx.inv_std, ctx.gamma, ctx.axes, ctx.shape
        need_x, need_gamma, need_beta = ctx.inputs[:3]
        sum_g = g.sum(axis=axes)
        sum_g_xhat = (g * x_hat).sum(axis=axes)
        grad_x = None
        if need_x is not None:
            scale = inv_std if gamma is None else gamma * inv_std
            if ctx.training:
                m = ctx.count
                grad_x = g * m
                grad_x -= sum_g.reshape(shape)
                grad_x -= x_hat * sum_g_xhat.reshape(shape)
                grad_x *= (scale / m).reshape(shape)
            else:
                grad_x = g * scale.reshape(shape)
        return (grad_x, sum_g_xhat if need_gamma is not None else None, sum_g if need_beta is not None else None,
                None, None, None, None, None, None, None)


class BatchNormalization(Layer):
    """Normalises each feature with the batch's statistics in training and moving averages in inference.

    ``y = gamma (x - mean) / sqrt(var + epsilon) + beta``. In training the batch mean and (biased) variance
    are used and the moving statistics updated with Keras's convention,
    ``moving = momentum * moving + (1 - momentum) * batch`` (momentum 0.99: slow; note that PyTorch's
    ``BatchNorm1d(momentum=0.1)`` weights the *batch* by its momentum, so it corresponds to Keras's 0.9).
    A frozen layer (``trainable=False``) always uses the moving statistics, as in Keras.

    Args:
        axis: The features axis (default -1, the last).
        momentum: The moving averages' decay (default 0.99).
        epsilon: Added to the variance (default 1e-3).
        center, scale: Whether to learn the offset beta / the scale gamma.
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 moving_mean_initializer: Any = "zeros", moving_variance_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNormalization: momentum must be in [0, 1], got {momentum}")
        if not epsilon > 0:
            raise ValueError(f"BatchNormalization: epsilon must be positive, got {epsilon}")
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.gamma = self.beta = None

    def build(self, input_shape: tuple) -> None:
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim or ndim < 2:
            raise ValueError(f"BatchNormalization {self.name!r}: axis {self.axis} is out of bounds for input shape "
                             f"{tuple(input_shape)}")
        size = input_shape[self.axis]
        if size is None:
            raise ValueError(f"BatchNormalization {self.name!r}: the features axis needs a known size, got shape "
                             f"{tuple(input_shape)}")
        if self.scale:
            self.gamma = self.add_weight((size,), self.gamma_initializer, regularizer=self.gamma_regularizer,
                                         name="gamma")
        if self.center:
            self.beta = self.add_weight((size,), self.beta_initializer, regularizer=self.beta_regularizer, name="beta")
        self.moving_mean = self.add_weight((size,), self.moving_mean_initializer, trainable=False, name="moving_mean")
        self.moving_variance = self.add_weight((size,), self.moving_variance_initializer, trainable=False,
                                               name="moving_variance")

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        ndim = inputs.ndim
        axis = self.axis % ndim
        size = self.moving_mean.shape[0]
        if inputs.shape[axis] != size:
            raise ValueError(f"Input 0 of layer {self.name!r} is incompatible with the layer: expected axis "
                             f"{self.axis} of input shape to have value {size}, but received input with shape "
                             f"{tuple(inputs.shape)}")
        axes = tuple(i for i in range(ndim) if i != axis)
        shape = tuple(size if i == axis else 1 for i in range(ndim))
        use_batch = bool(training) and self.trainable
        return _BatchNormalization.apply(inputs, self.gamma, self.beta, self.moving_mean._data,
                                         self.moving_variance._data, axes, shape, use_batch, self.momentum,
                                         self.epsilon)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        def reg(r: Any) -> Any:
            return None if r is None else regularizers.serialize(r)

        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
                "beta_regularizer": reg(self.beta_regularizer), "gamma_regularizer": reg(self.gamma_regularizer)}


class Normalization(Layer):
    """Standardises features with a mean and variance learned from data: ``(x - mean) / sqrt(var)``.

    ``layer.adapt(X_train)`` computes the mean and (biased) variance of each feature; or give ``mean`` and
    ``variance`` directly. The denominator is max(sqrt(var), 1e-7), so constant features do not divide by 0.

    Args:
        axis: The axis (or axes) that keep their own statistics (default -1: one per feature); None for a
            single mean and variance over everything.
        mean, variance: Fixed statistics instead of ``adapt``.
        invert: Undo the normalisation instead: ``mean + x * sqrt(var)``.
    """

    def __init__(self, axis: int | Iterable[int] | None = -1, mean: Any = None, variance: Any = None,
                 invert: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = () if axis is None else (int(axis),) if isinstance(axis, (int, np.integer)) else tuple(axis)
        if (mean is None) != (variance is None):
            raise ValueError(f"When setting values directly, both `mean` and `variance` must be set. Received: "
                             f"mean={mean} and variance={variance}")
        if mean is not None and np.shape(mean) != np.shape(variance):
            raise ValueError(f"`mean` and `variance` must have the same shape; got {np.shape(mean)} and "
                             f"{np.shape(variance)}")
        self.input_mean = None if mean is None else np.asarray(mean, dtype=self.dtype)
        self.input_variance = None if variance is None else np.asarray(variance, dtype=self.dtype)
        self.invert = bool(invert)

    def build(self, input_shape: tuple) -> None:
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). Received inputs with ndim={ndim}, "
                             f"while axis={self.axis}")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for a in self._keep_axis:
            if input_shape[a] is None:
                raise ValueError(f"Normalization {self.name!r}: axis {a} must have a known size, input shape "
                                 f"{tuple(input_shape)}")
        self._reduce_axis = tuple(a for a in range(ndim) if a not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[a] if a in self._keep_axis else 1 for a in range(ndim))
        stats_shape = tuple(input_shape[a] for a in self._keep_axis)
        if self.input_mean is None:
            self.mean = self.add_weight(stats_shape, "zeros", trainable=False, name="mean")
            self.variance = self.add_weight(stats_shape, "ones", trainable=False, name="variance")
            self.count = self.add_weight((), "zeros", dtype="int64", trainable=False, name="count")

    def _statistics(self) -> tuple[np.ndarray, np.ndarray]:
        if self.input_mean is not None:
            mean, variance = self.input_mean, self.input_variance
            if mean.ndim:
                mean, variance = mean.reshape(self._broadcast_shape), variance.reshape(self._broadcast_shape)
            return mean, variance
        return self.mean._data.reshape(self._broadcast_shape), self.variance._data.reshape(self._broadcast_shape)

    def adapt(self, data: Any) -> None:
        """Compute the mean and variance of ``data``: an array, a Tensor, or an iterable of batches (such as a
        DataLoader; of an ``(x, y)`` batch only ``x`` is used), merged exactly."""
        if self.input_mean is not None:
            raise ValueError(f"Normalization {self.name!r} was given a fixed mean and variance; it cannot adapt")
        if isinstance(data, (np.ndarray, Tensor)) or (isinstance(data, (list, tuple)) and data and
                                                       not isinstance(data[0], (np.ndarray, Tensor, tuple, list))):
            batches: Iterable[Any] = [data]
        elif isinstance(data, (list, tuple)) and data and isinstance(data[0], (int, float)):
            batches = [np.asarray(data)]
        else:
            batches = data
        total_mean = total_var = None
        total_count = 0
        for batch in batches:
            if isinstance(batch, (tuple, list)) and batch and isinstance(batch[0], (np.ndarray, Tensor)):
                batch = batch[0]
            array = np.asarray(batch._data if isinstance(batch, Tensor) else batch, dtype=np.float64)
            if array.ndim == 0:
                raise ValueError("adapt() needs data with a batch axis")
            if not self.built:
                self._maybe_build((None,) + array.shape[1:])
            for a in self._keep_axis:
                if self._build_input_shape[a] is not None and array.shape[a] != self._build_input_shape[a]:
                    raise ValueError(f"Normalization {self.name!r} was built for input shape "
                                     f"{self._build_input_shape}, but adapt() got data of shape {array.shape}")
            count = math.prod(array.shape[a] for a in self._reduce_axis)
            if count == 0:
                continue
            mean = array.mean(axis=self._reduce_axis)
            var = array.var(axis=self._reduce_axis)
            if total_mean is None:
                total_mean, total_var, total_count = mean, var, count
                continue
            # merge two (mean, variance, count) summaries exactly (Chan et al.)
            new_count = total_count + count
            weight = count / new_count
            new_mean = total_mean * (1 - weight) + mean * weight
            total_var = (total_var + (total_mean - new_mean) ** 2) * (1 - weight) + \
                (var + (mean - new_mean) ** 2) * weight
            total_mean, total_count = new_mean, new_count
        if total_mean is None:
            raise ValueError("adapt() received no data")
        self.mean._data[...] = total_mean
        self.variance._data[...] = total_var
        self.count._data[...] = total_count

    def call(self, inputs: Tensor) -> Tensor:
        mean, variance = self._statistics()
        scale = np.maximum(np.sqrt(variance), 1e-7).astype(inputs._data.dtype)
        mean = mean.astype(inputs._data.dtype, copy=False)
        if self.invert:
            return inputs * scale + mean
        return (inputs - mean) / scale

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": list(self.axis), "invert": self.invert,
                "mean": None if self.input_mean is None else self.input_mean.tolist(),
                "variance": None if self.input_variance is None else self.input_variance.tolist()}


# ----------------------------------------------------------------------------------------- serialisation

from .convolutional import Conv1D, Conv2D  # noqa: E402  (they build on Layer, defined above)
from .pooling import (AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D,  # noqa: E402
                      GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPooling1D, MaxPooling2D)

_BUILTIN: dict[str, type] = {cls.__name__: cls for cls in (
    InputLayer, Dense, Activation, Dropout, Flatten, Reshape, Rescaling, BatchNormalization, Normalization,
    Conv1D, Conv2D, MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D,
    GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D)}


def serialize(layer: Layer) -> dict[str, Any]:
    """A layer as JSON-able data: ``{"class_name", "config", "build_config"}`` (no weights)."""
    return {"module": type(layer).__module__, "class_name": type(layer).__name__, "config": layer.get_config(),
            "build_config": layer.get_build_config()}


def deserialize(config: dict[str, Any], custom_objects: dict[str, type] | None = None) -> Layer:
    """The (unbuilt) layer described by :func:`serialize`'s dict; custom classes come from ``custom_objects``.

    Raises:
        ValueError: for an unknown class name (the message lists the known ones) or a bad configuration.
    """
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError(f"a layer configuration is a dict with 'class_name' and 'config', got {config!r:.200}")
    from .models import Functional, Sequential
    from .saving import get_registered_object

    name = config["class_name"]
    if name in ("Sequential", "Functional") and not (custom_objects and name in custom_objects):
        model_class = Sequential if name == "Sequential" else Functional  # a model nested as a layer
        return model_class.from_config(dict(config.get("config") or {}), custom_objects)
    cls = (custom_objects or {}).get(name) or get_registered_object(name) or _BUILTIN.get(name)
    if cls is None:
        raise ValueError(f"Unknown layer class {name!r}. Known layers: {', '.join(sorted(_BUILTIN))}; pass a "
                         f"custom layer with custom_objects={{{name!r}: {name}}} or register it with "
                         "@keras.saving.register_keras_serializable()")
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(f"{name!r} is not a Layer class")
    try:
        return cls.from_config(dict(config.get("config") or {}))
    except (TypeError, ValueError) as error:
        raise ValueError(f"Could not build layer {name!r} from its configuration: {error}") from None
