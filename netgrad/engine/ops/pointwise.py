"""Pointwise mathematical functions beyond arithmetic: logarithms and exponentials near 0, the error function,
trigonometric and hyperbolic functions and their inverses, rounding, two-argument functions (atan2, fmod,
hypot, logaddexp, xlogy); forward next to backward."""
from __future__ import annotations

import math

import numpy as np

from ..autograd import Function, unbroadcast
from ..kernels.activations import erf_array

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _shape(x) -> tuple:
    return x.shape if type(x) is np.ndarray else np.shape(x)


class Unary(Function):
    """y = f(x) elementwise;  dx = g f'(x). A subclass names ``f`` and ``derivative(x, y)``."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ctx.out = type(ctx).f(x)
        ctx.x = x
        return ctx.out

    @staticmethod
    def backward(ctx, g):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return g * type(ctx).derivative(ctx.x, ctx.out)


class Log1p(Unary):
    """ln(1 + x), exact near 0;  dx = g / (1 + x)."""
    f = staticmethod(np.log1p)
    derivative = staticmethod(lambda x, y: 1 / (1 + x))


class Expm1(Unary):
    """e^x - 1, exact near 0;  dx = g e^x."""
    f = staticmethod(np.expm1)
    derivative = staticmethod(lambda x, y: y + 1)


class Log2(Unary):
    """log_2 x;  dx = g / (x ln 2)."""
    f = staticmethod(np.log2)
    derivative = staticmethod(lambda x, y: 1 / (x * _LN2))


class Log10(Unary):
    """log_10 x;  dx = g / (x ln 10)."""
    f = staticmethod(np.log10)
    derivative = staticmethod(lambda x, y: 1 / (x * _LN10))


class Exp2(Unary):
    """2^x;  dx = g 2^x ln 2."""
    f = staticmethod(np.exp2)
    derivative = staticmethod(lambda x, y: y * _LN2)


class Erf(Unary):
    """erf x = 2/sqrt(pi) int_0^x e^(-t^2) dt;  dx = g 2/sqrt(pi) e^(-x^2)."""
    f = staticmethod(erf_array)
    derivative = staticmethod(lambda x, y: _TWO_OVER_SQRT_PI * np.exp(-x * x))


class Erfc(Unary):
    """erfc x = 1 - erf x;  dx = -g 2/sqrt(pi) e^(-x^2)."""
    f = staticmethod(lambda x: (1 - erf_array(x)).astype(x.dtype, copy=False))
    derivative = staticmethod(lambda x, y: -_TWO_OVER_SQRT_PI * np.exp(-x * x))


def erfinv_array(y: np.ndarray) -> np.ndarray:
    """The inverse of erf on (-1, 1) (+-inf at +-1, NaN outside): Giles' single-precision approximation refined
    by two Newton steps on erf(x) - y in float64."""
    y64 = np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = -np.log((1.0 - y64) * (1.0 + y64))
        central = w < 5.0
        wc = np.where(central, w - 2.5, np.sqrt(np.where(central, 5.0, w)) - 3.0)
        p_central = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                     -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
        p_tail = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                  -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)
        pc, pt = 0.0, 0.0
        for a, b in zip(p_central, p_tail):
            pc = pc * wc + a
            pt = pt * wc + b
        x = np.where(central, pc, pt) * y64
        for _ in range(2):
            x = x - (erf_array(x) - y64) / (_TWO_OVER_SQRT_PI * np.exp(-x * x))
        x = np.where(np.abs(y64) == 1.0, np.copysign(np.inf, y64), x)
        x = np.where(np.abs(y64) > 1.0, np.nan, x)
    return x.astype(y.dtype if y.dtype.kind == "f" else np.float64, copy=False)


class Erfinv(Unary):
    """erf^-1 y;  dy = g sqrt(pi)/2 e^(erfinv(y)^2)."""
    f = staticmethod(erfinv_array)
    derivative = staticmethod(lambda x, y: np.exp(y * y) / _TWO_OVER_SQRT_PI)


class Tan(Unary):
    """tan x;  dx = g (1 + tan^2 x)."""
    f = staticmethod(np.tan)
    derivative = staticmethod(lambda x, y: 1 + y * y)


class Asin(Unary):
    """arcsin x;  dx = g / sqrt(1 - x^2)."""
    f = staticmethod(np.arcsin)
    derivative = staticmethod(lambda x, y: 1 / np.sqrt(1 - x * x))


class Acos(Unary):
    """arccos x;  dx = -g / sqrt(1 - x^2)."""
    f = staticmethod(np.arccos)
    derivative = staticmethod(lambda x, y: -1 / np.sqrt(1 - x * x))


class Atan(Unary):
    """arctan x;  dx = g / (1 + x^2)."""
    f = staticmethod(np.arctan)
    derivative = staticmethod(lambda x, y: 1 / (1 + x * x))


class Sinh(Unary):
    """sinh x;  dx = g cosh x."""
    f = staticmethod(np.sinh)
    derivative = staticmethod(lambda x, y: np.cosh(x))


class Cosh(Unary):
    """cosh x;  dx = g sinh x."""
    f = staticmethod(np.cosh)
    derivative = staticmethod(lambda x, y: np.sinh(x))


class Asinh(Unary):
    """arsinh x;  dx = g / sqrt(x^2 + 1)."""
    f = staticmethod(np.arcsinh)
    derivative = staticmethod(lambda x, y: 1 / np.sqrt(x * x + 1))


class Acosh(Unary):
    """arcosh x;  dx = g / sqrt(x^2 - 1)."""
    f = staticmethod(np.arccosh)
    derivative = staticmethod(lambda x, y: 1 / np.sqrt(x * x - 1))


class Atanh(Unary):
    """artanh x;  dx = g / (1 - x^2)."""
    f = staticmethod(np.arctanh)
    derivative = staticmethod(lambda x, y: 1 / (1 - x * x))


def _sinc(x: np.ndarray) -> np.ndarray:
    return np.sinc(x).astype(x.dtype, copy=False)


def _sinc_derivative(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    pix = np.pi * x
    safe = np.where(x == 0, 1.0, pix)
    return np.where(x == 0, 0.0, (np.cos(pix) - y) / safe * np.pi)


class Sinc(Unary):
    """sin(pi x) / (pi x), 1 at 0;  dx = g (cos(pi x) - sinc x) / x, 0 at 0."""
    f = staticmethod(_sinc)
    derivative = staticmethod(_sinc_derivative)


class Rounding(Function):
    """floor, ceil, trunc or round(decimals): a step function;  dx = 0 (PyTorch's convention)."""

    @staticmethod
    def forward(ctx, x, rounding, decimals):
        return np.round(x, decimals) if rounding is np.round else rounding(x)

    @staticmethod
    def backward(ctx, g):
        return np.zeros_like(g), None, None


class NanToNum(Function):
    """NaN and +-inf replaced by finite numbers;  dx = g where x is finite, else 0."""

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.finite = np.isfinite(x)
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.finite, None, None, None


class Binary(Function):
    """z = f(a, b) elementwise, broadcast;  da = g df/da, db = g df/db, each summed back to its operand's
    shape. A subclass names ``f`` and ``derivatives(a, b, z)`` -> (df/da, df/db)."""

    @staticmethod
    def forward(ctx, a, b):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ctx.out = type(ctx).f(a, b)
        ctx.a, ctx.b = a, b
        return ctx.out

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.inputs
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            da, db = type(ctx).derivatives(ctx.a, ctx.b, ctx.out)
            return (unbroadcast(g * da, _shape(ctx.a)) if need_a is not None else None,
                    unbroadcast(g * db, _shape(ctx.b)) if need_b is not None else None)


class Atan2(Binary):
    """atan2(a, b), the angle of the point (b, a);  da = b / (a^2 + b^2), db = -a / (a^2 + b^2)."""
    f = staticmethod(np.arctan2)
    derivatives = staticmethod(lambda a, b, z: (b / (a * a + b * b), -a / (a * a + b * b)))


class Hypot(Binary):
    """sqrt(a^2 + b^2) without overflow;  da = a / z, db = b / z."""
    f = staticmethod(np.hypot)
    derivatives = staticmethod(lambda a, b, z: (a / z, b / z))


class Fmod(Binary):
    """a - trunc(a / b) b (the sign of a, as C's fmod);  da = 1, db = -trunc(a / b)."""
    f = staticmethod(np.fmod)
    derivatives = staticmethod(lambda a, b, z: (1, -np.trunc(a / b)))


class LogAddExp(Binary):
    """ln(e^a + e^b), stable;  da = e^(a - z), db = e^(b - z)."""
    f = staticmethod(np.logaddexp)
    derivatives = staticmethod(lambda a, b, z: (np.exp(a - z), np.exp(b - z)))


class LogAddExp2(Binary):
    """log_2(2^a + 2^b), stable;  da = 2^(a - z), db = 2^(b - z)."""
    f = staticmethod(np.logaddexp2)
    derivatives = staticmethod(lambda a, b, z: (np.exp2(a - z), np.exp2(b - z)))


def _xlogy(a, b):
    product = a * np.log(b)
    return np.where(a == 0, np.where(np.isnan(b), np.nan, 0), product).astype(product.dtype, copy=False)


class XLogY(Binary):
    """a ln b, 0 where a = 0 (unless b is NaN);  da = ln b (0 where a = 0), db = a / b."""
    f = staticmethod(_xlogy)
    derivatives = staticmethod(lambda a, b, z: (np.where(a == 0, 0, np.log(b)), a / b))


class Lerp(Function):
    """a + w (b - a), broadcast;  da = g (1 - w), db = g w, dw = g (b - a)."""

    @staticmethod
    def forward(ctx, a, b, w):
        ctx.a, ctx.b, ctx.w = a, b, w
        return a + w * (b - a)

    @staticmethod
    def backward(ctx, g):
        need_a, need_b, need_w = ctx.inputs
        a, b, w = ctx.a, ctx.b, ctx.w
        return (unbroadcast(g * (1 - w), _shape(a)) if need_a is not None else None,
                unbroadcast(g * w, _shape(b)) if need_b is not None else None,
                unbroadcast(g * (b - a), _shape(w)) if need_w is not None else None)
