"""The encoding of netgrad files: a nested object <-> (a flat dict of arrays, a JSON-able tree).

Tree nodes: JSON null / true / false / numbers / strings stand for themselves; a JSON list is a Python
list; every other node is a JSON object with exactly one tag:
  {"dict": [[key, node], ...]}    keys are JSON strings or integers, in insertion order
  {"tuple": [node, ...]}
  {"tensor": name}                the safetensors tensor called `name`
  {"float": "nan" | "inf" | "-inf"}   (strict JSON has no non-finite numbers)
  {"numpy": value, "dtype": name}     a NumPy scalar such as np.float32(0.5)
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from netgrad.engine.backend import to_host

# The dtypes the safetensors format can hold that NumPy has natively.
# Compared by name, so that big-endian arrays are accepted (safetensors stores them little-endian).
SUPPORTED_DTYPES = frozenset(("bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64",
                              "uint64", "float16", "float32", "float64", "complex64"))


def as_array(obj: Any) -> np.ndarray | None:
    """The ndarray behind `obj` if it is an array or array-like tensor, else None."""
    if isinstance(obj, np.ndarray):
        return obj
    data = getattr(obj, "_data", None)  # netgrad.Tensor and Parameter (on any device: saved from the host)
    if isinstance(data, np.ndarray) or hasattr(data, "__cuda_array_interface__"):
        return to_host(data)
    numpy = getattr(obj, "numpy", None)  # other tensor types that can hand out an ndarray
    if callable(numpy) and not isinstance(obj, np.generic):
        result = numpy()
        if isinstance(result, np.ndarray):
            return result
    return None


def _format_path(path: tuple) -> str:
    return ".".join(str(part) for part in path) or "<root>"


class Encoder:
    def __init__(self, where: str) -> None:
        self.where = where
        self.tensors: dict[str, np.ndarray] = {}

    def fail(self, path: tuple, problem: str) -> ValueError:
        return ValueError(f"cannot save {self.where}: {problem} at {_format_path(path)!r}")

    def tensor_name(self, path: tuple) -> str:
        base = ".".join(str(part) for part in path) or "tensor"
        name, suffix = base, 1
        # Different paths can join to the same dotted name ({"a.b": x} and {"a": {"b": y}}); the tree records
        # the real name, so any unique spelling will do.
        while name in self.tensors or name == "__metadata__":
            name, suffix = f"{base}#{suffix}", suffix + 1
        return name

    def encode(self, obj: Any, path: tuple) -> Any:
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        # Before int and float: np.float64 subclasses float, and its dtype is worth keeping.
        if isinstance(obj, np.generic) and not isinstance(obj, (np.void, np.object_)):
            return self.encode_numpy_scalar(obj, path)
        if isinstance(obj, int):
            return int(obj)  # int subclasses (IntEnum...) become plain ints
        if isinstance(obj, float):
            return float(obj) if math.isfinite(obj) else {"float": repr(float(obj))}
        if isinstance(obj, Mapping):
            items = []
            for key, value in obj.items():
                if isinstance(key, (bool, np.bool_)) or not isinstance(key, (str, int, np.integer)):
                    raise self.fail(path, f"dict key {key!r} of type {type(key).__name__} "
                                          "(only str and int keys can be saved)")
                key = key if isinstance(key, str) else int(key)
                items.append([key, self.encode(value, path + (key,))])
            return {"dict": items}
        if isinstance(obj, list):
            return [self.encode(value, path + (i,)) for i, value in enumerate(obj)]
        if isinstance(obj, tuple):
            return {"tuple": [self.encode(value, path + (i,)) for i, value in enumerate(obj)]}
        array = as_array(obj)
        if array is not None:
            return {"tensor": self.add_array(array, path)}
        raise self.fail(path, f"an object of type {type(obj).__name__} (netgrad saves arrays, tensors, "
                              "dicts, lists, tuples, numbers, strings and None, never arbitrary objects)")

    def encode_numpy_scalar(self, value: np.generic, path: tuple) -> dict:
        if value.dtype.name not in SUPPORTED_DTYPES or value.dtype.kind == "c":
            raise self.fail(path, f"a NumPy scalar of unsupported dtype {value.dtype}")
        item = value.item()
        if isinstance(item, float) and not math.isfinite(item):
            item = repr(item)
        return {"numpy": item, "dtype": value.dtype.name}

    def add_array(self, array: np.ndarray, path: tuple) -> str:
        if array.dtype == object:
            raise self.fail(path, "an array of dtype object (it can only be stored by pickling, "
                                  "which netgrad refuses; convert it to a numeric dtype)")
        if array.dtype.name not in SUPPORTED_DTYPES:
            supported = ", ".join(sorted(SUPPORTED_DTYPES))
            raise self.fail(path, f"an array of unsupported dtype {array.dtype} (supported: {supported})")
        name = self.tensor_name(path)
        # Not np.ascontiguousarray: it turns 0-d arrays into 1-d ones.
        self.tensors[name] = array if array.flags.c_contiguous else array.copy(order="C")
        return name


class Decoder:
    def __init__(self, tensors: Mapping[str, np.ndarray], wrap, where: str) -> None:
        self.tensors = tensors
        self.wrap = wrap
        self.where = where
        self.used: set[str] = set()

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(value) for value in node]
        if isinstance(node, dict) and len(node) == 1:
            (tag, value), = node.items()
            if tag == "dict":
                return {self.decode_key(key): self.decode(item) for key, item in value}
            if tag == "tuple":
                return tuple(self.decode(item) for item in value)
            if tag == "tensor":
                if value not in self.tensors:
                    raise ValueError(f"{self.where} is damaged: its metadata refers to a tensor {value!r} "
                                     "that the file does not hold")
                self.used.add(value)
                return self.wrap(self.tensors[value])
            if tag == "float":
                return float(value)
        if isinstance(node, dict) and set(node) == {"numpy", "dtype"}:
            dtype = np.dtype(node["dtype"])
            if dtype.name not in SUPPORTED_DTYPES:
                raise ValueError(f"{self.where} is damaged: unsupported NumPy scalar dtype {dtype}")
            return dtype.type(node["numpy"])
        raise ValueError(f"{self.where} is damaged: unknown entry {str(node)[:80]!r} in its metadata")

    @staticmethod
    def decode_key(key: Any) -> str | int:
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise ValueError(f"dict key {key!r} is neither str nor int")
        return key
