"""The engine: tensors with reverse-mode autograd on NumPy arrays.

dtypes.py: element types and the default dtype · device.py: devices · autograd.py: Function (the graph node),
the backward pass, grad mode · tensor.py: the Tensor class · printing.py: its repr · creation.py: factories
(tensor, zeros, randn, cat, ...) · numerics.py: stable sigmoid / softmax / log-sum-exp on arrays ·
ops/: primitive operations by family (elementwise, reduce, shape, matmul) · kernels/: fused neural-network
nodes (linear, activations, dropout, normalization, losses) · gradcheck.py: central-difference checks ·
memory.py: glibc's malloc set to reuse freed large arrays (done here, at import).
"""
from .autograd import Function, ShapeError, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (
                       arange,
                       as_tensor,
                       cat,
                       concat,
                       concatenate,
                       empty,
                       empty_like,
                       eye,
                       from_numpy,
                       full,
                       full_like,
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
                       stack,
                       tensor,
                       tril_indices,
                       triu_indices,
                       where,
                       zeros,
                       zeros_like,
)
from .device import device
from .dtypes import (
                     bool_,
                     dtype,
                     float16,
                     float32,
                     float64,
                     get_default_dtype,
                     int8,
                     int16,
                     int32,
                     int64,
                     set_default_dtype,
                     uint8,
)
from .memory import keep_freed_arrays
from .tensor import Tensor  # before creation: its function ``tensor`` is what the package name means

keep_freed_arrays()

__all__ = ["Function", "ShapeError", "enable_grad", "is_grad_enabled", "no_grad", "set_grad_enabled", "Tensor",
           "arange", "as_tensor", "cat", "concat", "concatenate", "empty", "empty_like", "eye", "from_numpy", "full",
           "full_like", "is_tensor", "linspace", "logspace", "numel", "ones", "ones_like", "rand", "rand_like",
           "randint", "randn", "randn_like", "randperm", "stack", "tensor", "tril_indices", "triu_indices", "where",
           "zeros", "zeros_like", "device",
           "bool_", "dtype", "float16", "float32", "float64", "get_default_dtype", "int8", "int16", "int32", "int64",
           "set_default_dtype", "uint8"]
