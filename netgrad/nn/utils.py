"""Gradient clipping, flat parameter vectors, parameter counts and L1 / L2 weight penalties.

The clipping functions follow PyTorch's ``torch.nn.utils`` (names, arguments and formulas) and work on the
gradient arrays in place. The penalties are differentiable scalars to add to a loss::

    loss = criterion(model(x), y) + nn.utils.l2_penalty(model, 1e-4)
"""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from ..engine import Tensor, cat
from ..engine.autograd import Function
from ..engine.backend import array_module
from .module import Module

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters",
           "count_parameters", "l1_penalty", "l2_penalty"]


def _tensors(parameters: Any) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        return [parameters]
    if isinstance(parameters, Module):
        return list(parameters.parameters())
    return list(parameters)


def clip_grad_norm_(parameters: Any, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> Tensor:
    """Rescale gradients in place so that their joint norm is at most ``max_norm``; return the norm before.

    total = || (||g_1||_p, ..., ||g_k||_p) ||_p (the p-norm of all gradients as one vector; p = inf: max |g|),
    and every gradient is multiplied by min(max_norm / (total + 1e-6), 1), as in PyTorch.

    Raises:
        RuntimeError: the total norm is nan or inf and ``error_if_nonfinite`` is set.
    """
    grads = [p._grad for p in _tensors(parameters) if p._grad is not None]
    norm_type = float(norm_type)
    if not grads:
        return Tensor._wrap(np.array(0.0, dtype=np.float32))
    dtype, xp = grads[0].dtype, array_module(grads[0])  # the norm stays on the gradients' device
    if norm_type == math.inf:
        norms = [np.abs(g).max() if g.size else xp.zeros((), g.dtype) for g in grads]
        total = np.max(xp.stack([xp.asarray(n, dtype=dtype) for n in norms]))
    elif norm_type == 2.0:
        total = np.sqrt(sum(np.dot(g.reshape(-1), g.reshape(-1)) for g in grads))
    else:
        norms = xp.stack([xp.asarray(np.linalg.norm(g.reshape(-1), norm_type), dtype=dtype) for g in grads])
        total = np.linalg.norm(norms, norm_type)
    total = xp.asarray(total, dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    coefficient = min(float(max_norm) / (float(total) + 1e-6), 1.0)
    for g in grads:
        g *= coefficient
    return Tensor._wrap(total)


def clip_grad_value_(parameters: Any, clip_value: float) -> None:
    """Clip every gradient element to [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for p in _tensors(parameters):
        if p._grad is not None:
            np.clip(p._grad, -clip_value, clip_value, out=p._grad)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated into one vector (differentiable, like PyTorch's)."""
    return cat([p.reshape(-1) for p in _tensors(parameters)])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters, in place (the inverse of parameters_to_vector)."""
    if not isinstance(vec, Tensor) or vec.ndim != 1:
        raise TypeError(f"expected a 1-D Tensor, got {type(vec).__name__}"
                        + (f" of shape {vec.shape}" if isinstance(vec, Tensor) else ""))
    params = _tensors(parameters)
    total = sum(p._data.size for p in params)
    if vec._data.size != total:
        raise ValueError(f"vector_to_parameters: the vector has {vec._data.size} elements but the parameters "
                         f"hold {total}")
    offset = 0
    for p in params:
        n = p._data.size
        p._data[...] = vec._data[offset:offset + n].reshape(p._data.shape)
        offset += n


def count_parameters(model: Any, trainable_only: bool = True) -> int:
    """The number of parameter values of a model (or iterable of tensors); by default only trainable ones.

    For a fully connected network: sum over layers of n_in * n_out + n_out, e.g. 13 for 2-3-1 and 266 610 for
    784-300-100-10.
    """
    return sum(p._data.size for p in _tensors(model) if p.requires_grad or not trainable_only)


def _penalised(parameters_or_model: Any) -> list[Tensor]:
    """The tensors a penalty covers: a model's weights (parameters with 2+ dimensions), or every tensor given."""
    if isinstance(parameters_or_model, Module):
        return [p for p in parameters_or_model.parameters() if p.ndim >= 2]
    return _tensors(parameters_or_model)


class _L1Penalty(Function):
    """weight * sum_i sum |w_i|;  d/dw_i = weight * sign(w_i)."""

    @staticmethod
    def forward(ctx, *arrays, weight):
        ctx.arrays, ctx.weight = arrays, weight
        dtype = arrays[0].dtype
        return array_module(arrays[0]).asarray(weight * sum(np.abs(a).sum() for a in arrays), dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        scale = g * ctx.weight
        return tuple(np.sign(a) * scale if t is not None else None for a, t in zip(ctx.arrays, ctx.inputs))


class _L2Penalty(Function):
    """weight * sum_i sum w_i^2;  d/dw_i = 2 weight w_i."""

    @staticmethod
    def forward(ctx, *arrays, weight):
        ctx.arrays, ctx.weight = arrays, weight
        dtype = arrays[0].dtype
        return array_module(arrays[0]).asarray(weight * sum(np.dot(a.reshape(-1), a.reshape(-1)) for a in arrays),
                                               dtype=dtype)

    @staticmethod
    def backward(ctx, g):
        scale = 2 * g * ctx.weight
        return tuple(a * scale if t is not None else None for a, t in zip(ctx.arrays, ctx.inputs))


def _penalty(function: type, parameters_or_model: Any, weight: float) -> Tensor:
    if weight < 0:
        raise ValueError(f"penalty weight must be non-negative, got {weight}")
    tensors = _penalised(parameters_or_model)
    if not tensors:
        return Tensor._wrap(np.zeros((), dtype=np.float32))
    return function.apply(*tensors, weight=weight)


def l1_penalty(parameters_or_model: Any, weight: float = 1.0) -> Tensor:
    """L1 regularisation term weight * sum |w| as a differentiable scalar (add it to the loss).

    Given a model, only its weights are penalised (parameters with two or more dimensions: Linear kernels),
    not biases or normalisation scales, as Keras's ``kernel_regularizer`` does; given tensors, all of them.
    """
    return _penalty(_L1Penalty, parameters_or_model, weight)


def l2_penalty(parameters_or_model: Any, weight: float = 1.0) -> Tensor:
    """L2 regularisation term weight * sum w^2 as a differentiable scalar (add it to the loss).

    The notes' (lambda / 2) ||w||^2 is ``l2_penalty(model, lambda / 2)``; its gradient adds 2 weight w = lambda w.
    Covers the same tensors as :func:`l1_penalty` (a model's weights, not its biases).
    """
    return _penalty(_L2Penalty, parameters_or_model, weight)
