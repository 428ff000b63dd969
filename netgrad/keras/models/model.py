"""The Keras ``Model``: a layer with training; subclass it, or call ``Model(inputs, outputs)``."""
from __future__ import annotations

import json
from typing import Any, Callable, Iterable

import numpy as np

from ...distributed import data_parallel
from ...engine import Tensor, no_grad
from .. import saving
from ..layers import Layer
from ..layers.serialization import builtin_class
from ..layers.serialization import serialize as serialize_layer
from .summary import summary_text
from .training import Training

__all__ = ["Model"]


class Model(Training, Layer):
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
            return Layer.__new__(builtin_class("Functional"), *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args:
            raise TypeError(f"{type(self).__name__}.__init__ takes keyword arguments only (name=, trainable=, dtype=); "
                            "for a functional model call keras.Model(inputs, outputs)")
        super().__init__(**kwargs)
        self._init_training()

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
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has {len(layers)} "
                                 "layers")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[layer.name for layer in layers]}")


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
        print_fn(summary_text(self, line_length, positions, expand_nested, show_trainable))


    # ------------------------------------------------------------------------------------ configuration

    def to_json(self, **kwargs: Any) -> str:
        """The model's architecture as a JSON string (``keras.models.model_from_json`` rebuilds it)."""
        return json.dumps(serialize_layer(self), **kwargs)

    def save(self, filepath: str, overwrite: bool = True) -> None:
        """Save architecture, weights and compile state to one safetensors file (no pickle).

        ``keras.models.load_model(filepath)`` restores the model, ready to predict or go on training.
        While a process group is open (``netgrad.distributed``) only rank 0 writes.
        """
        if data_parallel.is_main_process():
            saving.save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath: str, overwrite: bool = True) -> None:
        """Save the weights only (safetensors), in the order of ``model.weights``; on rank 0 only while a
        process group is open."""
        if data_parallel.is_main_process():
            saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: str) -> None:
        """Load weights saved by :meth:`save_weights` (or :meth:`save`) into this built model."""
        saving.load_weights(self, filepath)
