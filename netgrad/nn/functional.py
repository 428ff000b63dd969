"""The stateless side of ``netgrad.nn`` (PyTorch's ``torch.nn.functional``, usually imported as ``F``).

Every activation, normalisation and loss is ONE graph node: a :class:`~netgrad.autograd.Function` whose
``forward`` and hand-derived ``backward`` work on raw NumPy arrays and sit next to each other, followed by
the functional wrapper that validates its arguments and calls it. ``linear``, ``relu``, ``sigmoid``,
``tanh``, ``softmax`` and ``log_softmax`` reuse the engine's fused ops in :mod:`netgrad.ops`.

Loss options after ``weight`` are keyword-only: PyTorch's deprecated ``size_average`` / ``reduce`` arguments
sit in those positions there, so a positional call written for PyTorch fails loudly here instead of meaning
something else. Losses refuse what PyTorch would silently broadcast or only catch on a GPU: a target whose shape differs from
the input's, class labels outside ``[0, C)``, binary targets (and ``binary_cross_entropy`` inputs) outside
``[0, 1]``. The checks are a shape comparison and a min / max per batch.

Sections: helpers · linear · activations · dropout · normalisation · losses.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

import numpy as np

from .. import ops
from ..autograd import Function, ShapeError
from ..random import get_generator
from ..tensor import Tensor

__all__ = [
    "linear", "identity", "relu", "relu6", "hardtanh", "leaky_relu", "prelu", "rrelu", "elu", "selu", "gelu",
    "silu", "mish", "softplus", "sigmoid", "logsigmoid", "tanh", "softmax", "log_softmax", "step", "erf_array",
    "dropout", "dropout2d", "batch_norm", "layer_norm", "one_hot",
    "mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "cross_entropy", "nll_loss",
    "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool2d",
]

# ------------------------------------------------------------------------------------------------ helpers

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _array(x: Any) -> np.ndarray:
    """The array behind a tensor, or the argument as an array."""
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":  # sum / n is what ndarray.mean computes, without its Python-level overhead
        return np.asarray(np.add.reduce(loss, axis=None) / loss.size)
    if reduction == "sum":
        return np.asarray(loss.sum())
    return loss


def _upstream(grad_output: np.ndarray, reduction: str, count: int) -> Any:
    """d(reduced loss)/d(elementwise loss), times the incoming gradient.

    After a reduction this is a Python number, so that multiplying a float array by it is one ufunc call
    that keeps the array's dtype."""
    if reduction == "none":
        return grad_output
    g = float(grad_output)  # the gradient of a 0-d loss
    return g / count if reduction == "mean" and count else g


def _as_floating_target(input_data: np.ndarray, target: Any, name: str) -> tuple[Any, np.ndarray]:
    """Target for an elementwise loss: same shape as the input (no broadcasting), in the input's dtype.

    Returns the object to pass to the Function (the tensor itself when it needs a gradient) and its array.
    """
    data = _array(target)
    if data.shape != input_data.shape:
        hint = ""
        if data.shape + (1,) == input_data.shape:
            hint = "; reshape the target with target.view(-1, 1) (or the output with output.squeeze(-1))"
        elif input_data.shape + (1,) == data.shape:
            hint = "; squeeze the target with target.squeeze(-1) (or reshape the output to match)"
        raise ShapeError(f"{name}: target shape {data.shape} differs from input shape {input_data.shape}; the "
                         f"loss compares them element by element and does not broadcast{hint}")
    if isinstance(target, Tensor) and target.requires_grad:
        return target, data
    if data.dtype != input_data.dtype and input_data.dtype.kind == "f":
        data = data.astype(input_data.dtype)
    return data, data


def _check_unit_interval(data: np.ndarray, what: str, name: str, hint: str = "") -> None:
    if data.size == 0:
        return
    low, high = data.min(), data.max()
    if low >= 0 and high <= 1:
        return
    if np.isnan(low) or np.isnan(high):
        raise ValueError(f"{name}: {what} contains NaN")
    offending = low if low < 0 else high
    raise ValueError(f"{name}: every {what} value must lie in [0, 1], got {offending}{hint}")


