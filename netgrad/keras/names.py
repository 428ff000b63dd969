"""Names to objects, written once: the ``get`` / ``serialize`` / ``deserialize`` of every Keras module, and
the custom classes a user registers for loading.

Each Keras module (activations, initializers, regularizers, losses, metrics, optimizers) lists its objects
once in a :class:`Catalogue`; its ``get``, ``serialize`` and ``deserialize`` are the catalogue's. Custom
classes come from ``custom_objects=``, from :func:`custom_object_scope` or from
:func:`register_keras_serializable`, in that order, as in Keras 3.
"""
from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator

__all__ = ["Catalogue", "custom_object_scope", "get_custom_objects", "get_registered_name", "get_registered_object",
           "register_keras_serializable"]

_registered: dict[str, Any] = {}
_scopes: list[dict[str, Any]] = []


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable[[Any], Any]:
    """Class decorator: let ``load_model`` rebuild this custom layer, model, loss, ... without ``custom_objects``.

    Example:
        >>> @keras.saving.register_keras_serializable()
        ... class SimpleDense(keras.layers.Layer): ...
    """
    def register(obj: Any) -> Any:
        key = name or obj.__name__
        _registered[key] = obj
        _registered[f"{package}>{key}"] = obj
        return obj

    return register


def get_registered_object(name: str, custom_objects: dict[str, Any] | None = None) -> Any:
    """The object named ``name`` in ``custom_objects``, the innermost scope or the registrations, else None."""
    for table in ((custom_objects or {}), *reversed(_scopes), _registered):
        if name in table:
            return table[name]
    return None


def get_registered_name(obj: Any) -> str:
    """The name an object was registered under (``'Custom>SimpleDense'``), else its own name."""
    for key, value in _registered.items():
        if value is obj and ">" in key:
            return key
    return getattr(obj, "__name__", type(obj).__name__)


def get_custom_objects() -> dict[str, Any]:
    """The registered custom objects (a live dict: adding to it registers)."""
    return _registered


@contextlib.contextmanager
def custom_object_scope(custom_objects: dict[str, Any] | None) -> Iterator[None]:
    """``with custom_object_scope({'SimpleDense': SimpleDense}): model = load_model(path)``."""
    _scopes.append(dict(custom_objects or {}))
    try:
        yield
    finally:
        _scopes.pop()


class Catalogue:
    """The objects of one Keras module by name: classes (instantiated by ``get``) and functions.

    Args:
        kind: What the objects are, for messages (``'initializer'``).
        entries: Name -> class or function; aliases map to the same object (the first name is the canonical
            one, used by ``serialize``).
        base: The base class: its instances are returned by ``get`` as they are.
        default: What ``get(None)`` returns.
        shown: The names an error message lists (default: all).
    """

    def __init__(self, kind: str, entries: dict[str, Any], base: type | tuple[type, ...] | None = None,
                 default: Any = None, shown: list[str] | None = None) -> None:
        self.kind, self.entries, self.base, self.default = kind, entries, base, default
        self.shown = sorted(entries) if shown is None else sorted(shown)

    def lookup(self, name: str, custom_objects: dict[str, Any] | None = None) -> Any:
        """The class or function named ``name`` (custom objects first).

        Raises:
            ValueError: for an unknown name; the message lists the valid ones.
        """
        found = get_registered_object(name, custom_objects)
        if found is None:
            found = self.entries.get(name)
        if found is None:
            raise ValueError(f"Unknown {self.kind} {name!r}. Valid names: {', '.join(self.shown)}")
        return found

    def get(self, identifier: Any) -> Any:
        """An object from a name (a class is instantiated with its defaults), a config dict, an instance, a
        class or a callable (returned as it is); ``None`` gives the catalogue's default."""
        if identifier is None:
            return self.default
        if self.base is not None and isinstance(identifier, self.base):
            return identifier
        if isinstance(identifier, str):
            found = self.lookup(identifier)
            return found() if isinstance(found, type) else found
        if isinstance(identifier, dict):
            return self.deserialize(identifier)
        if isinstance(identifier, type) and self.base is not None and issubclass(identifier, self.base):
            return identifier()
        if callable(identifier):
            return identifier
        raise ValueError(f"Could not interpret {self.kind} identifier: {identifier!r}")

    def serialize(self, obj: Any) -> Any:
        """A named function as its name; an object as ``{"class_name", "config"}``.

        Raises:
            ValueError: for an object the catalogue cannot name (it could not be loaded again).
        """
        for name, entry in self.entries.items():
            if entry is obj and not isinstance(entry, type):
                return name
        cls = type(obj)
        registered = get_registered_name(cls)
        if self.entries.get(cls.__name__) is cls or get_registered_object(registered) is cls:
            name = cls.__name__ if self.entries.get(cls.__name__) is cls else registered
            return {"class_name": name, "config": obj.get_config()}
        raise ValueError(f"Cannot serialize the {self.kind} {obj!r}: only the {self.kind}s of netgrad.keras and "
                         "registered custom ones (keras.saving.register_keras_serializable) can be saved")

    def deserialize(self, config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
        """The object that :meth:`serialize` described.

        Raises:
            ValueError: for an unknown name or a configuration that is not a name or a dict with 'class_name'.
        """
        if isinstance(config, str):
            found = self.lookup(config, custom_objects)
            return found() if isinstance(found, type) else found
        if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
            raise ValueError(f"a {self.kind} configuration is a name or a dict with 'class_name' and 'config', got "
                             f"{str(config)[:200]}")
        if config["class_name"] == "function":  # Keras's form of a named function
            return self.deserialize(config.get("config"), custom_objects)
        found = self.lookup(config["class_name"], custom_objects)
        options = dict(config.get("config") or {})
        if not isinstance(found, type):
            return found
        return found.from_config(options) if hasattr(found, "from_config") else found(**options)
