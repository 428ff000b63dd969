"""netgrad: neural networks from first principles on NumPy.

One engine (tensors with reverse-mode autograd) with three faces: PyTorch-style (``netgrad``,
``netgrad.nn``, ``netgrad.optim``), Keras-style (``netgrad.keras``) and scikit-learn-style
(``netgrad.estimators``). ``import netgrad as torch`` runs small PyTorch scripts unchanged.
"""
import functools as _functools
from typing import Any as _Any

from . import (
                     accelerator,
                     autograd,
                     backends,
                     cuda,
                     data,
                     engine,
                     fft,
                     linalg,
                     metrics,
                     nn,
                     optim,
                     random,
                     training,
                     utils,
)
from .autograd import inference_mode
from .engine import (
                     Function,
                     Tensor,
                     arange,
                     as_tensor,
                     bool_,
                     cat,
                     concat,
                     concatenate,
                     device,
                     dtype,
                     empty,
                     empty_like,
                     eye,
                     float16,
                     float32,
                     float64,
                     from_numpy,
                     full,
                     full_like,
                     get_default_dtype,
                     int8,
                     int16,
                     int32,
                     int64,
                     is_tensor,
                     linspace,
                     logspace,
                     numel,
                     ones,
                     ones_like,
                     rand,
                     rand_like,
                     randint,
                     randn,
                     randn_like,
                     randperm,
                     set_default_dtype,
                     stack,
                     tensor,
                     tril_indices,
                     triu_indices,
                     uint8,
                     where,
                     zeros,
                     zeros_like,
)
from .engine.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .engine.device import get_default_device, set_default_device
from .engine.gradcheck import gradcheck
from .engine.linalg import cdist
from .engine.products import einsum, tensordot
from .engine.sampling import poisson
from .engine.selecting import bucketize, searchsorted
from .engine.shaping import (
                     atleast_1d,
                     atleast_2d,
                     atleast_3d,
                     broadcast_shapes,
                     broadcast_tensors,
                     cartesian_prod,
                     column_stack,
                     dstack,
                     hstack,
                     meshgrid,
                     row_stack,
                     vstack,
)
from .engine.statistics import trapezoid, vander
from .engine.tensor import Size
from .engine.tensor_math import imag, real
from .functions import (
                     BoolTensor,
                     DoubleTensor,
                     FloatTensor,
                     IntTensor,
                     LongTensor,
                     add,
                     div,
                     dot,
                     matmul,
                     mm,
                     mul,
                     normal,
                     pow,
                     sub,
)
from .io import load, load_checkpoint, save, save_checkpoint
from .random import Generator, get_rng_state, manual_seed, seed, set_rng_state

__version__ = "0.1.0"

# PyTorch's dtype aliases
half, float, double, int, long, bool = float16, float32, float64, int32, int64, bool_
short, char, byte = int16, int8, uint8

# Tensor methods double as module functions: netgrad.exp(t) is t.exp(), as in torch.exp(t).
abs = Tensor.abs
exp, log, sqrt, sin, cos, tanh, sigmoid, relu = (Tensor.exp, Tensor.log, Tensor.sqrt, Tensor.sin, Tensor.cos,
                                                 Tensor.tanh, Tensor.sigmoid, Tensor.relu)
clamp = clip = Tensor.clamp
maximum, minimum = Tensor.maximum, Tensor.minimum
sum, mean, var, std, prod = Tensor.sum, Tensor.mean, Tensor.var, Tensor.std, Tensor.prod
max, min, amax, amin = Tensor.max, Tensor.min, Tensor.amax, Tensor.amin
logsumexp, softmax, log_softmax = Tensor.logsumexp, Tensor.softmax, Tensor.log_softmax
argmax, argmin = Tensor.argmax, Tensor.argmin
reshape, flatten, transpose, permute = Tensor.reshape, Tensor.flatten, Tensor.transpose, Tensor.permute
squeeze, unsqueeze = Tensor.squeeze, Tensor.unsqueeze
neg = Tensor.neg
square, norm, isnan, isfinite, sign = Tensor.square, Tensor.norm, Tensor.isnan, Tensor.isfinite, Tensor.sign
allclose, equal = Tensor.allclose, Tensor.equal

# shape, indexing, sorting and counting (engine/shaping.py, engine/selecting.py, engine/products.py)
narrow, select, split, chunk, tensor_split, unbind = (Tensor.narrow, Tensor.select, Tensor.split, Tensor.chunk,
                                                      Tensor.tensor_split, Tensor.unbind)
flip, fliplr, flipud, roll, rot90 = Tensor.flip, Tensor.fliplr, Tensor.flipud, Tensor.roll, Tensor.rot90
movedim = moveaxis = Tensor.movedim
swapaxes = swapdims = Tensor.swapaxes
unflatten, tile, repeat_interleave, broadcast_to = (Tensor.unflatten, Tensor.tile, Tensor.repeat_interleave,
                                                    Tensor.broadcast_to)
diagonal, diag, trace, tril, triu = Tensor.diagonal, Tensor.diag, Tensor.trace, Tensor.tril, Tensor.triu
gather, scatter, scatter_add, index_select, index_add, index_fill, take, take_along_dim = (
    Tensor.gather, Tensor.scatter, Tensor.scatter_add, Tensor.index_select, Tensor.index_add, Tensor.index_fill,
    Tensor.take, Tensor.take_along_dim)