def _broadcastable_weight(weight: Any, shape: tuple, dtype: np.dtype, name: str, what: str = "weight"):
    if weight is None:
        return None
    w = _array(weight)
    try:
        ok = np.broadcast_shapes(w.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise ShapeError(f"{name}: {what} of shape {w.shape} does not broadcast to the input shape {shape}")
    return w.astype(dtype, copy=False) if dtype.kind == "f" else w


# ------------------------------------------------------------------------------------------------- linear


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """y = x W^T + b, one fused node (``netgrad.ops.Linear``); W is (out_features, in_features)."""
    if bias is None:
        return ops.Linear.apply(input, weight)
    return ops.Linear.apply(input, weight, bias)


class LinearReLU(Function):
    """y = max(x W^T + b, 0) as one node (what ``Sequential`` runs for Linear then ReLU);
    dz = g (y > 0), then the linear map's backward with dz.

    The linear map is the Function in ``linear`` (a subclass may swap in another, such as Keras's
    ``x K + b``); its output is a fresh array, so the activation overwrites it in place."""

    linear: type[Function] = ops.Linear

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        out = ctx.linear.forward(ctx, x, weight, bias)
        ctx.out = np.maximum(out, 0, out=out)
        return out

    @staticmethod
    def backward(ctx, g):
        return ctx.linear.backward(ctx, g * (ctx.out > 0))


class LinearSigmoid(Function):
    """y = sigmoid(x W^T + b) as one node;  dz = g y (1 - y), then the linear map's backward with dz."""

    linear: type[Function] = ops.Linear

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        out = ctx.linear.forward(ctx, x, weight, bias)
        ctx.out = ops.sigmoid_array(out, out=out)
        return out

    @staticmethod
    def backward(ctx, g):
        return ctx.linear.backward(ctx, ops.sigmoid_backward(g, ctx.out))


class LinearTanh(Function):
    """y = tanh(x W^T + b) as one node;  dz = g (1 - y^2), then the linear map's backward with dz."""

    linear: type[Function] = ops.Linear

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        out = ctx.linear.forward(ctx, x, weight, bias)
        ctx.out = np.tanh(out, out=out)
        return out

    @staticmethod
    def backward(ctx, g):
        return ctx.linear.backward(ctx, ops.tanh_backward(g, ctx.out))


def identity(input: Tensor) -> Tensor:  # noqa: A002
    """The identity (linear, pass-through) activation g(z) = z, g'(z) = 1."""
    return input


# -------------------------------------------------------------------------------------------- activations


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """max(x, 0);  derivative 1 for x > 0, else 0. ``inplace`` is accepted for compatibility and ignored."""
    return ops.ReLU.apply(input)


class Hardtanh(Function):
    """clip(x, min_val, max_val);  dx = g strictly inside (min_val, max_val), else 0 (PyTorch's convention)."""

    @staticmethod
    def forward(ctx, x, min_val, max_val):
        ctx.x, ctx.min_val, ctx.max_val = x, min_val, max_val
        return np.clip(x, min_val, max_val)

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        return g * ((x > ctx.min_val) & (x < ctx.max_val)), None, None


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """Hardtanh(x) = min(max(x, min_val), max_val)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
    return Hardtanh.apply(input, min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """ReLU6(x) = min(max(x, 0), 6)."""
    return Hardtanh.apply(input, 0.0, 6.0)


class LeakyReLU(Function):
    """x if x > 0 else negative_slope * x;  dx = g or negative_slope * g."""

    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.positive, ctx.slope = x > 0, negative_slope
        return np.where(ctx.positive, x, x * negative_slope)

    @staticmethod
    def backward(ctx, g):
        return np.where(ctx.positive, g, g * ctx.slope), None


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """LeakyReLU(x) = max(0, x) + negative_slope * min(0, x)."""
    return LeakyReLU.apply(input, negative_slope)


class PReLU(Function):
    """x if x > 0 else a * x, with a learned slope a per channel (axis 1);  dx = g or a g, da = sum(x g) where x <= 0."""

    @staticmethod
    def forward(ctx, x, weight):
        shape = [1] * x.ndim
        if weight.size > 1:
            shape[1 if x.ndim >= 2 else 0] = weight.size
        slope = weight.reshape(shape) if x.ndim else weight.reshape(())
        ctx.x, ctx.slope, ctx.weight_shape = x, slope, weight.shape
        return np.where(x > 0, x, slope * x)

    @staticmethod
    def backward(ctx, g):
        x, slope = ctx.x, ctx.slope
        need_x, need_w = ctx.inputs
        positive = x > 0
        grad_x = np.where(positive, g, slope * g) if need_x is not None else None
        grad_w = None
        if need_w is not None:
            contribution = np.where(positive, 0, x * g)
            channel_axis = 1 if x.ndim >= 2 else 0
            if slope.size > 1:
                axes = tuple(a for a in range(x.ndim) if a != channel_axis)
                grad_w = contribution.sum(axis=axes).reshape(ctx.weight_shape)
            else:
                grad_w = np.asarray(contribution.sum()).reshape(ctx.weight_shape)
        return grad_x, grad_w


def prelu(input: Tensor, weight: Tensor) -> Tensor:  # noqa: A002
    """PReLU(x) = max(0, x) + a * min(0, x), ``weight`` a holding 1 slope or one per channel (dim 1)."""
    data, w = _array(input), _array(weight)
    if w.size > 1:
        channels = data.shape[1] if data.ndim >= 2 else (data.shape[0] if data.ndim == 1 else 1)
        if w.ndim != 1 or w.size != channels:
            raise ShapeError(f"prelu: the weight holds {w.size} slopes (shape {w.shape}) but the input of shape "
                             f"{data.shape} has {channels} channels (dimension 1); use 1 slope or {channels}")
    return PReLU.apply(input, weight)


class RReLU(Function):
    """Training-mode RReLU: x if x > 0 else a x with a ~ U(lower, upper) drawn per element;  dx = g * a (or g)."""

    @staticmethod
    def forward(ctx, x, lower, upper):
        slopes = get_generator().uniform(lower, upper, x.shape).astype(x.dtype, copy=False)
        noise = np.where(x > 0, np.ones((), dtype=x.dtype), slopes)
        ctx.noise = noise
        return x * noise

    @staticmethod
    def backward(ctx, g):
        return g * ctx.noise, None, None


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,  # noqa: A002
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: random slopes in [lower, upper] while training, the mean slope (lower+upper)/2 otherwise.

    Slopes come from the global generator (``netgrad.manual_seed`` makes them reproducible).
    """
    if not 0 <= lower <= upper:
        raise ValueError(f"rrelu: need 0 <= lower <= upper, got lower={lower}, upper={upper}")
    if training:
        return RReLU.apply(input, lower, upper)
    return LeakyReLU.apply(input, (lower + upper) / 2)


class ELU(Function):
    """scale * (x if x > 0 else alpha (e^x - 1));  dx = scale g or scale alpha e^x g."""

    @staticmethod
    def forward(ctx, x, alpha, scale):
        negative_part = np.minimum(x, 0)
        ctx.positive, ctx.negative_part, ctx.alpha, ctx.scale = x > 0, negative_part, alpha, scale
        out = np.where(ctx.positive, x, alpha * np.expm1(negative_part))
        return out * scale if scale != 1 else out

    @staticmethod
    def backward(ctx, g):
        scale = ctx.scale
        negative_slope = (ctx.alpha * scale) * np.exp(ctx.negative_part)
        return np.where(ctx.positive, g * scale if scale != 1 else g, g * negative_slope), None, None


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """ELU(x) = x if x > 0 else alpha (e^x - 1)."""
    return ELU.apply(input, alpha, 1.0)


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """SELU(x) = scale * ELU(x, alpha) with Klambauer et al.'s alpha ~ 1.6733 and scale ~ 1.0507 (self-normalising)."""
    return ELU.apply(input, SELU_ALPHA, SELU_SCALE)


# erf(x) after fdlibm's s_erf.c (Sun Microsystems, 1993; "Permission to use, copy, modify, and distribute this
# software is freely granted, provided that this notice is preserved."): rational approximations on
# [0, 0.84375) and [0.84375, 1.25), and erfc(x) = exp(-x^2 - 0.5625 + R(1/x^2)/S(1/x^2)) / x beyond,
# accurate to about one unit in the last place. NumPy has no erf ufunc, and math.erf is scalar-only.
_ERX = 8.45062911510467529297e-01
_PP = (1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02,
       -5.77027029648944159157e-03, -2.37630166566501626084e-05)
_QQ = (1.0, 3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03,
       1.32494738004321644526e-04, -3.96022827877536812320e-06)
_PA = (-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01,
       3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02,
       -2.16637559486879084300e-03)
_QA = (1.0, 1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02,
       1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02)
_RA = (-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e+01,
       -6.23753324503260060396e+01, -1.62396669462573470355e+02, -1.84605092906711035994e+02,
       -8.12874355063065934246e+01, -9.81432934416914548592e+00)
_SA = (1.0, 1.96512716674392571292e+01, 1.37657754143519042600e+02, 4.34565877475229228821e+02,
       6.45387271733267880336e+02, 4.29008140027567833386e+02, 1.08635005541779435134e+02,
       6.57024977031928170135e+00, -6.04244152148580987438e-02)
_RB = (-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e+01,
       -1.60636384855821916062e+02, -6.37566443368389627722e+02, -1.02509513161107724954e+03,
       -4.83519191608651397019e+02)
_SB = (1.0, 3.03380607434824582924e+01, 3.25792512996573918826e+02, 1.53672958608443695994e+03,
       3.19985821950859553908e+03, 2.55305040643316442583e+03, 4.74528541206955367215e+02,
       -2.24409524465858183362e+01)


def _polynomial(coefficients: tuple, z: np.ndarray) -> np.ndarray:
    """c0 + c1 z + c2 z^2 + ... by Horner's rule."""
    result = np.full_like(z, coefficients[-1])
    for c in coefficients[-2::-1]:
        result *= z
        result += c
    return result


def erf_array(x: Any) -> np.ndarray:
    """The error function erf(x) = 2/sqrt(pi) * int_0^x e^(-t^2) dt, elementwise, to about 1 ulp (float64).

    Float32 (and other) inputs are evaluated in float64 and returned in their own floating dtype.
    """
    x = np.asarray(x)
    out_dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    x64 = x.astype(np.float64, copy=False)
    ax = np.abs(x64)
    out = np.empty_like(x64)

    small = ax < 0.84375
    if small.any():
        xs = x64[small]
        z = xs * xs
        out[small] = xs + xs * (_polynomial(_PP, z) / _polynomial(_QQ, z))

    middle = (ax >= 0.84375) & (ax < 1.25)
    if middle.any():
        s = ax[middle] - 1.0
        out[middle] = np.copysign(_ERX + _polynomial(_PA, s) / _polynomial(_QA, s), x64[middle])

    tail = (ax >= 1.25) & (ax < 6.0)
    if tail.any():
        at = ax[tail]
        s = 1.0 / (at * at)
        near = at < 1.0 / 0.35
        ratio = np.empty_like(at)
        ratio[near] = _polynomial(_RA, s[near]) / _polynomial(_SA, s[near])
        far = ~near
        ratio[far] = _polynomial(_RB, s[far]) / _polynomial(_SB, s[far])
        # z is |x| with the low 32 bits of its mantissa cleared, so z*z is exact and the rounding error of
        # x^2 is carried separately in (z - x)(z + x).
        z = (at.view(np.uint64) & np.uint64(0xFFFFFFFF00000000)).view(np.float64)
        erfc = np.exp(-z * z - 0.5625) * np.exp((z - at) * (z + at) + ratio) / at
        out[tail] = np.copysign(1.0 - erfc, x64[tail])

    huge = ax >= 6.0
    if huge.any():
        out[huge] = np.copysign(1.0, x64[huge])
    nan = np.isnan(x64)
    if nan.any():
        out[nan] = np.nan
    return out.astype(out_dtype, copy=False)


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_KAPPA = 0.044715


class GELU(Function):
    """x Phi(x), Phi the standard normal CDF;  dx = g (Phi(x) + x phi(x)), phi the normal density."""

    @staticmethod
    def forward(ctx, x):
        cdf = 0.5 * (1.0 + erf_array(x * _SQRT_HALF))
        ctx.x, ctx.cdf = x, cdf
        return x * cdf

    @staticmethod
    def backward(ctx, g):
        x = ctx.x
        pdf = _INV_SQRT_2PI * np.exp(-0.5 * x * x)
        return g * (ctx.cdf + x * pdf)


class GELUTanh(Function):
    """0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), the tanh approximation of GELU, and its exact derivative."""

    @staticmethod
    def forward(ctx, x):
        t = np.tanh(_SQRT_2_OVER_PI * (x + _GELU_KAPPA * x * x * x))
        ctx.x, ctx.t = x, t
        return 0.5 * x * (1.0 + t)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.x, ctx.t
        inner_derivative = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_KAPPA * x * x)
        return g * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * inner_derivative)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    """GELU(x) = x Phi(x) (``approximate='none'``, exact, via erf) or its tanh approximation (``'tanh'``)."""
    if approximate == "none":
        return GELU.apply(input)
    if approximate == "tanh":
        return GELUTanh.apply(input)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


