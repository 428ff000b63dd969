"""``netgrad.fft``: the real-valued part of PyTorch's ``torch.fft`` (sample frequencies and shifts).

The transforms themselves (``fft``, ``ifft``, ``rfft``, ``irfft``, ``fft2``, ``fftn``, ...) return or take
complex tensors, and netgrad has no complex dtype: they raise a ``NotImplementedError`` that says so
("netgrad has no complex tensors, ..."; compute them with ``numpy.fft`` on ``tensor.detach().numpy()``
meanwhile, without gradients).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from .creation import _factory
from .dtypes import _float_dtype

__all__ = ["fftfreq", "rfftfreq", "fftshift", "ifftshift", "fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2",
           "irfft2", "fftn", "ifftn", "rfftn", "irfftn", "hfft", "ihfft"]


def fftfreq(n: int, d: float = 1.0, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Any:
    """The sample frequencies of an n-point transform: [0, 1, ..., ceil(n/2) - 1, -floor(n/2), ..., -1] / (d n)."""
    return _factory(np.fft.fftfreq(n, d).astype(_float_dtype(dtype)), requires_grad, device)


def rfftfreq(n: int, d: float = 1.0, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Any:
    """The non-negative sample frequencies of an n-point real transform: [0, 1, ..., floor(n/2)] / (d n)."""
    return _factory(np.fft.rfftfreq(n, d).astype(_float_dtype(dtype)), requires_grad, device)


def _roll(input: Any, dim: Any, shift_of: Any) -> Any:
    """``input`` rolled by ``shift_of(n)`` along each of ``dim`` (all when None): an index permutation,
    differentiable."""
    dims = range(input.ndim) if dim is None else (dim,) if isinstance(dim, int) else dim
    key = [slice(None)] * input.ndim
    for d in dims:
        n = input.shape[d]
        key[d] = np.roll(np.arange(n), shift_of(n))
        input = ops.Index.apply(input, tuple(key))
        key[d] = slice(None)
    return input


def fftshift(input: Any, dim: Any = None) -> Any:
    """The zero frequency moved to the centre: a roll by floor(n/2) along ``dim``."""
    return _roll(input, dim, lambda n: n // 2)


def ifftshift(input: Any, dim: Any = None) -> Any:
    """The inverse of fftshift: a roll by -floor(n/2)."""
    return _roll(input, dim, lambda n: -(n // 2))


def _complex(name: str) -> Any:
    def transform(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"netgrad has no complex tensors, which fft.{name} works on; use numpy.fft.{name} on "
            "tensor.detach().numpy() meanwhile (no gradient)")
    transform.__name__ = transform.__qualname__ = name
    transform.__doc__ = f"Not available: ``{name}`` needs complex tensors, which netgrad does not have."
    return transform


fft, ifft, rfft, irfft = _complex("fft"), _complex("ifft"), _complex("rfft"), _complex("irfft")
fft2, ifft2, rfft2, irfft2 = _complex("fft2"), _complex("ifft2"), _complex("rfft2"), _complex("irfft2")
fftn, ifftn, rfftn, irfftn = _complex("fftn"), _complex("ifftn"), _complex("rfftn"), _complex("irfftn")
hfft, ihfft = _complex("hfft"), _complex("ihfft")
