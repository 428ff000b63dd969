"""Shape, indexing, sorting, scan and product ops against central differences (float64), over a table of
shapes and dims (negative dims, keepdim), and their values against tiny NumPy references."""
import numpy as np
import pytest

import netgrad
from netgrad import gradcheck


def t(*shape, seed=0, low=-2.0, high=2.0):
    """Distinct random values (ties would make sort / median / mode non-differentiable)."""
    rng = np.random.default_rng(seed + 7 * sum(shape))
    return netgrad.tensor(rng.uniform(low, high, size=shape), dtype=netgrad.float64, requires_grad=True)


INDEX = netgrad.tensor([[2, 0, 1, 2], [1, 1, 0, 0]])  # repeats: scatter_add / gather must accumulate

CASES = {
    "chunk": (lambda a: a.chunk(3, 1)[1] * 2 + a.chunk(2, -1)[0].sum(), lambda: (t(2, 5),)),
    "split sizes": (lambda a: a.split([1, 3], dim=-1)[1], lambda: (t(3, 4),)),
    "split size": (lambda a: netgrad.cat([p.sum(0) for p in a.split(2, 0)]), lambda: (t(5, 2),)),
    "tensor_split": (lambda a: a.tensor_split(3, dim=1)[0].sum() + a.tensor_split([1, 3])[2], lambda: (t(4, 5),)),
    "unbind": (lambda a: a.unbind(-1)[2].outer(a.unbind(0)[1]), lambda: (t(2, 3),)),
    "narrow": (lambda a: a.narrow(-2, 1, 2), lambda: (t(2, 4, 3),)),
    "select": (lambda a: a.select(1, -1), lambda: (t(2, 4, 3),)),
    "flip": (lambda a: a.flip(0, -1) * a, lambda: (t(3, 4),)),
    "roll": (lambda a: a.roll(2, -1) * a + a.roll((1, 1), (0, 1)), lambda: (t(3, 4),)),
    "roll flat": (lambda a: a.roll(-3), lambda: (t(3, 4),)),
    "rot90": (lambda a: a.rot90() + a.rot90(-1).flip(0, 1) + a.rot90(2, (1, 0)).T.T.rot90(2), lambda: (t(3, 3),)),
    "tril triu": (lambda a: a.tril() + a.triu(1) * 2 + a.tril(-1), lambda: (t(2, 3, 4),)),
    "diagonal": (lambda a: a.diagonal(1, -1, 0) + a.diagonal(offset=-1, dim1=1, dim2=2).sum(), lambda: (t(4, 3, 4),)),
    "diag matrix": (lambda a: a.diag(-1), lambda: (t(3, 4),)),
    "diag vector": (lambda a: a.diag(1) + a.diag(-2).sum(), lambda: (t(3),)),
    "trace": (lambda a: a.trace(), lambda: (t(3, 4),)),
    "repeat_interleave": (lambda a: a.repeat_interleave(2, dim=-1) + a.repeat_interleave(
        netgrad.tensor([1, 0, 3]), dim=0).sum(), lambda: (t(3, 2),)),
    "tile": (lambda a: a.tile(2, 1, 3), lambda: (t(2, 3),)),
    "broadcast_to": (lambda a: a.broadcast_to((4, 2, 3)) * a.new_tensor([1, 2, 3, 4]).reshape(4, 1, 1),
                     lambda: (t(2, 3),)),
    "broadcast_tensors": (lambda a, b: netgrad.broadcast_tensors(a, b)[0] * netgrad.broadcast_tensors(a, b)[1],
                          lambda: (t(3, 1), t(4, seed=1))),
    "movedim": (lambda a: a.movedim((0, -1), (2, 0)) * 1.5, lambda: (t(2, 3, 4),)),
    "swapaxes unflatten": (lambda a: a.swapaxes(0, -1).unflatten(1, (3, -1)), lambda: (t(2, 6, 4),)),
    "unfold": (lambda a: a.unfold(-1, 3, 2) * 2, lambda: (t(2, 7),)),
    "stacks": (lambda a, b: netgrad.hstack([a, b]).sum(0) + netgrad.vstack([a, b]).sum(1).sum()
               + netgrad.dstack([a, b]).sum() + netgrad.column_stack([a, b])[0], lambda: (t(3, 2), t(3, 2, seed=1))),
    "meshgrid cartesian_prod": (lambda a, b: netgrad.meshgrid(a, b, indexing="xy")[0] * netgrad.meshgrid(a, b)[1].T
                                + netgrad.cartesian_prod(a, b).sum(), lambda: (t(3), t(4, seed=1))),
    "gather": (lambda a: a.gather(1, INDEX[:, :3]) + a.gather(0, INDEX[:, :3] % 2), lambda: (t(2, 4),)),
    "gather negative dim": (lambda a: a.gather(-1, INDEX.unsqueeze(0)), lambda: (t(1, 2, 3),)),
    "scatter": (lambda a, s: a.scatter(1, netgrad.tensor([[3, 0], [1, 2]]), s), lambda: (t(2, 4), t(2, 3, seed=1))),
    "scatter value": (lambda a: a.scatter(0, netgrad.tensor([[1, 0, 1]]), 0.5), lambda: (t(2, 3),)),
    "scatter_add": (lambda a, s: a.scatter_add(1, INDEX, s), lambda: (t(2, 3), t(2, 4, seed=1))),
    "index_select": (lambda a: a.index_select(-1, netgrad.tensor([2, 0, 2])), lambda: (t(2, 3),)),
    "index_add": (lambda a, s: a.index_add(0, netgrad.tensor([0, 2, 0]), s, alpha=2.0),
                  lambda: (t(3, 2), t(3, 2, seed=1))),
    "take take_along_dim": (lambda a: a.take(netgrad.tensor([[0, 5], [5, 3]])) + a.take_along_dim(
        netgrad.tensor([[1], [0]]), 1), lambda: (t(2, 3),)),
    "masked_fill": (lambda a: a.masked_fill(a.detach() > 0, 3.0) * a, lambda: (t(3, 4),)),
    "masked_fill tensor value": (lambda a, v: a.masked_fill(a.new_tensor([1, 0, 1], dtype=netgrad.bool), v),
                                 lambda: (t(2, 3), t(seed=1))),
    "masked_select": (lambda a: a.masked_select(netgrad.tensor([True, False, True])), lambda: (t(2, 3),)),
    "sort": (lambda a: a.sort(0).values * a.sort(-1, descending=True)[0], lambda: (t(3, 3),)),
    "topk": (lambda a: a.topk(2).values + a.topk(2, dim=0, largest=False)[0].T[:3], lambda: (t(3, 4),)),
    "kthvalue": (lambda a: a.kthvalue(2, 0, keepdim=True).values, lambda: (t(3, 4),)),
    "median": (lambda a: a.median(-1).values.sum() + a.median() + a.median(0, keepdim=True)[0], lambda: (t(4, 3),)),
    "mode": (lambda a: a.mode(0).values, lambda: (t(3, 4),)),
    "aminmax": (lambda a: a.aminmax(dim=1).min * a.aminmax(dim=-1, keepdim=True).max.T, lambda: (t(3, 4),)),
    "nanmean nansum": (lambda a: a.nanmean(1) + a.nansum(0, keepdim=True).sum(), lambda: (t(3, 4),)),
    "cumsum": (lambda a: a.cumsum(0) * a.cumsum(-1), lambda: (t(3, 4),)),
    "cumprod": (lambda a: a.cumprod(-1) + a.cumprod(0), lambda: (t(3, 4),)),
    "cumprod with zero": (lambda a: (a * a.new_tensor([1, 0, 1, 1])).cumprod(1),
                          lambda: (t(2, 4),)),
    "diff": (lambda a, p: a.diff(dim=0)[:, :2] + a.diff(n=2, dim=-1, prepend=p)[:2],
             lambda: (t(3, 3), t(3, 1, seed=1))),
    "remainder": (lambda a, b: a % b + 7.5 % b + a.remainder(1.5), lambda: (t(3, 4, low=0.1, high=0.9),
                                                                          t(4, seed=1, low=1.1, high=1.9))),
    "einsum matmul": (lambda a, b: netgrad.einsum("ij,jk->ik", a, b), lambda: (t(2, 3), t(3, 4, seed=1))),
    "einsum implicit": (lambda a, b: netgrad.einsum("ij,kj", a, b), lambda: (t(2, 3), t(4, 3, seed=1))),
    "einsum ellipsis": (lambda a, b: netgrad.einsum("...ij,...jk->...ik", a, b), lambda: (t(2, 2, 3), t(3, 4, seed=1))),
    "einsum trace sum": (lambda a, b: netgrad.einsum("ii,jk->j", a, b), lambda: (t(3, 3), t(2, 4, seed=1))),
    "einsum three": (lambda a, b, c: netgrad.einsum("i,ij,j->", a, b, c),
                     lambda: (t(2), t(2, 3, seed=1), t(3, seed=2))),
    "einsum broadcast": (lambda a, b: netgrad.einsum("bij,bj->bi", a, b), lambda: (t(1, 2, 3), t(4, 3, seed=1))),
    "tensordot": (lambda a, b: netgrad.tensordot(a, b, 1) + netgrad.tensordot(a, b.T.T, ([1], [0])),
                  lambda: (t(2, 3), t(3, 4, seed=1))),
    "tensordot two": (lambda a, b: netgrad.tensordot(a, b, dims=([0, 2], [1, 0])),
                      lambda: (t(2, 3, 4), t(4, 2, 5, seed=1))),
    "bmm": (lambda a, b: a.bmm(b), lambda: (t(2, 3, 4), t(2, 4, 2, seed=1))),
    "baddbmm": (lambda c, a, b: netgrad.baddbmm(c, a, b, beta=0.5, alpha=2.0),
                lambda: (t(3, 2), t(2, 3, 4, seed=1), t(2, 4, 2, seed=2))),
    "addmm": (lambda c, a, b: c.addmm(a, b, alpha=-1.5), lambda: (t(2), t(3, 4, seed=1), t(4, 2, seed=2))),
    "addmv": (lambda c, a, b: c.addmv(a, b, beta=2), lambda: (t(3), t(3, 4, seed=1), t(4, seed=2))),
    "outer inner": (lambda a, b: a.outer(b) + netgrad.inner(a, a), lambda: (t(3), t(4, seed=1))),
    "kron": (lambda a, b: a.kron(b), lambda: (t(2, 3), t(3, 2, seed=1))),
    "kron mixed ndim": (lambda a, b: netgrad.kron(a, b), lambda: (t(2), t(2, 3, seed=1))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_matches_central_differences(name):
    fn, make = CASES[name]
    assert gradcheck(fn, make())


def test_in_place_shape_methods_follow_the_graph():
    a = t(2, 1, 3)
    b = a * 2
    b.squeeze_(1).unsqueeze_(0).transpose_(0, 2)
    assert tuple(b.shape) == (3, 2, 1)
    b.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.full((2, 1, 3), 2.0))
    with pytest.raises(RuntimeError, match="leaf Variable"):
        a.squeeze_()
    m = netgrad.ones(2, 3)
    assert tuple(m.t_().shape) == (3, 2)


def test_in_place_writes_keep_the_graph():
    a = t(2, 3)
    b = a * 1
    b.masked_fill_(netgrad.tensor([True, False, False]), 0.0)
    b.index_add_(0, netgrad.tensor([1]), netgrad.ones(1, 3, dtype=netgrad.float64))
    b.scatter_(1, netgrad.tensor([[2], [2]]), 5.0)
    b.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [[0, 1, 0], [0, 1, 0]])