class SiLU(Function):
    """x sigma(x) (swish);  dx = g sigma(x) (1 + x (1 - sigma(x)))."""

    @staticmethod
    def forward(ctx, x):
        s = ops.sigmoid_array(x)
        ctx.x, ctx.s = x, s
        return x * s

    @staticmethod
    def backward(ctx, g):
        s = ctx.s
        return g * s * (1 + ctx.x * (1 - s))


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """SiLU(x) = x * sigmoid(x), also called swish."""
    return SiLU.apply(input)


def _softplus_array(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|)."""
    return np.logaddexp(0, x)


class Mish(Function):
    """x tanh(softplus(x));  dx = g (tanh(sp) + x sigma(x) (1 - tanh(sp)^2))."""

    @staticmethod
    def forward(ctx, x):
        t = np.tanh(_softplus_array(x))
        ctx.x, ctx.t = x, t
        return x * t

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.x, ctx.t
        return g * (t + x * ops.sigmoid_array(x) * (1 - t * t))


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """Mish(x) = x * tanh(softplus(x))."""
    return Mish.apply(input)


class Softplus(Function):
    """log(1 + e^(beta x)) / beta, or x where beta x > threshold;  dx = g sigma(beta x) (g past the threshold)."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        scaled = x * beta if beta != 1 else x
        linear = scaled > threshold
        ctx.scaled, ctx.linear = scaled, linear
        smooth = _softplus_array(scaled)
        if beta != 1:
            smooth /= beta
        return np.where(linear, x, smooth)

    @staticmethod
    def backward(ctx, g):
        return np.where(ctx.linear, g, g * ops.sigmoid_array(ctx.scaled)), None, None


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """Softplus(x) = log(1 + exp(beta x)) / beta, linear where beta x > threshold."""
    if beta == 0:
        raise ValueError("softplus: beta must be non-zero")
    return Softplus.apply(input, beta, threshold)


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """sigma(x) = 1 / (1 + e^-x);  sigma' = sigma (1 - sigma)."""
    return ops.Sigmoid.apply(input)


