"""The one multilayer-perceptron builder: the command line, the estimators and the playground use it.

    >>> build_mlp(4, [8, 8], 3, "tanh")
    Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): Tanh()
      ...
"""
from __future__ import annotations

import numbers
from typing import Any, Callable, Sequence

from .container import Sequential
from .layers import BatchNorm1d, Dropout, Linear
from .names import activation as make_activation

__all__ = ["build_mlp", "linear_layers"]


def build_mlp(n_inputs: int, hidden: Sequence[int], n_outputs: int, activation: str = "relu", *,
              dropout: float = 0.0, batch_norm: bool = False, dtype: Any = None,
              activations: tuple[str, ...] | None = None,
              init: Callable[[Linear], None] | None = None) -> Sequential:
    """``[Linear -> (BatchNorm1d) -> activation -> (Dropout)] * len(hidden) -> Linear``.

    The output layer has no activation: it gives logits for classification (``CrossEntropyLoss`` or
    ``BCEWithLogitsLoss`` apply the softmax or sigmoid) and values for regression. The Linear layers are
    created in order, so ``netgrad.manual_seed(s)`` before the call fixes every initial weight.

    Args:
        n_inputs, hidden, n_outputs: The layer widths.
        activation: A name from :data:`netgrad.nn.names.ACTIVATIONS` (one of ``activations`` when given).
        dropout: Dropout probability after each hidden activation, in [0, 1).
        batch_norm: Batch normalisation after each hidden Linear.
        dtype: The parameters' dtype (default: netgrad's default dtype).
        activations: The names a front end offers (default: every name of the table).
        init: Called on each Linear as soon as it is created (so it draws its random numbers in layer order),
            e.g. to initialise it as scikit-learn does; default: PyTorch's initialisation.
    """
    for name, value in (("n_inputs", n_inputs), ("n_outputs", n_outputs)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    hidden = list(hidden)
    if any(isinstance(h, bool) or not isinstance(h, numbers.Integral) or h < 1 for h in hidden):
        raise ValueError(f"hidden layer sizes must be positive ints, got {hidden!r}")
    make_activation(activation, activations)  # an unknown name fails before any layer is built
    if not (isinstance(dropout, numbers.Real) and 0 <= dropout < 1):
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
    layers: list[Any] = []
    width = int(n_inputs)
    def linear(fan_in: int, fan_out: int) -> Linear:
        layer = Linear(fan_in, fan_out, dtype=dtype)
        if init is not None:
            init(layer)
        return layer

    for units in hidden:
        layers.append(linear(width, int(units)))
        if batch_norm:
            layers.append(BatchNorm1d(int(units), dtype=dtype))
        layers.append(make_activation(activation, activations))
        if dropout > 0:
            layers.append(Dropout(dropout))
        width = int(units)
    layers.append(linear(width, int(n_outputs)))
    return Sequential(*layers)


def linear_layers(model: Sequential) -> list[Linear]:
    """The Linear layers of a model built by :func:`build_mlp`, input to output."""
    return [module for module in model if isinstance(module, Linear)]
