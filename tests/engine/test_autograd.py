"""The backward engine: the notes' examples, accumulation, grad mode, deep graphs, memory, errors."""
import gc
import tracemalloc

import numpy as np
import pytest

import netgrad
from netgrad.engine.autograd import ShapeError


def test_notes_computational_graph_J_equals_2_ab_plus_c():
    # Notes 001: J = 2(ab + c) with a=3, b=2, c=5 -> J=22, dJ/da = 2b = 4, dJ/db = 2a = 6, dJ/dc = 2
    a = netgrad.tensor([3.0], requires_grad=True)
    b = netgrad.tensor([2.0], requires_grad=True)
    c = netgrad.tensor([5.0], requires_grad=True)
    J = 2 * (a * b + c)
    assert repr(J) == "tensor([22.], grad_fn=<MulBackward>)"
    assert repr(a) == "tensor([3.], requires_grad=True)"
    J.backward(gradient=netgrad.tensor([1.0]))
    assert (a.grad.item(), b.grad.item(), c.grad.item()) == (4.0, 6.0, 2.0)
    a.grad.data.zero_()
    assert a.grad.item() == 0.0
    assert a.is_leaf and not J.is_leaf and J.grad_fn.name() == "MulBackward"


def test_next_functions_walk_the_graph_as_in_pytorch():
    """J = 2(ab + c) walked the way graph-drawing scripts walk PyTorch's: (node, 0) pairs, each leaf reached
    through one AccumulateGrad node whose ``variable`` is the leaf, None for what needs no gradient."""
    a, b = netgrad.tensor([3.0], requires_grad=True), netgrad.tensor([2.0], requires_grad=True)
    c = netgrad.tensor([5.0])
    J = 2 * (a * b + c)
    seen, leaves, stack = set(), [], [J.grad_fn]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if type(node).__name__ == "AccumulateGrad":
            leaves.append(node.variable)
        for child, index in node.next_functions:
            assert index == 0
            if child is not None:
                stack.append(child)
    assert sorted(id(t) for t in leaves) == sorted([id(a), id(b)])
    assert len(seen) == 5  # Mul (by 2), Add, Mul (a b), and the two leaves' AccumulateGrad
    (add,) = [node for node, _ in J.grad_fn.next_functions if node is not None]  # the 2 needs no gradient
    assert add.next_functions[1] == (None, 0)  # nor does c
    product = add.next_functions[0][0]
    assert product.next_functions[0][0] is product.next_functions[0][0] and product.next_functions[0][0].variable is a


def test_gradients_accumulate_across_backward_calls():
    x = netgrad.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * 2 * np.array([1.0, 2.0]))


def test_shared_subexpression_sums_both_paths():
    # y = u * u with u = 3x: dy/dx = 2u * 3 = 18x
    x = netgrad.tensor(2.0, requires_grad=True)
    u = 3 * x
    (u * u).backward()
    assert x.grad.item() == pytest.approx(36.0)


def test_leaf_gradients_never_alias():
    a = netgrad.tensor([1.0, 2.0], requires_grad=True)
    b = netgrad.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.data.mul_(10)  # an in-place change of one .grad must not show in another
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])


def test_leaf_gradient_never_aliases_the_gradient_passed_to_backward():
    a = netgrad.tensor([1.0, 2.0], requires_grad=True)
    b = netgrad.tensor([3.0, 4.0], requires_grad=True)
    seed = np.array([1.0, 1.0], np.float32)
    (a + b).backward(seed)  # add passes the seed straight through to both leaves
    a.grad.data.mul_(10)
    np.testing.assert_array_equal(seed, [1.0, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])
    (a + b).backward(seed)  # the second pass adds into .grad in place: the seed stays as it was
    np.testing.assert_array_equal(seed, [1.0, 1.0])
    np.testing.assert_array_equal(a.grad.numpy(), [11.0, 11.0])


def test_a_backward_that_fails_half_way_leaves_no_leaf_holding_a_shared_array():
    class Failing(netgrad.Function):
        @staticmethod
        def forward(ctx, x):
            return x.copy()

        @staticmethod
        def backward(ctx, g):
            raise ArithmeticError("no derivative here")

    a = netgrad.tensor([1.0, 2.0], requires_grad=True)
    b = netgrad.tensor([3.0, 4.0], requires_grad=True)
    seed = np.array([1.0, 1.0], np.float32)
    out = a + Failing.apply(b)  # add runs first and hands the seed itself to a
    with pytest.raises(ArithmeticError):
        out.backward(seed)
    a.grad.data.mul_(10)
    np.testing.assert_array_equal(seed, [1.0, 1.0])


