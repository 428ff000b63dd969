"""In-place methods on tensors in the graph, and PyTorch's version counters, against values worked out by hand
(the same cases run against real PyTorch in tests/crosscheck/test_engine_vs_torch.py)."""
import numpy as np
import pytest

import netgrad
from netgrad import nn, optim

MODIFIED = "modified by an inplace operation"


def test_mul_on_a_non_leaf_changes_the_tensor_and_is_recorded():
    a = netgrad.tensor([1.0, 2.0], requires_grad=True)
    h = a * 3
    same = h.mul_(0.5)
    assert same is h
    np.testing.assert_array_equal(h.detach().numpy(), [1.5, 3.0])  # 3a / 2
    assert h.grad_fn.name() == "MulBackward" and not h.is_leaf
    h.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.5, 1.5])  # d(1.5 a)/da


@pytest.mark.parametrize("method, args, value, grad", [
    ("add_", (1.0,), [7.0, 13.0], [2.0, 3.0]),      # h = a b + 1
    ("sub_", (1.0,), [5.0, 11.0], [2.0, 3.0]),
    ("mul_", (2.0,), [12.0, 24.0], [4.0, 6.0]),     # 2 a b: d/da = 2 b
    ("div_", (2.0,), [3.0, 6.0], [1.0, 1.5]),
    ("clamp_", (0.0, 10.0), [6.0, 10.0], [2.0, 0.0]),  # clipped at 10: no gradient there
    ("zero_", (), [0.0, 0.0], [0.0, 0.0]),
    ("fill_", (4.0,), [4.0, 4.0], [0.0, 0.0]),
])
def test_every_inplace_method_on_a_non_leaf(method, args, value, grad):
    a = netgrad.tensor([3.0, 4.0], requires_grad=True)
    b = netgrad.tensor([2.0, 3.0])
    h = a * b
    getattr(h, method)(*args)
    np.testing.assert_allclose(h.detach().numpy(), value)
    h.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), grad)


def test_inplace_with_an_operand_that_needs_grad():
    # x does not need a gradient, w does: x.add_(w) makes x part of the graph (d sum(x)/dw = 1)
    x = netgrad.zeros(3)
    w = netgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x.add_(w)
    assert x.requires_grad and x.grad_fn is not None
    (x * x).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [2.0, 4.0, 6.0])


def test_copy_and_setitem_route_the_gradient_to_the_source():
    w = netgrad.tensor([5.0, 6.0], requires_grad=True)
    h = netgrad.zeros(3) * netgrad.tensor(1.0, requires_grad=True)
    h[1:] = w * 2
    np.testing.assert_allclose(h.detach().numpy(), [0.0, 10.0, 12.0])
    (h * netgrad.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [4.0, 6.0])  # 2 * (2, 3)
    v = netgrad.tensor([1.0, 2.0], requires_grad=True)
    g = netgrad.ones(2) * 0
    g.copy_(v * 3)
    g.sum().backward()
    np.testing.assert_allclose(v.grad.numpy(), [3.0, 3.0])


def test_a_leaf_that_needs_grad_is_refused_in_grad_mode_only():
    w = netgrad.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        w.mul_(2)
    with netgrad.no_grad():
        w.mul_(2)
    assert w.item() == 2.0 and w.is_leaf


def test_broadcast_that_would_grow_the_tensor_is_refused():
    h = netgrad.tensor([1.0, 2.0], requires_grad=True) * 1
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        h.add_(netgrad.ones(3, 2, requires_grad=True))


def test_every_inplace_change_bumps_the_version():
    t = netgrad.zeros(3)
    assert t._version == 0
    t.add_(1)
    t.mul_(2)
    t[0] = 5
    t.zero_()
    t.uniform_()
    with netgrad.no_grad():
        t.fill_(1)
    assert t._version == 6
    t.data.add_(1)  # .data is another tensor: its version is its own, as in PyTorch
    assert t._version == 6
    np.testing.assert_array_equal(t.numpy(), [2.0, 2.0, 2.0])


def test_changing_a_saved_input_makes_backward_raise():
    a = netgrad.tensor([1.0, 2.0], requires_grad=True)
    x = netgrad.tensor([3.0, 4.0])
    y = (a * x).sum()  # Mul saved x for da
    x.mul_(2)
    with pytest.raises(RuntimeError, match=MODIFIED) as error:
        y.backward()
    assert "[netgrad.FloatTensor [2]]" in str(error.value) and "is at version 1; expected version 0" in str(error.value)


def test_changing_a_saved_output_makes_backward_raise():
    a = netgrad.tensor([1.0, 2.0], requires_grad=True)
    h = a.exp()  # Exp saved its output
    h.mul_(2)
    with pytest.raises(RuntimeError, match=MODIFIED) as error:
        h.sum().backward()
    assert "output 0 of ExpBackward" in str(error.value)


def test_changes_that_backward_does_not_need_are_allowed():
    # Add saves nothing, and Mul by a number saves only the number: as in PyTorch, no error
    a = netgrad.tensor([1.0, 2.0], requires_grad=True)
    x = netgrad.tensor([3.0, 4.0])
    y = (a + x).sum()
    x.add_(1)
    y.backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0])
    h = a * 3
    h.add_(1)
    h.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [4.0, 4.0])


def test_optimizer_step_between_two_backwards_is_refused():
    netgrad.manual_seed(0)
    model = nn.Linear(3, 2)
    loss = model(netgrad.ones(4, 3)).square().sum()  # Linear saved the weight
    loss.backward(retain_graph=True)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    optimizer.step()
    assert model.weight._version == 1
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_a_training_step_after_the_change_is_unaffected():
    netgrad.manual_seed(0)
    model = nn.Linear(3, 2)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    for _ in range(3):
        optimizer.zero_grad()
        model(netgrad.ones(4, 3)).square().sum().backward()
        optimizer.step()
    assert model.weight._version == 3


@pytest.mark.parametrize("script, expected", [
    # y = a, then y <- y + (y - 1) = 2a - 1: d sum / da = 2 (the operand was computed from y before the change)
    ("y = a * 1; y.add_(y - 1); out = y", 2.0),
    # y = 3a, z = y + 1; y <- 2y + z = 9a + 1; out = y + z = 12a + 2
    ("y = a * 3; z = y + 1; y.mul_(2); y.add_(z); out = y + z", 12.0),
    # the same tensor changed twice after another node took it: z keeps the first y
    ("y = a * 2; z = y + 5; y.add_(1); y.mul_(3); out = y + z", 8.0),
    # a constant factor keeps nothing of y (as in PyTorch), so y may change after y * 5 and y * 2 were made
    ("y = a * 2; z = y * 5; y.add_(1); y.mul_(3); out = y + z", 16.0),
    ("y = a * 1; y.add_(y * 2); out = y", 3.0),
])
def test_nodes_made_before_an_in_place_change_still_send_their_gradient_to_the_old_values(script, expected):
    a = netgrad.tensor([1.0, 2.0], requires_grad=True)
    scope = {"a": a}
    exec(script, scope)
    scope["out"].sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [expected, expected])
