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


class Generator(np.random.Generator):
    """A generator of its own, as ``torch.Generator``: ``g = netgrad.Generator().manual_seed(0)``.

    It is a NumPy Generator (PCG64) with PyTorch's seeding methods, so it can be passed as ``generator=``
    to the samplers, :func:`netgrad.utils.data.random_split`, the loaders and the random factories. The
    numbers drawn differ from PyTorch's (another bit generator); the same seed gives the same numbers.
    ``get_state`` returns the bit generator's state as a dict, not a ByteTensor.
    """

    _DEFAULT_SEED = 67280421310721  # torch.Generator().initial_seed()

    def __init__(self, device: object = "cpu") -> None:
        if str(device) != "cpu":
            raise RuntimeError(f"netgrad generators run on the CPU; device {str(device)!r} is not available")
        super().__init__(np.random.PCG64(self._DEFAULT_SEED))
        self._initial_seed = self._DEFAULT_SEED

    def manual_seed(self, seed: int) -> "Generator":
        """Reseed this generator and return it."""
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
        self._initial_seed = int(seed) % 2**64
        self.bit_generator.state = np.random.PCG64(self._initial_seed).state
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy and return the seed used."""
        s = int(np.random.SeedSequence().entropy % 2**63)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._initial_seed

    def get_state(self) -> dict:
        return self.bit_generator.state

    def set_state(self, state: dict) -> "Generator":
        self.bit_generator.state = state
        return self

    @property
    def device(self) -> str:
        return "cpu"