def test_a_shared_first_gradient_is_not_changed_while_another_node_still_needs_it():
    class SameToBoth(netgrad.Function):  # d/da = d/db = 1, returned as one array for both inputs
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            shared = np.array(g)
            return shared, shared

    a = netgrad.tensor([1.0, 2.0], requires_grad=True)
    c = netgrad.tensor([1.0, 1.0], requires_grad=True)
    b = c * 2
    d = a * 5
    out = SameToBoth.apply(a, b) + d  # a receives the shared array first, then 5 more before c's node runs
    out.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [6.0, 6.0])
    np.testing.assert_array_equal(c.grad.numpy(), [2.0, 2.0])  # d(out)/dc = 2, whatever happened to a's gradient


@pytest.mark.parametrize("linear_first", [True, False])
def test_a_leaf_fed_by_a_fresh_kernel_and_a_pass_through_node_gets_both_and_aliases_nothing(linear_first):
    # loss = sum(x W^T) + sum(W): dW = column sums of x (1 per output row) + 1, from the fused linear node
    # (new arrays) and from add, which passes the upstream gradient straight through
    x = netgrad.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    W = netgrad.zeros(2, 3, requires_grad=True)
    linear_part, plain_part = netgrad.nn.functional.linear(x, W).sum(), (W + 0).sum()
    loss = linear_part + plain_part if linear_first else plain_part + linear_part
    loss.backward()
    expected = np.tile(x.numpy().sum(0), (2, 1)) + 1
    np.testing.assert_array_equal(W.grad.numpy(), expected)
    W.grad.data.mul_(0)  # the gradient is W's own: a second pass starts from zero and sums again
    loss = netgrad.nn.functional.linear(x, W).sum() + (W + 0).sum()
    loss.backward()
    np.testing.assert_array_equal(W.grad.numpy(), expected)


def test_retain_grad_and_non_leaf_grad():
    x = netgrad.tensor([1.0, -2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), 2 * h.detach().numpy())
    np.testing.assert_allclose(x.grad.numpy(), 18 * x.detach().numpy())


def test_autograd_grad_returns_without_accumulating():
    x = netgrad.tensor(3.0, requires_grad=True)
    (g,) = netgrad.autograd.grad(x ** 3, x)
    assert g.item() == pytest.approx(27.0) and x.grad is None


def test_retain_graph_allows_second_backward_and_freed_graph_refuses():
    x = netgrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first)
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_no_grad_enable_grad_set_grad_enabled():
    x = netgrad.tensor([1.0], requires_grad=True)
    with netgrad.no_grad():
        y = x * 2
        with netgrad.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None and z.requires_grad

    @netgrad.no_grad()
    def doubled(t):
        return t * 2

    assert not doubled(x).requires_grad and netgrad.is_grad_enabled()
    with netgrad.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
    netgrad.set_grad_enabled(False)
    assert not netgrad.is_grad_enabled()
    netgrad.set_grad_enabled(True)
    assert netgrad.is_grad_enabled()


def test_manual_sgd_step_in_no_grad_as_in_the_notes():
    w = netgrad.tensor([1.0, -1.0], requires_grad=True)
    (w * w).sum().backward()
    with netgrad.no_grad():
        w -= 0.1 * w.grad
    np.testing.assert_allclose(w.detach().numpy(), [0.8, -0.8], rtol=1e-6)
    assert w.is_leaf and w.requires_grad
    with pytest.raises(RuntimeError, match="in-place"):
        w += 1


def test_custom_function_api():
    class Cube(netgrad.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return 3 * x ** 2 * grad_output

    x = netgrad.tensor([2.0, -1.0], requires_grad=True)
    y = Cube.apply(x)
    assert repr(y.grad_fn) == "<CubeBackward>"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [12.0, 3.0])


def test_deep_graph_20000_ops_without_recursion():
    x = netgrad.tensor(1.0, dtype=netgrad.float64, requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y * 1.0001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001 ** 20_000, rel=1e-9)


