"""The Keras ``Sequential`` model: a plain stack of layers."""
from __future__ import annotations

from typing import Any, Iterable

from ...engine import Tensor
from ..keras_tensor import KerasTensor
from ..layers import InputLayer, Layer
from ..layers.serialization import deserialize as deserialize_layer
from ..layers.serialization import serialize as serialize_layer
from .model import Model

__all__ = ["Sequential"]


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
    def inputs(self) -> list[KerasTensor]:
        """``[keras.Input]`` of the built model."""
        if self._input_layer is None:
            raise AttributeError(f"Sequential model {self.name!r} has no input yet: start it with keras.Input or "
                                 "call it on data")
        return [self._input_layer.output]

    @property
    def outputs(self) -> list[KerasTensor]:
        """The KerasTensor of the last layer's output, once built from an input."""
        return [self._sequence[-1].output] if self._sequence else []

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
