"""Activation modules: thin wrappers around :mod:`netgrad.nn.functional`, each one graph node.

Every activation g with its derivative g' (x the input, s = sigmoid(x)):

==============  ===================================================  ==========================================
module          g(x)                                                 g'(x)
==============  ===================================================  ==========================================
Identity        x                                                    1
Step            1 if x > threshold else 0 (perceptron)               0
Sigmoid         1 / (1 + e^-x)                                       s (1 - s)
LogSigmoid      log s = -softplus(-x)                                1 - s
Tanh            (e^x - e^-x) / (e^x + e^-x)                          1 - tanh^2 x
Hardtanh        clip(x, min_val, max_val)                            1 inside, 0 outside
ReLU            max(0, x)                                            1 if x > 0 else 0
ReLU6           min(max(0, x), 6)                                    1 on (0, 6) else 0
LeakyReLU       x if x > 0 else a x   (a = negative_slope)           1 or a
PReLU           x if x > 0 else a x   (a learned, per channel)       1 or a;  d/da = x where x <= 0
RReLU           x if x > 0 else a x,  a ~ U(lower, upper) in          1 or a
                training, a = (lower + upper) / 2 in evaluation
ELU             x if x > 0 else alpha (e^x - 1)                      1 or alpha e^x
SELU            scale * ELU(x, alpha), alpha ~ 1.6733, scale ~ 1.0507 scale or scale alpha e^x
GELU            x Phi(x) (or its tanh approximation)                 Phi(x) + x phi(x)
SiLU (swish)    x s                                                  s (1 + x (1 - s))
Mish            x tanh(softplus(x))                                  tanh(sp) + x s (1 - tanh^2(sp))
Softplus        log(1 + e^(beta x)) / beta                           sigmoid(beta x)
Softmax         e^(x_k) / sum_j e^(x_j)                              y (g - sum(g y)) (vector-Jacobian)
LogSoftmax      x_k - logsumexp(x)                                   g - softmax(x) sum(g)
==============  ===================================================  ==========================================

``inplace=`` arguments are accepted for compatibility with PyTorch code; netgrad always computes out of place.
"""
from __future__ import annotations

import numpy as np

from ..engine import ops
from ..engine.dtypes import _float_dtype
from ..engine.kernels.conv import ConvolutionReLU
from ..engine.kernels.linear import LinearReLU, LinearSigmoid, LinearTanh
from ..engine.kernels.pooling import MaxPoolReLU
from ..engine.tensor import Tensor
from . import functional as F
from .layers import Identity
from .module import Module, Parameter

__all__ = [
    "Identity", "Step", "Sigmoid", "LogSigmoid", "Tanh", "Hardtanh", "ReLU", "ReLU6", "LeakyReLU", "PReLU",
    "RReLU", "ELU", "SELU", "GELU", "SiLU", "Mish", "Softplus", "Softmax", "LogSoftmax",
]


def _inplace_repr(inplace: bool) -> str:
    return "inplace=True" if inplace else ""


class Step(Module):
    """Heaviside threshold unit of the perceptron: 1 where x > threshold, else 0; zero gradient. netgrad-specific."""

    def __init__(self, threshold: float = 0.0) -> None:
        super().__init__()
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.Step.apply(input, self.threshold)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}"


class Sigmoid(Module):
    """sigma(x) = 1 / (1 + e^-x): the output of binary (and multi-label) classifiers."""

    _after_linear = LinearSigmoid  # what Sequential runs for Linear then Sigmoid

    def forward(self, input: Tensor) -> Tensor:
        return ops.Sigmoid.apply(input)


class LogSigmoid(Module):
    """log sigma(x), finite for any x."""

    def forward(self, input: Tensor) -> Tensor:
        return F.LogSigmoid.apply(input)


class Tanh(Module):
    """tanh(x): zero-centred, range (-1, 1)."""

    _after_linear = LinearTanh

    def forward(self, input: Tensor) -> Tensor:
        return ops.Tanh.apply(input)


class Hardtanh(Module):
    """clip(x, min_val, max_val)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.Hardtanh.apply(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU(Module):
    """max(0, x): the default hidden activation."""

    _after_linear = LinearReLU
    _after_conv = ConvolutionReLU  # what Sequential runs for Conv1d / Conv2d then ReLU
    _before_max_pool = MaxPoolReLU  # ... and for ReLU then MaxPool1d / MaxPool2d

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return ops.ReLU.apply(input)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


class ReLU6(Hardtanh):
    """min(max(0, x), 6)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


class LeakyReLU(Module):
    """max(0, x) + negative_slope * min(0, x): a small slope keeps negative units learning."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.LeakyReLU.apply(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """Parametric ReLU: a leaky ReLU whose slope a is learned, one shared (``num_parameters=1``) or one per
    channel (dimension 1 of the input), initialised to ``init``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None) -> None:
        super().__init__()
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, (int, np.integer)) or num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive integer, got {num_parameters!r}")
        self.num_parameters = int(num_parameters)
        self.init = init
        self.weight = Parameter(np.full(self.num_parameters, init, dtype=_float_dtype(dtype)))

    def reset_parameters(self) -> None:
        self.weight._data[...] = self.init

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class RReLU(Module):
    """Randomized leaky ReLU: slopes drawn from U(lower, upper) per element in training (from the global
    generator), the mean slope (lower + upper) / 2 in evaluation."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False) -> None:
        super().__init__()
        if not 0 <= lower <= upper:
            raise ValueError(f"RReLU: need 0 <= lower <= upper, got lower={lower}, upper={upper}")
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """x if x > 0 else alpha (e^x - 1): smooth, with negative outputs that push mean activations to 0."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.ELU.apply(input, self.alpha, 1.0)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(Module):
    """Scaled ELU (self-normalising networks; pair with LeCun initialisation)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.ELU.apply(input, F.SELU_ALPHA, F.SELU_SCALE)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


class GELU(Module):
    """x Phi(x) (``approximate='none'``) or 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (``'tanh'``)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return (F.GELU if self.approximate == "none" else F.GELUTanh).apply(input)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """x sigma(x), also called swish."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.SiLU.apply(input)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


class Mish(Module):
    """x tanh(softplus(x))."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.Mish.apply(input)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


class Softplus(Module):
    """log(1 + e^(beta x)) / beta, a smooth ReLU; linear where beta x > threshold (for numerical stability)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        if beta == 0:
            raise ValueError("Softplus: beta must be non-zero")
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.Softplus.apply(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    """softmax along ``dim``: non-negative outputs summing to 1 (class probabilities)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log softmax along ``dim`` (pair with ``NLLLoss``; ``CrossEntropyLoss`` fuses both)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
