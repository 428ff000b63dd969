"""KerasTensor: the shape and dtype of a future value, what ``keras.Input`` returns and layers map symbolically."""
from __future__ import annotations

from typing import Any

from .backend import unique_name

__all__ = ["KerasTensor"]


class KerasTensor:
    """The shape and dtype of a future value: what ``keras.Input`` returns and layers map symbolically.

    Calling a layer on a KerasTensor (or on a list of them, for a merging layer) builds the layer and returns
    the KerasTensor of its output, which records the layer, what it was called on (``inbound``: a KerasTensor
    or a list of them) and which call of the layer it was (``node_index``, Keras's ``layer[node][tensor]``);
    ``keras.Model(inputs, outputs)`` follows these records back.
    """

    def __init__(self, shape: tuple, dtype: str = "float32", name: str | None = None,
                 operation: Any = None, inbound: Any = None, node_index: int = 0) -> None:
        self.shape = tuple(shape)
        self.dtype = dtype
        self.name = name or unique_name("keras_tensor")
        self.operation = operation
        self.inbound = inbound
        self.node_index = node_index

    @property
    def inbound_tensors(self) -> list["KerasTensor"]:
        """The KerasTensors this one was computed from, as a list (empty for a ``keras.Input``)."""
        if self.inbound is None:
            return []
        return list(self.inbound) if isinstance(self.inbound, (list, tuple)) else [self.inbound]

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"
