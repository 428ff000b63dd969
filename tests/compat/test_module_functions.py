"""Tensor methods as module functions, called the ways PyTorch scripts call them: netgrad.exp(t),
netgrad.sum(input=t, dim=0), and the names torch has beside the methods (torch.t, torch.all, torch.eq, ...)."""
import numpy as np
import pytest

import netgrad

X = [[1.0, -2.0, 0.5], [3.0, 4.0, -0.25]]

# (name, keyword arguments besides the tensor), every one spelled as in torch's signature
CALLS = [
    ("sum", {"dim": 0}), ("mean", {"dim": 1, "keepdim": True}), ("exp", {}), ("abs", {}), ("clamp", {"min": 0.0}),
    ("softmax", {"dim": 1}), ("t", {}), ("all", {}), ("any", {}), ("clone", {}), ("detach", {}),
    ("eq", {"other": 3.0}), ("ne", {"other": 3.0}), ("lt", {"other": 1.0}), ("le", {"other": 1.0}),
    ("gt", {"other": 1.0}), ("ge", {"other": 1.0}), ("negative", {}), ("multiply", {"other": 2.0}),
    ("divide", {"other": 4.0}), ("subtract", {"other": 1.0}), ("true_divide", {"other": 2.0}),
    ("transpose", {"dim0": 0, "dim1": 1}), ("cumsum", {"dim": 1}), ("argmax", {"dim": 1}), ("flatten", {}),
]


def _value(result):
    return np.asarray(result.tolist() if hasattr(result, "tolist") else result, dtype=float)


@pytest.mark.parametrize("name, kwargs", CALLS, ids=[c[0] for c in CALLS])
def test_module_functions_take_the_tensor_positionally_or_as_input(name, kwargs):
    x = netgrad.tensor(X)
    function = getattr(netgrad, name)
    expected = getattr(x, name)(*kwargs.values())
    np.testing.assert_array_equal(_value(function(x, *kwargs.values())), _value(expected))
    np.testing.assert_array_equal(_value(function(input=x, **kwargs)), _value(expected))


@pytest.mark.parametrize("name, kwargs", CALLS, ids=[c[0] for c in CALLS])
def test_module_functions_match_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    ours = getattr(netgrad, name)(input=netgrad.tensor(X), **kwargs)
    theirs = getattr(torch, name)(input=torch.tensor(X), **kwargs)
    np.testing.assert_allclose(_value(ours), _value(theirs), rtol=1e-6)


def test_gradients_flow_through_module_functions():
    x = netgrad.tensor(X, requires_grad=True)
    netgrad.sum(input=netgrad.multiply(x, 3.0)).backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 3), 3.0))
