"""netgrad: neural networks from first principles on NumPy.

One engine (tensors with reverse-mode autograd) with three faces: PyTorch-style (``netgrad``,
``netgrad.nn``, ``netgrad.optim``), Keras-style (``netgrad.keras``) and scikit-learn-style
(``netgrad.estimators``). ``import netgrad as torch`` runs small PyTorch scripts unchanged.
"""
from . import accelerator, autograd, backends, cuda, data, engine, metrics, nn, optim, random, training, utils
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
                     int32,
                     int64,
                     is_tensor,
                     linspace,
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
                     uint8,
                     where,
                     zeros,
                     zeros_like,
)
from .engine.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .engine.device import get_default_device, set_default_device
from .engine.gradcheck import gradcheck
from .engine.tensor import Size
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
