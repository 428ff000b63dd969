"""Activation functions beyond the engine's primitives (ReLU, sigmoid, tanh): one node each, forward next to
backward."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd import Function
from ..backend import array_module, generator_for
from ..numerics import sigmoid_array, softplus_array


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


class LeakyReLU(Function):
    """x if x > 0 else negative_slope * x;  dx = g or negative_slope * g."""

    @staticmethod
    def forward(ctx, x, negative_slope):
        ctx.positive, ctx.slope = x > 0, negative_slope
        return np.where(ctx.positive, x, x * negative_slope)

    @staticmethod
    def backward(ctx, g):
        return np.where(ctx.positive, g, g * ctx.slope), None


class PReLU(Function):
    """x if x > 0 else a * x, with a learned slope a per channel (axis 1);
    dx = g or a g, da = sum(x g) where x <= 0."""

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
                grad_w = contribution.sum().reshape(ctx.weight_shape)
        return grad_x, grad_w


class RReLU(Function):
    """Training-mode RReLU: x if x > 0 else a x with a ~ U(lower, upper) drawn per element;  dx = g * a (or g)."""

    @staticmethod
    def forward(ctx, x, lower, upper):
        slopes = generator_for(x).uniform(lower, upper, x.shape).astype(x.dtype, copy=False)
        noise = np.where(x > 0, x.dtype.type(1), slopes)
        ctx.noise = noise
        return x * noise

    @staticmethod
    def backward(ctx, g):
        return g * ctx.noise, None, None


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


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


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
    x = array_module(x).asarray(x)
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


class SiLU(Function):
    """x sigma(x) (swish);  dx = g sigma(x) (1 + x (1 - sigma(x)))."""

    @staticmethod
    def forward(ctx, x):
        s = sigmoid_array(x)
        ctx.x, ctx.s = x, s
        return x * s

    @staticmethod
    def backward(ctx, g):
        s = ctx.s
        return g * s * (1 + ctx.x * (1 - s))


class Mish(Function):
    """x tanh(softplus(x));  dx = g (tanh(sp) + x sigma(x) (1 - tanh(sp)^2))."""

    @staticmethod
    def forward(ctx, x):
        t = np.tanh(softplus_array(x))
        ctx.x, ctx.t = x, t
        return x * t

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.x, ctx.t
        return g * (t + x * sigmoid_array(x) * (1 - t * t))


class Softplus(Function):
    """log(1 + e^(beta x)) / beta, or x where beta x > threshold;  dx = g sigma(beta x) (g past the threshold)."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        scaled = x * beta if beta != 1 else x
        linear = scaled > threshold
        ctx.scaled, ctx.linear = scaled, linear
        smooth = softplus_array(scaled)
        if beta != 1:
            smooth /= beta
        return np.where(linear, x, smooth)

    @staticmethod
    def backward(ctx, g):
        return np.where(ctx.linear, g, g * sigmoid_array(ctx.scaled)), None, None


class LogSigmoid(Function):
    """log sigma(x) = -softplus(-x);  dx = g (1 - sigma(x))."""

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return -softplus_array(-x)

    @staticmethod
    def backward(ctx, g):
        return g * sigmoid_array(-ctx.x)


class Step(Function):
    """The perceptron's threshold unit: 1 where x > threshold, else 0;  its derivative is 0 everywhere."""

    @staticmethod
    def forward(ctx, x, threshold):
        return (x > threshold).astype(x.dtype if x.dtype.kind == "f" else np.float32)

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g), None
