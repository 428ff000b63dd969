"""Saving and loading Keras models: architecture as JSON, weights as safetensors, never pickle.

``model.save(path)`` writes one safetensors file through :func:`netgrad.io.save`: the weights (in the
order of ``model.weights``) and the optimizer's state are its tensors; the model's configuration (each
layer's class and constructor arguments), the compile arguments and a format marker are JSON in its
metadata. :func:`load_model` rebuilds the model from the configuration (only known layer classes, or
classes given in ``custom_objects``, are instantiated: loading never runs code from the file), then
checks and assigns the weights. A file that was tampered with (not safetensors, damaged JSON, an unknown
layer class, weights of the wrong number or shape) is refused with a ``ValueError`` saying what is wrong.
"""
from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from .. import io
from ..engine import Tensor
from ..engine.backend import device_of, to_device, to_host
from .layers import Layer
from .layers.layer import weight_budget
from .layers.serialization import deserialize as deserialize_layer
from .layers.serialization import serialize as serialize_layer
from .names import (
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
)
from .optimizers import Optimizer

__all__ = ["custom_object_scope", "get_custom_objects", "get_registered_name", "get_registered_object", "load_model",
           "load_weights", "model_from_json", "register_keras_serializable", "save_model", "save_weights"]

_FORMAT = "netgrad.keras"
_WEIGHTS_FORMAT = "netgrad.keras.weights"
_FORMAT_VERSION = 1

def _check_overwrite(filepath: str, overwrite: bool) -> str:
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath!r} already exists; pass overwrite=True to replace it")
    return filepath


def _weight_paths(layer: Layer) -> list[str]:
    """Readable names of ``layer.weights``, in the same order: ``'dense_1/kernel'``."""
    def key(owner: Layer, weight: Tensor) -> str:
        for registry in (owner._parameters, owner._buffers):
            for name, value in registry.items():
                if value is weight:
                    return name
        return "variable"

    names, seen = [], set()

    def visit(owner: Layer, prefix: str) -> None:
        for weight in [*owner._own_trainable, *owner._own_non_trainable]:
            if id(weight) not in seen:
                seen.add(id(weight))
                names.append(f"{prefix}{owner.name}/{key(owner, weight)}")
        for child in owner._layers:
            visit(child, f"{prefix}{owner.name}/" if owner is not layer else "")

    visit(layer, "")
    return names


def _assign_weights(model: Layer, arrays: Any, where: str) -> None:
    """Copy ``arrays`` into ``model.weights`` after checking their number and every shape."""
    if not isinstance(arrays, list):
        raise ValueError(f"{where} is damaged: its weights are not a list of arrays")
    weights, paths = model.weights, _weight_paths(model)
    if len(arrays) != len(weights):
        raise ValueError(f"{where} holds {len(arrays)} weights but the model built from its configuration has "
                         f"{len(weights)} ({', '.join(paths)})")
    for path, weight, array in zip(paths, weights, arrays):
        if not isinstance(array, np.ndarray):
            raise ValueError(f"{where} is damaged: weight {path} is not an array")
        if array.shape != tuple(weight.shape):
            raise ValueError(f"{where}: weight {path} has shape {array.shape} in the file, but the layer expects "
                             f"{tuple(weight.shape)}; the file does not belong to this architecture")
        if array.dtype.kind not in "biuf":
            raise ValueError(f"{where}: weight {path} has the non-numeric dtype {array.dtype}")
    for weight, array in zip(weights, arrays):
        weight._data[...] = to_device(array, *device_of(weight._data))


def save_model(model: Any, filepath: str, overwrite: bool = True) -> None:
    """Save a built model's architecture, weights, compile arguments and optimizer state to ``filepath``."""
    filepath = _check_overwrite(filepath, overwrite)
    if not model.built:
        raise ValueError(f"Model {model.name!r} is not built yet, so it has no weights to save: call it on data, "
                         "fit it, or start it with keras.Input(shape=...)")
    optimizer = getattr(model, "optimizer", None)
    optimizer_state = optimizer.state_dict() if isinstance(optimizer, Optimizer) and optimizer.built else None
    io.save({"format": _FORMAT, "format_version": _FORMAT_VERSION, "model_config": serialize_layer(model),
             "compile_config": model.get_compile_config() if hasattr(model, "get_compile_config") else None,
             "weights": [np.array(to_host(w._data)) for w in model.weights],
             "optimizer_state": optimizer_state}, filepath)


