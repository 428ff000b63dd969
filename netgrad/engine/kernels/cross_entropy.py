"""Cross-entropy over classes (indices or probabilities, weights, ignore_index, label smoothing) and NLL."""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..backend import array_module


def to_rows(x: np.ndarray) -> np.ndarray:
    if x.ndim == 2:
        return x
    if x.ndim == 1:
        return x.reshape(1, -1)
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def from_rows(rows: np.ndarray, shape: tuple) -> np.ndarray:
    if len(shape) == 2:
        return rows
    if len(shape) == 1:
        return rows.reshape(shape)
    moved = (shape[0],) + shape[2:] + (shape[1],)
    return np.moveaxis(rows.reshape(moved), -1, 1)


class CrossEntropy(Function):
    """Log-softmax + negative log-likelihood with class-index targets, one node (PyTorch's formulas).

    Per row i with label y_i, class weights w (default 1), smoothing e over C classes, p = softmax(x):
        loss_i = (1 - e) w_y (lse_i - x_iy) + (e / C) sum_c w_c (lse_i - x_ic),   lse = logsumexp,
        dx_i  = (1 - e) w_y (p_i - onehot(y_i)) + (e / C) (p_i sum_c w_c - w).
    Rows labelled ``ignore_index`` contribute nothing. 'mean' divides by sum_i w_y (the number of counted
    rows when unweighted), PyTorch's weighted mean.
    """

    fresh_gradients = True

    @staticmethod
    def forward(ctx, x, labels, weight, ignored, reduction, label_smoothing):
        shape = x.shape
        rows = to_rows(x)
        count, classes = rows.shape
        labels = labels.reshape(-1)
        if ignored is not None:
            ignored = ignored.reshape(-1)
            labels = np.where(ignored, 0, labels)
        index = array_module(rows).arange(count)
        shifted = rows - np.maximum.reduce(rows, axis=1, keepdims=True)
        picked = shifted[index, labels]
        smooth_sum = None
        if label_smoothing:
            smooth_sum = shifted.sum(axis=1) if weight is None else shifted @ weight
        exp = np.exp(shifted, out=shifted)  # shifted is ours: reuse its memory for e^(x - max)
        sum_exp = np.add.reduce(exp, axis=1)
        log_sum_exp = np.log(sum_exp)

        row_weight = None if weight is None else weight[labels]
        if ignored is not None:
            row_weight = np.where(ignored, 0, 1 if row_weight is None else row_weight).astype(rows.dtype)
        loss = log_sum_exp - picked
        if row_weight is not None:
            loss *= row_weight
        if label_smoothing:
            total_weight = classes if weight is None else weight.sum()
            smooth = total_weight * log_sum_exp - smooth_sum
            if ignored is not None:
                smooth[ignored] = 0
            loss *= 1 - label_smoothing
            loss += (label_smoothing / classes) * smooth
        denominator = count if row_weight is None else row_weight.sum()

        ctx.exp, ctx.sum_exp, ctx.labels, ctx.index, ctx.row_weight = exp, sum_exp, labels, index, row_weight
        ctx.weight, ctx.ignored, ctx.shape, ctx.reduction = weight, ignored, shape, reduction
        ctx.label_smoothing, ctx.denominator = label_smoothing, denominator
        if reduction == "mean":
            if not denominator:  # every row ignored: nan, as in PyTorch
                return rows.dtype.type(np.nan)
            return np.add.reduce(loss) / denominator
        if reduction == "sum":
            return np.add.reduce(loss)
        return loss.reshape(shape[:1] + shape[2:] if len(shape) > 1 else ())

    @staticmethod
    def backward(ctx, g):
        exp, labels, index, row_weight, weight = ctx.exp, ctx.labels, ctx.index, ctx.row_weight, ctx.weight
        smoothing, classes = ctx.label_smoothing, exp.shape[1]
        if ctx.reduction == "mean":  # no counted row (all ignored): the loss is nan, its gradient 0 (PyTorch)
            coefficient = float(g) / ctx.denominator if ctx.denominator else 0.0
        elif ctx.reduction == "sum":
            coefficient = float(g)
        else:
            coefficient = g.reshape(-1)
        if ctx.ignored is not None:
            coefficient = np.where(ctx.ignored, 0, coefficient).astype(exp.dtype, copy=False)
        # the weight on the true class, per row: c_i (1 - e) w_y
        target_weight = coefficient * (1 - smoothing) if smoothing else coefficient
        if row_weight is not None:
            target_weight = target_weight * row_weight
        softmax_weight = target_weight
        if smoothing:
            total_weight = classes if weight is None else weight.sum()
            softmax_weight = target_weight + coefficient * (smoothing / classes * total_weight)
        grad = exp * (softmax_weight / ctx.sum_exp)[:, None]  # p_i times the row's total weight: one allocation
        grad[index, labels] -= target_weight
        if smoothing:
            per_class = 1 if weight is None else weight
            grad -= (np.reshape(coefficient, (-1, 1)) * (smoothing / classes)) * per_class
        return from_rows(grad, ctx.shape), None, None, None, None, None


