"""Safe saving and loading: safetensors on disk, JSON for structure, never pickle.

A file written by :func:`save` is an ordinary safetensors file. Every array of the saved object becomes
one safetensors tensor, named by its path in the object (``fc1.weight``, ``optimizer.state.0.exp_avg``),
so any safetensors reader sees a flat state dict under its usual names. Everything that is not an array
(nesting, dict keys, lists, tuples, numbers, strings, ``None``) is one JSON document stored in the file's
``__metadata__`` under the key ``"netgrad"``, together with a format version. Loading therefore never runs
code: it parses JSON and copies raw bytes.

Writes are atomic: the bytes go to a temporary file in the destination's directory, are flushed and
``fsync``-ed, and the temporary file is renamed over the destination with :func:`os.replace`. A crash or
an error part-way leaves any earlier file at the destination as it was.

Example:
    >>> import numpy as np, netgrad.io as nio
    >>> nio.save({"fc1.weight": np.ones((2, 3), np.float32), "epoch": 3}, "model.safetensors")
    >>> nio.load("model.safetensors")["epoch"]
    3
"""
from __future__ import annotations

import json
import math
import os
import uuid
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import safetensors
import safetensors.numpy

from netgrad.engine.dtypes import _numpy_dtype
from netgrad.engine.tensor import Tensor
from netgrad.random import get_rng_state, set_rng_state

__all__ = [
    "FORMAT_VERSION",
    "IncompatibleKeys",
    "StateDictError",
    "check_state_dict",
    "load",
    "load_checkpoint",
    "save",
    "save_checkpoint",
]

FORMAT_VERSION = 1
"""Version of the JSON document netgrad stores in ``__metadata__``; bumped on incompatible changes."""

_METADATA_KEY = "netgrad"
_CHECKPOINT_MARK = "netgrad_checkpoint"
_SAFETENSORS_HEADER_LIMIT = 100_000_000  # the safetensors library refuses larger headers too
# The dtypes the safetensors format can hold that NumPy has natively.
# Compared by name, so that big-endian arrays are accepted (safetensors stores them little-endian).
_SUPPORTED_DTYPES = frozenset(("bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64",
                               "uint64", "float16", "float32", "float64", "complex64"))


# --------------------------------------------------------------------------------------------------
# Encoding: a nested object <-> (flat dict of arrays, JSON-able tree)
#
# Tree nodes: JSON null / true / false / numbers / strings stand for themselves; a JSON list is a Python
# list; every other node is a JSON object with exactly one tag:
#   {"dict": [[key, node], ...]}    keys are JSON strings or integers, in insertion order
#   {"tuple": [node, ...]}
#   {"tensor": name}                the safetensors tensor called `name`
#   {"float": "nan" | "inf" | "-inf"}   (strict JSON has no non-finite numbers)
#   {"numpy": value, "dtype": name}     a NumPy scalar such as np.float32(0.5)
# --------------------------------------------------------------------------------------------------

def _as_array(obj: Any) -> np.ndarray | None:
    """The ndarray behind `obj` if it is an array or array-like tensor, else None."""
    if isinstance(obj, np.ndarray):
        return obj
    data = getattr(obj, "_data", None)  # netgrad.Tensor and Parameter
    if isinstance(data, np.ndarray):
        return data
    numpy = getattr(obj, "numpy", None)  # other tensor types that can hand out an ndarray
    if callable(numpy) and not isinstance(obj, np.generic):
        result = numpy()
        if isinstance(result, np.ndarray):
            return result
    return None


def _format_path(path: tuple) -> str:
    return ".".join(str(part) for part in path) or "<root>"


