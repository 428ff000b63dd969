"""``netgrad.autograd`` (PyTorch's ``torch.autograd``): custom Functions, the backward pass, grad modes.

The engine lives in :mod:`netgrad.engine.autograd`, where every built-in operation is a Function on raw
NumPy arrays (``netgrad.Function``, the fast path for netgrad's own operations). :class:`Function` here
is PyTorch's: a subclass's ``forward`` and ``backward`` receive and return Tensors, so code written for
``torch.autograd.Function`` runs unchanged.
"""
from __future__ import annotations

from typing import Any

from .engine import autograd as _engine
from .engine.autograd import backward, enable_grad, grad, is_grad_enabled, no_grad, set_grad_enabled
from .engine.tensor import Tensor

__all__ = ["Function", "Variable", "backward", "enable_grad", "grad", "inference_mode", "is_grad_enabled",
           "no_grad", "set_grad_enabled"]


def _backward_on_tensors(node: Function, grad_output: Any) -> tuple:
    """What the engine calls for a custom Function's node: arrays in, arrays out, the user's backward on
    Tensors in between (with grad mode off, as in PyTorch)."""
    with no_grad():
        grads = type(node).backward(node, Tensor._wrap(grad_output))
    grads = grads if isinstance(grads, tuple) else (grads,)
    return tuple(g._data if isinstance(g, Tensor) else g for g in grads)


class Function(_engine.Function):
    """A differentiable operation written by the user, as ``torch.autograd.Function``::

        class Cube(Function):
            @staticmethod
            def forward(ctx, x):                 # x: a Tensor
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, grad_output):       # d(x^3)/dx = 3x^2
                (x,) = ctx.saved_tensors
                return 3 * x ** 2 * grad_output

        y = Cube.apply(t)

    ``forward`` runs with grad mode off and returns one Tensor; ``backward`` returns one gradient per
    argument of ``forward`` (None where there is none). ``ctx.save_for_backward`` / ``ctx.saved_tensors``,
    ``ctx.needs_input_grad`` and ``ctx.mark_non_differentiable`` work as in PyTorch; any other attribute
    can be stored on ``ctx``. Functions returning several outputs are not supported.
    """

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        ctx = cls.__new__(cls)
        inputs = tuple(a if isinstance(a, Tensor) and a.requires_grad else None for a in args)
        ctx.inputs = inputs  # needs_input_grad reads it inside forward
        ctx.non_differentiable = ()
        with no_grad():
            out = cls.forward(ctx, *args, **kwargs)
        if isinstance(out, (tuple, list)):
            raise NotImplementedError(f"{cls.__name__}.forward returned {len(out)} outputs; netgrad's custom "
                                      "Functions return one Tensor")
        track = is_grad_enabled() and any(t is not None for t in inputs)
        if not isinstance(out, Tensor) or not track or any(out is t for t in ctx.non_differentiable):
            ctx.inputs = None
            return out
        ctx.sequence = next(_engine._sequence)
        ctx.backward = _backward_on_tensors  # the engine calls node.backward(node, grad) on arrays
        return Tensor._make(out._data, ctx)

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """These outputs of ``forward`` get no gradient (e.g. integer indices)."""
        self.non_differentiable = outputs

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Accepted for PyTorch code: in-place changes need no bookkeeping here."""

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted for PyTorch code: gradients reaching ``backward`` are always Tensors."""


class inference_mode(_engine._GradMode):
    """``torch.inference_mode``: no graph is recorded (netgrad's ``no_grad``); ``inference_mode(False)``
    records as usual. A context, a decorator ``@inference_mode()`` or a bare ``@inference_mode``."""

    def __new__(cls, mode: Any = True) -> Any:
        return super().__new__(cls) if isinstance(mode, bool) else cls()(mode)

    def __init__(self, mode: Any = True) -> None:
        super().__init__(not mode)


def Variable(data: Any, requires_grad: bool = False, volatile: bool = False) -> Tensor:
    """Legacy ``torch.autograd.Variable``: since PyTorch 0.4 a Variable is a Tensor, so this returns
    ``data`` as a Tensor (with ``requires_grad`` set), as PyTorch does."""
    t = data if isinstance(data, Tensor) else Tensor(data)
    return t.requires_grad_(requires_grad) if requires_grad else t