class CrossEntropyProbabilities(Function):
    """Log-softmax + cross-entropy against class probabilities t (one-hot or soft), one node:

        t' = (1 - e) t + e / C,  loss_i = -sum_c w_c t'_ic log p_ic,
        dx_i = p_i sum_c w_c t'_ic - w t'_i,   dt_i = -(1 - e) w log p_i.
    'mean' divides by the number of rows (PyTorch's convention for probability targets).
    """

    @staticmethod
    def forward(ctx, x, t, weight, reduction, label_smoothing):
        shape = x.shape
        rows = to_rows(x)
        count, classes = rows.shape
        target = to_rows(t)
        if label_smoothing:
            target = target * (1 - label_smoothing) + label_smoothing / classes
        weighted = target if weight is None else target * weight
        log_p = rows - rows.max(axis=1, keepdims=True)
        log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
        loss = -(weighted * log_p).sum(axis=1)
        ctx.log_p, ctx.weighted, ctx.weight, ctx.shape = log_p, weighted, weight, shape
        ctx.reduction, ctx.label_smoothing, ctx.count = reduction, label_smoothing, count
        if reduction == "mean":
            return loss.sum() / count
        if reduction == "sum":
            return loss.sum()
        return loss.reshape(shape[:1] + shape[2:] if len(shape) > 1 else ())

    @staticmethod
    def backward(ctx, g):
        log_p, weighted, shape = ctx.log_p, ctx.weighted, ctx.shape
        if ctx.reduction == "mean":
            coefficient = g / ctx.count
        elif ctx.reduction == "sum":
            coefficient = g
        else:
            coefficient = g.reshape(-1, 1)
        grad_x = grad_t = None
        if ctx.inputs[0] is not None:
            grad_x = np.exp(log_p)
            grad_x *= weighted.sum(axis=1, keepdims=True)
            grad_x -= weighted
            grad_x *= coefficient
            grad_x = from_rows(grad_x, shape)
        if ctx.inputs[1] is not None:
            scale = 1 - ctx.label_smoothing
            grad_t = -scale * log_p if ctx.weight is None else -scale * log_p * ctx.weight
            grad_t = from_rows(grad_t * coefficient, shape)
        return grad_x, grad_t, None, None, None


class NLLLoss(Function):
    """Negative log-likelihood of log-probabilities: loss_i = -w_y x_iy;  dx_iy = -w_y g (0 elsewhere)."""

    @staticmethod
    def forward(ctx, x, labels, weight, ignored, reduction):
        shape = x.shape
        rows = to_rows(x)
        count = rows.shape[0]
        labels = labels.reshape(-1)
        if ignored is not None:
            ignored = ignored.reshape(-1)
            labels = np.where(ignored, 0, labels)
        index = array_module(rows).arange(count)
        row_weight = None if weight is None else weight[labels]
        if ignored is not None:
            row_weight = np.where(ignored, 0, 1 if row_weight is None else row_weight).astype(rows.dtype)
        loss = -rows[index, labels]
        if row_weight is not None:
            loss *= row_weight
        denominator = count if row_weight is None else row_weight.sum()
        ctx.rows_shape, ctx.labels, ctx.index, ctx.row_weight = rows.shape, labels, index, row_weight
        ctx.shape, ctx.reduction, ctx.denominator, ctx.dtype = shape, reduction, denominator, rows.dtype
        if reduction == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):
                return loss.sum() / denominator
        if reduction == "sum":
            return loss.sum()
        return loss.reshape(shape[:1] + shape[2:] if len(shape) > 1 else ())

    @staticmethod
    def backward(ctx, g):
        if ctx.reduction == "mean":  # no counted row (all ignored): the loss is nan, its gradient 0 (PyTorch)
            coefficient = g / ctx.denominator if ctx.denominator else np.zeros_like(g)
        elif ctx.reduction == "sum":
            coefficient = g
        else:
            coefficient = g.reshape(-1)
        if ctx.row_weight is not None:
            coefficient = coefficient * ctx.row_weight
        grad = array_module(g).zeros(ctx.rows_shape, dtype=ctx.dtype)
        grad[ctx.index, ctx.labels] = -coefficient
        return from_rows(grad, ctx.shape), None, None, None, None
