"""Checking what is about to be loaded: a state dict against a model, and sizes read from a file.

:func:`check_state_dict` reports every missing, unexpected, mis-shaped and wrong-dtype entry at once (it
accepts :class:`~netgrad.io.TensorInfo` entries from :func:`~netgrad.io.load_header`, so a file can be
checked before its tensors are read); :func:`check_dimension` and :func:`check_allocation` bound the sizes
a stored configuration asks for before anything is built from it.
"""
from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np

from netgrad.engine.dtypes import _numpy_dtype

from .tree import as_array

__all__ = ["MAX_DIMENSION", "IncompatibleKeys", "StateDictError", "check_allocation", "check_dimension",
           "check_state_dict"]


class StateDictError(ValueError, RuntimeError):
    """A state dict does not fit: missing, unexpected, mis-shaped or wrong-dtype entries.

    A ValueError like every bad-input error in netgrad, and a RuntimeError like PyTorch's
    ``load_state_dict`` error, so code written for either catches it.
    """


class IncompatibleKeys(NamedTuple):
    """What :func:`check_state_dict` tolerated with ``strict=False`` (PyTorch's ``_IncompatibleKeys``)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


def _shape_and_dtype(spec: Any) -> tuple[tuple[int, ...], np.dtype | None]:
    """(shape, dtype or None) of an array, a Tensor, a shape tuple, or a (shape, dtype) pair."""
    array = as_array(spec)
    if array is not None:
        return tuple(array.shape), array.dtype
    if hasattr(spec, "shape"):
        dtype = getattr(spec, "dtype", None)
        return tuple(spec.shape), None if dtype is None else _numpy_dtype(dtype)
    if (isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], (tuple, list))
            and not isinstance(spec[1], (tuple, list))):
        return tuple(spec[0]), _numpy_dtype(spec[1])
    if isinstance(spec, (tuple, list)) and all(isinstance(n, (int, np.integer)) for n in spec):
        return tuple(int(n) for n in spec), None
    raise TypeError(f"cannot read a shape from {spec!r}: give an array, a Tensor, a shape tuple, "
                    "or a (shape, dtype) pair")


def check_state_dict(expected: Mapping[str, Any], loaded: Mapping[str, Any], strict: bool = True, *,
                     check_dtype: bool = True, source: str | None = None) -> IncompatibleKeys:
    """Check that `loaded` fits `expected`, reporting every problem in one error.

    Args:
        expected: Name -> what the model holds: an array or Tensor, a shape tuple, or a (shape, dtype) pair.
        loaded: Name -> array (or Tensor) about to be loaded.
        strict: Missing and unexpected names are errors (as in PyTorch); otherwise they are returned.
            Shapes must match either way.
        check_dtype: Also require equal dtypes where `expected` gives one.
        source: What is being loaded (a file name, a module name), for the message.

    Returns:
        ``IncompatibleKeys(missing_keys, unexpected_keys)``, both empty when everything fits.

    Raises:
        StateDictError: Listing every missing, unexpected (when `strict`), mis-shaped and wrong-dtype key.

    Example:
        >>> check_state_dict({"weight": ((2, 3), "float32")}, {"weight": np.zeros((3, 2), np.float32)})
        Traceback (most recent call last):
        StateDictError: Error(s) in loading state_dict: ... 'weight': expected shape (2, 3), got (3, 2) ...
    """
    missing = [name for name in expected if name not in loaded]
    unexpected = [name for name in loaded if name not in expected]
    mismatched = []
    for name in expected:
        if name not in loaded:
            continue
        want_shape, want_dtype = _shape_and_dtype(expected[name])
        got_shape, got_dtype = _shape_and_dtype(loaded[name])
        if got_shape != want_shape:
            hint = " (transposed? Linear.weight is (out_features, in_features))" \
                if len(want_shape) == 2 and got_shape == want_shape[::-1] else ""
            mismatched.append(f"{name!r}: expected shape {want_shape}, got {got_shape}{hint}")
        elif check_dtype and want_dtype is not None and got_dtype is not None and got_dtype != want_dtype:
            mismatched.append(f"{name!r}: expected dtype {want_dtype}, got {got_dtype}")

    problems = []
    if strict and missing:
        problems.append("Missing key(s): " + ", ".join(map(repr, missing)))
    if strict and unexpected:
        problems.append("Unexpected key(s): " + ", ".join(map(repr, unexpected)))
    if mismatched:
        problems.append("Mismatched key(s): " + "; ".join(mismatched))
    if problems:
        hint = _prefix_hint(missing, unexpected) if strict else ""
        origin = f" from {source}" if source else ""
        raise StateDictError(f"Error(s) in loading state_dict{origin}:\n    " + "\n    ".join(problems) + hint)
    return IncompatibleKeys(missing, unexpected)


def _prefix_hint(missing: list[str], unexpected: list[str]) -> str:
    """Suggest the common case of names that differ only by a leading prefix ("model.", "module.")."""
    for name in missing:
        for other in unexpected:
            if other.endswith("." + name):
                prefix = other[: -len(name)]
                return f"\n    (the file's names carry an extra prefix {prefix!r}; strip it before loading)"
            if name.endswith("." + other):
                prefix = name[: -len(other)]
                return f"\n    (the file's names lack the prefix {prefix!r}; add it before loading)"
    return ""


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def _format_bytes(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


MAX_DIMENSION = 1 << 24
"""The largest size (units, features, classes) :func:`check_dimension` accepts unless told otherwise."""


def check_dimension(value: Any, what: str, *, source: str | None = None, at_least: int = 1,
                    at_most: int = MAX_DIMENSION) -> int:
    """`value` as an int, if it is a sane size read from a file; a one-line ValueError otherwise.

    Use it on every size in a stored configuration (a layer's units, a hidden width, a feature count)
    before building anything from it, so that a damaged or hostile file cannot ask for gigabytes.

    Args:
        value: The size as read (JSON gives int, float, str, ...).
        what: What it is, for the message (``"Dense 'dense_1' units"``).
        source: Where it comes from (a file name), for the message.
        at_least: Smallest accepted value.
        at_most: Largest accepted value (default :data:`MAX_DIMENSION`, 16 777 216).

    Raises:
        ValueError: For a bool, a non-integer, or a value outside ``[at_least, at_most]``.

    Example:
        >>> check_dimension(300, "hidden layer size", source="'model.netgrad'")
        300
    """
    origin = f"{source}: " if source else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{origin}{what} must be an integer; got {_short(value)} (is the file damaged?)")
    if not at_least <= value <= at_most:
        raise ValueError(f"{origin}{what} must be between {at_least:,} and {at_most:,}; got {int(value):,} "
                         "(is the file damaged or tampered with?)")
    return int(value)


def _physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows) or no such name
        return 16 << 30


def check_allocation(shapes: Mapping[str, Any] | Iterable[Any], *, dtype: Any = "float32", what: str = "the model",
                     source: str | None = None, limit_bytes: int | None = None) -> int:
    """Refuse, before allocating, arrays of `shapes` that would take more than `limit_bytes` together.

    ``total = sum(prod(shape) * itemsize)``, computed with Python integers (no overflow).

    Args:
        shapes: Shapes, or a mapping name -> shape, (shape, dtype) pair, array or :class:`TensorInfo`
            (e.g. the expected state dict of a model about to be built).
        dtype: The dtype of entries that do not give one.
        what: What would be allocated, for the message.
        source: Where the sizes come from (a file name), for the message.
        limit_bytes: The most bytes allowed; default half of this machine's physical memory.

    Returns:
        The total number of bytes.

    Raises:
        ValueError: Over the limit, or a shape that is not a tuple of non-negative integers.
    """
    items = shapes.items() if isinstance(shapes, Mapping) else enumerate(shapes)
    origin = f"{source}: " if source else ""
    default_itemsize = _numpy_dtype(dtype).itemsize
    total, largest, largest_size = 0, None, -1
    for name, spec in items:
        shape, spec_dtype = _shape_and_dtype(spec)
        for size in shape:
            if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, np.integer)) or size < 0:
                raise ValueError(f"{origin}{what}: entry {name!r} has an impossible shape {_short(shape)}")
        nbytes = math.prod(int(size) for size in shape) * (default_itemsize if spec_dtype is None
                                                            else spec_dtype.itemsize)
        total += nbytes
        if nbytes > largest_size:
            largest, largest_size = name, nbytes
    limit = _physical_memory() // 2 if limit_bytes is None else limit_bytes
    if total > limit:
        allowed = _format_bytes(limit) + (" (half of this machine's memory)" if limit_bytes is None else "")
        raise ValueError(f"{origin}{what} would need {_format_bytes(total)} (the largest entry, {largest!r}, "
                         f"{_format_bytes(largest_size)}), more than the {allowed} allowed; "
                         "is the file damaged or tampered with?")
    return total
