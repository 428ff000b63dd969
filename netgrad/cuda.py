"""``netgrad.cuda`` (PyTorch's ``torch.cuda``): is a GPU there, how many, wait for it, seed it. Through CuPy."""
from __future__ import annotations

from .engine.backend import cuda_device_count, cupy_module
from .random import seed_devices

__all__ = ["is_available", "device_count", "synchronize", "manual_seed", "manual_seed_all", "current_device",
           "is_initialized", "empty_cache"]


def is_available() -> bool:
    """Whether a CUDA GPU can be used: CuPy installed and at least one device found."""
    return cuda_device_count() > 0


def device_count() -> int:
    return cuda_device_count()


def current_device() -> int:
    _require()
    return int(cupy_module().cuda.runtime.getDevice())


def synchronize(device: object = None) -> None:
    """Wait until every queued GPU operation has finished (for timing)."""
    _require()
    cupy = cupy_module()
    index = getattr(device, "index", None) if not isinstance(device, (int, str)) else device
    if isinstance(index, str):
        index = int(index.partition(":")[2] or 0)
    with cupy.cuda.Device(index or 0):
        cupy.cuda.Device().synchronize()


def manual_seed(seed: int) -> None:
    """Seed the GPU generators (as ``manual_seed_all``; ``netgrad.manual_seed`` seeds them too)."""
    seed_devices(seed)


def manual_seed_all(seed: int) -> None:
    seed_devices(seed)


def _require() -> None:
    cupy_module()  # a clear error without CuPy
    if cuda_device_count() == 0:
        raise RuntimeError("no CUDA GPU found: CuPy is installed but sees no device (check nvidia-smi)")


def is_initialized() -> bool:
    """Whether CuPy has been loaded (and so CUDA set up) in this process."""
    return cupy_module(required=False) is not None and is_available()


def empty_cache() -> None:
    """Give CuPy's cached GPU memory back to the driver (nothing to do without CuPy)."""
    cupy = cupy_module(required=False)
    if cupy is not None:
        cupy.get_default_memory_pool().free_all_blocks()
