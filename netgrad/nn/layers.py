"""Layers with PyTorch's names, arguments, shapes and defaults: Linear, Identity, Flatten, Dropout, Dropout2d,
BatchNorm1d, BatchNorm2d, LayerNorm."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ..engine.autograd import ShapeError
from ..engine.dtypes import _float_dtype
from ..engine.kernels.linear import Linear as LinearFunction
from ..engine.tensor import Tensor
from . import functional as F
from . import init
from .module import Module, Parameter


def _positive_int(value: Any, name: str, layer: str, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < (0 if allow_zero else 1):
        raise ValueError(f"{layer}: {name} must be a {'non-negative' if allow_zero else 'positive'} integer, "
                         f"got {value!r}")
    return int(value)


class Identity(Module):
    """The identity (linear / pass-through activation): returns its input. Arguments are accepted and ignored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """A fully connected layer: y = x W^T + b, W of shape (out_features, in_features), b of shape (out_features,).

    Initialised like PyTorch: W ~ U(-1/sqrt(in_features), 1/sqrt(in_features)) (``kaiming_uniform_`` with
    a = sqrt(5)) and b from the same range. It has in_features * out_features + out_features parameters.

    >>> layer = nn.Linear(4, 3)
    >>> layer(netgrad.ones(1, 4)).shape
    (1, 3)
    """

    _fusion = "_after_linear"  # an activation class's fused Linear + activation node (see Sequential)

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.in_features = _positive_int(in_features, "in_features", "Linear", allow_zero=True)
        self.out_features = _positive_int(out_features, "out_features", "Linear", allow_zero=True)
        float_dtype = _float_dtype(dtype)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=float_dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype=float_dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: W by ``kaiming_uniform_(a=sqrt(5))``, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        weight = self.weight
        data = input._data if isinstance(input, Tensor) else np.asarray(input)
        dtype = weight._data.dtype
        if data.ndim == 0 or data.shape[-1] != self.in_features or (data.dtype is not dtype and data.dtype != dtype):
            self._reject(data)
        return LinearFunction.apply(input, weight, self.bias)

    def _forward_fused(self, function: type, input: Tensor) -> Tensor:
        """``forward`` and then an activation, as the single node ``function`` (e.g. ``F.LinearReLU``)."""
        weight = self.weight
        data = input._data if isinstance(input, Tensor) else np.asarray(input)
        dtype = weight._data.dtype
        if data.ndim == 0 or data.shape[-1] != self.in_features or (data.dtype is not dtype and data.dtype != dtype):
            self._reject(data)
        return function.apply(input, weight, self.bias)

    def _reject(self, data: np.ndarray) -> None:
        """Raise the error that explains why ``data`` does not fit this layer."""
        layer = f"{type(self).__name__}({self.extra_repr()})"
        if data.ndim == 0 or data.shape[-1] != self.in_features:
            if data.ndim > 2 and math.prod(data.shape[1:]) == self.in_features:
                hint = "did you forget nn.Flatten()?"
            elif data.ndim >= 1 and data.shape[0] == self.in_features and data.ndim == 2:
                hint = "is the input transposed? netgrad expects (batch, features)"
            else:
                hint = ("check this layer's in_features against the previous layer's out_features "
                        "(or the number of input columns)")
            raise ShapeError(f"{layer} expected input with {self.in_features} features (last dimension) but got "
                             f"shape {data.shape}; {hint}")
        raise TypeError(f"{layer} has {self.weight._data.dtype} weights but got a {data.dtype} input; convert the "
                        f"input (x.float() for float32, or X.astype(np.float32) for arrays) or the model "
                        f"(model.double() for float64)")

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Flatten(Module):
    """Flatten dimensions start_dim..end_dim into one: (N, 28, 28) -> (N, 784) with the defaults."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability p and scale the rest by 1/(1-p);
    the identity in evaluation (``model.eval()``). The masks come from the global generator."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = float(p)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class BatchNorm1d(Module):
    """Batch normalisation of (N, C) or (N, C, L) inputs, per feature / channel C (Ioffe & Szegedy, 2015).

    Training: normalise with the batch mean and (biased) variance, then y = gamma x_hat + beta, and update
        running_mean = (1 - momentum) running_mean + momentum mean,
        running_var  = (1 - momentum) running_var  + momentum var * m / (m - 1)   (unbiased),
    or, with ``momentum=None``, their cumulative average over all batches seen (``num_batches_tracked``).
    Evaluation: normalise with the running statistics. With ``track_running_stats=False`` batch statistics
    are used in both modes. ``affine=False`` drops gamma and beta, ``bias=False`` only beta.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        self.num_features = _positive_int(num_features, "num_features", type(self).__name__)
        if not eps > 0:
            raise ValueError(f"{type(self).__name__}: eps must be positive, got {eps}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"{type(self).__name__}: momentum must be in [0, 1] or None, got {momentum}")
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        float_dtype = _float_dtype(dtype)
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=float_dtype))
            if bias:
                self.bias = Parameter(np.zeros(num_features, dtype=float_dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._wrap(np.zeros(num_features, dtype=float_dtype)))
            self.register_buffer("running_var", Tensor._wrap(np.ones(num_features, dtype=float_dtype)))
            self.register_buffer("num_batches_tracked", Tensor._wrap(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    _layouts = {2: "(N, C)", 3: "(N, C, L)"}  # the input ranks this layer takes

    def forward(self, input: Tensor) -> Tensor:
        data = input._data if isinstance(input, Tensor) else np.asarray(input)
        if data.ndim not in self._layouts:
            expected = " or ".join(f"{rank}D {layout}" for rank, layout in self._layouts.items())
            raise ShapeError(f"{type(self).__name__}({self.num_features}) expected {expected} input, "
                             f"got {data.ndim}D input of shape {data.shape}")
        if data.shape[1] != self.num_features:
            raise ShapeError(f"{type(self).__name__}({self.extra_repr()}) expected input with {self.num_features} "
                             f"features (dimension 1) but got shape {data.shape}; check num_features against the "
                             "previous layer's out_features")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data += 1
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked._data)
        use_batch_stats = self.training or self.running_mean is None
        keep_running = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep_running else None,
                            self.running_var if keep_running else None, self.weight, self.bias,
                            use_batch_stats, factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm2d(BatchNorm1d):
    """Batch normalisation of (N, C, H, W) images per channel C: statistics over N, H and W (m = N H W values
    per channel); otherwise exactly :class:`BatchNorm1d` (the same Function, the same running statistics).

    >>> nn.BatchNorm2d(32)(netgrad.randn(8, 32, 13, 13)).shape
    (8, 32, 13, 13)
    """

    _layouts = {4: "(N, C, H, W)"}


class Dropout2d(Dropout):
    """Channel dropout (Tompson et al., 2015): in training, zero each whole (n, c) plane of (N, C, H, W) with
    probability p and scale the rest by 1/(1-p); the identity in evaluation."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training)


class LayerNorm(Module):
    """Layer normalisation (Ba et al., 2016) over the trailing ``normalized_shape`` of each sample:
    y = (x - mean) / sqrt(var + eps) * gamma + beta, the same in training and evaluation."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(_positive_int(n, "normalized_shape", "LayerNorm") for n in normalized_shape)
        if not eps > 0:
            raise ValueError(f"LayerNorm: eps must be positive, got {eps}")
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        float_dtype = _float_dtype(dtype)
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=float_dtype))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=float_dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        shape = input.shape
        k = len(self.normalized_shape)
        if tuple(shape[len(shape) - k:]) != self.normalized_shape or len(shape) < k:
            raise ShapeError(f"LayerNorm({self.extra_repr()}) expected an input whose last {k} dimension(s) are "
                             f"{self.normalized_shape}, got shape {tuple(shape)}")
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")
