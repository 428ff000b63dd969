"""Type promotion against PyTorch: tensor-tensor, tensor-scalar and 0-d tensors, for + - * / **."""
import itertools
import operator

import numpy as np
import pytest

import netgrad

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

DTYPES = ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"]
OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}


def make(lib, dtype, zero_dim):
    values = [1, 1] if dtype == "bool" else [2, 3]
    data = values[0] if zero_dim else values
    return lib.tensor(data, dtype=getattr(lib, dtype))


def allowed(op, x, y):
    return not ("bool" in (x, y) and op in "-**") and not (op == "**" and "uint8" in (x, y))


CASES = [(op, x, y, zx, zy) for op in OPS for x, y in itertools.product(DTYPES, repeat=2)
         for zx, zy in [(False, False), (False, True), (True, False)] if allowed(op, x, y)]


@pytest.mark.parametrize("op, x, y, zero_x, zero_y", CASES)
def test_tensor_tensor_promotion_is_torchs(op, x, y, zero_x, zero_y):
    want = OPS[op](make(torch, x, zero_x), make(torch, y, zero_y))
    got = OPS[op](make(netgrad, x, zero_x), make(netgrad, y, zero_y))
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_allclose(got.numpy().astype(np.float64), want.numpy().astype(np.float64), rtol=1e-3)


SCALARS = [2, 2.5, True]


@pytest.mark.parametrize("op, x, scalar, reflected", [
    (op, x, s, r) for op in OPS for x in DTYPES for s in SCALARS for r in (False, True)
    if not ((x == "bool" or s is True) and op in "-**") and not (op == "**" and x == "uint8")])
def test_tensor_scalar_promotion_is_torchs(op, x, scalar, reflected):
    def run(lib):
        t = make(lib, x, False)
        return OPS[op](scalar, t) if reflected else OPS[op](t, scalar)
    want, got = run(torch), run(netgrad)
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_allclose(got.numpy().astype(np.float64), want.numpy().astype(np.float64), rtol=1e-3)


def test_the_examples_of_the_issue():
    assert (netgrad.tensor([1, 2]) * 1.5).dtype == netgrad.float32
    assert (netgrad.ones(3) ** netgrad.tensor([1, 2, 3])).dtype == netgrad.float32
    x = netgrad.linspace(-1, 1, 5)
    assert x.unsqueeze(-1).pow(netgrad.tensor([1, 2, 3])).dtype == netgrad.float32


def test_promotion_keeps_gradients_flowing():
    w = netgrad.tensor(0.5, dtype=netgrad.float64, requires_grad=True)  # a 0-d float64 leaf
    out = (netgrad.ones(3) * w).sum()
    assert out.dtype == netgrad.float32
    out.backward()
    assert w.grad.dtype == netgrad.float64 and w.grad.item() == 3.0
