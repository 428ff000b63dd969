"""The process group: which process this is, how many there are, and ending the job when one fails.

netgrad runs data-parallel on MPI (through mpi4py): ``mpiexec -n 4 python train.py`` starts four processes,
MPI numbers them (the rank, 0 to 3), and :func:`init_process_group` makes them a group. The names and the
errors are PyTorch's ``torch.distributed``; the backend is always ``"mpi"``.

A collective waits for every rank, so one rank that fails would leave the others waiting for ever. While the
group is open, an uncaught exception on any rank (Ctrl-C included) prints that rank's error and calls
``MPI_Abort``, which ends every process of the job with a non-zero status.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import traceback
from datetime import timedelta
from typing import Any

_NOT_INITIALIZED = "Default process group has not been initialized, please make sure to call init_process_group."
_INSTALL = "pip install 'netgrad[distributed]' (mpi4py and an MPI library with mpiexec)"


class _Group:
    """The open process group: a private MPI communicator (a copy of COMM_WORLD) and its mpi4py module."""

    def __init__(self, MPI: Any, timeout: timedelta | None) -> None:
        self.MPI = MPI
        self.comm = MPI.COMM_WORLD.Dup()  # its own context: the user's mpi4py calls never meet ours
        self.rank = self.comm.Get_rank()
        self.size = self.comm.Get_size()
        self.timeout = timeout
        self.previous_excepthook = sys.excepthook


_group: _Group | None = None


def is_available() -> bool:
    """Whether data-parallel training can run here: mpi4py is installed."""
    return importlib.util.find_spec("mpi4py") is not None


def is_initialized() -> bool:
    """Whether :func:`init_process_group` has been called (and the group not destroyed since)."""
    return _group is not None


def is_mpi_launched() -> bool:
    """Whether this process was started by ``mpiexec`` / ``mpirun`` with more than one process.

    Reads the launcher's environment (MPICH / Intel MPI's ``PMI_SIZE``, Open MPI's ``OMPI_COMM_WORLD_SIZE``)
    without starting MPI, so that single-process runs never load it."""
    for name in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MPI_LOCALNRANKS"):
        value = os.environ.get(name)
        if value is not None and value.isdigit() and int(value) > 1:
            return True
    return False


def _check_backend(backend: Any) -> None:
    name = None if backend is None else str(getattr(backend, "value", backend)).lower()
    if name in (None, "mpi", "cpu:mpi"):
        return
    if name in ("nccl", "gloo", "ucc", "xccl", "cuda:nccl", "cpu:gloo"):
        raise ValueError(f"netgrad.distributed runs on MPI only; backend {backend!r} is PyTorch's: use "
                         "init_process_group(backend='mpi') and start the script with mpiexec -n N python script.py")
    raise ValueError(f"Invalid backend: {backend!r}; netgrad.distributed supports backend='mpi' only")


def init_process_group(backend: str | None = None, init_method: str | None = None, timeout: timedelta | None = None,
                       world_size: int = -1, rank: int = -1, store: Any = None, group_name: str = "",
                       pg_options: Any = None, device_id: Any = None) -> None:
    """Join the processes started by ``mpiexec`` into the default group (PyTorch's ``init_process_group``).

    Rank and world size come from MPI. ``world_size`` / ``rank``, when given, must agree with them;
    ``init_method`` may be ``None`` or ``"env://"`` (``mpiexec`` does the rendezvous); ``store``,
    ``group_name``, ``pg_options`` and ``device_id`` are accepted for PyTorch scripts and unused. A script
    started without ``mpiexec`` runs as a group of one.

    >>> import netgrad.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> dist.get_rank(), dist.get_world_size()
    (0, 1)
    """
    global _group
    _check_backend(backend)
    if _group is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if init_method not in (None, "env://"):
        raise ValueError(f"init_method={init_method!r}: with MPI, mpiexec starts and connects the processes; "
                         "leave init_method=None (or 'env://')")
    if timeout is not None and not isinstance(timeout, timedelta):
        raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got {type(timeout).__name__}")
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise ImportError(f"netgrad.distributed needs mpi4py and an MPI library ({error}): {_INSTALL}") from None
    group = _Group(MPI, timeout)
    for name, given, actual in (("world_size", world_size, group.size), ("rank", rank, group.rank)):
        if given not in (-1, None) and given != actual:
            group.comm.Free()
            raise ValueError(f"init_process_group({name}={given}) but MPI says {name} = {actual}: MPI numbers the "
                             f"processes; leave {name} out (mpiexec -n N sets the world size)")
    sys.excepthook = _abort_job
    _group = group


def destroy_process_group(group: Any = None) -> None:
    """Close the default group (PyTorch's ``destroy_process_group``); MPI itself ends when the process exits."""
    global _group
    current = _get_group(group)
    _group = None
    if sys.excepthook is _abort_job:
        sys.excepthook = current.previous_excepthook
    current.comm.Free()


def _get_group(group: Any = None) -> _Group:
    """The open group (the only one: ``group`` may be ``None`` or ``group.WORLD``)."""
    if _group is None:
        raise ValueError(_NOT_INITIALIZED)
    if group is not None and group is not WORLD and group is not _group:
        raise ValueError(f"netgrad.distributed has one group, the default one; got group={group!r} (pass None)")
    return _group


def get_rank(group: Any = None) -> int:
    """This process's number in the group, 0 to ``get_world_size() - 1``."""
    return _get_group(group).rank


def get_world_size(group: Any = None) -> int:
    """How many processes the group has."""
    return _get_group(group).size


def get_backend(group: Any = None) -> str:
    _get_group(group)
    return "mpi"


def _abort_job(kind: type, value: BaseException, tb: Any) -> None:
    """``sys.excepthook`` while the group is open: report this rank's error, then end every rank of the job."""
    group = _group
    rank = "?" if group is None else group.rank
    if issubclass(kind, KeyboardInterrupt):
        sys.stderr.write(f"[rank {rank}] interrupted (KeyboardInterrupt): stopping every rank\n")
    else:
        sys.stderr.write(f"[rank {rank}] uncaught exception, stopping every rank:\n")
        sys.stderr.write("".join(traceback.format_exception(kind, value, tb)))
    sys.stderr.flush()
    sys.stdout.flush()
    if group is None:
        return
    group.MPI.COMM_WORLD.Abort(130 if issubclass(kind, KeyboardInterrupt) else 1)


class _World:
    def __repr__(self) -> str:
        return "group.WORLD"


WORLD = _World()


class group:
    """``group.WORLD``: the default group, the only one netgrad has."""

    WORLD = WORLD