class LogSigmoid(Function):
    """log sigma(x) = -softplus(-x);  dx = g (1 - sigma(x))."""

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return -_softplus_array(-x)

    @staticmethod
    def backward(ctx, g):
        return g * ops.sigmoid_array(-ctx.x)


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """LogSigmoid(x) = log(1 / (1 + e^-x)), finite for any x."""
    return LogSigmoid.apply(input)


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    """tanh(x);  tanh' = 1 - tanh^2."""
    return ops.Tanh.apply(input)


def _softmax_dim(ndim: int, name: str) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """softmax(x)_k = e^(x_k) / sum_j e^(x_j) along ``dim`` (computed from x - max, so it never overflows)."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    if dtype is not None:
        input = input.to(dtype)  # noqa: A001
    return ops.Softmax.apply(input, dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:  # noqa: A002
    """log softmax(x) = x - logsumexp(x) along ``dim``: exact for logits of any size."""
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    if dtype is not None:
        input = input.to(dtype)  # noqa: A001
    return ops.LogSoftmax.apply(input, dim)


class Step(Function):
    """The perceptron's threshold unit: 1 where x > threshold, else 0;  its derivative is 0 everywhere."""

    @staticmethod
    def forward(ctx, x, threshold):
        return (x > threshold).astype(x.dtype if x.dtype.kind == "f" else np.float32)

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g), None


def step(input: Tensor, threshold: float = 0.0) -> Tensor:  # noqa: A002
    """Heaviside step f(x) = 1 if x > threshold else 0 (Rosenblatt's perceptron). netgrad-specific.

    The gradient is zero everywhere, so a step unit cannot be trained by backpropagation; the perceptron
    learning rule trains it instead.
    """
    return Step.apply(input, threshold)


# ------------------------------------------------------------------------------------------------ dropout


