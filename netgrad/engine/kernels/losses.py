"""Regression and binary-classification losses as single graph nodes (reductions: 'mean', 'sum', 'none')."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import Function
from ..numerics import ONE


def reduce_loss(loss: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":  # sum / n is what ndarray.mean computes, without its Python-level overhead
        return np.add.reduce(loss, axis=None) / loss.size
    if reduction == "sum":
        return loss.sum()
    return loss


_SCALES: dict = {}  # (dtype, reduction, count, factor) -> factor / count (or factor) as a read-only 0-d array


def upstream(grad_output: np.ndarray, reduction: str, count: int, factor: float = 1.0) -> Any:
    """factor * d(reduced loss)/d(elementwise loss) * the incoming gradient.

    After a reduction this is a number: for the usual ``loss.backward()`` (an incoming gradient of exactly 1)
    a cached 0-d array of the loss's dtype, which a ufunc takes as it is; otherwise a Python number, so that
    multiplying a float array by it is one ufunc call that keeps the array's dtype."""
    if reduction == "none":
        return grad_output if factor == 1 else grad_output * factor
    if grad_output is ONE.get(grad_output.dtype):
        key = (grad_output.dtype, reduction, count, factor)
        scale = _SCALES.get(key)
        if scale is None:
            value = factor / count if reduction == "mean" and count else factor
            scale = _SCALES[key] = np.full((), value, grad_output.dtype)
            scale.flags.writeable = False
        return scale
    g = float(grad_output) * factor  # the gradient of a 0-d loss
    return g / count if reduction == "mean" and count else g


class MSELoss(Function):
    """(x - y)^2 per element, then reduced;  dx = 2 (x - y) g, dy = -dx."""

    fresh_gradients = True

    @staticmethod
    def forward(ctx, x, y, reduction):
        diff = x - y
        ctx.diff, ctx.reduction = diff, reduction
        if reduction == "none":
            return diff * diff
        total = np.vdot(diff, diff)  # the sum of squares in one call
        return total / diff.size if reduction == "mean" else total

    @staticmethod
    def backward(ctx, g):
        diff = ctx.diff
        grad = diff * upstream(g, ctx.reduction, diff.size, 2.0)
        return grad, (-grad if ctx.inputs[1] is not None else None), None


class L1Loss(Function):
    """|x - y| per element, then reduced;  dx = sign(x - y) g (0 where x = y), dy = -dx."""

    fresh_gradients = True

    @staticmethod
    def forward(ctx, x, y, reduction):
        diff = x - y
        ctx.diff, ctx.reduction = diff, reduction
        return reduce_loss(np.abs(diff), reduction)

    @staticmethod
    def backward(ctx, g):
        diff = ctx.diff
        grad = np.sign(diff) * upstream(g, ctx.reduction, diff.size)
        return grad, (-grad if ctx.inputs[1] is not None else None), None


class HuberLoss(Function):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta), d = x - y;  dx = clip(d, -delta, delta) g."""

    fresh_gradients = True

    @staticmethod
    def forward(ctx, x, y, reduction, delta):
        diff = x - y
        abs_diff = np.abs(diff)
        ctx.diff, ctx.reduction, ctx.delta = diff, reduction, delta
        loss = np.where(abs_diff < delta, 0.5 * diff * diff, delta * (abs_diff - 0.5 * delta))
        return reduce_loss(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        diff = ctx.diff
        grad = np.clip(diff, -ctx.delta, ctx.delta) * upstream(g, ctx.reduction, diff.size)
        return grad, (-grad if ctx.inputs[1] is not None else None), None, None


class BinaryCrossEntropy(Function):
    """-w (y log p + (1 - y) log(1 - p)), logs clamped at -100 as in PyTorch;
    dp = w (p - y) / max(p (1 - p), 1e-12) g,  dy = w (log(1 - p) - log p) g."""

    fresh_gradients = True

    @staticmethod
    def forward(ctx, p, y, weight, reduction):
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_not_p = np.maximum(np.log1p(-p), -100)
        loss = -(y * log_p + (1 - y) * log_not_p)
        if weight is not None:
            loss *= weight
        ctx.p, ctx.y, ctx.weight, ctx.reduction = p, y, weight, reduction
        ctx.logs = (log_p, log_not_p)
        return reduce_loss(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        p, y, weight = ctx.p, ctx.y, ctx.weight
        up = upstream(g, ctx.reduction, p.size)
        if weight is not None:
            up = up * weight
        grad_p = grad_y = None
        if ctx.inputs[0] is not None:
            grad_p = (p - y) / np.maximum(p * (1 - p), 1e-12) * up
        if ctx.inputs[1] is not None:
            log_p, log_not_p = ctx.logs
            grad_y = (log_not_p - log_p) * up
        return grad_p, grad_y, None, None


class BinaryCrossEntropyWithLogits(Function):
    """Sigmoid + binary cross-entropy in one stable node, PyTorch's form with pos_weight p (default 1):

        loss = w [(1 - y) x + (1 + (p - 1) y) (log(1 + e^-|x|) + max(-x, 0))]
             = w [max(x, 0) - x y + log(1 + e^-|x|)]            when p = 1,
        dx = w [(1 + (p - 1) y) sigma(x) - p y] g   (= w (sigma(x) - y) g when p = 1),
        dy = w [(p - 1) softplus(-x) - x] g.
    Only e^-|x| is ever computed, so logits of any size give finite values and gradients.
    """

    fresh_gradients = True

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        exp_neg_abs = np.exp(-np.abs(x))
        softplus_neg = np.log1p(exp_neg_abs)
        softplus_neg += np.maximum(-x, 0)  # softplus(-x) = -log sigma(x)
        if pos_weight is None:
            loss = (1 - y) * x
            loss += softplus_neg
        else:
            log_weight = (pos_weight - 1) * y + 1
            loss = (1 - y) * x + log_weight * softplus_neg
        if weight is not None:
            loss *= weight
        ctx.x, ctx.y, ctx.exp_neg_abs, ctx.softplus_neg = x, y, exp_neg_abs, softplus_neg
        ctx.weight, ctx.pos_weight, ctx.reduction = weight, pos_weight, reduction
        return reduce_loss(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, weight, pos_weight = ctx.x, ctx.y, ctx.weight, ctx.pos_weight
        up = upstream(g, ctx.reduction, x.size)
        if weight is not None:
            up = up * weight
        grad_x = grad_y = None
        if ctx.inputs[0] is not None:
            e = ctx.exp_neg_abs
            sig = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
            if pos_weight is None:
                grad_x = (sig - y) * up
            else:
                grad_x = (((pos_weight - 1) * y + 1) * sig - pos_weight * y) * up
        if ctx.inputs[1] is not None:
            pw_minus_one = 0 if pos_weight is None else pos_weight - 1
            grad_y = (pw_minus_one * ctx.softplus_neg - x) * up
        return grad_x, grad_y, None, None, None