def load_model(filepath: str, custom_objects: dict[str, type] | None = None, compile: bool = True) -> Any:
    """Load a model saved with ``model.save(filepath)``.

    Args:
        filepath: The file.
        custom_objects: ``{class name: class}`` for custom layers and models in the file.
        compile: Also restore the compile arguments and the optimizer's state (when the model was compiled).

    Raises:
        ValueError: The file is not a netgrad Keras model or was tampered with (damaged data, an unknown layer
            class, weights of the wrong number or shape); the message says which.
        FileNotFoundError: There is no such file.
    """
    filepath = os.fspath(filepath)
    where = repr(filepath)
    try:
        data = io.load(filepath)
    except FileNotFoundError:
        raise
    except ValueError as error:
        raise ValueError(f"{where} is not a valid netgrad Keras model file: {error}") from None
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise ValueError(f"{where} is not a netgrad Keras model file (no {_FORMAT!r} marker); model.save() writes "
                         "them, and netgrad.io.load reads other netgrad files")
    if data.get("format_version") != _FORMAT_VERSION:
        raise ValueError(f"{where} has Keras model format version {data.get('format_version')!r}; this netgrad reads "
                         f"version {_FORMAT_VERSION}")
    weights = data.get("weights")
    stored = sum(w.size for w in weights if isinstance(w, np.ndarray)) if isinstance(weights, list) else 0
    try:
        with weight_budget(stored):  # the configuration may not ask for more weights than the file could hold
            model = deserialize_layer(data.get("model_config"), custom_objects)
    except (TypeError, KeyError, AttributeError) as error:
        raise ValueError(f"{where} is damaged: its model configuration cannot be built ({error})") from None
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
    _assign_weights(model, data.get("weights"), where)
    compile_config = data.get("compile_config")
    if compile and compile_config:
        try:
            model.compile_from_config(compile_config)
        except (TypeError, KeyError, ValueError) as error:
            raise ValueError(f"{where} is damaged: its compile configuration is invalid ({error})") from None
        state = data.get("optimizer_state")
        if state is not None and model.compiled and hasattr(model.optimizer, "build"):
            model.optimizer.build(model.trainable_weights)
            try:
                model.optimizer.load_state_dict(state)
            except (TypeError, KeyError, ValueError) as error:
                raise ValueError(f"{where}: the saved optimizer state does not fit the model ({error})") from None
    return model


def save_weights(model: Any, filepath: str, overwrite: bool = True) -> None:
    """Save ``model.weights`` (NumPy arrays, in order) to a safetensors file."""
    filepath = _check_overwrite(filepath, overwrite)
    if not model.built:
        raise ValueError(f"Model {model.name!r} is not built yet, so it has no weights to save")
    io.save({"format": _WEIGHTS_FORMAT, "format_version": _FORMAT_VERSION, "weight_names": _weight_paths(model),
             "weights": [np.array(to_host(w._data)) for w in model.weights]}, filepath)


def load_weights(model: Any, filepath: str) -> None:
    """Load weights written by :func:`save_weights` or :func:`save_model` into a built model (checked first)."""
    filepath = os.fspath(filepath)
    where = repr(filepath)
    try:
        data = io.load(filepath)
    except ValueError as error:
        raise ValueError(f"{where} is not a valid weights file: {error}") from None
    if not isinstance(data, dict) or data.get("format") not in (_FORMAT, _WEIGHTS_FORMAT):
        raise ValueError(f"{where} is not a netgrad Keras weights or model file")
    if not model.built:
        raise ValueError(f"Model {model.name!r} is not built: build it (call it on data, or start it with keras.Input) "
                         "before loading weights")
    _assign_weights(model, data.get("weights"), where)


def model_from_json(json_string: str, custom_objects: dict[str, type] | None = None) -> Any:
    """A new model (fresh weights) from ``model.to_json()``."""
    try:
        config = json.loads(json_string)
    except json.JSONDecodeError as error:
        raise ValueError(f"model_from_json: not valid JSON ({error})") from None
    return deserialize_layer(config, custom_objects)
