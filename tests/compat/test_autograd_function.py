"""torch.autograd.Function semantics: Tensors in forward/backward, saved tensors, needs_input_grad,
non-differentiable outputs; gradients checked by central differences and against PyTorch."""
import numpy as np
import pytest

import netgrad
from netgrad.autograd import Function, Variable


def make_legendre(base):
    class LegendrePolynomial3(base):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)
    return LegendrePolynomial3


class ScaledClamp(Function):
    """clamp(x, min=0) * k with a non-tensor argument k."""

    @staticmethod
    def forward(ctx, x, k):
        assert isinstance(x, netgrad.Tensor) and not netgrad.is_grad_enabled()
        ctx.save_for_backward(x)
        ctx.k = k
        ctx.seen = ctx.needs_input_grad
        return x.clamp(min=0) * k

    @staticmethod
    def backward(ctx, grad_output):
        assert isinstance(grad_output, netgrad.Tensor)
        x, = ctx.saved_tensors
        grad = grad_output.clone() * ctx.k
        grad[x < 0] = 0
        return grad, None


def test_forward_and_backward_see_tensors_and_pass_gradcheck():
    x = netgrad.tensor([-1.5, -0.2, 0.3, 2.0], dtype=netgrad.float64, requires_grad=True)
    assert netgrad.gradcheck(make_legendre(Function).apply, (x,))
    assert netgrad.gradcheck(lambda t: ScaledClamp.apply(t, 3.0), (x,))
    y = ScaledClamp.apply(x, 2.0)
    assert y.grad_fn is not None and y.grad_fn.seen == (True, False)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0, 2, 2])


def test_without_grad_the_output_is_plain_and_non_differentiable_outputs_are_marked():
    x = netgrad.tensor([1.0, 2.0])
    assert ScaledClamp.apply(x, 1.0).grad_fn is None

    class ArgMax(Function):
        @staticmethod
        def forward(ctx, t):
            out = t.argmax()
            ctx.mark_non_differentiable(out)
            return out

    assert not ArgMax.apply(netgrad.tensor([1.0, 3.0], requires_grad=True)).requires_grad


def test_matches_pytorch_values_and_gradients():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    values = [-1.2, -0.1, 0.4, 0.9]
    ours = netgrad.tensor(values, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    out_ours = make_legendre(Function).apply(ours * 2).sum()
    out_theirs = make_legendre(torch.autograd.Function).apply(theirs * 2).sum()
    out_ours.backward()
    out_theirs.backward()
    np.testing.assert_allclose(out_ours.item(), out_theirs.item(), rtol=1e-6)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)


def test_variable_is_a_tensor_as_since_pytorch_0_4():
    v = Variable(netgrad.ones(2), requires_grad=True)
    assert isinstance(v, netgrad.Tensor) and v.requires_grad
    (v * 3).sum().backward()
    assert v.grad.tolist() == [3.0, 3.0]
