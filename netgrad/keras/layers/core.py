"""Keras's core layers: ``InputLayer`` / ``Input``, ``Dense``, ``Activation``."""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ...engine import Tensor
from ...engine.kernels.linear import Linear, LinearReLU, LinearTanh
from ...nn.module import Parameter
from .. import activations, initializers, regularizers
from ..keras_tensor import KerasTensor
from .layer import Layer

__all__ = ["Activation", "Dense", "Input", "InputLayer"]


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


def Input(shape: Iterable[int | None] | None = None, batch_size: int | None = None, dtype: Any = None,
          batch_shape: Iterable[int | None] | None = None, name: str | None = None) -> KerasTensor:
    """A symbolic input of the given sample ``shape`` (``keras.Input((64,))``), to start a model."""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape, name=name).output


# ------------------------------------------------------------------------------------------------ Dense


# Dense activations computed inside the layer's node (the engine's fused kernels with Keras's kernel layout,
# weight_in_out=True). Not sigmoid or softmax: their input (the logits) must exist as a tensor, for the
# cross-entropy losses to use (see netgrad.keras.activations).
_FUSED = ((activations.relu, LinearReLU), (activations.tanh, LinearTanh))


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
                return fused.apply(inputs, self.kernel, self.bias, True)
        out = Linear.apply(inputs, self.kernel, self.bias, True)
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
            "bias_regularizer": None if self.bias_regularizer is None
            else regularizers.serialize(self.bias_regularizer),
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