class Dropout(Function):
    """Inverted dropout: y = x * m / (1 - p), m ~ Bernoulli(1 - p) per element;  dx = g * m / (1 - p)."""

    @staticmethod
    def forward(ctx, x, p):
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        uniform = get_generator().random(x.shape, dtype=np.float32 if dtype == np.float32 else np.float64)
        mask = (uniform >= p).astype(dtype)
        if p < 1:
            mask *= 1.0 / (1.0 - p)
        ctx.mask = mask
        return x * mask

    @staticmethod
    def backward(ctx, g):
        return g * ctx.mask, None


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p), so E[output] = input.

    The identity when ``training`` is False or p = 0. The mask comes from the global generator.
    """
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    return Dropout.apply(input, p)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero whole channels: each (n, c) plane of an (N, C, H, W) input (or (C, H, W)) with probability ``p``,
    the rest scaled by 1/(1-p). The identity when ``training`` is False or p = 0."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    data = _array(input)
    if data.ndim not in (3, 4):
        raise ShapeError(f"dropout2d: expected a 4-D input (N, C, H, W) or a 3-D unbatched one (C, H, W), got "
                         f"shape {data.shape}")
    if not training or p == 0:
        return input
    channels = data.shape[:data.ndim - 2]
    uniform = get_generator().random(channels, dtype=np.float32 if data.dtype == np.float32 else np.float64)
    mask = (uniform >= p).astype(data.dtype)
    if p < 1:
        mask *= 1.0 / (1.0 - p)
    return input * Tensor._wrap(mask[..., None, None])


# ---------------------------------------------------------------------------------------------- normalisation


class BatchNorm(Function):
    """Batch normalisation over every axis but the channel axis 1, with an optional affine transform.

    Training (batch statistics mu, var over the m values of each channel):
        x_hat = (x - mu) / sqrt(var + eps),  y = gamma x_hat + beta,
        dx = gamma / (m sqrt(var + eps)) * (m g - sum g - x_hat sum(g x_hat)),
        dgamma = sum(g x_hat),  dbeta = sum g.
    The running statistics are updated in place: running = (1 - momentum) running + momentum batch, with the
    unbiased variance var * m / (m - 1) for ``running_var``. Evaluation uses the running statistics as
    constants: dx = g gamma / sqrt(running_var + eps).
    """

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, training, momentum, eps):
        channels = x.shape[1]
        shape = (1, channels) + (1,) * (x.ndim - 2)
        axes = (0,) + tuple(range(2, x.ndim))
        if training:
            count = x.size // channels
            mean = x.mean(axis=axes)
            centered = x - mean.reshape(shape)
            var = np.mean(centered * centered, axis=axes)
            if running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += momentum * mean
            if running_var is not None:
                running_var *= 1 - momentum
                running_var += (momentum * count / max(count - 1, 1)) * var
        else:
            count = x.size // channels
            mean, var = running_mean, running_var
            centered = x - mean.reshape(shape)
        inv_std = 1.0 / np.sqrt(var + eps)
        x_hat = centered
        x_hat *= inv_std.reshape(shape)
        ctx.x_hat, ctx.inv_std, ctx.weight, ctx.training = x_hat, inv_std, weight, training
        ctx.shape, ctx.axes, ctx.count = shape, axes, count
        if weight is None:
            return x_hat.copy() if bias is None else x_hat + bias.reshape(shape)
        out = x_hat * weight.reshape(shape)
        if bias is not None:
            out += bias.reshape(shape)
        return out

    @staticmethod
    def backward(ctx, g):
        x_hat, inv_std, weight, shape, axes = ctx.x_hat, ctx.inv_std, ctx.weight, ctx.shape, ctx.axes
        need_x, need_w, need_b = ctx.inputs[:3]
        sum_g = g.sum(axis=axes)
        sum_g_xhat = (g * x_hat).sum(axis=axes)
        grad_x = None
        if need_x is not None:
            scale = inv_std if weight is None else weight * inv_std
            if ctx.training:
                m = ctx.count
                grad_x = g * m
                grad_x -= sum_g.reshape(shape)
                grad_x -= x_hat * sum_g_xhat.reshape(shape)
                grad_x *= (scale / m).reshape(shape)
            else:
                grad_x = g * scale.reshape(shape)
        grad_w = sum_g_xhat if need_w is not None else None
        grad_b = sum_g if need_b is not None else None
        return grad_x, grad_w, grad_b, None, None, None, None, None


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation of an (N, C) or (N, C, L) input per channel C (see :class:`BatchNorm`).

    With ``training=True`` the batch statistics are used and ``running_mean`` / ``running_var`` (if given)
    are updated in place; otherwise the running statistics are used.
    """
    data = _array(input)
    if data.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input of shape (N, C) or (N, C, L), got shape {data.shape}")
    if training:
        if data.size // data.shape[1] <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {data.shape}")
    elif running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are needed when training=False")
    return BatchNorm.apply(input, weight, bias, running_mean, running_var, training, momentum, eps)


class LayerNorm(Function):
    """Normalisation over the last k axes of each sample: x_hat = (x - mu) / sqrt(var + eps), y = gamma x_hat + beta.

    dx = 1 / (n sqrt(var + eps)) * (n dx_hat - sum dx_hat - x_hat sum(dx_hat x_hat)) with dx_hat = g gamma,
    sums over the n normalised values of the sample; dgamma, dbeta sum g x_hat and g over the leading axes.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, k, eps):
        axes = tuple(range(x.ndim - k, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        x_hat = x - mean
        var = np.mean(x_hat * x_hat, axis=axes, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + eps)
        x_hat *= inv_std
        ctx.x_hat, ctx.inv_std, ctx.weight, ctx.axes = x_hat, inv_std, weight, axes
        if weight is None:
            return x_hat.copy() if bias is None else x_hat + bias
        out = x_hat * weight
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, g):
        x_hat, inv_std, weight, axes = ctx.x_hat, ctx.inv_std, ctx.weight, ctx.axes
        need_x, need_w, need_b = ctx.inputs[:3]
        leading = tuple(range(x_hat.ndim - len(axes)))
        grad_x = None
        if need_x is not None:
            dx_hat = g if weight is None else g * weight
            n = math.prod(x_hat.shape[a] for a in axes)
            grad_x = dx_hat * n
            grad_x -= dx_hat.sum(axis=axes, keepdims=True)
            grad_x -= x_hat * (dx_hat * x_hat).sum(axis=axes, keepdims=True)
            grad_x *= inv_std / n
        grad_w = (g * x_hat).sum(axis=leading) if need_w is not None else None
        grad_b = g.sum(axis=leading) if need_b is not None else None
        return grad_x, grad_w, grad_b, None, None


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int], weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Layer normalisation over the trailing ``normalized_shape`` axes of each sample (see :class:`LayerNorm`)."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    data = _array(input)
    k = len(normalized_shape)
    if data.shape[data.ndim - k:] != normalized_shape or data.ndim < k:
        raise ShapeError(f"layer_norm: expected an input whose last {k} dimension(s) are {normalized_shape}, "
                         f"got shape {data.shape}")
    return LayerNorm.apply(input, weight, bias, k, eps)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices of shape (...) as int64 one-hot rows of shape (..., num_classes)."""
    labels = _array(tensor)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected integer class indices, got dtype {labels.dtype}")
    if num_classes < 0:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels.min() if labels.min() < 0 else labels.max()
        raise ValueError(f"one_hot: class index {bad} is out of range for num_classes={num_classes}")
    return Tensor._wrap((labels[..., None] == np.arange(num_classes)).astype(np.int64))


