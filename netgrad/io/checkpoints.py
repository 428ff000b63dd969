"""Training checkpoints: everything needed to resume a run bit-identically, in one netgrad file."""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from netgrad.random import get_rng_state, set_rng_state

from .checks import check_state_dict
from .files import FORMAT_VERSION, _tensor_wrapper, load, load_header, save
from .tree import as_array

__all__ = ["load_checkpoint", "save_checkpoint"]

_CHECKPOINT_MARK = "netgrad_checkpoint"


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
    return not isinstance(obj, np.ndarray) and as_array(obj) is not None


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