class _Encoder:
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
        array = _as_array(obj)
        if array is not None:
            return {"tensor": self.add_array(array, path)}
        raise self.fail(path, f"an object of type {type(obj).__name__} (netgrad saves arrays, tensors, "
                              "dicts, lists, tuples, numbers, strings and None, never arbitrary objects)")

    def encode_numpy_scalar(self, value: np.generic, path: tuple) -> dict:
        if value.dtype.name not in _SUPPORTED_DTYPES or value.dtype.kind == "c":
            raise self.fail(path, f"a NumPy scalar of unsupported dtype {value.dtype}")
        item = value.item()
        if isinstance(item, float) and not math.isfinite(item):
            item = repr(item)
        return {"numpy": item, "dtype": value.dtype.name}

    def add_array(self, array: np.ndarray, path: tuple) -> str:
        if array.dtype == object:
            raise self.fail(path, "an array of dtype object (it can only be stored by pickling, "
                                  "which netgrad refuses; convert it to a numeric dtype)")
        if array.dtype.name not in _SUPPORTED_DTYPES:
            supported = ", ".join(sorted(_SUPPORTED_DTYPES))
            raise self.fail(path, f"an array of unsupported dtype {array.dtype} (supported: {supported})")
        name = self.tensor_name(path)
        # Not np.ascontiguousarray: it turns 0-d arrays into 1-d ones.
        self.tensors[name] = array if array.flags.c_contiguous else array.copy(order="C")
        return name


class _Decoder:
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
            if dtype.name not in _SUPPORTED_DTYPES:
                raise ValueError(f"{self.where} is damaged: unsupported NumPy scalar dtype {dtype}")
            return dtype.type(node["numpy"])
        raise ValueError(f"{self.where} is damaged: unknown entry {str(node)[:80]!r} in its metadata")

    @staticmethod
    def decode_key(key: Any) -> str | int:
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise ValueError(f"dict key {key!r} is neither str nor int")
        return key


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------

def _write_atomic(path: str, payload: bytes) -> None:
    """Write `payload` to `path` through a temporary file in the same directory and a rename."""
    directory = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(directory, f".{os.path.basename(path)}.{uuid.uuid4().hex[:12]}.tmp")
    # 0o666 lets the process umask decide the permissions, as for any newly created file.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.remove(temporary)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def save(obj: Any, path: str | os.PathLike) -> None:
    """Save a state dict or any nested structure of arrays to `path` in the safetensors format.

    `obj` may nest dicts (str or int keys), lists and tuples of NumPy arrays, netgrad Tensors, Python or
    NumPy scalars, strings and ``None``. Arrays keep their dtype and shape exactly (0-d arrays included);
    int dict keys come back as ints, tuples as tuples. Arrays that share memory are stored once per
    occurrence and load as independent copies. No pickle is involved, so loading a file never runs code.

    Args:
        obj: What to save, e.g. ``model.state_dict()``.
        path: Destination file; written atomically (temporary file, fsync, rename).

    Raises:
        ValueError: For an object dtype, an unsupported dtype, a dict key that is neither str nor int,
            or an object of a type that cannot be stored; the message names where in `obj` it is.

    Example:
        >>> save({"fc1.weight": w, "fc1.bias": b}, "model.safetensors")  # readable by any safetensors reader
    """
    path = os.fspath(path)
    encoder = _Encoder(where=repr(path))
    tree = encoder.encode(obj, ())
    document = json.dumps({"format": "netgrad", "version": FORMAT_VERSION, "tree": tree},
                          separators=(",", ":"), allow_nan=False)
    payload = safetensors.numpy.save(encoder.tensors, metadata={_METADATA_KEY: document})
    _write_atomic(path, payload)