# ------------------------------------------------------------------------------------------------- losses


class MSELoss(Function):
    """(x - y)^2 per element, then reduced;  dx = 2 (x - y) g, dy = -dx."""

    @staticmethod
    def forward(ctx, x, y, reduction):
        diff = x - y
        ctx.diff, ctx.reduction = diff, reduction
        if reduction == "none":
            return diff * diff
        total = np.vdot(diff, diff)  # the sum of squares in one call
        return np.asarray(total / diff.size if reduction == "mean" else total)

    @staticmethod
    def backward(ctx, g):
        diff = ctx.diff
        grad = diff * (2 * _upstream(g, ctx.reduction, diff.size))
        return grad, (-grad if ctx.inputs[1] is not None else None), None


def mse_loss(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean squared error: mean((x - y)^2) (``'sum'``: the sum, ``'none'``: per element)."""
    _check_reduction(reduction)
    target, _ = _as_floating_target(_array(input), target, "mse_loss")
    return MSELoss.apply(input, target, reduction)


class L1Loss(Function):
    """|x - y| per element, then reduced;  dx = sign(x - y) g (0 where x = y), dy = -dx."""

    @staticmethod
    def forward(ctx, x, y, reduction):
        diff = x - y
        ctx.diff, ctx.reduction = diff, reduction
        return _reduce(np.abs(diff), reduction)

    @staticmethod
    def backward(ctx, g):
        diff = ctx.diff
        grad = np.sign(diff) * _upstream(g, ctx.reduction, diff.size)
        return grad, (-grad if ctx.inputs[1] is not None else None), None


def l1_loss(input: Tensor, target: Any, *, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean absolute error (MAE): mean(|x - y|)."""
    _check_reduction(reduction)
    target, _ = _as_floating_target(_array(input), target, "l1_loss")
    return L1Loss.apply(input, target, reduction)


class HuberLoss(Function):
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta), d = x - y;  dx = clip(d, -delta, delta) g."""

    @staticmethod
    def forward(ctx, x, y, reduction, delta):
        diff = x - y
        abs_diff = np.abs(diff)
        ctx.diff, ctx.reduction, ctx.delta = diff, reduction, delta
        loss = np.where(abs_diff < delta, 0.5 * diff * diff, delta * (abs_diff - 0.5 * delta))
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        diff = ctx.diff
        grad = np.clip(diff, -ctx.delta, ctx.delta) * _upstream(g, ctx.reduction, diff.size)
        return grad, (-grad if ctx.inputs[1] is not None else None), None, None


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:  # noqa: A002
    """Huber loss: quadratic for errors below ``delta``, linear beyond (robust to outliers)."""
    _check_reduction(reduction)
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    target, _ = _as_floating_target(_array(input), target, "huber_loss")
    return HuberLoss.apply(input, target, reduction, delta)


class BinaryCrossEntropy(Function):
    """-w (y log p + (1 - y) log(1 - p)), logs clamped at -100 as in PyTorch;
    dp = w (p - y) / max(p (1 - p), 1e-12) g,  dy = w (log(1 - p) - log p) g."""

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
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        p, y, weight = ctx.p, ctx.y, ctx.weight
        up = _upstream(g, ctx.reduction, p.size)
        if weight is not None:
            up = up * weight
        grad_p = grad_y = None
        if ctx.inputs[0] is not None:
            grad_p = (p - y) / np.maximum(p * (1 - p), 1e-12) * up
        if ctx.inputs[1] is not None:
            log_p, log_not_p = ctx.logs
            grad_y = (log_not_p - log_p) * up
        return grad_p, grad_y, None, None


def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None, *,  # noqa: A002
                         reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities p in [0, 1]: -mean(y log p + (1 - y) log(1 - p)).

    For logits use :func:`binary_cross_entropy_with_logits`, which is stable and cheaper.
    """
    _check_reduction(reduction)
    data = _array(input)
    target, target_data = _as_floating_target(data, target, "binary_cross_entropy")
    _check_unit_interval(data, "input", "binary_cross_entropy",
                         " (the input must be probabilities; for logits use binary_cross_entropy_with_logits)")
    _check_unit_interval(target_data, "target", "binary_cross_entropy")
    weight = _broadcastable_weight(weight, data.shape, data.dtype, "binary_cross_entropy")
    return BinaryCrossEntropy.apply(input, target, weight, reduction)


