"""The backward pass's hooks that data-parallel training listens to (single process, no MPI)."""
import gc

import numpy as np
import pytest

import netgrad
from netgrad.engine import autograd


def test_a_leaf_hook_runs_after_each_gradient_and_queued_callbacks_after_the_pass():
    w = netgrad.tensor([1.0, 2.0], requires_grad=True)
    b = netgrad.tensor([3.0, 4.0], requires_grad=True)
    seen = []

    def hook(t):
        seen.append(("w", t.grad.numpy().copy()))
        if len(seen) == 1:
            autograd.queue_callback(lambda: seen.append(("end", w.grad.numpy().copy())))

    handle = autograd.register_post_accumulate_grad_hook(w, hook)
    ((w * w).sum() + (w * b).sum()).backward()  # w reaches the leaf three times: w, w (in w*w) and via w*b
    grads = [g for name, g in seen if name == "w"]
    assert len(grads) == 3
    assert seen[-1][0] == "end"
    np.testing.assert_array_equal(seen[-1][1], 2 * w.detach().numpy() + b.detach().numpy())  # d/dw (w.w + w.b) = 2w + b
    handle.remove()
    seen.clear()
    (w * b).sum().backward()
    assert seen == []


def test_callbacks_are_dropped_when_the_pass_fails_and_hooks_go_with_their_tensor():
    class Fails(netgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            raise ArithmeticError("backward failed")

    w = netgrad.tensor([1.0], requires_grad=True)
    calls = []
    autograd.register_post_accumulate_grad_hook(w, lambda t: autograd.queue_callback(lambda: calls.append(1)))
    with pytest.raises(ArithmeticError):
        (Fails.apply(w) + w).sum().backward()  # the hook for w's direct gradient queued a callback first
    assert calls == [] and autograd._pass_end_callbacks == []
    with pytest.raises(RuntimeError, match="already has"):
        autograd.register_post_accumulate_grad_hook(w, print)
    with pytest.raises(RuntimeError, match="leaf tensors"):
        autograd.register_post_accumulate_grad_hook(w * 2, print)
    key = id(w)
    del w
    gc.collect()
    assert key not in autograd._leaf_hooks
