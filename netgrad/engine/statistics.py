"""Statistics and numerical ranges on tensors: covariance and correlation, quantiles (differentiable, every
interpolation of PyTorch), histograms, Vandermonde matrices, the trapezoidal rule. ``Tensor``'s methods of the
same names call these."""
from __future__ import annotations

from typing import Any

import numpy as np

from . import autograd, ops
from .backend import array_module, device_of, to_device, to_host
from .linalg import wrap_like as _wrap_like


def cov(input: Any, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Any:
    """Covariance of the rows (variables) over the columns (observations): sum_k w_k (x_ik - m_i)(x_jk - m_j)
    / (sum w - correction), with frequency and analytic weights w = fweights * aweights."""
    x = input._floating()
    if x.ndim > 2:
        raise ValueError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                         f"{x.ndim} dimensions")
    x = x.reshape(1, -1) if x.ndim < 2 else x
    weights = None
    for w in (fweights, aweights):
        if w is not None:
            weights = w if weights is None else weights * w
    if weights is None:
        mean = x.mean(1, keepdim=True)
        norm = x.shape[1] - correction
        centred = x - mean
        product = centred @ centred.T
    else:
        weights = weights.type(x.dtype)
        total = weights.sum()
        mean = (x * weights).sum(1, keepdim=True) / total
        norm = total - correction * ((weights * aweights).sum() / total if aweights is not None else 1)
        centred = x - mean
        product = (centred * weights) @ centred.T
    out = product / (norm.clamp(min=0) if hasattr(norm, "_data") else max(norm, 0))
    return out.squeeze()

def corrcoef(input: Any) -> Any:
    """Pearson correlation coefficients of the rows: cov_ij / sqrt(cov_ii cov_jj), clipped to [-1, 1]."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = ops.Index.apply(c, (np.arange(c.shape[0]), np.arange(c.shape[0]))).sqrt()
    return (c / d.unsqueeze(1) / d.unsqueeze(0)).clamp(-1, 1)

def quantile(input: Any, q: Any, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear") -> Any:
    """The q-th quantiles along ``dim`` (all values when None), interpolated between order statistics."""
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=False)

def nanquantile(input: Any, q: Any, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear") -> Any:
    """``quantile`` over the values that are not NaN."""
    return _quantile(input, q, dim, keepdim, interpolation, ignore_nan=True)

def histc(input: Any, bins: int = 100, min: float = 0, max: float = 0) -> Any:
    """Counts in ``bins`` equal bins between min and max (the data's range when both are 0); values
    outside are ignored. The counts have the tensor's dtype (no gradient)."""
    data = to_host(input._data)
    if data.dtype.kind != "f":
        raise NotImplementedError(f'"histogram_cpu" not implemented for \'{_type_name(input)}\'')
    if bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins} for bins")
    low, high = float(min), float(max)
    if low == high and data.size:
        low, high = float(data.min()), float(data.max())
    if low == high:
        low, high = low - 1, high + 1
    if low > high:
        raise RuntimeError(f"torch.histc: max must be larger than min, but got min={min} and max={max}")
    counts, _ = np.histogram(data, bins=bins, range=(low, high))
    return _wrap_like(input, counts.astype(data.dtype))


