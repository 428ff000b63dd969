"""Collectives on tensors: every rank calls the same function in the same order, MPI does the work.

PyTorch's signatures and semantics: the result is written into the tensor given (``all_reduce``,
``broadcast``, ``reduce`` on ``dst``) or into the tensors of a list (``all_gather``); with ``async_op=True``
the call starts a non-blocking MPI operation and returns a :class:`Work` to ``wait()`` on.

    all_reduce(x, ReduceOp.SUM):   x_r <- x_0 + x_1 + ... + x_{n-1}  on every rank r
    all_reduce(x, ReduceOp.AVG):   x_r <- (x_0 + ... + x_{n-1}) / n
    broadcast(x, src):             x_r <- x_src
    all_gather(xs, x):             xs[i] <- x_i
    reduce(x, dst, op):            x_dst <- op(x_0, ..., x_{n-1})   (other ranks keep theirs)
"""
from __future__ import annotations

import enum
from typing import Any, Callable

import numpy as np

from ..engine.tensor import Tensor
from .process_group import _get_group


class ReduceOp(enum.Enum):
    """How ``all_reduce`` / ``reduce`` combine the ranks' values (PyTorch's numbering)."""

    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7


_MPI_OP = {ReduceOp.SUM: "SUM", ReduceOp.AVG: "SUM", ReduceOp.PRODUCT: "PROD", ReduceOp.MIN: "MIN",
           ReduceOp.MAX: "MAX", ReduceOp.BAND: "BAND", ReduceOp.BOR: "BOR", ReduceOp.BXOR: "BXOR"}
_BOOL_OP = {ReduceOp.SUM: "MAX", ReduceOp.PRODUCT: "MIN"}  # on booleans, as on PyTorch's: or / and


class Work:
    """A started non-blocking collective: ``wait()`` until it is done (then the result is in place)."""

    __slots__ = ("_request", "_finish")

    def __init__(self, request: Any, finish: Callable[[], None] | None = None) -> None:
        self._request = request
        self._finish = finish

    def wait(self, timeout: Any = None) -> bool:
        self._request.Wait()
        if self._finish is not None:
            finish, self._finish = self._finish, None
            finish()
        return True

    def is_completed(self) -> bool:
        return self._finish is None and self._request.Test()


def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None, timeout: Any = None) -> Any:
    """Wait until every rank has reached this call."""
    comm = _get_group(group).comm
    if async_op:
        return Work(comm.Ibarrier())
    comm.Barrier()
    return None


def _array(tensor: Any, name: str, function: str) -> np.ndarray:
    if isinstance(tensor, Tensor):
        array = tensor._data
    elif isinstance(tensor, np.ndarray):
        array = tensor
    else:
        raise TypeError(f"{function}: expected parameter `{name}` of type netgrad.Tensor but got "
                        f"{type(tensor).__name__} instead")
    if not array.flags.writeable:
        raise ValueError(f"{function}: `{name}` is read-only; the result is written into it (pass a copy)")
    return array


def _mpi_form(array: np.ndarray) -> np.ndarray:
    """A C-contiguous array of a type MPI reduces (the array itself when it already is one)."""
    if array.dtype == np.float16:
        return array.astype(np.float32)
    if array.dtype == np.bool_:
        return array.astype(np.uint8)
    return np.ascontiguousarray(array)


def _check_rank(rank: Any, size: int, name: str, function: str) -> int:
    if rank is None:
        raise ValueError(f"{function}: `{name}` is required (the rank that {'sends' if name == 'src' else 'receives'})")
    if not isinstance(rank, (int, np.integer)) or not 0 <= rank < size:
        raise RuntimeError(f"{function}: invalid {'root' if name == 'src' else 'destination'} rank {rank!r} "
                           f"for a group of {size} processes (ranks 0 to {size - 1})")
    return int(rank)


def _run(started: Any, blocking: Callable[[], Any], finish: Callable[[], None] | None, async_op: bool) -> Any:
    if async_op:
        return Work(started(), finish)
    blocking()
    if finish is not None:
        finish()
    return None


def _write_back(array: np.ndarray, work: np.ndarray, scale: int | None = None) -> Callable[[], None] | None:
    """What turns MPI's result into the tensor's: the AVG division, a copy back when ``work`` is a copy."""
    if scale is None and work is array:
        return None

    def finish() -> None:
        if scale is not None:
            np.divide(work, scale, out=work)
        if work is not array:
            np.copyto(array, work, casting="unsafe")

    return finish


