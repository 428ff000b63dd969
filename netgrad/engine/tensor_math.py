"""Tensor's mathematical methods beyond arithmetic (PyTorch's names, signatures and dtypes): pointwise
functions, rounding, interpolation, comparisons with tolerance, random fills and sampling, statistics.

``MathMethods`` is a base class of ``Tensor``: every method is a line or a few calling an engine op
(``ops/pointwise.py``) or composing Tensor operations, so each is differentiable where PyTorch's is.
Integer and bool inputs of floating functions give the default dtype, as in PyTorch.
"""
from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np

from ..random import get_generator
from . import autograd, dtypes, linalg, ops, sampling, statistics
from .backend import device_of, to_device
from .ops import pointwise as pw
from .sampling import _check_probability, _host
from .statistics import _type_name

_RAD_PER_DEG = math.pi / 180.0
_SVD = namedtuple("svd", ["U", "S", "V"])


def _data(x: Any) -> Any:
    return x._data if hasattr(x, "_data") else x



class MathMethods:
    """Pointwise maths, random fills, sampling and statistics of ``Tensor`` (see the module docstring)."""

    __slots__ = ()

    def _floating(self) -> Any:
        """This tensor, or a copy in the default dtype when it holds integers or booleans."""
        return self if self._data.dtype.kind == "f" else self.type(dtypes._default_dtype)

    def _binary(self, other: Any, function: type) -> Any:
        """``function(self, other)`` after PyTorch's promotion, integers and booleans made floating."""
        a, b = self._pair(other)
        if a._data.dtype.kind != "f":  # both integral or bool: a floating operand would have made a floating
            a = a.type(dtypes._default_dtype)
            b = b.type(dtypes._default_dtype) if hasattr(b, "_data") else \
                b.astype(dtypes._default_dtype) if isinstance(b, np.ndarray) else b
        return function.apply(a, b)

    # -------------------------------------------------------------------------- exponentials, logarithms

    def log1p(self) -> Any:
        return pw.Log1p.apply(self._floating())

    def expm1(self) -> Any:
        return pw.Expm1.apply(self._floating())

    def log2(self) -> Any:
        return pw.Log2.apply(self._floating())

    def log10(self) -> Any:
        return pw.Log10.apply(self._floating())

    def exp2(self) -> Any:
        return pw.Exp2.apply(self._floating())

    def rsqrt(self) -> Any:
        """1 / sqrt(x)."""
        return ops.Pow.apply(self._floating(), -0.5)

    def reciprocal(self) -> Any:
        """1 / x."""
        return ops.Div.apply(1.0, self._floating())

    def erf(self) -> Any:
        return pw.Erf.apply(self._floating())

    def erfc(self) -> Any:
        return pw.Erfc.apply(self._floating())

    def erfinv(self) -> Any:
        return pw.Erfinv.apply(self._floating())

    def _floating_binary(self, other: Any, function: type, name: str) -> Any:
        """``function(self, other)`` for floating operands only (PyTorch has no integer kernel for it)."""
        a, b = self._pair(other)
        if a._data.dtype.kind != "f":
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{_type_name(a)}\'')
        return function.apply(a, b)

    def logaddexp(self, other: Any) -> Any:
        """ln(e^x + e^y), without overflow."""
        return self._floating_binary(other, pw.LogAddExp, "logaddexp")

    def logaddexp2(self, other: Any) -> Any:
        """log_2(2^x + 2^y), without overflow."""
        return self._floating_binary(other, pw.LogAddExp2, "logaddexp2")

    def xlogy(self, other: Any) -> Any:
        """x ln y, with 0 where x = 0."""
        return self._binary(other, pw.XLogY)

    def float_power(self, exponent: Any) -> Any:
        """x ** exponent in float64, whatever the operands' dtypes (as PyTorch's float_power)."""
        exponent = exponent.double() if hasattr(exponent, "_data") else exponent
        return ops.Pow.apply(self.double(), exponent)

    # ------------------------------------------------------------------------ trigonometric, hyperbolic

    def tan(self) -> Any:
        return pw.Tan.apply(self._floating())

    def asin(self) -> Any:
        return pw.Asin.apply(self._floating())

    def acos(self) -> Any:
        return pw.Acos.apply(self._floating())

    def atan(self) -> Any:
        return pw.Atan.apply(self._floating())

    def sinh(self) -> Any:
        return pw.Sinh.apply(self._floating())

    def cosh(self) -> Any:
        return pw.Cosh.apply(self._floating())

    def asinh(self) -> Any:
        return pw.Asinh.apply(self._floating())

    def acosh(self) -> Any:
        return pw.Acosh.apply(self._floating())

    def atanh(self) -> Any:
        return pw.Atanh.apply(self._floating())

    arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh

    def atan2(self, other: Any) -> Any:
        """The angle of the point (other, self), in (-pi, pi]."""
        return self._binary(other, pw.Atan2)

    arctan2 = atan2

    def hypot(self, other: Any) -> Any:
        """sqrt(x^2 + y^2)."""
        return self._floating_binary(other, pw.Hypot, "hypot")

    def sinc(self) -> Any:
        """sin(pi x) / (pi x), 1 at 0."""
        return pw.Sinc.apply(self._floating())

    def deg2rad(self) -> Any:
        return self._floating() * _RAD_PER_DEG

    def rad2deg(self) -> Any:
        return self._floating() * (1 / _RAD_PER_DEG)

    # --------------------------------------------------------------------------------------- rounding

    def _round(self, rounding: Any, decimals: int = 0) -> Any:
        if self._data.dtype.kind == "b":
            raise NotImplementedError(f'"{rounding.__name__}_vml_cpu" not implemented for \'Bool\'')
        if self._data.dtype.kind != "f":
            return self._result_type._wrap(self._data.copy())
        return pw.Rounding.apply(self, rounding, decimals)

    def floor(self) -> Any:
        return self._round(np.floor)

    def ceil(self) -> Any:
        return self._round(np.ceil)

    def trunc(self) -> Any:
        return self._round(np.trunc)

    fix = trunc

    def round(self, decimals: int = 0) -> Any:
        """Round half to even, at ``decimals`` decimal places (PyTorch's rule)."""
        return self._round(np.round, int(decimals))

    def frac(self) -> Any:
        """x - trunc(x), with the sign of x."""
        if self._data.dtype.kind != "f":
            raise NotImplementedError(f'"frac_cpu" not implemented for \'{_type_name(self)}\'')
        return self - self.trunc()

    def fmod(self, other: Any) -> Any:
        """The remainder of x / y with the sign of x (C's fmod); integers stay integers."""
        a, b = self._pair(other)
        return pw.Fmod.apply(a, b)

    # ------------------------------------------------------------------------------------ predicates

    def signbit(self) -> Any:
        return self._result_type._wrap(np.signbit(self._data))

    def isinf(self) -> Any:
        return self._result_type._wrap(np.isinf(self._data))

    def isposinf(self) -> Any:
        return self._result_type._wrap(np.isposinf(self._data))

    def isneginf(self) -> Any:
        return self._result_type._wrap(np.isneginf(self._data))

    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Any:
        """|x - y| <= atol + rtol |y| elementwise (no gradient)."""
        return self._result_type._wrap(np.isclose(self._data, _data(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def heaviside(self, values: Any) -> Any:
        """0 where x < 0, ``values`` where x == 0, 1 where x > 0 (no gradient, as in PyTorch)."""
        if not hasattr(values, "_data"):
            raise TypeError(f"heaviside(): argument 'values' must be Tensor, not {type(values).__name__}")
        out = np.heaviside(self._data, values._data)
        dt = np.promote_types(self._data.dtype, values._data.dtype)
        return self._result_type._wrap(out.astype(dt, copy=False))

    # --------------------------------------------------------------------------------- clamps, mixing

    def clamp_min(self, min: Any) -> Any:
        return self.clamp(min=_data(min))

    def clamp_max(self, max: Any) -> Any:
        return self.clamp(max=_data(max))

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Any:
        """NaN -> ``nan``, +inf -> ``posinf``, -inf -> ``neginf`` (the dtype's largest / lowest by default)."""
        if self._data.dtype.kind != "f":
            return self._result_type._wrap(self._data.copy())
        return pw.NanToNum.apply(self, nan, posinf, neginf)

    def nan_to_num_(self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Any:
        return self.copy_(self.nan_to_num(nan, posinf, neginf))

    def lerp(self, end: Any, weight: Any) -> Any:
        """self + weight (end - self)."""
        if not hasattr(end, "_data"):
            raise TypeError(f"lerp(): argument 'end' must be Tensor, not {type(end).__name__}")
        a, b = self._pair(end)
        return pw.Lerp.apply(a, b, self._operand(weight))

    def addcmul(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
        """self + value * tensor1 * tensor2."""
        product = tensor1 * tensor2
        return self + (product if value == 1 else value * product)

    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
        """self + value * tensor1 / tensor2."""
        if tensor1._data.dtype.kind != "f" and tensor2._data.dtype.kind != "f":
            raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release "
                               "addcdiv will perform a true division of tensor1 and tensor2.")
        quotient = tensor1 / tensor2
        return self + (quotient if value == 1 else value * quotient)

    def addcmul_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
        product = tensor1 * tensor2
        return self.add_(product if value == 1 else value * product)

    def addcdiv_(self, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
        quotient = tensor1 / tensor2
        return self.add_(quotient if value == 1 else value * quotient)

    # ------------------------------------------------------------------------------------------ in place

    def _apply_(self, function: type, *args: Any) -> Any:
        """This tensor made ``function(self, *args)`` in place (recorded in the graph when it has to be)."""
        if self._data.dtype.kind != "f":
            raise RuntimeError(f"result type Float can't be cast to the desired output type {_type_name(self)}")
        if self._recording(args[0] if args else None):
            return self._record(function, *args)
        self._data[...] = function.apply(self._result_type._wrap(self._data), *args)._data
        autograd.bump(self)
        return self

    def log1p_(self) -> Any:
        return self._apply_(pw.Log1p)

    def expm1_(self) -> Any:
        return self._apply_(pw.Expm1)

    def erf_(self) -> Any:
        return self._apply_(pw.Erf)

    def erfinv_(self) -> Any:
        return self._apply_(pw.Erfinv)

    def tan_(self) -> Any:
        return self._apply_(pw.Tan)

    def atan_(self) -> Any:
        return self._apply_(pw.Atan)

    def sinh_(self) -> Any:
        return self._apply_(pw.Sinh)

    def cosh_(self) -> Any:
        return self._apply_(pw.Cosh)

    def floor_(self) -> Any:
        return self if self._data.dtype.kind in "iu" else self._apply_(pw.Rounding, np.floor, 0)

    def ceil_(self) -> Any:
        return self if self._data.dtype.kind in "iu" else self._apply_(pw.Rounding, np.ceil, 0)

    def trunc_(self) -> Any:
        return self if self._data.dtype.kind in "iu" else self._apply_(pw.Rounding, np.trunc, 0)

    def round_(self, decimals: int = 0) -> Any:
        return self if self._data.dtype.kind in "iu" else self._apply_(pw.Rounding, np.round, int(decimals))

    def clamp_min_(self, min: Any) -> Any:
        return self.clamp_(min=_data(min))

    def clamp_max_(self, max: Any) -> Any:
        return self.clamp_(max=_data(max))

    def lerp_(self, end: Any, weight: Any) -> Any:
        """self += weight (end - self), in place (the moving-average update)."""
        return self._apply_(pw.Lerp, end, self._operand(weight))

    def atan2_(self, other: Any) -> Any:
        return self._apply_(pw.Atan2, self._operand(other))

    def fmod_(self, other: Any) -> Any:
        if self._data.dtype.kind in "iu":
            self._data[...] = np.fmod(self._data, _data(other))
            autograd.bump(self)
            return self
        return self._apply_(pw.Fmod, self._operand(other))

    def hypot_(self, other: Any) -> Any:
        return self._apply_(pw.Hypot, self._operand(other))

    # ------------------------------------------------------------------------ conversions, complex parts

    def byte(self) -> Any:
        return self.type(np.uint8)

    def char(self) -> Any:
        return self.type(np.int8)

    def short(self) -> Any:
        return self.type(np.int16)

    def is_complex(self) -> bool:
        return False

    @property
    def real(self) -> Any:
        """The tensor itself: netgrad's tensors are real (there is no complex dtype)."""
        return self

    @property
    def imag(self) -> Any:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")

    def conj(self) -> Any:
        """The tensor itself (a real tensor is its own conjugate)."""
        return self

    resolve_conj = resolve_neg = conj

    # ------------------------------------------------------------------------------- random fills

    def _fill(self, draws: np.ndarray) -> Any:
        """Every value replaced by host ``draws`` (moved to this tensor's device)."""
        data = self._data
        return self._overwrite(draws if type(data) is np.ndarray else to_device(draws, *device_of(data)))

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Any:
        """Fill with 1 (probability p) or 0."""
        rng = generator or get_generator()
        p = _check_probability(_host(p), "bernoulli_")
        return self._fill(rng.random(self._data.shape) < p)

    def bernoulli(self, p: Any = None, *, generator: Any = None) -> Any:
        """A tensor of 0/1 draws with probabilities ``self`` (or ``p``), in this tensor's dtype."""
        return sampling.bernoulli(self, p, generator=generator)

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Any:
        """Fill with draws of density lambd e^(-lambd x)."""
        if self._data.dtype.kind != "f":
            raise RuntimeError("Exponential distribution is a continuous probability distribution. dtype must be a "
                               f"floating point but you specified {_type_name(self)}")
        if not lambd > 0:
            raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
        return self._fill((generator or get_generator()).exponential(1.0 / lambd, self._data.shape))

    def geometric_(self, p: float, *, generator: Any = None) -> Any:
        """Fill with the number of Bernoulli(p) trials up to the first success (1, 2, ...)."""
        if not 0 < p < 1:
            raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
        return self._fill((generator or get_generator()).geometric(p, self._data.shape))

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None) -> Any:
        """Fill with draws of density 1 / (pi sigma (1 + ((x - median) / sigma)^2))."""
        return self._fill(median + sigma * (generator or get_generator()).standard_cauchy(self._data.shape))

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator: Any = None) -> Any:
        """Fill with e^N(mean, std^2)."""
        return self._fill((generator or get_generator()).lognormal(mean, std, self._data.shape))

    def random_(self, from_: int = 0, to: int | None = None, *, generator: Any = None, **kwargs: Any) -> Any:
        """Fill with integers uniform on [from, to); ``random_(to)`` is [0, to); ``random_()`` is [0, 2^mantissa]
        for floating tensors (every integer the dtype holds exactly) and [0, max] for integer tensors."""
        from_ = kwargs.pop("from", from_)
        if kwargs:
            raise TypeError(f"random_() got an unexpected keyword argument {next(iter(kwargs))!r}")
        dt = self._data.dtype
        if to is None and from_ != 0:
            from_, to = 0, from_
        if to is None:
            to = 2 ** (np.finfo(dt).nmant + 1) + 1 if dt.kind == "f" else 2 if dt.kind == "b" else \
                int(np.iinfo(dt).max) + 1
        if from_ >= to:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}")
        return self._fill((generator or get_generator()).integers(from_, to, self._data.shape))

    def multinomial(self, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Any:
        """Indices drawn from the categories of each row, with probabilities proportional to the row (int64)."""
        return sampling.multinomial(self, num_samples, replacement, generator=generator)

    # ----------------------------------------------------------------------------------------- statistics

    def cov(self, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Any:
        """Covariance of the rows (variables) over the columns (observations)."""
        return statistics.cov(self, correction=correction, fweights=fweights, aweights=aweights)

    def corrcoef(self) -> Any:
        """Pearson correlation coefficients of the rows."""
        return statistics.corrcoef(self)

    def quantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *,
                 interpolation: str = "linear") -> Any:
        """The q-th quantiles along ``dim`` (all values when None), interpolated between order statistics."""
        return statistics.quantile(self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *,
                    interpolation: str = "linear") -> Any:
        """``quantile`` over the values that are not NaN."""
        return statistics.nanquantile(self, q, dim, keepdim, interpolation=interpolation)

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Any:
        """Counts in ``bins`` equal bins between min and max (the data's range when both are 0)."""
        return statistics.histc(self, bins, min, max)

    # ------------------------------------------------------------------------------------- linear algebra

    def det(self) -> Any:
        return linalg.det(self)

    def logdet(self) -> Any:
        return linalg.logdet(self)

    def slogdet(self) -> Any:
        return linalg.slogdet(self)

    def inverse(self) -> Any:
        return linalg.inv(self)

    def pinverse(self, rcond: float = 1e-15) -> Any:
        return linalg.pinv(self, rtol=rcond)

    def cholesky(self, upper: bool = False) -> Any:
        return linalg.cholesky(self, upper=upper)

    def matrix_power(self, n: int) -> Any:
        return linalg.matrix_power(self, n)

    def qr(self, some: bool = True) -> Any:
        return linalg.qr(self, "reduced" if some else "complete")

    def svd(self, some: bool = True, compute_uv: bool = True) -> Any:
        """(U, S, V) with self = U diag(S) V^T (PyTorch's older ``torch.svd``: V, not Vh)."""
        u, s, vh = linalg.svd(self, full_matrices=not some)
        if not compute_uv:
            return _SVD(u.detach() * 0, s, vh.mT.detach() * 0)
        return _SVD(u, s, vh.mT)

    def cross(self, other: Any, dim: int | None = None) -> Any:
        """The cross product along ``dim`` (the first dimension of size 3 when None)."""
        if dim is None:
            dim = next((i for i, n in enumerate(np.broadcast_shapes(self.shape, other.shape)) if n == 3), -1)
        return linalg.cross(self, other, dim=dim)



def real(input: Any) -> Any:
    """The real part: the tensor itself (netgrad's tensors are real)."""
    return input.real


def imag(input: Any) -> Any:
    """The imaginary part: an error, as for PyTorch's real tensors."""
    return input.imag
