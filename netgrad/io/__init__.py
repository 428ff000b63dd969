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

tree.py: the encoding (object <-> arrays + JSON tree) · files.py: save, load, load_header, checksums,
atomic writes · checks.py: check_state_dict and the size bounds · checkpoints.py: save_checkpoint and
load_checkpoint.
"""
from .checkpoints import load_checkpoint, save_checkpoint
from .checks import (MAX_DIMENSION, IncompatibleKeys, StateDictError, check_allocation, check_dimension,
                     check_state_dict)
from .files import FORMAT_VERSION, TensorInfo, load, load_header, save

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
