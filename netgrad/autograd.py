"""``netgrad.autograd`` (PyTorch's ``torch.autograd``): the graph node class and the backward pass.

The implementation lives in :mod:`netgrad.engine.autograd`; this module is its public face."""
from .engine.autograd import (Function, backward, enable_grad, grad, is_grad_enabled, no_grad,
                              set_grad_enabled)

__all__ = ["Function", "backward", "enable_grad", "grad", "is_grad_enabled", "no_grad", "set_grad_enabled"]
