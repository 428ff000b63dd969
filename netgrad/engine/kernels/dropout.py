"""Inverted dropout: zero each element with probability p and scale the rest by 1 / (1 - p)."""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import generator_for


class Dropout(Function):
    """Inverted dropout: y = x * m / (1 - p), m ~ Bernoulli(1 - p) per element;  dx = g * m / (1 - p)."""

    @staticmethod
    def forward(ctx, x, p):
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        uniform = generator_for(x).random(x.shape, dtype=np.float32 if dtype == np.float32 else np.float64)
        mask = (uniform >= p).astype(dtype)
        if p < 1:
            mask *= 1.0 / (1.0 - p)
        ctx.mask = mask
        return x * mask

    @staticmethod
    def backward(ctx, g):
        return g * ctx.mask, None
