"""The functional Keras model: ``Model(inputs, outputs)`` over layers called on ``keras.Input``."""
from __future__ import annotations

from typing import Any

from ...engine import Tensor
from ..keras_tensor import KerasTensor
from ..layers import InputLayer, Layer
from ..layers.serialization import deserialize as deserialize_layer
from ..layers.serialization import serialize as serialize_layer
from .model import Model

__all__ = ["Functional"]


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
            raise ValueError(f"netgrad.keras functional models take exactly one input and one output; got "
                             f"{len(tensors)} {what}")
        tensors = tensors[0]
    if not isinstance(tensors, KerasTensor):
        raise TypeError(f"`{what}` must be KerasTensors (from keras.Input and layer calls), got "
                        f"{type(tensors).__name__}")
    return tensors