def _check_safetensors_header(path: str) -> None:
    """Refuse, with a message a person can act on, files that cannot be safetensors or are cut short."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as file:
            prefix = file.read(9)
    except FileNotFoundError:
        raise FileNotFoundError(f"no such file: {path!r}") from None
    if size < 8:
        raise ValueError(f"{path!r} is not a safetensors file: it is only {size} bytes long "
                         "(a safetensors file starts with an 8-byte header length)")
    header_length = int.from_bytes(prefix[:8], "little")
    if header_length > _SAFETENSORS_HEADER_LIMIT or prefix[8:9] != b"{":
        raise ValueError(f"{path!r} is not a safetensors file (its first bytes are not a safetensors "
                         "header; netgrad reads only files written by netgrad.save or other safetensors writers)")
    if 8 + header_length > size:
        raise ValueError(f"{path!r} is truncated: its header claims {header_length} bytes but the file "
                         f"holds only {size - 8} after the length field (was the write interrupted?)")


def load(path: str | os.PathLike, *, as_tensors: bool = False, require_netgrad: bool = False) -> Any:
    """Load what :func:`save` wrote, or the flat dict of tensors of any safetensors file.

    Args:
        path: A file written by :func:`save` or by any safetensors writer.
        as_tensors: Return netgrad Tensors instead of NumPy arrays.
        require_netgrad: Refuse safetensors files that carry no netgrad metadata (checkpoints need the
            structure that only netgrad records).

    Returns:
        The saved object, with writable NumPy arrays (or Tensors) in place of arrays; for a safetensors
        file from another writer, a dict from tensor name to array.

    Raises:
        ValueError: The file is truncated, is not safetensors, is damaged, was written by a newer netgrad,
            or (with `require_netgrad`) was not written by netgrad. The message names the file.
        FileNotFoundError: There is no file at `path`.
    """
    path = os.fspath(path)
    where = repr(path)
    wrap = _tensor_wrapper() if as_tensors else (lambda array: array)
    _check_safetensors_header(path)
    try:
        with safetensors.safe_open(path, framework="numpy") as file:
            metadata = file.metadata() or {}
            tensors = {name: file.get_tensor(name) for name in file.keys()}
    except safetensors.SafetensorError as error:
        raise ValueError(f"{where} is not a readable safetensors file ({error}); it may be truncated "
                         "or written by something else") from None

    if _METADATA_KEY not in metadata:
        if require_netgrad:
            raise ValueError(f"{where} is a safetensors file but was not written by netgrad (it has no "
                             f"{_METADATA_KEY!r} metadata), so it holds no checkpoint structure; "
                             "netgrad.io.load(path) reads its tensors as a flat dict")
        return {name: wrap(array) for name, array in tensors.items()}

    try:
        document = json.loads(metadata[_METADATA_KEY])
    except (json.JSONDecodeError, RecursionError):
        raise ValueError(f"{where} is damaged: its netgrad metadata is not valid JSON") from None
    if not isinstance(document, dict) or document.get("format") != "netgrad" or "tree" not in document:
        raise ValueError(f"{where} is damaged: its netgrad metadata has no format marker or no tree")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ValueError(f"{where} is damaged: format version {version!r} is not a positive integer")
    if version > FORMAT_VERSION:
        raise ValueError(f"{where} was written in netgrad file format {version}, but this netgrad reads "
                         f"formats up to {FORMAT_VERSION}; upgrade netgrad to read it")

    decoder = _Decoder(tensors, wrap, where)
    try:
        obj = decoder.decode(document["tree"])
    except (TypeError, ValueError, RecursionError) as error:
        if isinstance(error, ValueError) and str(error).startswith(where):
            raise
        raise ValueError(f"{where} is damaged: malformed netgrad metadata ({error})") from None
    unreferenced = sorted(set(tensors) - decoder.used)
    if unreferenced:
        raise ValueError(f"{where} is damaged: it holds tensors its netgrad metadata does not describe: "
                         f"{', '.join(unreferenced[:10])}")
    return obj


def _tensor_wrapper():
    return Tensor._wrap


# --------------------------------------------------------------------------------------------------
# Checking a state dict against what a model expects
# --------------------------------------------------------------------------------------------------

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
    array = _as_array(spec)
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


# --------------------------------------------------------------------------------------------------
# Training checkpoints
# --------------------------------------------------------------------------------------------------

def save_checkpoint(path: str | os.PathLike, *, model: Any, optimizer: Any = None, scheduler: Any = None,
                    epoch: int | None = None, extra: Any = None) -> None:
    """Save everything needed to resume training bit-identically, atomically, to `path`.

    Stores ``model.state_dict()``, ``optimizer.state_dict()`` and ``scheduler.state_dict()`` (each
    optional but the model), `epoch`, `extra` (anything :func:`save` accepts) and the state of netgrad's
    global random generator, so that shuffling and dropout continue exactly where they stopped.

    Args:
        path: Destination file.
        model: Anything with ``state_dict()``.
        optimizer: Optional, anything with ``state_dict()``.
        scheduler: Optional, anything with ``state_dict()``.
        epoch: The number of epochs completed.
        extra: Further JSON-like data or arrays (a History, the best metric, ...).
    """
    save({
        _CHECKPOINT_MARK: FORMAT_VERSION,
        "model": model.state_dict(),
        "optimizer": None if optimizer is None else optimizer.state_dict(),
        "scheduler": None if scheduler is None else scheduler.state_dict(),
        "epoch": epoch,
        "extra": extra,
        "rng_state": get_rng_state(),
    }, path)


def load_checkpoint(path: str | os.PathLike, *, model: Any, optimizer: Any = None,
                    scheduler: Any = None) -> dict:
    """Restore a checkpoint written by :func:`save_checkpoint` into `model`, `optimizer` and `scheduler`.

    The model's entries are checked against ``model.state_dict()`` (names, shapes, dtypes) before anything
    is changed. Each part is handed to its owner's ``load_state_dict`` as Tensors if the owner's own
    ``state_dict()`` holds Tensors, else as NumPy arrays. Finally netgrad's global random generator is
    restored.

    Args:
        path: A file written by :func:`save_checkpoint`.
        model: Anything with ``state_dict()`` / ``load_state_dict()``.
        optimizer: Optional; the checkpoint must then hold optimizer state.
        scheduler: Optional; the checkpoint must then hold scheduler state.

    Returns:
        ``{"epoch": ..., "extra": ...}`` as saved.

    Raises:
        ValueError: The file is not a netgrad checkpoint, lacks a requested part, or its model entries do
            not fit `model` (a :class:`StateDictError` listing every offending key).
    """
    where = repr(os.fspath(path))
    checkpoint = load(path, require_netgrad=True)
    if not isinstance(checkpoint, dict) or _CHECKPOINT_MARK not in checkpoint:
        raise ValueError(f"{where} is not a netgrad checkpoint (it was written by netgrad.io.save, not "
                         "save_checkpoint); read it with netgrad.io.load")
    for name, owner in (("optimizer", optimizer), ("scheduler", scheduler)):
        if owner is not None and checkpoint.get(name) is None:
            raise ValueError(f"{where} holds no {name} state, but a {name} was given to restore")

    model_state = model.state_dict()
    check_state_dict(model_state, checkpoint["model"], strict=True, source=where)
    model.load_state_dict(_like(model_state, checkpoint["model"]))
    if optimizer is not None:
        optimizer.load_state_dict(_like(optimizer.state_dict(), checkpoint["optimizer"]))
    if scheduler is not None:
        scheduler.load_state_dict(_like(scheduler.state_dict(), checkpoint["scheduler"]))
    set_rng_state(checkpoint["rng_state"])
    return {"epoch": checkpoint.get("epoch"), "extra": checkpoint.get("extra")}


def _holds_tensors(obj: Any) -> bool:
    """Whether `obj` nests a tensor object (an array-like that is not a plain ndarray)."""
    if isinstance(obj, Mapping):
        return any(_holds_tensors(value) for value in obj.values())
    if isinstance(obj, (list, tuple)):
        return any(_holds_tensors(value) for value in obj)
    return not isinstance(obj, np.ndarray) and _as_array(obj) is not None


def _like(template: Any, loaded: Any) -> Any:
    """`loaded` with its arrays wrapped as Tensors when `template` (the owner's own state) uses Tensors."""
    if not _holds_tensors(template):
        return loaded
    wrap = _tensor_wrapper()

    def convert(obj: Any) -> Any:
        if isinstance(obj, np.ndarray):
            return wrap(obj)
        if isinstance(obj, dict):
            return {key: convert(value) for key, value in obj.items()}
        if isinstance(obj, list):
            return [convert(value) for value in obj]
        if isinstance(obj, tuple):
            return tuple(convert(value) for value in obj)
        return obj

    return convert(loaded)