def test_values_against_numpy_references():
    x = np.random.default_rng(3).normal(size=(3, 5))
    a = netgrad.tensor(x)
    np.testing.assert_array_equal(a.sort(1).values.numpy(), np.sort(x, 1))
    np.testing.assert_array_equal(a.argsort(0, descending=True).numpy(), np.argsort(-x, 0))
    np.testing.assert_allclose(a.cumsum(1).numpy(), np.cumsum(x, 1))
    np.testing.assert_allclose(a.cumprod(0).numpy(), np.cumprod(x, 0))
    np.testing.assert_array_equal(a.flip(1).numpy(), x[:, ::-1])
    np.testing.assert_array_equal(a.roll(2, 1).numpy(), np.roll(x, 2, 1))
    np.testing.assert_array_equal(a.rot90().numpy(), np.rot90(x))
    np.testing.assert_array_equal(a.triu(1).numpy(), np.triu(x, 1))
    np.testing.assert_array_equal(a.diagonal(2).numpy(), np.diagonal(x, 2))
    np.testing.assert_allclose(netgrad.einsum("ij,kj->ik", a, a).numpy(), x @ x.T)
    np.testing.assert_allclose(netgrad.kron(a, a).numpy(), np.kron(x, x))
    np.testing.assert_allclose(netgrad.tensordot(a, a, ([0], [0])).numpy(), np.tensordot(x, x, ([0], [0])))
    np.testing.assert_array_equal(a.median(1).values.numpy(), np.sort(x, 1)[:, 2])
    np.testing.assert_array_equal((a % 0.7).numpy(), np.mod(x, 0.7))
    np.testing.assert_array_equal((a // 0.7).numpy(), np.floor_divide(x, 0.7))


def test_counting_and_searching_match_closed_forms():
    v = netgrad.tensor([3, 1, 3, 0, 3])
    assert v.bincount().tolist() == [1, 1, 0, 3]
    assert v.bincount(minlength=6).tolist() == [1, 1, 0, 3, 0, 0]
    assert v.mode() == (3, 4)
    values, inverse, counts = v.unique(return_inverse=True, return_counts=True)
    assert (values.tolist(), inverse.tolist(), counts.tolist()) == ([0, 1, 3], [2, 1, 2, 0, 2], [1, 1, 3])
    assert v.nonzero().tolist() == [[0], [1], [2], [4]] and v.nonzero().dtype == netgrad.int64
    assert int(v.count_nonzero()) == 4
    boundaries = netgrad.tensor([1, 3, 5])
    assert netgrad.searchsorted(boundaries, netgrad.tensor([3, 4, 6])).tolist() == [1, 2, 3]
    assert netgrad.searchsorted(boundaries, netgrad.tensor([3]), right=True).tolist() == [2]
    assert netgrad.bucketize(netgrad.tensor([0, 3, 9]), boundaries).tolist() == [0, 1, 3]
    assert netgrad.tril_indices(3, 3).tolist() == [[0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]]
    assert netgrad.triu_indices(2, 3, 1).tolist() == [[0, 0, 1], [1, 2, 2]]
    assert netgrad.diff(netgrad.tensor([1, 4, 9, 16]), n=2).tolist() == [2, 2]


def test_errors_are_pytorch_s():
    a = netgrad.zeros(2, 3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        a.flip(2)
    with pytest.raises(RuntimeError, match="exceeds dimension size"):
        a.narrow(1, 2, 3)
    with pytest.raises(RuntimeError, match="sum exactly to 3"):
        a.split([1, 1], 1)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        a.topk(4)
    with pytest.raises(RuntimeError, match="out of bounds for dimension 1 with size 3"):
        a.gather(1, netgrad.tensor([[3]]))
    with pytest.raises(RuntimeError, match="boolean masks"):
        a.masked_fill(netgrad.tensor([1, 0, 1]), 0.0)
    with pytest.raises(RuntimeError, match="batch1 must be a 3D tensor"):
        a.bmm(a)
    with pytest.raises(RuntimeError, match="bincount only supports"):
        netgrad.tensor([-1, 2]).bincount()


def test_memory_queries():
    a = netgrad.zeros(2, 3)
    assert a.stride() == (3, 1) and a.stride(-2) == 3 and a.T.stride() == (1, 3)
    assert a.is_contiguous() and not a.T.is_contiguous()
    assert (a.element_size(), a.nbytes, a.itemsize, a.ndimension(), a.nelement()) == (4, 24, 4, 2, 6)
    b = a.new_full((2,), 7)
    assert b.dtype == netgrad.float32 and b.tolist() == [7.0, 7.0]
    assert a.new_zeros(1, 2).shape == (1, 2) and a.new_ones((3,), dtype=netgrad.int64).dtype == netgrad.int64
    assert a.new_tensor([1, 2]).dtype == netgrad.float32 and a.new_empty(4).shape == (4,)


def _run(name, where):
    fn, make = CASES[name]
    inputs = [t.detach().to(where).requires_grad_() for t in make()]
    out = fn(*inputs)
    out.sum().backward()
    return [out.detach().cpu().numpy()] + [t.grad.cpu().numpy() for t in inputs]


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_results_on_the_standin_device(name):
    """The stand-in device's arrays refuse to meet NumPy arrays, as CuPy's do: index arrays and masks made on
    the CPU must be moved to the data's device, and every op take its array module from its inputs."""
    for ours, reference in zip(_run(name, "standin"), _run(name, "cpu")):
        np.testing.assert_array_equal(ours, reference)
