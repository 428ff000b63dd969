"""Safe saving and loading: safetensors on disk, JSON for structure, never pickle.

A file written by :func:`save` is an ordinary safetensors file. Every array of the saved object becomes
one safetensors tensor, named by its path in the object (``fc1.weight``, ``optimizer.state.0.exp_avg``),
so any safetensors reader sees a flat state dict under its usual names. Everything that is not an array
(nesting, dict keys, lists, tuples, numbers, strings, ``None``) is one JSON document stored in the file's
``__metadata__`` under the key ``"netgrad"``, together with a format version. Loading therefore never runs
code: it parses JSON and copies raw bytes.

Every tensor's SHA-256 is stored in the JSON document too (``"sha256": {name: hex digest}``) and checked
on load, so bytes changed on disk or in transfer are reported, naming the tensor, instead of loading
silently; files from other safetensors writers carry no checksums and load as they are.

Writes are atomic: the bytes go to a temporary file ``.NAME.<pid>-<host>.<random>.tmp`` in the destination's
directory, are flushed and ``fsync``-ed, and the temporary file is renamed over the destination with
:func:`os.replace`. A crash or an error part-way leaves any earlier file at the destination as it was. A
process killed during a save (``kill -9``) cannot remove its temporary file; the next save to the same
destination removes such stale files: those of processes that no longer run on this machine, and those
older than an hour that name no live process here.

:func:`load_header` reads only the header: the structure, with each array's shape and dtype in place of
the array, so a model file can be checked against what it will build before anything big is allocated;
:func:`check_dimension` and :func:`check_allocation` bound the sizes a file asks for.

Example:
    >>> import numpy as np, netgrad.io as nio
    >>> nio.save({"fc1.weight": np.ones((2, 3), np.float32), "epoch": 3}, "model.safetensors")
    >>> nio.load("model.safetensors")["epoch"]
    3
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np
import safetensors
import safetensors.numpy

from netgrad.engine.dtypes import _numpy_dtype
from netgrad.engine.tensor import Tensor
from netgrad.random import get_rng_state, set_rng_state

__all__ = [
    "FORMAT_VERSION",
    "MAX_DIMENSION",
    "IncompatibleKeys",
    "StateDictError",
    "TensorInfo",
    "check_allocation",
    "check_dimension",
    "check_state_dict",
    "load",
    "load_checkpoint",
    "load_header",
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
# Checksums and bounds
# --------------------------------------------------------------------------------------------------

def _sha256(array: np.ndarray) -> str:
    """SHA-256 of the bytes safetensors stores for `array`: C order, little-endian."""
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    if not array.flags.c_contiguous:
        array = array.copy(order="C")
    return hashlib.sha256(array.reshape(-1).view(np.uint8)).hexdigest()


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


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------

_STALE_AGE = 3600.0
"""Seconds after which a temporary file whose process cannot be asked about counts as left behind."""
_HOST_TAG = hashlib.sha256(platform.node().encode()).hexdigest()[:8]


def _process_alive(pid: int) -> bool | None:
    """Whether process `pid` runs on this machine; None where that cannot be asked."""
    if os.name != "posix":  # os.kill on Windows terminates the process
        return None
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    except (OSError, OverflowError):
        return None
    return True


def _remove_stale_temporaries(directory: str, base: str) -> None:
    """Remove the temporary files of earlier saves to `base` whose process was killed part-way.

    A temporary file is ``.BASE.<pid>-<host>.<random>.tmp``. It is stale when its process no longer runs
    on this machine; one from another machine (a shared disk), or from a netgrad that did not record the
    process (``.BASE.<random>.tmp``), is stale after :data:`_STALE_AGE` seconds without a change; and any
    after a day (the process number may have been reused). Files of saves in progress are left alone.
    """
    prefix = f".{base}."
    pattern = re.compile(rf"\.{re.escape(base)}\.(?:(\d+)-([0-9a-f]{{8}})\.)?[0-9a-f]{{12}}\.tmp")
    try:
        with os.scandir(directory) as entries:
            candidates = [entry for entry in entries if entry.name.startswith(prefix)]
    except OSError:
        return
    now = time.time()
    for entry in candidates:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        pid, host = match.groups()
        alive = _process_alive(int(pid)) if pid is not None and host == _HOST_TAG else None
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
            if alive is False or age > (_STALE_AGE if alive is None else 24 * _STALE_AGE):
                os.remove(entry.path)
        except OSError:  # removed meanwhile by another save, or not ours to remove
            pass


def _naming_the_destination(error: OSError, temporary: str, path: str) -> OSError:
    """`error` reworded to name the destination the caller gave instead of the temporary file."""
    if temporary not in (error.filename, error.filename2):
        return error
    renamed = type(error)(error.errno, error.strerror, path)
    renamed.__traceback__ = error.__traceback__
    return renamed


def _write_atomic(path: str, payload: bytes) -> None:
    """Write `payload` to `path` through a temporary file in the same directory and a rename."""
    directory = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    _remove_stale_temporaries(directory, base)
    temporary = os.path.join(directory, f".{base}.{os.getpid()}-{_HOST_TAG}.{uuid.uuid4().hex[:12]}.tmp")
    try:
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
            except OSError:
                pass
            raise
    except OSError as error:
        renamed = _naming_the_destination(error, temporary, path)
        if renamed is error:
            raise
        raise renamed from None
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
    Each tensor's SHA-256 is stored with it and checked by :func:`load`.

    Args:
        obj: What to save, e.g. ``model.state_dict()``.
        path: Destination file; written atomically (temporary file, fsync, rename). Temporary files left
            by earlier saves to the same path that were killed part-way are removed.

    Raises:
        ValueError: For an object dtype, an unsupported dtype, a dict key that is neither str nor int,
            or an object of a type that cannot be stored; the message names where in `obj` it is.
        OSError: The file cannot be written; the message names `path`.

    Example:
        >>> save({"fc1.weight": w, "fc1.bias": b}, "model.safetensors")  # readable by any safetensors reader
    """
    path = os.fspath(path)
    encoder = _Encoder(where=repr(path))
    tree = encoder.encode(obj, ())
    checksums = {name: _sha256(array) for name, array in encoder.tensors.items()}
    document = json.dumps({"format": "netgrad", "version": FORMAT_VERSION, "tree": tree, "sha256": checksums},
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


def _document(metadata: Mapping[str, str], where: str, require_netgrad: bool) -> dict | None:
    """The netgrad JSON document of a file's metadata, validated; None for another writer's file."""
    if _METADATA_KEY not in metadata:
        if require_netgrad:
            raise ValueError(f"{where} is a safetensors file but was not written by netgrad (it has no "
                             f"{_METADATA_KEY!r} metadata), so it holds no checkpoint structure; "
                             "netgrad.io.load(path) reads its tensors as a flat dict")
        return None
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
    checksums = document.get("sha256")
    if checksums is not None and not (isinstance(checksums, dict)
                                      and all(isinstance(value, str) for value in checksums.values())):
        raise ValueError(f"{where} is damaged: its tensor checksums are malformed")
    return document


class TensorInfo(NamedTuple):
    """What :func:`load_header` gives in place of an array: its shape and dtype, not its values."""

    shape: tuple[int, ...]
    dtype: np.dtype

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


# safetensors' dtype names -> NumPy's, for those NumPy has.
_NUMPY_NAMES = {"BOOL": "bool", "U8": "uint8", "I8": "int8", "U16": "uint16", "I16": "int16", "U32": "uint32",
                "I32": "int32", "U64": "uint64", "I64": "int64", "F16": "float16", "F32": "float32",
                "F64": "float64", "C64": "complex64"}


def _read(path: str, where: str, require_netgrad: bool, values: bool) -> tuple[dict | None, dict[str, Any]]:
    """(netgrad document or None, tensor name -> array, or -> TensorInfo without `values`).

    Arrays are checked against their stored SHA-256 as they are read (one pass over each).
    """
    _check_safetensors_header(path)
    tensors: dict[str, Any] = {}
    damaged = []
    try:
        with safetensors.safe_open(path, framework="numpy") as file:
            document = _document(file.metadata() or {}, where, require_netgrad)
            checksums = None if document is None or not values else document.get("sha256")
            for name in file.keys():
                if values:
                    array = tensors[name] = file.get_tensor(name)
                    if checksums is not None and checksums.get(name) != _sha256(array):
                        damaged.append(name)
                    continue
                piece = file.get_slice(name)
                dtype_name = piece.get_dtype()
                if dtype_name not in _NUMPY_NAMES:
                    raise ValueError(f"{where} holds tensor {name!r} of dtype {dtype_name}, which NumPy "
                                     "cannot represent")
                tensors[name] = TensorInfo(tuple(int(n) for n in piece.get_shape()), np.dtype(_NUMPY_NAMES[dtype_name]))
    except safetensors.SafetensorError as error:
        raise ValueError(f"{where} is not a readable safetensors file ({error}); it may be truncated "
                         "or written by something else") from None
    if damaged:
        raise ValueError(f"{where} is damaged: the bytes of tensor(s) {', '.join(map(repr, damaged[:10]))} do not "
                         "match the SHA-256 checksum netgrad stored when it wrote the file (they changed on disk "
                         "or in transfer); restore the file from a copy")
    return document, tensors


def _decode(document: dict, tensors: Mapping[str, Any], wrap, where: str) -> Any:
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


def load(path: str | os.PathLike, *, as_tensors: bool = False, require_netgrad: bool = False) -> Any:
    """Load what :func:`save` wrote, or the flat dict of tensors of any safetensors file.

    Every tensor is checked against the SHA-256 that :func:`save` stored (files from other writers have
    none and load unchecked).

    Args:
        path: A file written by :func:`save` or by any safetensors writer.
        as_tensors: Return netgrad Tensors instead of NumPy arrays.
        require_netgrad: Refuse safetensors files that carry no netgrad metadata (checkpoints need the
            structure that only netgrad records).

    Returns:
        The saved object, with writable NumPy arrays (or Tensors) in place of arrays; for a safetensors
        file from another writer, a dict from tensor name to array.

    Raises:
        ValueError: The file is truncated, is not safetensors, is damaged (a tensor's bytes do not match
            its checksum: the message names the tensor), was written by a newer netgrad, or (with
            `require_netgrad`) was not written by netgrad. The message names the file.
        FileNotFoundError: There is no file at `path`.
    """
    path = os.fspath(path)
    where = repr(path)
    wrap = _tensor_wrapper() if as_tensors else (lambda array: array)
    document, tensors = _read(path, where, require_netgrad, values=True)
    if document is None:
        return {name: wrap(array) for name, array in tensors.items()}
    return _decode(document, tensors, wrap, where)


def load_header(path: str | os.PathLike, *, require_netgrad: bool = False) -> Any:
    """What :func:`load` would return, with a :class:`TensorInfo` (shape, dtype) in place of each array.

    Only the file's header is read (no tensor bytes, so nothing large is allocated and no checksum is
    checked): check a file's shapes against what a model will build before loading or building anything.

    Example:
        >>> header = load_header("model.safetensors")
        >>> header["fc1.weight"]
        TensorInfo(shape=(4, 3), dtype=dtype('float32'))
    """
    path = os.fspath(path)
    document, infos = _read(path, repr(path), require_netgrad, values=False)
    return infos if document is None else _decode(document, infos, lambda info: info, repr(path))


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

    The model's entries are checked against ``model.state_dict()`` (names, shapes, dtypes) from the file's
    header, before any tensor is read or anything is changed. Each part is handed to its owner's
    ``load_state_dict`` as Tensors if the owner's own ``state_dict()`` holds Tensors, else as NumPy arrays.
    Finally netgrad's global random generator is restored.

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
    header = load_header(path, require_netgrad=True)  # checked before any tensor is read
    if not isinstance(header, dict) or _CHECKPOINT_MARK not in header:
        raise ValueError(f"{where} is not a netgrad checkpoint (it was written by netgrad.io.save, not "
                         "save_checkpoint); read it with netgrad.io.load")
    for name, owner in (("optimizer", optimizer), ("scheduler", scheduler)):
        if owner is not None and header.get(name) is None:
            raise ValueError(f"{where} holds no {name} state, but a {name} was given to restore")
    model_state = model.state_dict()
    check_state_dict(model_state, header["model"], strict=True, source=where)

    checkpoint = load(path, require_netgrad=True)
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
