"""Freed arrays kept for the next step: glibc's malloc set to reuse large blocks instead of unmapping them.

A training step frees arrays of the same sizes the next step allocates again. By default glibc serves every
block over its mmap threshold (128 KiB, raised as large blocks are freed, at most 32 MiB) with a fresh
``mmap`` and gives the heap's free top back to the system past the trim threshold (twice the mmap threshold),
so each step's large arrays come back as new pages, and the kernel faults every page in again: 1.3 million
page faults and about 30 % of the time of a LeNet step on batches of 64 (measured with
``benchmarks/cnn.py``). At import netgrad sets, through ``mallopt``,

    M_MMAP_THRESHOLD = 32 MiB    blocks up to this size come from the heap, where a freed one is reused;
    M_TRIM_THRESHOLD = 256 MiB   up to this much free heap is kept rather than given back,

so a process keeps up to 256 MiB more than it uses at its peak. glibc on Linux only; nothing happens elsewhere,
when the ``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_`` or ``GLIBC_TUNABLES`` environment variables
already choose glibc's settings, or when ``NETGRAD_SYSTEM_MALLOC=1``.
"""
from __future__ import annotations

import ctypes
import os
import platform

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_freed_arrays"]

MMAP_THRESHOLD = 32 << 20
"""Bytes: larger blocks are mapped afresh (glibc's upper limit for this setting on 64-bit machines)."""
TRIM_THRESHOLD = 256 << 20
"""Bytes of free heap kept for reuse before the rest is given back to the system."""

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # malloc.h
_ENVIRONMENT = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")


def keep_freed_arrays() -> bool:
    """Set glibc's thresholds as described above; whether they were set."""
    if os.environ.get("NETGRAD_SYSTEM_MALLOC", "") not in ("", "0") or any(v in os.environ for v in _ENVIRONMENT):
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
