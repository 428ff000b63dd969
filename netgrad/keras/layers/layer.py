"""The base class of Keras layers, built on ``netgrad.nn.Module``.

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

import contextlib
import functools
import inspect
import math
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from ...engine import Tensor, no_grad
from ...engine.backend import device_of, to_device, to_host
from ...nn.module import Module, Parameter
from .. import activations, initializers, regularizers
from ..backend import standardize_dtype, to_snake_case, unique_name
from ..keras_tensor import KerasTensor
from ..variables import NonTrainableVariable, Variable

__all__ = ["Layer"]


# ------------------------------------------------------------------------------------------- the base class

# The outermost layer call sets the mode (training or inference) for every layer it calls.
# Each outermost call is numbered; a layer's added losses are those of the latest call it took part in.
_call_context: dict[str, Any] = {"depth": 0, "training": None, "number": 0}

_BASIC = (type(None), bool, int, float, str)

# While a model file is loaded: how many more weight values its configuration may still create (None: no limit).
_weight_budget: list[int | None] = [None]
_BUDGET_SLACK = 1 << 20  # values a configuration may create beyond twice what the file stores


@contextlib.contextmanager
def weight_budget(stored_values: int) -> Iterator[None]:
    """Within this block, layers may create at most ``2 * stored_values + 2**20`` weight values in all.

    Loading a model file builds its layers from the configuration before their weights can be compared with
    the stored ones; this bound stops a configuration that asks for a huge layer (``Dense(units=10**9)``) before
    anything is allocated, while a small mismatch still reaches the precise shape check.
    """
    previous = _weight_budget[0]
    _weight_budget[0] = 2 * int(stored_values) + _BUDGET_SLACK
    try:
        yield
    finally:
        _weight_budget[0] = previous
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
        budget = _weight_budget[0]
        if budget is not None:
            size = math.prod(shape)
            if size > budget:
                raise ValueError(f"layer {self.name!r} asks for a weight of shape {shape} ({size:,} values), more than "
                                 "the file's stored weights can fill: the configuration does not match the weights")
            _weight_budget[0] = budget - size
        init = initializers.get(initializer)
        values = init(shape, dtype=dtype)
        values = np.array(values._data if isinstance(values, Tensor) else values, dtype=dtype)
        if values.shape != shape:
            raise ValueError(f"{self.name}: the initializer returned shape {values.shape} for a weight of shape "
                             f"{shape}")
        key = self._free_key(name or "variable")
        if trainable:
            if not floating:
                raise ValueError(f"{self.name}: only float weights can be trainable (got dtype {dtype})")
            weight: Tensor = Variable(values, requires_grad=self._trainable)
            self.register_parameter(key, weight)
            self._own_trainable.append(weight)
        else:
            weight = NonTrainableVariable(values)
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
        return [np.array(to_host(w._data), copy=True) for w in self.weights]

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
            target._data[...] = to_device(value, *device_of(target._data))

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
                return inputs.type(np.dtype(self.dtype))
            return inputs
        data = np.asarray(inputs)
        if data.dtype.kind not in "biuf":
            raise TypeError(f"Layer {self.name!r} expects numbers, got {type(inputs).__name__} of dtype {data.dtype}")
        return Tensor._wrap(data.astype(self.dtype, copy=False))

    def __call__(self, inputs: Any, *args: Any, training: bool | None = None, **kwargs: Any) -> Any:
        if isinstance(inputs, KerasTensor):
            return self._symbolic_call(inputs)
        if isinstance(inputs, (list, tuple)) and inputs and isinstance(inputs[0], (Tensor, np.ndarray, KerasTensor)):
            if any(isinstance(item, KerasTensor) for item in inputs):
                if not all(isinstance(item, KerasTensor) for item in inputs):
                    raise TypeError(f"Layer {self.name!r} was called on a list mixing KerasTensors (from keras.Input) "
                                    "and arrays; in a functional model every input must come from keras.Input")
                return self._symbolic_call(list(inputs))
            inputs = [self._as_input(item) for item in inputs]  # a layer of several inputs (Concatenate)
            input_shape: Any = [tuple(item.shape) for item in inputs]
        elif isinstance(inputs, dict):  # a model of several named inputs
            inputs = {key: self._as_input(item) for key, item in inputs.items()}
            input_shape = {key: tuple(item.shape) for key, item in inputs.items()}
        else:
            inputs = self._as_input(inputs)
            input_shape = tuple(inputs.shape)
        if args:  # further tensors, e.g. call(targets, logits): NumPy data becomes Tensors too
            args = tuple(self._as_input(a) if isinstance(a, np.ndarray) else a for a in args)
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
        self._maybe_build(input_shape)
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

    def _symbolic_call(self, inputs: Any) -> KerasTensor:
        """Build from the KerasTensor's shape (a list of shapes for a list of them) and return the KerasTensor
        of the output, which records this call as the layer's next node."""
        input_shape = [tuple(t.shape) for t in inputs] if isinstance(inputs, list) else inputs.shape
        self._maybe_build(input_shape)
        shape = tuple(self.compute_output_shape(input_shape))
        self._output_shape = shape
        node_index = self.__dict__.get("_symbolic_calls", 0)
        self.__dict__["_symbolic_calls"] = node_index + 1
        output = KerasTensor(shape, self.dtype, operation=self, inbound=inputs, node_index=node_index)
        self.__dict__["_symbolic"] = (inputs, output)
        return output

    @property
    def input(self) -> KerasTensor:
        """The KerasTensor this layer was last called on symbolically (in a model built from ``keras.Input``)."""
        return self._symbolic_tensors()[0]

    @property
    def output(self) -> KerasTensor:
        """The KerasTensor of this layer's output in the model it was built in (for feature extraction:
        ``keras.Model(inputs=model.inputs, outputs=model.get_layer("hidden").output)``)."""
        return self._symbolic_tensors()[1]

    @output.setter
    def output(self, value: KerasTensor) -> None:
        self.__dict__["_symbolic"] = (None, value)

    def _symbolic_tensors(self) -> tuple:
        tensors = self.__dict__.get("_symbolic")
        if tensors is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute 'output' (layer {self.name!r} "
                                 "was never called on a keras.Input)")
        return tensors

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
