"""Numerically stable functions on raw arrays, written once: sigmoid, softplus, softmax, log-softmax,
log-sum-exp, and the derivatives the fused nodes share. The ops, kernels, Trainer, estimators and plots use these."""
from __future__ import annotations

import numpy as np


def _constant(value: float) -> dict:
    """``value`` as a read-only 0-d array of each float dtype. A ufunc takes such an operand as it is,
    where a Python number is converted anew on every call (which costs more than the arithmetic on a small
    array); the result is the same, as NumPy casts the number to the array's dtype either way."""
    arrays = {}
    for dtype in (np.float16, np.float32, np.float64):
        array = np.full((), value, dtype)
        array.flags.writeable = False
        arrays[np.dtype(dtype)] = array
    return arrays


_ZERO, ONE = _constant(0.0), _constant(1.0)


def sigmoid_array(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Stable logistic function 1 / (1 + e^-x) = exp(-log(1 + e^-x)); logaddexp never overflows.

    ``out`` (which may be ``x`` itself) receives the result instead of a new array."""
    out = np.negative(x, out=out)
    if type(out) is np.ndarray:
        zero = _ZERO.get(out.dtype, 0)
    elif isinstance(out, np.generic):  # a 0-d input gives a NumPy scalar (no out=)
        out, zero = np.asarray(out), 0
    else:  # another array module's array
        zero = 0
    np.logaddexp(zero, out, out=out)
    np.negative(out, out=out)
    return np.exp(out, out=out)


def sigmoid_backward(g: np.ndarray, out: np.ndarray) -> np.ndarray:
    """g y (1 - y) for y = sigma(x) (also used by the fused Linear + Sigmoid node)."""
    return g * out * ((ONE.get(out.dtype, 1) if type(out) is np.ndarray else 1) - out)


def tanh_backward(g: np.ndarray, out: np.ndarray) -> np.ndarray:
    """g (1 - y^2) for y = tanh x (also used by the fused Linear + Tanh node)."""
    return g * ((ONE.get(out.dtype, 1) if type(out) is np.ndarray else 1) - out * out)


def softplus_array(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|)."""
    out = np.logaddexp(0, x)
    return np.asarray(out) if type(out) is not np.ndarray and isinstance(out, np.generic) else out


def logsumexp_array(x: np.ndarray, axis, keepdims: bool = False) -> np.ndarray:
    """log sum exp x = m + log sum exp(x - m) with m = max x (0 where m is infinite): never overflows."""
    m = x.max(axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.exp(x - m).sum(axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis)


def softmax_array(x: np.ndarray, axis: int) -> np.ndarray:
    """exp(x - max) / sum exp(x - max): never overflows."""
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


def log_softmax_array(x: np.ndarray, axis: int) -> np.ndarray:
    """x - logsumexp(x): exact for logits of any size."""
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
