"""Keras variables: the weights ``add_weight`` / ``add_variable`` create, with Keras's ``assign`` methods.

A trainable weight is an ``nn.Parameter`` (so every netgrad optimizer and ``parameters()`` see it), a
non-trainable one a plain Tensor (a module buffer); both take ``assign(value)``, ``assign_add(delta)`` and
``assign_sub(delta)``, which write in place, outside the graph, as Keras's do.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import Tensor
from ..nn.module import Parameter

__all__ = ["NonTrainableVariable", "Variable"]


def _values(value: Any) -> np.ndarray:
    return value._data if isinstance(value, Tensor) else np.asarray(value)


class _Assign:
    """``assign`` / ``assign_add`` / ``assign_sub`` on a Tensor's own array (shape and dtype kept)."""

    __slots__ = ()

    def assign(self, value: Any) -> Any:
        """Set the value in place: ``v.assign(0.0)``, ``v.assign(new_values)`` (broadcast to the shape)."""
        self._data[...] = _values(value)
        return self

    def assign_add(self, delta: Any) -> Any:
        """``v <- v + delta`` in place."""
        self._data += _values(delta).astype(self._data.dtype, copy=False)
        return self

    def assign_sub(self, delta: Any) -> Any:
        """``v <- v - delta`` in place."""
        self._data -= _values(delta).astype(self._data.dtype, copy=False)
        return self

    @property
    def value(self) -> Tensor:
        """The variable's current value (the tensor itself)."""
        return self

    @property
    def trainable(self) -> bool:
        return bool(self.requires_grad)


class Variable(_Assign, Parameter):
    """A trainable Keras weight: an ``nn.Parameter`` with ``assign`` methods."""

    __slots__ = ()


class NonTrainableVariable(_Assign, Tensor):
    """A Keras weight that training does not change (moving statistics, metric state)."""

    __slots__ = ()

    def __init__(self, values: np.ndarray) -> None:
        Tensor.__init__(self, values)
        self._data = values
