"""The array seam: which array module holds a tensor's numbers, and moving arrays between devices.

NumPy for ``cpu`` (the default and the only hard dependency), CuPy for ``cuda`` (the ``cuda`` extra), and a
stand-in device, ``standin``, for tests without a GPU: NumPy arithmetic on arrays of a distinct type
(:class:`StandinArray`) that refuse to meet plain NumPy arrays, as CuPy's do, so that a forgotten transfer or a
hard-coded ``np.zeros(shape)`` in an op fails loudly on any machine. Every op finds its module with
:func:`array_module` (or uses the array's own methods, or NumPy functions, which dispatch to CuPy and the
stand-in through ``__array_ufunc__`` / ``__array_function__``); only creation from a shape needs the module.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import random as _random

_cupy: Any = None  # the CuPy module once loaded


def cupy_module(required: bool = True) -> Any:
    """CuPy, imported on first use; None (or a clear error when ``required``) where it is missing."""
    global _cupy
    if _cupy is None:
        try:
            import cupy  # optional: only a cuda device needs it
        except ImportError:
            if required:
                raise RuntimeError("device 'cuda' needs CuPy, which is not installed: pip install 'netgrad[cuda]' "
                                   "(or the cupy-cuda12x / cupy-cuda13x wheel matching your CUDA)") from None
            return None
        _cupy = cupy
    return _cupy


def cuda_device_count() -> int:
    """How many CUDA GPUs CuPy sees (0 without CuPy, a driver or a GPU)."""
    cupy = cupy_module(required=False)
    if cupy is None:
        return 0
    try:
        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # no driver, no device: CuPy raises its own CUDARuntimeError
        return 0


# --------------------------------------------------------------------------------------- the stand-in device


def _check_standin(values: Any, what: str) -> None:
    for v in values:
        if isinstance(v, (list, tuple)):
            _check_standin(v, what)
        elif isinstance(v, np.ndarray) and type(v) is not StandinArray:
            raise TypeError(f"{what}: a NumPy array met an array of the 'standin' device (a missing .to(device), "
                            "or an np.zeros/np.array call that should use the input's array module)")


def _unwrap(values: Any) -> Any:
    if isinstance(values, StandinArray):
        return values.view(np.ndarray)
    if isinstance(values, (list, tuple)):
        return type(values)(_unwrap(v) for v in values)
    return values


def _wrap(value: Any) -> Any:
    if type(value) is np.ndarray:
        return value.view(StandinArray)
    if isinstance(value, np.generic) and value.dtype.kind in "biufc":
        return np.asarray(value).view(StandinArray)  # CuPy gives 0-d arrays where NumPy gives scalars
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


class StandinArray(np.ndarray):
    """An array of the ``standin`` device: NumPy's numbers and arithmetic, CuPy's manners (it will not mix with
    a NumPy array, and NumPy scalars come back as 0-d arrays)."""

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        _check_standin(inputs, f"np.{ufunc.__name__}")
        out = kwargs.get("out")
        if out is not None:
            _check_standin(out, f"np.{ufunc.__name__}(out=...)")
            kwargs["out"] = _unwrap(out)
        result = getattr(ufunc, method)(*_unwrap(inputs), **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        _check_standin(args, f"np.{func.__name__}")
        _check_standin(kwargs.values(), f"np.{func.__name__}")
        result = func(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
        return _wrap(result)

    def get(self) -> np.ndarray:
        """A NumPy copy (``cupy.ndarray.get``)."""
        return np.array(self.view(np.ndarray))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.view(np.ndarray) if dtype is None else self.view(np.ndarray).astype(dtype)


class _StandinModule:
    """The stand-in device's array module: NumPy's functions, results as :class:`StandinArray`."""

    __name__ = "netgrad.standin"

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(np, name)
        if not callable(attribute) or isinstance(attribute, type):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            return _wrap(attribute(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()}))

        return call

    def asarray(self, value: Any, dtype: Any = None) -> StandinArray:
        if isinstance(value, np.ndarray) and type(value) is not np.ndarray and type(value) is not StandinArray:
            value = np.asarray(value)
        return np.asarray(_unwrap(value), dtype=dtype).view(StandinArray)


standin = _StandinModule()


# ----------------------------------------------------------------------------------------- array modules


def placement(where: Any) -> tuple[str, int | None]:
    """(type, index) from a device, a device string ('cuda:1') or a CUDA ordinal (1), as PyTorch reads them."""
    if isinstance(where, int) and not isinstance(where, bool):
        return ("cuda", where)
    kind = getattr(where, "type", None)
    if kind is None:
        from_string = str(where).partition(":")
        if from_string[0] not in ("cpu", "cuda", "standin"):
            raise RuntimeError(f"Expected one of cpu, cuda, standin device type at start of device string: {where}")
        return (from_string[0], int(from_string[2]) if from_string[2].isdigit() else None)
    return (kind, getattr(where, "index", None))


def array_module(x: Any) -> Any:
    """The array module of ``x``: ``numpy``, ``cupy`` or the stand-in's."""
    kind = type(x)
    if kind is np.ndarray:
        return np
    if kind is StandinArray:
        return standin
    if kind.__module__.startswith("cupy"):
        return cupy_module()
    return np


