"""Keras's backend helpers that the Keras face needs: float type, fuzz factor, unique names, ``clear_session``,
and ``keras.device``, the scope that says where ``fit`` / ``evaluate`` / ``predict`` run.

Layer and model names follow Keras: the first ``Dense`` is ``dense``, the next ``dense_1``, then ``dense_2``;
:func:`clear_session` starts the numbering again.
"""
from __future__ import annotations

import contextlib
import re
import threading
from collections import defaultdict
from typing import Any, Iterator

import numpy as np

from ..engine import get_default_dtype
from ..engine.device import choose_device
from ..engine.device import device as engine_device

__all__ = ["clear_session", "device", "epsilon", "floatx", "get_uid", "standardize_dtype",
           "to_snake_case", "unique_name"]

_EPSILON = 1e-7
_uids: defaultdict[str, int] = defaultdict(int)


def floatx() -> str:
    """The default float type as a string (``'float32'`` unless ``netgrad.set_default_dtype`` changed it)."""
    return str(np.dtype(get_default_dtype().numpy))


def epsilon() -> float:
    """Keras's fuzz factor, 1e-7: the clip of probabilities in cross-entropies, the floor of ``Normalization``."""
    return _EPSILON


def standardize_dtype(dtype: object) -> str:
    """A dtype given as a string, NumPy dtype or netgrad dtype, as a NumPy dtype name (``None`` is floatx)."""
    if dtype is None:
        return floatx()
    numpy = getattr(dtype, "numpy", None)  # a netgrad dtype carries its NumPy dtype
    try:
        return str(np.dtype(numpy if numpy is not None and not callable(numpy) else dtype))
    except TypeError:
        raise ValueError(f"Invalid dtype: {dtype!r}; use e.g. 'float32' or 'float64'") from None


def get_uid(prefix: str = "") -> int:
    """How many times ``prefix`` was asked for so far, this call included (1, 2, 3, ...)."""
    _uids[prefix] += 1
    return _uids[prefix]


def unique_name(prefix: str) -> str:
    """``prefix`` the first time, then ``prefix_1``, ``prefix_2``, ... (Keras's automatic layer names)."""
    uid = get_uid(prefix)
    return prefix if uid == 1 else f"{prefix}_{uid - 1}"


def clear_session() -> None:
    """Reset the automatic names, so that the next ``Dense`` is called ``dense`` again."""
    _uids.clear()


def to_snake_case(name: str) -> str:
    """``'BatchNormalization'`` -> ``'batch_normalization'`` (Keras's rule for default layer names)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


# ------------------------------------------------------------------------------------------------ devices


class _Scopes(threading.local):
    """The ``keras.device`` scopes open in this thread, innermost last."""

    def __init__(self) -> None:
        self.stack: list[engine_device] = []


_scopes = _Scopes()


def parse_device(name: Any, argument: str = "device_name") -> engine_device | None:
    """A Keras device name as a netgrad device: ``'cpu'``, ``'cpu:0'``, ``'gpu'``, ``'gpu:1'`` (Keras's names;
    ``gpu`` is ``cuda``, as Keras's PyTorch backend reads it), ``'cuda:1'``, ``'auto'`` (the GPU when there is
    one); None stays None. A name that is not a device, or a GPU that cannot be used, is a ValueError."""
    if name is None or isinstance(name, engine_device):
        return choose_device(name, argument)
    if not isinstance(name, str):
        raise ValueError(f"Invalid value for argument `{argument}`. Expected a string like 'gpu:0' or 'cpu'. "
                         f"Received: {argument}={name!r}")
    return choose_device(name.lower().replace("gpu", "cuda"), argument)


@contextlib.contextmanager
def device(device_name: str) -> Iterator[None]:
    """``keras.device``: ``fit``, ``evaluate`` and ``predict`` called inside run on this device (the model's
    weights and optimizer state move there, every batch goes there; results come back as NumPy arrays).

        with keras.device("gpu:0"):
            model.fit(x_train, y_train, epochs=2)

    Netgrad creates weights on the CPU when a layer is built and moves them on the first ``fit`` /
    ``evaluate`` / ``predict`` in the scope; calling a model directly (``model(x)``) is not placed.
    """
    _scopes.stack.append(parse_device(device_name))
    try:
        yield
    finally:
        _scopes.stack.pop()


def scope_device() -> engine_device | None:
    """The device of the innermost open ``keras.device`` scope (None outside every scope)."""
    return _scopes.stack[-1] if _scopes.stack else None