class BinaryCrossEntropyWithLogits(Function):
    """Sigmoid + binary cross-entropy in one stable node, PyTorch's form with pos_weight p (default 1):

        loss = w [(1 - y) x + (1 + (p - 1) y) (log(1 + e^-|x|) + max(-x, 0))]
             = w [max(x, 0) - x y + log(1 + e^-|x|)]            when p = 1,
        dx = w [(1 + (p - 1) y) sigma(x) - p y] g   (= w (sigma(x) - y) g when p = 1),
        dy = w [(p - 1) softplus(-x) - x] g.
    Only e^-|x| is ever computed, so logits of any size give finite values and gradients.
    """

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
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, weight, pos_weight = ctx.x, ctx.y, ctx.weight, ctx.pos_weight
        up = _upstream(g, ctx.reduction, x.size)
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


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Any = None, *,  # noqa: A002
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    """Binary cross-entropy of sigmoid(x) computed from the logits x, stably (see the Function above).

    ``pos_weight`` (broadcast along the last dimension, one per class) multiplies the positive term: > 1
    raises recall, < 1 precision. ``weight`` rescales each element's loss.
    """
    _check_reduction(reduction)
    data = _array(input)
    target, target_data = _as_floating_target(data, target, "binary_cross_entropy_with_logits")
    _check_unit_interval(target_data, "target", "binary_cross_entropy_with_logits")
    name = "binary_cross_entropy_with_logits"
    weight = _broadcastable_weight(weight, data.shape, data.dtype, name)
    pos_weight = _broadcastable_weight(pos_weight, data.shape, data.dtype, name, "pos_weight")
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


# Cross-entropy and NLL work on rows: an (N, C, d1, ...) input becomes (N*d1*..., C) with classes last,
# a (C,) input one row; gradients go back the same way.


def _to_rows(x: np.ndarray) -> np.ndarray:
    if x.ndim == 2:
        return x
    if x.ndim == 1:
        return x.reshape(1, -1)
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _from_rows(rows: np.ndarray, shape: tuple) -> np.ndarray:
    if len(shape) == 2:
        return rows
    if len(shape) == 1:
        return rows.reshape(shape)
    moved = (shape[0],) + shape[2:] + (shape[1],)
    return np.moveaxis(rows.reshape(moved), -1, 1)


def _class_targets(input_shape: tuple, target: Any, ignore_index: int, name: str) -> tuple[np.ndarray, Any]:
    """Validated class indices as an int64 array of the expected shape, and the ignore mask (None if none)."""
    labels = _array(target)
    expected = () if len(input_shape) == 1 else (input_shape[0],) + input_shape[2:]
    if labels.shape != expected:
        hint = ""
        if labels.shape == expected + (1,):
            hint = "; flatten the target with target.view(-1)"
        raise ShapeError(f"{name}: target of shape {labels.shape} does not fit the input of shape {input_shape}: "
                         f"class indices need shape {expected} (one label per sample), class probabilities "
                         f"the input's shape {input_shape}{hint}")
    if labels.dtype.kind != "i":
        if labels.dtype.kind == "u":
            labels = labels.astype(np.int64)
        elif labels.dtype.kind == "f":
            whole = labels.astype(np.int64)
            if not np.array_equal(whole, labels):
                bad = labels[whole != labels].reshape(-1)[0]
                raise ValueError(f"{name}: class indices must be whole numbers, got {bad}; for class "
                                 "probabilities give a target of the input's shape")
            labels = whole
        else:
            raise TypeError(f"{name}: class indices must be integers, got dtype {labels.dtype}")
    classes = input_shape[0] if len(input_shape) == 1 else input_shape[1]
    if labels.size == 0:
        return labels, None
    # Read as unsigned, a negative label is huge: one reduction tells that every label is in [0, classes),
    # and then none is ignored unless ignore_index is a class.
    unsigned = labels.view(np.uint64 if labels.itemsize == 8 else f"u{labels.itemsize}")
    if np.maximum.reduce(unsigned, axis=None) < classes and not 0 <= ignore_index < classes:
        return labels, None
    low, high = np.minimum.reduce(labels, axis=None), np.maximum.reduce(labels, axis=None)
    ignored = None
    if low <= ignore_index <= high:
        ignored = labels == ignore_index
    if low < 0 or high >= classes:
        bad = labels[((labels < 0) | (labels >= classes)) & (labels != ignore_index)]
        if bad.size:
            raise ValueError(f"{name}: class label {bad[0]} is out of range for {classes} classes "
                             f"(labels must be in [0, {classes - 1}], or equal ignore_index={ignore_index})")
    return labels, ignored


class CrossEntropy(Function):
    """Log-softmax + negative log-likelihood with class-index targets, one node (PyTorch's formulas).

    Per row i with label y_i, class weights w (default 1), smoothing e over C classes, p = softmax(x):
        loss_i = (1 - e) w_y (lse_i - x_iy) + (e / C) sum_c w_c (lse_i - x_ic),   lse = logsumexp,
        dx_i  = (1 - e) w_y (p_i - onehot(y_i)) + (e / C) (p_i sum_c w_c - w).
    Rows labelled ``ignore_index`` contribute nothing. 'mean' divides by sum_i w_y (the number of counted
    rows when unweighted), PyTorch's weighted mean.
    """

    @staticmethod
    def forward(ctx, x, labels, weight, ignored, reduction, label_smoothing):
        shape = x.shape
        rows = _to_rows(x)
        count, classes = rows.shape
        labels = labels.reshape(-1)
        if ignored is not None:
            ignored = ignored.reshape(-1)
            labels = np.where(ignored, 0, labels)
        index = np.arange(count)
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
                return np.asarray(np.nan, dtype=rows.dtype)
            return np.asarray(np.add.reduce(loss) / denominator)
        if reduction == "sum":
            return np.asarray(np.add.reduce(loss))
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
        return _from_rows(grad, ctx.shape), None, None, None, None, None


