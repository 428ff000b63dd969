"""Gradient checking by central differences: df/dx ~ (f(x + eps) - f(x - eps)) / (2 eps)."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .autograd import no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Analytical and numerical gradients disagree."""


def _outputs(fn: Callable, inputs: Sequence) -> list:
    out = fn(*inputs)
    return [o for o in (out if isinstance(out, (tuple, list)) else (out,)) if isinstance(o, Tensor)]


def gradcheck(fn: Callable, inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, seed: int = 0) -> bool:
    """Compare autograd's gradients of ``fn`` with central differences, for every input that requires grad.

    The outputs are reduced to one scalar with random weights v, s = sum_k v_k * out_k, so that a single
    backward pass gives ds/dx for every input; each element of each input is then perturbed by +-eps.
    Inputs should be float64 (float32 cannot resolve eps = 1e-6).
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    targets = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if not targets:
        raise ValueError("gradcheck: no input has requires_grad=True")
    for t in targets:
        if t._data.dtype != np.float64:
            raise ValueError(f"gradcheck: inputs must be float64 for central differences, got {t.dtype}")
    rng = np.random.default_rng(seed)
    outputs = _outputs(fn, inputs)
    weights = [rng.standard_normal(o.shape) for o in outputs]

    def scalar() -> float:
        with no_grad():
            return float(sum(np.sum(w * o._data) for w, o in zip(weights, _outputs(fn, inputs))))

    saved = [t._grad for t in targets]
    for t in targets:
        t._grad = None
    total = None
    for w, o in zip(weights, outputs):
        if o.requires_grad:
            term = (o * Tensor._wrap(w)).sum()
            total = term if total is None else total + term
    if total is not None:
        total.backward()
    analytical = [np.zeros_like(t._data) if t._grad is None else t._grad.copy() for t in targets]
    for t, g in zip(targets, saved):
        t._grad = g

    for index, (t, grad) in enumerate(zip(targets, analytical)):
        data = t._data  # perturbed where it lies: any strides (a reshaped copy would hide the perturbation)
        numerical = np.zeros(t.shape)
        for i in np.ndindex(*data.shape):
            original = data[i]
            data[i] = original + eps
            plus = scalar()
            data[i] = original - eps
            minus = scalar()
            data[i] = original
            numerical[i] = (plus - minus) / (2 * eps)
        if not np.allclose(grad, numerical, atol=atol, rtol=rtol):
            worst = np.unravel_index(np.argmax(np.abs(grad - numerical)), t.shape) if t.ndim else ()
            message = (f"gradcheck: gradient of input {index} (shape {t.shape}) does not match central "
                       f"differences; worst at {worst}: analytical {grad[worst]!r}, numerical "
                       f"{numerical[worst]!r}")
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True
