"""Sampling from tensors of probabilities and rates: Bernoulli, multinomial (with and without replacement),
Poisson, drawn from netgrad's generator (``manual_seed``, or ``generator=``) on the host and placed on the
input's device. ``Tensor``'s methods of the same names call these."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..random import get_generator
from .backend import to_host
from .linalg import wrap_like as _wrap_like


def _host(x: Any) -> Any:
    return to_host(x._data) if hasattr(x, "_data") else x


def _check_probability(p: Any, name: str) -> Any:
    array = np.asarray(p)
    if ((array < 0) | (array > 1) | np.isnan(array)).any():
        raise RuntimeError(f"{name}: Expected p_in >= 0 && p_in <= 1 to be true, but got false (p = {p!r:.60})")
    return p


def bernoulli(input: Any, p: Any = None, *, generator: Any = None) -> Any:
    """A tensor of 0/1 draws with probabilities ``input`` (or ``p``), in this tensor's dtype."""
    rng = generator or get_generator()
    p = _check_probability(to_host(input._data) if p is None else _host(p), "bernoulli")
    draws = rng.random(input._data.shape) < p
    return _wrap_like(input, draws.astype(input._data.dtype))


def multinomial(input: Any, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Any:
    """Indices drawn from the categories of each row, with probabilities proportional to the row (int64)."""
    weights = input._data
    if weights.ndim not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim, got shape {tuple(weights.shape)}")
    if weights.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {input.dtype}")
    rows = to_host(weights).astype(np.float64).reshape(-1, weights.shape[-1])
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    totals = rows.sum(1, keepdims=True)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = generator or get_generator()
    if replacement:  # inverse CDF: the first category whose cumulative probability exceeds a uniform draw
        count, offsets = rows.shape[1], np.arange(rows.shape[0])[:, None]
        cdf = np.cumsum(rows / totals, axis=1) + 2 * offsets  # rows apart, so one search serves all
        draws = rng.random((rows.shape[0], num_samples)) + 2 * offsets
        out = np.minimum(np.searchsorted(cdf.ravel(), draws.ravel(), side="right").reshape(draws.shape)
                         - count * offsets, count - 1)
    else:  # Gumbel top-k: the k largest log w + Gumbel noise are a weighted sample without replacement
        with np.errstate(divide="ignore"):
            keys = np.log(rows) - np.log(-np.log(rng.random(rows.shape)))
        out = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    out = out.astype(np.int64)
    return _wrap_like(input, out.reshape(weights.shape[:-1] + (num_samples,)))


def poisson(input: Any, generator: Any = None) -> Any:
    """Poisson draws with rates ``input``, in its dtype."""
    rates = to_host(input._data)
    if (rates < 0).any() or not np.isfinite(rates).all():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative and finite")
    draws = (generator or get_generator()).poisson(rates)
    return _wrap_like(input, draws.astype(rates.dtype))