def all_reduce(tensor: Any, op: ReduceOp = ReduceOp.SUM, group: Any = None, async_op: bool = False) -> Any:
    """Combine ``tensor`` across ranks with ``op`` and leave the result in ``tensor`` on every rank."""
    g = _get_group(group)
    array = _array(tensor, "tensor", "all_reduce")
    mpi_op = _mpi_op(g, op, array, "all_reduce")
    work = _mpi_form(array)
    scale = g.size if op is ReduceOp.AVG else None
    in_place = g.MPI.IN_PLACE
    return _run(lambda: g.comm.Iallreduce(in_place, work, mpi_op), lambda: g.comm.Allreduce(in_place, work, mpi_op),
                _write_back(array, work, scale), async_op)


def reduce(tensor: Any, dst: int | None = None, op: ReduceOp = ReduceOp.SUM, group: Any = None,
           async_op: bool = False, group_dst: int | None = None) -> Any:
    """Combine ``tensor`` across ranks with ``op`` into ``tensor`` on rank ``dst`` only."""
    g = _get_group(group)
    dst = _check_rank(dst if dst is not None else group_dst, g.size, "dst", "reduce")
    array = _array(tensor, "tensor", "reduce")
    mpi_op = _mpi_op(g, op, array, "reduce")
    work = _mpi_form(array)
    if g.rank == dst:
        send, receive = g.MPI.IN_PLACE, work
        finish = _write_back(array, work, g.size if op is ReduceOp.AVG else None)
    else:
        send, receive, finish = work, None, None
    return _run(lambda: g.comm.Ireduce(send, receive, mpi_op, root=dst),
                lambda: g.comm.Reduce(send, receive, mpi_op, root=dst), finish, async_op)


def broadcast(tensor: Any, src: int | None = None, group: Any = None, async_op: bool = False,
              group_src: int | None = None) -> Any:
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every other rank."""
    g = _get_group(group)
    src = _check_rank(src if src is not None else group_src, g.size, "src", "broadcast")
    array = _array(tensor, "tensor", "broadcast")
    work = np.ascontiguousarray(array)
    return _run(lambda: g.comm.Ibcast(work, root=src), lambda: g.comm.Bcast(work, root=src),
                _write_back(array, work), async_op)


def all_gather(tensor_list: list, tensor: Any, group: Any = None, async_op: bool = False) -> Any:
    """Fill ``tensor_list[i]`` with rank i's ``tensor`` on every rank (same shape and dtype everywhere)."""
    g = _get_group(group)
    array = _array(tensor, "tensor", "all_gather")
    if not isinstance(tensor_list, (list, tuple)) or len(tensor_list) != g.size:
        got = f"{len(tensor_list)} tensors" if isinstance(tensor_list, (list, tuple)) else type(tensor_list).__name__
        raise RuntimeError(f"all_gather: tensor_list must hold one tensor per rank ({g.size}), got {got}")
    outputs = [_array(t, f"tensor_list[{i}]", "all_gather") for i, t in enumerate(tensor_list)]
    for i, out in enumerate(outputs):
        if out.shape != array.shape or out.dtype != array.dtype:
            raise RuntimeError(f"all_gather: tensor_list[{i}] is {out.dtype} {out.shape} but tensor is "
                               f"{array.dtype} {array.shape}; every output must match the input")
    send = _mpi_form(array)
    gathered = np.empty((g.size,) + send.shape, send.dtype)

    def finish() -> None:
        for out, part in zip(outputs, gathered):
            np.copyto(out, part, casting="unsafe")

    return _run(lambda: g.comm.Iallgather(send, gathered), lambda: g.comm.Allgather(send, gathered), finish, async_op)


def _mpi_op(g: Any, op: Any, array: np.ndarray, function: str) -> Any:
    if not isinstance(op, ReduceOp):
        raise TypeError(f"{function}: op must be a ReduceOp (SUM, AVG, PRODUCT, MIN, MAX, BAND, BOR, BXOR), "
                         f"got {op!r}")
    kind = array.dtype.kind
    if op is ReduceOp.AVG and kind != "f":
        raise ValueError(f"{function}: ReduceOp.AVG needs a floating-point tensor, got {array.dtype}; use "
                         "ReduceOp.SUM and divide by get_world_size()")
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and kind not in "biu":
        raise ValueError(f"{function}: {op.name} needs an integer or boolean tensor, got {array.dtype}")
    name = _BOOL_OP.get(op, _MPI_OP[op]) if kind == "b" else _MPI_OP[op]
    return getattr(g.MPI, name)
