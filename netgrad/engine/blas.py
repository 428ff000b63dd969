"""BLAS threads: one thread for runs whose every matrix product is small.

OpenBLAS splits a product over all its threads once it has a few hundred thousand multiply-adds. On a
machine whose other cores are busy, the threads it wakes wait for a core, and a 200x64 by 64x64 product can
take milliseconds instead of microseconds; on a quiet one, small products gain little from more threads.
:func:`for_training` therefore runs BLAS on one thread for a whole training run when its largest product,
``batch_size x fan_in x fan_out`` of the biggest weight matrix, is below :data:`SMALL_PRODUCT`.

It needs `threadpoolctl <https://github.com/joblib/threadpoolctl>`_ (installed with scikit-learn, or
``pip install "netgrad[threads]"``); without it nothing changes. Counted with callgrind (which, like a busy
machine, runs one thread at a time): a 200x64 by 64x64 float32 product costs 306 000 instructions on one
OpenBLAS thread and about 2.7 million on two, most of them spent spinning while one thread waits for the
other; switching to one thread and back costs 61 000, so it happens once per run, never per product. The
thread count is process-wide: of runs in several threads at once, the first holds it and the others leave
it alone.
"""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["SMALL_PRODUCT", "for_training", "largest_product", "single_threaded"]

SMALL_PRODUCT = 1 << 22
"""Multiply-adds (batch x fan_in x fan_out) below which a run's products go to one BLAS thread; 0 switches off."""

_lock = threading.Lock()
_held = False  # whether a run holds BLAS at one thread
_controller: Any = None  # threadpoolctl's view of the loaded BLAS libraries, found once


def largest_product(module: Any, batch_size: int | None) -> int | None:
    """Multiply-adds of the largest product a training step of `module` makes: ``batch x out x in``.

    Read from the 2-D parameters (``Linear.weight``); None when it cannot be told (no batch size, or a
    parameter of more dimensions, such as a convolution kernel, whose products depend on the input size).
    """
    parameters = getattr(module, "parameters", None)
    if batch_size is None or parameters is None:
        return None
    largest = 0
    for parameter in parameters():
        shape = tuple(parameter.shape)
        if len(shape) > 2:
            return None
        if len(shape) == 2:
            largest = max(largest, shape[0] * shape[1])
    return int(batch_size) * largest


@contextlib.contextmanager
def single_threaded(active: bool = True) -> Iterator[bool]:
    """Run BLAS on one thread inside the block, when `active` and threadpoolctl is installed.

    Yields whether this block set the limit. BLAS's thread count is process-wide, so only one block at a
    time holds it: a block entered while another one holds it (in this thread or another) changes nothing,
    and the holder restores the count when it ends, so a count is never left at one thread. (threadpoolctl
    also lets only one live thread at a time change OpenBLAS's count; a block in another thread then has no
    effect.)
    """
    global _held, _controller
    if not active:
        yield False
        return
    try:
        import threadpoolctl
    except ImportError:
        yield False
        return
    with _lock:
        holding, _held = not _held, True
    if not holding:
        yield False
        return
    try:
        if _controller is None:
            _controller = threadpoolctl.ThreadpoolController()
        limiter = _controller.limit(limits=1, user_api="blas")
        try:
            yield True
        finally:
            limiter.restore_original_limits()
    finally:
        with _lock:
            _held = False


def for_training(module: Any, batch_size: int | None) -> contextlib.AbstractContextManager:
    """:func:`single_threaded` for a training run of `module` whose largest product is below SMALL_PRODUCT."""
    product = largest_product(module, batch_size)
    return single_threaded(product is not None and product < SMALL_PRODUCT)
