"""Loss modules with PyTorch's names and arguments, each a thin wrapper around :mod:`netgrad.nn.functional`.

=====================  =============================================  ===================================
module                 per-element / per-sample loss                  typical output layer
=====================  =============================================  ===================================
MSELoss                (x - y)^2                                      regression, linear output
L1Loss                 |x - y|   (MAE)                                regression, linear output
HuberLoss              0.5 d^2 if |d| < delta else delta(|d| - delta/2)  regression with outliers
BCELoss                -[y log p + (1 - y) log(1 - p)]                sigmoid probabilities
BCEWithLogitsLoss      the same, from logits, stable                  binary / multi-label logits
CrossEntropyLoss       -log softmax(x)_y  (or -sum_k t_k log p_k)     multi-class logits
NLLLoss                -x_y  (x log-probabilities)                    LogSoftmax output
=====================  =============================================  ===================================

``reduction`` is 'mean' (the default), 'sum' or 'none' (one loss per element / sample), given by keyword
(PyTorch's deprecated ``size_average`` / ``reduce`` are not supported).
"""
from __future__ import annotations

from typing import Any

from ..engine import Tensor
from . import functional as F
from .module import Module

__all__ = ["MSELoss", "L1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss"]


class _Loss(Module):
    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__()
        F._check_reduction(reduction)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with an optional ``weight`` tensor, kept as a buffer (saved in ``state_dict``, like PyTorch)."""

    def __init__(self, weight: Any = None, *, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.register_buffer("weight", _as_tensor(weight))


def _as_tensor(value: Any) -> Tensor | None:
    if value is None or isinstance(value, Tensor):
        return value
    return Tensor(value)  # arrays keep their dtype; Python numbers become the default float dtype


class MSELoss(_Loss):
    """Mean squared error: mean((x - y)^2). Input and target must have the same shape."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error (MAE): mean(|x - y|)."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Huber loss: 0.5 d^2 for |d| < delta, delta (|d| - 0.5 delta) beyond; d = x - y."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        if not delta > 0:
            raise ValueError(f"HuberLoss: delta must be positive, got {delta}")
        self.delta = delta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.huber_loss(input, target, self.reduction, self.delta)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities: -mean(w [y log p + (1 - y) log(1 - p)]), logs clamped at -100.

    The input must be in [0, 1] (a sigmoid output); from logits, ``BCEWithLogitsLoss`` is stabler.
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Sigmoid + binary cross-entropy in one stable node; ``pos_weight`` (one per class) weights positives."""

    def __init__(self, weight: Any = None, *, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(weight, reduction=reduction)
        self.register_buffer("pos_weight", _as_tensor(pos_weight))

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax + cross-entropy of logits in one stable node.

    Targets are class indices (shape (N,), values in [0, C) or ``ignore_index``) or class probabilities
    (shape (N, C)). ``weight`` (C,) rescales classes; ``label_smoothing`` e mixes the target with the uniform
    distribution: (1 - e) target + e / C.
    """

    def __init__(self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(weight, reduction=reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], got {label_smoothing}")
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.cross_entropy(input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities at the target classes: -mean(w_y x_y)."""

    def __init__(self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(weight, reduction=reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.nll_loss(input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction)