class Quantile(autograd.Function):
    """Values at fractional ranks r = q (n - 1) of the sorted data: x_(lo) + (r - lo)(x_(hi) - x_(lo));
    dx_(lo) += g (1 - (r - lo)), dx_(hi) += g (r - lo). The data's last axis is the one reduced."""

    @staticmethod
    def forward(ctx, x, q, interpolation, ignore_nan):
        order = np.argsort(x, axis=-1, kind="stable")  # NaN sorts last
        ordered = np.take_along_axis(x, order, -1)
        nan = np.isnan(x)
        xp = array_module(x)
        count = (x.shape[-1] - nan.sum(-1, keepdims=True)) if ignore_nan else xp.full(x.shape[:-1] + (1,), x.shape[-1])
        rank = q.reshape((-1,) + (1,) * x.ndim) * (np.maximum(count, 1) - 1)  # (Q, ..., 1)
        if interpolation == "lower":
            rank = np.floor(rank)
        elif interpolation == "higher":
            rank = np.ceil(rank)
        elif interpolation == "nearest":
            rank = np.round(rank)
        lo = np.floor(rank).astype(np.int64)
        hi = np.ceil(rank).astype(np.int64)
        weight = (rank - lo) if interpolation != "midpoint" else np.where(hi > lo, 0.5, 0.0)
        weight = weight.astype(x.dtype)
        low = np.take_along_axis(ordered[None], lo, -1)
        high = np.take_along_axis(ordered[None], hi, -1)
        out = low + weight * (high - low)
        bad = (count == 0) if ignore_nan else nan.any(-1, keepdims=True)
        out = np.where(bad[None], np.nan, out)[..., 0]
        ctx.order, ctx.lo, ctx.hi, ctx.weight, ctx.shape = order, lo, hi, weight, x.shape
        return out

    @staticmethod
    def backward(ctx, g):
        g = g[..., None]
        xp = array_module(g)
        grad_ordered = xp.zeros((g.shape[0],) + ctx.shape, dtype=g.dtype)
        np.put_along_axis(grad_ordered, ctx.lo, g * (1 - ctx.weight), -1)
        upper = np.take_along_axis(grad_ordered, ctx.hi, -1) + g * ctx.weight
        np.put_along_axis(grad_ordered, ctx.hi, upper, -1)
        grad = xp.zeros(ctx.shape, dtype=g.dtype)
        np.put_along_axis(grad, ctx.order, grad_ordered.sum(0), -1)
        return grad, None, None, None


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(x: Any, q: Any, dim: Any, keepdim: bool, interpolation: str, ignore_nan: bool) -> Any:
    name = "nanquantile" if ignore_nan else "quantile"
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest. "
                         f"Got {interpolation}")
    qs = np.asarray(to_host(q._data) if hasattr(q, "_data") else q, dtype=x._data.dtype)
    if qs.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if ((qs < 0) | (qs > 1)).any():
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    if x.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    ndim = x.ndim
    if dim is None:
        moved = x.reshape(-1)
    else:
        axis = dim % max(ndim, 1)
        moved = x.unsqueeze(0) if ndim == 0 else x.permute(*[i for i in range(ndim) if i != axis], axis)
    if type(x._data) is not np.ndarray:
        qs = to_device(qs, *device_of(x._data))
    out = Quantile.apply(moved, qs, interpolation, ignore_nan)  # (Q, reduced shape...)
    if keepdim:
        kept = [1] * ndim if dim is None else [1 if i == dim % max(ndim, 1) else n for i, n in enumerate(x.shape)]
        out = out.reshape((qs.size,) + tuple(kept))
    return out.reshape(out.shape[1:]) if qs.ndim == 0 else out


def vander(x: Any, N: int | None = None, increasing: bool = False) -> Any:
    """The Vandermonde matrix of a 1-D x: columns x^(N-1), ..., x, 1 (``increasing``: 1, x, ..., x^(N-1))."""
    if x.ndim != 1:
        raise RuntimeError(f"x must be a one-dimensional tensor, got shape {tuple(x.shape)}")
    N = x.shape[0] if N is None else N
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    x = x if x._data.dtype.kind in "fi" else x.long()
    columns = [x._result_type._wrap(array_module(x._data).ones(x.shape, dtype=x._data.dtype))] if N else []
    for _ in range(1, N):
        columns.append(x if len(columns) == 1 else columns[-1] * x)
    if not columns:
        return x._result_type._wrap(array_module(x._data).empty((x.shape[0], 0), dtype=x._data.dtype))
    return ops.Stack.apply(*(columns if increasing else columns[::-1]), axis=1)


def trapezoid(y: Any, x: Any = None, *, dx: float | None = None, dim: int = -1) -> Any:
    """The trapezoidal rule along ``dim``: sum_i (x_(i+1) - x_i) (y_i + y_(i+1)) / 2 (spacing ``dx``, 1 by
    default, when ``x`` is None)."""
    if x is not None and dx is not None:
        raise TypeError("trapezoid() received an invalid combination of arguments: pass x or dx, not both")
    y = y._floating()
    axis = dim % max(y.ndim, 1)
    trailing = (slice(None),) * (y.ndim - 1 - axis)
    if y.shape[axis] == 0:
        return y.sum(axis)
    upper, lower = y[(Ellipsis, slice(1, None)) + trailing], y[(Ellipsis, slice(None, -1)) + trailing]
    if x is None:
        return (upper + lower).sum(axis) * ((1.0 if dx is None else dx) / 2)
    steps = x[1:] - x[:-1] if x.ndim == 1 else \
        x[(Ellipsis, slice(1, None)) + trailing] - x[(Ellipsis, slice(None, -1)) + trailing]
    if x.ndim == 1:
        steps = steps.reshape((-1,) + (1,) * len(trailing))
    return (steps * (upper + lower)).sum(axis) / 2


def _type_name(t: Any) -> str:
    """PyTorch's name of a tensor's scalar type in error messages: Long, Int, Bool, Float, ..."""
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
            "float32": "Float", "float64": "Double", "float16": "Half"}.get(t._data.dtype.name, t._data.dtype.name)
