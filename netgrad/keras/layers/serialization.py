"""Layers (and models, which are layers) to JSON-able data and back: written once for every layer and model.

A class name is looked up in ``custom_objects``, then :func:`~netgrad.keras.saving.custom_object_scope`,
then the registered classes, then the public layer and model classes of netgrad.keras (every ``Layer``
subclass defined in the package, so a new layer family needs no table of its own). Loading never runs
code from the file: it only instantiates these classes with the recorded arguments.
"""
from __future__ import annotations

from typing import Any

from ..names import custom_object_scope, get_registered_object
from .layer import Layer, _is_builtin

__all__ = ["builtin_class", "deserialize", "serialize"]


def _builtin_classes() -> dict[str, type]:
    """The public Layer subclasses defined in netgrad.keras, by class name."""
    found: dict[str, type] = {}
    stack = [Layer]
    while stack:
        cls = stack.pop()
        if _is_builtin(cls) and not cls.__name__.startswith("_"):
            found.setdefault(cls.__name__, cls)
        stack.extend(cls.__subclasses__())
    return found


def builtin_class(name: str) -> type | None:
    """The layer or model class of netgrad.keras called ``name`` (``'Dense'``, ``'Sequential'``), else None."""
    return _builtin_classes().get(name)


def serialize(layer: Layer) -> dict[str, Any]:
    """A layer as JSON-able data: ``{"module", "class_name", "config", "build_config"}`` (no weights)."""
    return {"module": type(layer).__module__, "class_name": type(layer).__name__, "config": layer.get_config(),
            "build_config": layer.get_build_config()}


def deserialize(config: dict[str, Any], custom_objects: dict[str, type] | None = None) -> Layer:
    """The layer or model described by :func:`serialize`'s dict, built when its build configuration says how.

    Raises:
        ValueError: for an unknown class name (the message lists the known ones) or a bad configuration.
    """
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError(f"a layer configuration is a dict with 'class_name' and 'config', got {str(config)[:200]}")
    name = config["class_name"]
    options = config.get("config")
    if options is not None and not isinstance(options, dict):
        raise ValueError(f"the configuration of layer class {name!r} is not a dict: {str(options)[:200]}")
    cls = get_registered_object(name, custom_objects) or builtin_class(name)
    if cls is None:
        known = ", ".join(sorted(n for n in _builtin_classes() if n not in ("Layer", "Model")))
        raise ValueError(f"Unknown layer class {name!r}. Known layers: {known}; pass a custom layer with "
                         f"custom_objects={{{name!r}: {name}}} or register it with "
                         "@keras.saving.register_keras_serializable()")
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(f"{name!r} is not a Layer class")
    with custom_object_scope(custom_objects):
        try:
            layer = cls.from_config(dict(options or {}))
        except (TypeError, KeyError, AttributeError) as error:
            raise ValueError(f"Could not build layer {name!r} from its configuration: {error}") from None
        if not layer.built and config.get("build_config"):
            layer.build_from_config(config["build_config"])
    return layer