class CrossEntropyProbabilities(Function):
    """Log-softmax + cross-entropy against class probabilities t (one-hot or soft), one node:

        t' = (1 - e) t + e / C,  loss_i = -sum_c w_c t'_ic log p_ic,
        dx_i = p_i sum_c w_c t'_ic - w t'_i,   dt_i = -(1 - e) w log p_i.
    'mean' divides by the number of rows (PyTorch's convention for probability targets).
    """

    @staticmethod
    def forward(ctx, x, t, weight, reduction, label_smoothing):
        shape = x.shape
        rows = _to_rows(x)
        count, classes = rows.shape
        target = _to_rows(t)
        if label_smoothing:
            target = target * (1 - label_smoothing) + label_smoothing / classes
        weighted = target if weight is None else target * weight
        log_p = rows - rows.max(axis=1, keepdims=True)
        log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
        loss = -(weighted * log_p).sum(axis=1)
        ctx.log_p, ctx.weighted, ctx.weight, ctx.shape = log_p, weighted, weight, shape
        ctx.reduction, ctx.label_smoothing, ctx.count = reduction, label_smoothing, count
        if reduction == "mean":
            return np.asarray(loss.sum() / count)
        if reduction == "sum":
            return np.asarray(loss.sum())
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
            grad_x = _from_rows(grad_x, shape)
        if ctx.inputs[1] is not None:
            scale = 1 - ctx.label_smoothing
            grad_t = -scale * log_p if ctx.weight is None else -scale * log_p * ctx.weight
            grad_t = _from_rows(grad_t * coefficient, shape)
        return grad_x, grad_t, None, None, None


def _class_weight(weight: Any, classes: int, dtype: np.dtype, name: str) -> np.ndarray | None:
    if weight is None:
        return None
    w = _array(weight)
    if w.shape != (classes,):
        raise ShapeError(f"{name}: weight must hold one value per class, shape ({classes},), got shape {w.shape}")
    return w.astype(dtype, copy=False)


def cross_entropy(input: Tensor, target: Any, weight: Any = None, *, ignore_index: int = -100,  # noqa: A002
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits: softmax and negative log-likelihood fused into one stable node.

    Args:
        input: Logits of shape (N, C), (C,) or (N, C, d1, ...).
        target: Class indices of shape (N,) (or (), (N, d1, ...)), integers in [0, C) or ``ignore_index``;
            or class probabilities (one-hot or soft) of the input's shape.
        weight: Per-class weights, shape (C,); 'mean' then divides by the summed weights of the targets.
        ignore_index: Class-index targets equal to it contribute nothing (not used with probabilities).
        reduction: 'mean', 'sum' or 'none'.
        label_smoothing: e in [0, 1]: the target becomes (1 - e) onehot + e / C.

    Unlike PyTorch, float class indices holding whole numbers are accepted (as from NumPy label arrays).
    """
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    data = _array(input)
    if data.ndim == 0:
        raise ShapeError("cross_entropy: the input needs a class dimension, got a 0-d tensor")
    classes = data.shape[0] if data.ndim == 1 else data.shape[1]
    weight = _class_weight(weight, classes, data.dtype, "cross_entropy")
    target_data = _array(target)
    if target_data.shape == data.shape:
        if not (isinstance(target, Tensor) and target.requires_grad):
            target = target_data.astype(data.dtype, copy=False)
        _check_unit_interval(target_data, "target probability", "cross_entropy")
        return CrossEntropyProbabilities.apply(input, target, weight, reduction, label_smoothing)
    labels, ignored = _class_targets(data.shape, target_data, ignore_index, "cross_entropy")
    return CrossEntropy.apply(input, labels, weight, ignored, reduction, label_smoothing)


class NLLLoss(Function):
    """Negative log-likelihood of log-probabilities: loss_i = -w_y x_iy;  dx_iy = -w_y g (0 elsewhere)."""

    @staticmethod
    def forward(ctx, x, labels, weight, ignored, reduction):
        shape = x.shape
        rows = _to_rows(x)
        count = rows.shape[0]
        labels = labels.reshape(-1)
        if ignored is not None:
            ignored = ignored.reshape(-1)
            labels = np.where(ignored, 0, labels)
        index = np.arange(count)
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
                return np.asarray(loss.sum() / denominator)
        if reduction == "sum":
            return np.asarray(loss.sum())
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
        grad = np.zeros(ctx.rows_shape, dtype=ctx.dtype)
        grad[ctx.index, ctx.labels] = -coefficient
        return _from_rows(grad, ctx.shape), None, None, None, None


def nll_loss(input: Tensor, target: Any, weight: Any = None, *, ignore_index: int = -100,  # noqa: A002
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities (e.g. ``log_softmax`` output) at the target classes.

    ``nll_loss(log_softmax(x, 1), y)`` equals ``cross_entropy(x, y)``; the weighted 'mean' divides by the
    summed weights of the targets, as in PyTorch.
    """
    _check_reduction(reduction)
    data = _array(input)
    if data.ndim == 0:
        raise ShapeError("nll_loss: the input needs a class dimension, got a 0-d tensor")
    classes = data.shape[0] if data.ndim == 1 else data.shape[1]
    weight = _class_weight(weight, classes, data.dtype, "nll_loss")
    labels, ignored = _class_targets(data.shape, target, ignore_index, "nll_loss")
    return NLLLoss.apply(input, labels, weight, ignored, reduction)


from .conv import conv1d, conv2d  # noqa: E402  (those modules do not import this one)
from .pooling import adaptive_avg_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d  # noqa: E402
