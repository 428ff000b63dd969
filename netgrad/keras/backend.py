"""Keras's backend helpers that the Keras face needs: float type, fuzz factor, unique names, ``clear_session``.

Layer and model names follow Keras: the first ``Dense`` is ``dense``, the next ``dense_1``, then ``dense_2``;
:func:`clear_session` starts the numbering again.
"""
from __future__ import annotations

import re
from collections import defaultdict

import numpy as np

from ..engine import get_default_dtype

__all__ = ["clear_session", "epsilon", "floatx", "get_uid", "standardize_dtype", "to_snake_case", "unique_name"]

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
