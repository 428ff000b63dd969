"""netgrad files on disk: atomic saves, checksums, loading whole files or only their headers."""
from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import re
import time
import uuid
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
import safetensors
import safetensors.numpy

from netgrad.engine.backend import placement, to_device
from netgrad.engine.device import _checked
from netgrad.engine.tensor import Tensor

from .tree import Decoder, Encoder

__all__ = ["FORMAT_VERSION", "TensorInfo", "load", "load_header", "save"]

FORMAT_VERSION = 1
"""Version of the JSON document netgrad stores in ``__metadata__``; bumped on incompatible changes."""

_METADATA_KEY = "netgrad"
_SAFETENSORS_HEADER_LIMIT = 100_000_000  # the safetensors library refuses larger headers too


def _sha256(array: np.ndarray) -> str:
    """SHA-256 of the bytes safetensors stores for `array`: C order, little-endian."""
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    if not array.flags.c_contiguous:
        array = array.copy(order="C")
    return hashlib.sha256(array.reshape(-1).view(np.uint8)).hexdigest()


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
    """`error` reworded to name the destination the caller gave instead of the temporary file (or nothing)."""
    if temporary not in (error.filename, error.filename2) and (error.filename is not None or error.errno is None):
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
    encoder = Encoder(where=repr(path))
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
    if prefix[:4] == b"PK\x03\x04" or prefix[:1] == b"\x80" and prefix[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        raise ValueError(f"{path!r} is not a safetensors file but a pickle or a zip of pickles (what torch.save "
                         "writes): netgrad never loads pickles, which can run any code; save the state dict as "
                         "safetensors (netgrad.save, or safetensors.torch.save_file(model.state_dict(), path))")
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
    decoder = Decoder(tensors, wrap, where)
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


def load(path: str | os.PathLike, map_location: Any = None, *, as_tensors: bool = False,
         require_netgrad: bool = False, weights_only: bool | None = None, mmap: bool | None = None) -> Any:
    """Load what :func:`save` wrote, or the flat dict of tensors of any safetensors file.

    ``map_location`` (a device: with ``as_tensors``, the tensors are loaded onto it), ``weights_only`` and
    ``mmap`` are accepted as ``torch.load`` takes them: netgrad loads only data,
    never code, so ``weights_only`` is always in effect.

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
    if map_location is not None and not callable(map_location) and not isinstance(map_location, dict):
        _checked(map_location)
    path = os.fspath(path)
    where = repr(path)
    place = map_location if map_location is not None and not callable(map_location) and \
        not isinstance(map_location, dict) else None
    wrap = _tensor_wrapper(place) if as_tensors else (lambda array: array)
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


def _tensor_wrapper(map_location: Any = None):
    """Arrays to tensors, on the device ``map_location`` names (the CPU by default)."""
    if map_location is None:
        return Tensor._wrap
    place = placement(map_location)
    return lambda array: Tensor._wrap(to_device(array, *place))
