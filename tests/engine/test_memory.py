"""The malloc setting made at import: freed large arrays are reused instead of faulted in afresh."""
from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from netgrad.engine import memory

LOOP = """
import resource, numpy as np
import netgrad
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):  # a step's worth of arrays (eight of 4 MiB) made and freed, 20 times
    arrays = [np.ones(1 << 20, dtype=np.float32) for _ in range(8)]
    del arrays
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""

glibc = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                           reason="the setting is made for glibc's malloc only")


def _page_faults(**environment: str) -> int:
    env = {k: v for k, v in os.environ.items() if k not in ("NETGRAD_SYSTEM_MALLOC", *memory._ENVIRONMENT)}
    out = subprocess.run([sys.executable, "-c", LOOP], env={**env, **environment}, capture_output=True, text=True,
                         check=True, timeout=120)
    return int(out.stdout)


@glibc
def test_freed_arrays_are_reused_instead_of_faulted_in_again():
    # 20 rounds of 32 MiB: with glibc's defaults the freed top of the heap is given back and faulted in again
    # every round (8192 pages); kept, the blocks fault only in the first round
    kept, system = _page_faults(), _page_faults(NETGRAD_SYSTEM_MALLOC="1")
    assert kept < 20_000, kept
    assert system > 5 * kept, (system, kept)


def test_the_user_choice_wins(monkeypatch):
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1000000")
    assert memory.keep_freed_arrays() is False
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_")
    monkeypatch.setenv("NETGRAD_SYSTEM_MALLOC", "1")
    assert memory.keep_freed_arrays() is False
