"""The one global random generator behind every random thing in netgrad.

Initialisers, dropout, shuffling, `rand`/`randn` and the synthetic datasets all draw from
:func:`get_generator`, so ``netgrad.manual_seed(s)`` makes a whole run reproducible, bit for bit.
"""
from __future__ import annotations

import numpy as np

_DEFAULT_SEED = 0x5EED
_generator = np.random.Generator(np.random.PCG64(_DEFAULT_SEED))
# the GPU's generators (CuPy's, made on first use from this seed); manual_seed resets them
_device_seed = _DEFAULT_SEED
device_generators: dict = {}


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the global generator (like ``torch.manual_seed``) and return it."""
    global _generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
    _generator = np.random.Generator(np.random.PCG64(int(seed) % 2**64))
    seed_devices(seed)
    return _generator


def seed_devices(seed: int) -> None:
    """Seed the GPU generators (``netgrad.cuda.manual_seed_all``); ``manual_seed`` does it too."""
    global _device_seed
    _device_seed = int(seed) % 2**64
    device_generators.clear()


def device_seed() -> int:
    return _device_seed


def seed() -> int:
    """Seed the global generator from the operating system's entropy and return the seed used."""
    s = int(np.random.SeedSequence().entropy % 2**63)
    manual_seed(s)
    return s


def get_generator() -> np.random.Generator:
    """The global NumPy generator (read it each time: ``manual_seed`` replaces it)."""
    return _generator


def get_rng_state() -> dict:
    """A JSON-serialisable snapshot of the global generator (for checkpoints)."""
    return _generator.bit_generator.state


def set_rng_state(state: dict) -> None:
    """Restore a snapshot taken by :func:`get_rng_state`."""
    _generator.bit_generator.state = state