def device_of(x: Any) -> tuple[str, int | None]:
    """(type, index) of the device holding array ``x``."""
    kind = type(x)
    if kind is np.ndarray:
        return ("cpu", None)
    if kind is StandinArray:
        return ("standin", None)
    if kind.__module__.startswith("cupy"):
        return ("cuda", int(x.device.id))
    return ("cpu", None)  # NumPy's own subclasses (memmap), scalars, lists


def is_on(x: Any, kind: str, index: int | None = None) -> bool:
    """Whether array ``x`` is on device ``kind`` (any GPU for cuda without an index)."""
    here = device_of(x)
    return here[0] == kind and (kind != "cuda" or index is None or here[1] == index)


def to_device(x: Any, kind: str, index: int | None = None) -> Any:
    """Array ``x`` on device ``kind`` (a copy when it moves; ``x`` itself when it is there already)."""
    if is_on(x, kind, index):
        return x
    here = device_of(x)
    if here[0] == "cuda":
        x = x.get()
    elif here[0] == "standin":
        x = np.array(x.view(np.ndarray))
    if kind == "cpu":
        return x
    if kind == "standin":
        return np.array(x).view(StandinArray)
    cupy = cupy_module()
    if cuda_device_count() == 0:
        raise RuntimeError("device 'cuda' needs an NVIDIA GPU, and CuPy finds none (CuPy is installed; check the "
                           "driver with nvidia-smi)")
    with cupy.cuda.Device(index or 0):
        return cupy.asarray(x)


def to_host(x: Any) -> np.ndarray:
    """A NumPy array with the values of ``x`` (``x`` itself when it is one)."""
    return x if type(x) is np.ndarray else to_device(x, "cpu")


# ------------------------------------------------------------------------------------------ random numbers


class _StandinGenerator:
    """The global NumPy generator, drawing stand-in arrays: the same numbers as on the CPU."""

    def __getattr__(self, name: str) -> Any:
        method = getattr(_random.get_generator(), name)
        return lambda *args, **kwargs: _wrap(method(*args, **kwargs))


def generator_for(x: Any) -> Any:
    """A generator drawing arrays on the device of array ``x`` (``random``, ``uniform``, ``standard_normal``):
    the global NumPy one on the CPU, CuPy's (seeded by ``manual_seed``) on a GPU."""
    kind = type(x)
    if kind is np.ndarray or not isinstance(x, np.ndarray) and not kind.__module__.startswith("cupy"):
        return _random.get_generator()
    if kind is StandinArray:
        return _StandinGenerator()
    index = int(x.device.id)
    generator = _random.device_generators.get(index)
    if generator is None:
        cupy = cupy_module()
        with cupy.cuda.Device(index):
            generator = cupy.random.default_rng(_random.device_seed() + index)
        _random.device_generators[index] = generator
    return generator
