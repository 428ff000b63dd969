"""KerasTensor: the shape and dtype of a future value, what ``keras.Input`` returns and layers map symbolically."""
from __future__ import annotations

from typing import Any

from .backend import unique_name

__all__ = ["KerasTensor"]


class KerasTensor:
    """The shape and dtype of a future value: what ``keras.Input`` returns and layers map symbolically.

    Calling a layer on a KerasTensor builds the layer and returns the KerasTensor of its output, which
    records the layer and its input; ``keras.Model(inputs, outputs)`` follows these records back.
    """

    def __init__(self, shape: tuple, dtype: str = "float32", name: str | None = None,
                 operation: Any = None, inbound: "KerasTensor | None" = None) -> None:
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