@pytest.mark.parametrize("w, expected", [(1.5, 1.5 ** 100), (0.5, 0.5 ** 100)])
def test_exploding_and_vanishing_chain_of_100_layers(w, expected):
    # Notes 003: a = w * a repeated 100 times; the value and d(out)/d(input) are both w^100
    a0 = netgrad.tensor(1.0, dtype=netgrad.float64, requires_grad=True)
    weight = netgrad.tensor(w, dtype=netgrad.float64, requires_grad=True)
    a = a0
    for _ in range(100):
        a = weight * a
    a.backward()
    assert a.item() == pytest.approx(expected, rel=1e-12)
    assert a0.grad.item() == pytest.approx(expected, rel=1e-12)
    assert weight.grad.item() == pytest.approx(100 * w ** 99, rel=1e-12)  # d(w^100)/dw


def test_float32_stays_float32_with_python_scalars_and_numpy_values():
    x = netgrad.ones(3, requires_grad=True)
    y = (2.5 * x + 1) / 3 - 0.5
    y = y ** 2 * np.float64(2.0) + np.array([1.0, 2.0, 3.0])
    y = y.exp().log().sqrt() + x.mean() * 1e-3
    assert y.dtype == netgrad.float32
    y.sum().backward()
    assert x.grad.dtype == netgrad.float32


def test_mixed_tensor_dtypes_promote_like_pytorch():
    a = netgrad.ones(2)
    b = netgrad.ones(2, dtype=netgrad.float64)
    assert (a + b).dtype == netgrad.float64
    assert (netgrad.arange(3) / 2).dtype == netgrad.float32


def test_graph_is_freed_memory_does_not_grow():
    w = netgrad.randn(32, 32, requires_grad=True)
    x = netgrad.randn(16, 32)

    def step():
        loss = ((x @ w).tanh() * 2).sum()
        loss.backward()
        w._grad = None

    tracemalloc.start()
    for _ in range(1_000):  # warm-up: NumPy's allocation caches fill here
        step()
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(10_000):
        step()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert after - before < 20_000, f"memory grew by {after - before} bytes over 10 000 iterations"


# ------------------------------------------------------------------------------------------- bad input


def test_backward_on_non_scalar_without_gradient_names_the_shape():
    y = netgrad.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"scalar output.*\(2, 3\)"):
        y.backward()


def test_backward_gradient_of_wrong_shape():
    y = netgrad.ones(3, requires_grad=True) * 2
    with pytest.raises(ShapeError, match=r"\(2,\).*\(3,\)"):
        y.backward(netgrad.ones(2))


def test_backward_without_requires_grad():
    with pytest.raises(RuntimeError, match="requires_grad"):
        (netgrad.ones(1) * 2).backward()


def test_incompatible_shapes_name_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\)"):
        netgrad.ones(2, 3) + netgrad.ones(4)
    with pytest.raises(RuntimeError, match=r"\(2, 3\) and \(4, 5\)"):
        netgrad.ones(2, 3) @ netgrad.ones(4, 5)
    with pytest.raises(ValueError, match=r"shape \(5,\) is invalid.*6 elements"):
        netgrad.ones(2, 3).reshape(5)


def test_non_numeric_input_is_refused():
    with pytest.raises(TypeError, match="numbers"):
        netgrad.tensor(["a", "b"])
    with pytest.raises(TypeError, match="unsupported operand"):
        netgrad.ones(2) + "a"
    with pytest.raises(TypeError):
        netgrad.tensor([{"a": 1}])


def test_only_float_tensors_require_grad():
    with pytest.raises(RuntimeError, match="floating-point"):
        netgrad.tensor([1, 2], requires_grad=True)


def test_grad_mode_is_per_thread_like_pytorch():
    import threading

    x = netgrad.ones(2, requires_grad=True)
    inside, release = threading.Event(), threading.Event()

    def evaluate_without_grad():
        with netgrad.no_grad():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=evaluate_without_grad)
    worker.start()
    inside.wait(5)
    try:
        assert netgrad.is_grad_enabled() and (x * 2).requires_grad  # another thread's no_grad is not ours
    finally:
        release.set()
        worker.join()