masked_fill, masked_select, nonzero, argwhere = (Tensor.masked_fill, Tensor.masked_select, Tensor.nonzero,
                                                 Tensor.argwhere)
sort, argsort, msort, topk, kthvalue = Tensor.sort, Tensor.argsort, Tensor.msort, Tensor.topk, Tensor.kthvalue
median, nanmedian, mode, unique = Tensor.median, Tensor.nanmedian, Tensor.mode, Tensor.unique
bincount, count_nonzero, aminmax = Tensor.bincount, Tensor.count_nonzero, Tensor.aminmax
nansum, nanmean, cumsum, cumprod, diff = Tensor.nansum, Tensor.nanmean, Tensor.cumsum, Tensor.cumprod, Tensor.diff
logical_and, logical_or, logical_xor, logical_not = (Tensor.logical_and, Tensor.logical_or, Tensor.logical_xor,
                                                     Tensor.logical_not)
bitwise_and, bitwise_or, bitwise_xor, bitwise_not = (Tensor.bitwise_and, Tensor.bitwise_or, Tensor.bitwise_xor,
                                                     Tensor.bitwise_not)
bitwise_left_shift, bitwise_right_shift = Tensor.bitwise_left_shift, Tensor.bitwise_right_shift
remainder, floor_divide = Tensor.remainder, Tensor.floor_divide
bmm, addmm, baddbmm, addmv, outer, ger, inner, kron = (Tensor.bmm, Tensor.addmm, Tensor.baddbmm, Tensor.addmv,
                                                       Tensor.outer, Tensor.ger, Tensor.inner, Tensor.kron)
# pointwise maths, rounding, sampling, statistics and linear algebra (engine/tensor_math.py, engine/linalg.py)
log1p, expm1, log2, log10, exp2 = Tensor.log1p, Tensor.expm1, Tensor.log2, Tensor.log10, Tensor.exp2
rsqrt, reciprocal, erf, erfc, erfinv = Tensor.rsqrt, Tensor.reciprocal, Tensor.erf, Tensor.erfc, Tensor.erfinv
logaddexp, logaddexp2, xlogy, float_power = Tensor.logaddexp, Tensor.logaddexp2, Tensor.xlogy, Tensor.float_power
tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh = (Tensor.tan, Tensor.asin, Tensor.acos, Tensor.atan,
                                                          Tensor.sinh, Tensor.cosh, Tensor.asinh, Tensor.acosh,
                                                          Tensor.atanh)
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
atan2 = arctan2 = Tensor.atan2
hypot, sinc, deg2rad, rad2deg, fmod = Tensor.hypot, Tensor.sinc, Tensor.deg2rad, Tensor.rad2deg, Tensor.fmod
floor, ceil, trunc, fix, round, frac = Tensor.floor, Tensor.ceil, Tensor.trunc, Tensor.fix, Tensor.round, Tensor.frac
signbit, isinf, isposinf, isneginf, isclose = (Tensor.signbit, Tensor.isinf, Tensor.isposinf, Tensor.isneginf,
                                               Tensor.isclose)
heaviside, clamp_min, clamp_max, nan_to_num = Tensor.heaviside, Tensor.clamp_min, Tensor.clamp_max, Tensor.nan_to_num
nan_to_num_, trapz = Tensor.nan_to_num_, trapezoid
lerp, addcmul, addcdiv = Tensor.lerp, Tensor.addcmul, Tensor.addcdiv
conj, is_complex = Tensor.conj, Tensor.is_complex
bernoulli, multinomial = Tensor.bernoulli, Tensor.multinomial
cov, corrcoef, histc = Tensor.cov, Tensor.corrcoef, Tensor.histc
quantile, nanquantile = Tensor.quantile, Tensor.nanquantile
det, logdet, slogdet, inverse, pinverse = Tensor.det, Tensor.logdet, Tensor.slogdet, Tensor.inverse, Tensor.pinverse
cholesky, matrix_power, qr, svd, cross = Tensor.cholesky, Tensor.matrix_power, Tensor.qr, Tensor.svd, Tensor.cross
t, all, any, clone, detach = Tensor.t, Tensor.all, Tensor.any, Tensor.clone, Tensor.detach
eq, ne, lt, le, gt, ge = Tensor.eq, Tensor.ne, Tensor.lt, Tensor.le, Tensor.gt, Tensor.ge
negative, multiply, divide, subtract, true_divide = (Tensor.negative, Tensor.multiply, Tensor.divide, Tensor.subtract,
                                                     Tensor.true_divide)


def _module_function(method: _Any) -> _Any:
    """A Tensor method as a module function: ``netgrad.exp(t)`` is ``t.exp()``, and as in torch the tensor may
    be passed as ``input=`` (``netgrad.sum(input=t, dim=0)``)."""

    @_functools.wraps(method)
    def function(*args: _Any, **kwargs: _Any) -> _Any:
        if "input" in kwargs:
            args = (kwargs.pop("input"), *args)
        return method(*args, **kwargs)

    return function


for _name, _value in list(globals().items()):  # every Tensor method bound above
    if not _name.startswith("_") and getattr(Tensor, getattr(_value, "__name__", ""), None) is _value:
        globals()[_name] = _module_function(_value)
del _name, _value
