"""Shape, indexing, sorting, scan and product ops against PyTorch: values, dtypes, shapes, the kind of tuple
returned (sort, topk, median, mode, ...), and gradients (float64)."""
import numpy as np
import pytest

import netgrad

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

rng = np.random.default_rng(0)
A = rng.normal(size=(3, 4))
S = rng.normal(size=(4, 4))
V = rng.normal(size=(5,))
B3 = rng.normal(size=(2, 3, 4))
C3 = rng.normal(size=(2, 4, 2))
P = rng.uniform(0.5, 2.0, size=(3, 4))
INTS = np.array([[3, 1, 3, 0], [2, 2, 5, 1]])
FLAT = np.array([3, 1, 3, 0, 5, 3])
MASK = np.array([True, False, True, True])
IDX = np.array([[2, 0, 1, 2], [1, 1, 0, 0]])
SORTED = np.array([-1.0, 0.0, 0.5, 2.0])

# name -> (fn(lib, *tensors), inputs); float inputs are float64 tensors that require grad
OPS = {
    "remainder": (lambda L, a, p: (a % p, a % 0.7, 2.5 % p.detach(), L.remainder(a, -0.9)), (A, P)),
    "remainder ints": (lambda L, i: (i % 3, -7 % (i + 1), i % -2, i // 2, 7 // (i + 1), i.floor_divide(-2)), (INTS,)),
    "floordiv floats": (lambda L, a, p: (a.detach() // p.detach(), a.detach() // 0.3, 1.0 // p.detach()), (A, P)),
    "einsum": (lambda L, a, s: (L.einsum("ij,jk->ik", a, s), L.einsum("ii", s), L.einsum("ij->j", a),
                                L.einsum("i,j->ij", a[0], s[1]), L.einsum("...j,kj", a, s),
                                L.einsum("bij,bjk->bik", a.reshape(1, 3, 4), s.reshape(1, 4, 4))), (A, S)),
    "products": (lambda L, x, y, a, s: (L.bmm(x, y), L.baddbmm(x[:, :, :2], x, y, beta=0.5, alpha=2),
                                        L.addmm(a[0, :4], s, s.T, beta=2), a.addmm(a, s, alpha=-1),
                                        L.outer(a[0], s[1]), a.kron(s[:2, :2]), L.kron(a[0], s),
                                        L.tensordot(x, y, dims=([0, 2], [0, 1])), L.tensordot(a, s, 1),
                                        L.inner(a, s), s[0].addmv(s, a[0])), (B3, C3, A, S)),
    "sort": (lambda L, a: (a.sort(), L.sort(a, 0, descending=True), a.argsort(-1), L.argsort(a, 0, descending=True),
                           L.msort(a)), (A,)),
    "topk kthvalue": (lambda L, a: (a.topk(2), L.topk(a, 3, 0, largest=False), a.kthvalue(2),
                                    L.kthvalue(a, 1, 0, True)), (A,)),
    "median mode": (lambda L, a, i: (a.median(), a.median(1), L.median(a, 0, keepdim=True), i.mode(), L.mode(i, 0),
                                     i.median(1)), (A, INTS)),
    "gather scatter": (lambda L, a, idx: (a.gather(1, idx[:, :3]), L.gather(a, 0, idx % 3),
                                          a.scatter(1, idx[:, :1], a[:2, 3:]), L.scatter(a, 0, idx[:1] % 3, 2.5),
                                          a.scatter_add(1, idx, a[:2] * 2), L.scatter_add(a, 0, idx % 3, a[:2])),
                       (A, IDX)),
    "index ops": (lambda L, a, idx: (a.index_select(1, idx[0]), L.index_select(a, -2, idx[1]),
                                     a.index_add(0, idx[1, :3] % 3, a, alpha=3), L.take(a, idx),
                                     L.take_along_dim(a, idx[:1], 1), a.index_fill(1, idx[0, :2], -1.0)), (A, IDX)),
    "masks": (lambda L, a, m: (a.masked_fill(m, 0.5), L.masked_fill(a, a > 0, -2.0), a.masked_select(m),
                               L.masked_select(a, a > 0.3), a.nonzero(), L.nonzero(a > 0, as_tuple=True),
                               L.argwhere(a > 0)), (A, MASK)),
    "pieces": (lambda L, a: (a.chunk(3, 1), L.chunk(a, 2), a.split(2, -1), L.split(a, [1, 2]), a.tensor_split(3, 1),
                             L.tensor_split(a, [1, 3], dim=1), a.unbind(1), L.unbind(a), a.narrow(1, -3, 2),
                             L.narrow(a, 0, 1, 2), a.select(0, -1), a.unfold(1, 2, 1), a.unfold(0, 2, 2)), (A,)),
    "reorder": (lambda L, a, x: (a.flip(0), L.flip(a, [0, 1]), L.fliplr(a), L.flipud(a), a.roll(1, 1),
                                 L.roll(a, (1, -2), (0, 1)), a.roll(5), L.rot90(a), a.rot90(3, [1, 0]),
                                 x.movedim(0, -1), L.movedim(x, (0, 1), (2, 0)), L.moveaxis(x, -1, 0),
                                 x.swapaxes(0, 2), L.swapdims(x, 1, 0), x.unflatten(-1, (2, 2)),
                                 L.unflatten(a, 1, (-1, 2))), (A, B3)),
    "matrix parts": (lambda L, a, s, v: (a.tril(), L.tril(a, -1), a.triu(2), L.triu(s, -1), a.diagonal(),
                                         L.diagonal(s, 1), L.diagonal(a, -1, 1, 0), a.diag(1), L.diag(v),
                                         L.diag(v, -2), s.trace(), L.trace(a)), (A, S, V)),
    "repeats": (lambda L, a, v: (a.tile(2), L.tile(a, (2, 1, 2)), a.repeat_interleave(2), L.repeat_interleave(
        a, 3, dim=0), a.repeat_interleave(L.tensor([1, 0, 2, 1]), dim=1), v.expand_as(a[:, :1].expand(3, 5)),
        a.broadcast_to((2, 3, 4)), L.broadcast_to(v, (2, 5)), L.broadcast_tensors(a, v[:4]),
        L.broadcast_tensors(v[:3, None], v[None])), (A, V)),
    "joins": (lambda L, a, v: (L.hstack([a, a]), L.hstack([v, v]), L.vstack([a, a]), L.vstack([v, v]),
                               L.row_stack([v, v]), L.dstack([a, a]), L.dstack([v, v]), L.column_stack([v, v]),
                               L.column_stack([a[0], a.T]), L.meshgrid(v[:2], v[2:], indexing="ij"),
                               L.meshgrid(v[:2], v[2:], indexing="xy"), L.cartesian_prod(v[:2], v[2:]),
                               L.atleast_2d(v), L.atleast_3d(a)), (A, V)),
    "scans": (lambda L, a, i: (a.cumsum(0), L.cumsum(a, -1), a.cumprod(1), L.cumprod(a, 0), i.cumsum(1),
                               L.cumsum(i > 1, 0), L.cumsum(i, 0, dtype=L.float64), a.diff(), L.diff(a, 2, 0),
                               a.diff(dim=0, prepend=a[:1], append=a[:2])), (A, INTS)),
    "counts": (lambda L, a, f, w: (f.bincount(), L.bincount(f, minlength=8), f[:5].bincount(weights=w.detach()),
                                   L.count_nonzero(a > 0), (a > 0).count_nonzero(1), f.unique(),
                                   L.unique(f, return_inverse=True, return_counts=True),
                                   L.unique(L.tensor([[1, 2], [1, 2], [0, 5]]), dim=0, return_counts=True),
                                   a.aminmax(), L.aminmax(a, dim=1), a.nanmean(1), L.nansum(a, 0)), (A, FLAT, V)),
    "search": (lambda L, s, a: (L.searchsorted(s, a), L.searchsorted(s, a, right=True),
                                L.searchsorted(s, a, side="right"), L.searchsorted(s, 0.5), L.bucketize(a, s),
                                L.bucketize(a, s, right=True, out_int32=True),
                                L.searchsorted(L.stack([s, s + 1]), a[:2])), (SORTED, A)),
    "logic": (lambda L, i: (L.logical_and(i > 1, i < 3), (i > 1).logical_or(i == 0), L.logical_xor(i, i > 2),
                            L.logical_not(i), i.bitwise_and(6), L.bitwise_or(i, 4), i ^ 3, L.bitwise_xor(i > 1, i > 2),
                            L.bitwise_not(i), ~(i > 2), i << 2, i >> 1, L.bitwise_left_shift(i, 1)), (INTS,)),
    "factories": (lambda L, a: (L.tril_indices(3, 4), L.tril_indices(4, 3, -1), L.triu_indices(3, 3, 1),
                                a.new_zeros(2, 3), a.new_ones((2,)), a.new_full((2,), 3), a.new_tensor([1, 2]),
                                a.new_zeros(2, dtype=L.int64)), (A,)),
}


def _to_torch(x):
    return torch.tensor(x, requires_grad=x.dtype == np.float64)


def _to_ours(x):
    return netgrad.tensor(x, requires_grad=x.dtype == np.float64)


def _leaves(out, path="out"):
    """(path, tensor or plain value, tuple kind) for everything in a nested result."""
    if isinstance(out, (tuple, list)):
        kind = type(out).__name__ if type(out) not in (tuple, list) else "tuple"
        found = [(path, None, kind)]
        for i, o in enumerate(out):
            found += _leaves(o, f"{path}[{i}]")
        return found
    return [(path, out, None)]


@pytest.mark.parametrize("name", sorted(OPS))
def test_values_dtypes_and_gradients_match_torch(name):
    fn, arrays = OPS[name]
    ours_in, theirs_in = [_to_ours(a) for a in arrays], [_to_torch(a) for a in arrays]
    ours, theirs = _leaves(fn(netgrad, *ours_in)), _leaves(fn(torch, *theirs_in))
    assert len(ours) == len(theirs), (ours, theirs)
    total_ours, total_theirs = [], []
    weights = np.random.default_rng(1)
    for (path, o, kind_o), (_, t, kind_t) in zip(ours, theirs):
        assert kind_o == kind_t, f"{path}: returns {kind_o}, torch {kind_t}"
        if t is None:
            continue
        if not isinstance(t, torch.Tensor):
            assert o == t, path
            continue
        assert isinstance(o, netgrad.Tensor), path
        assert str(o.dtype).split(".")[1] == str(t.dtype).split(".")[1], f"{path}: {o.dtype} vs {t.dtype}"
        assert tuple(o.shape) == tuple(t.shape), f"{path}: {tuple(o.shape)} vs {tuple(t.shape)}"
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=path)
        if t.requires_grad:
            w = weights.normal(size=tuple(t.shape))
            total_ours.append((o * netgrad.tensor(w)).sum())
            total_theirs.append((t * torch.tensor(w)).sum())
    if total_theirs:
        sum(total_ours).backward()
        sum(total_theirs).backward()
        for i, (o, t) in enumerate(zip(ours_in, theirs_in)):
            if t.grad is not None:
                np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12,
                                           err_msg=f"gradient of input {i}")


def test_floor_division_has_no_derivative_like_torch():
    for L in (netgrad, torch):
        a = L.tensor([5.0, -3.0], requires_grad=True)
        out = a // 2
        assert out.requires_grad and out.tolist() == [2.0, -2.0]
        with pytest.raises(RuntimeError, match="derivative for .*floor_divide is not implemented"):
            out.sum().backward()


def test_in_place_versions_match_torch():
    results = []
    for L in (netgrad, torch):
        a = L.tensor(A, requires_grad=True)
        b = a * 1
        b.masked_fill_(L.tensor(MASK), 0.0).scatter_(1, L.tensor(IDX[:, :1]), 2.0)
        b.index_add_(0, L.tensor([2, 0]), a[:2] * 3).scatter_add_(0, L.tensor(IDX[:1] % 3), a[1:2])
        b.index_fill_(1, L.tensor([3]), -1.0)
        c = b.unsqueeze(0)
        c.squeeze_(0).t_().transpose_(0, 1).unsqueeze_(-1)
        (c * L.tensor(S[:3, :, None])).sum().backward()
        results.append((c.detach().numpy().copy(), a.grad.numpy().copy(), tuple(c.shape)))
    (c_ours, g_ours, s_ours), (c_theirs, g_theirs, s_theirs) = results
    assert s_ours == s_theirs
    np.testing.assert_allclose(c_ours, c_theirs, rtol=1e-10)
    np.testing.assert_allclose(g_ours, g_theirs, rtol=1e-10)


def test_memory_queries_match_torch():
    for make in (lambda L: L.zeros(2, 3, 4), lambda L: L.zeros(2, 3, 4).transpose(0, 2),
                 lambda L: L.zeros(5, dtype=L.int64), lambda L: L.zeros(3, 4)[:, 1:3]):
        o, t = make(netgrad), make(torch)
        assert o.stride() == t.stride() and o.stride(-1) == t.stride(-1)
        assert o.is_contiguous() == t.is_contiguous()
        assert (o.element_size(), o.itemsize, o.nbytes, o.ndimension(), o.nelement()) == \
            (t.element_size(), t.itemsize, t.nbytes, t.ndimension(), t.nelement())


# edge cases: one expression each, the same result (shape, dtype, values) or the same error (type, message)
EDGES = [
    'L.tensor(3.).sort()',
    'L.tensor([1.,2]).topk(0)',
    'L.arange(2).chunk(3)',
    'L.arange(5).split(0)',
    'L.arange(0).chunk(2)',
    'L.tensor([2.,1,2,np.nan]).unique()',
    'L.tensor([4.,1,3,2]).median()',
    'L.tensor([True,False]) ^ L.tensor([True,True])',
    'L.tensor([1.,2]).cumsum(0, dtype=L.float64)',
    'L.arange(7).tensor_split(L.tensor([1,5]))',
    'L.tensor(5.).unbind() if False else L.tensor([[1,2]]).unbind(1)',
    'L.tensor([[1,2],[3,4]]).flip(0,1)',
    'L.tensor([1.,np.nan,3]).nanmean()',
    'L.tensor([[1.,np.nan]]).nansum(1)',
    'L.tensor([1,2,3]).diff(prepend=L.tensor([0]))',
    'L.tensor([3., 1.]).sort(descending=True, stable=True)',
    'L.tensor([1, 2]).new_tensor([1.5])',
    'L.zeros(2, 3).new_zeros((1,))',
    'L.tensor([0, 1]).bitwise_not()',
    'L.tensor([True, False]).bitwise_not()',
    'L.tensor([1,2,3]).cumprod(0)',
    'L.tensor([1.,2]).roll(1)',
    'L.tensor([[1,2,3]]).repeat_interleave(L.tensor([2]), dim=0)',
    'L.tensor([5,-5]) % 3',
    'L.tensor([5.,-5.]) % -3',
    'L.tensor([5, -5]) // 3',
    'L.tensor([1,2]).remainder(1.5)',
    'L.tensor([7]) // 2.0',
    'L.arange(6).reshape(2,3).T.stride()',
    'L.arange(6).reshape(2,3)[:, ::2].stride()',
    "L.einsum('ii->i', L.eye(2))",
    "L.einsum('i,i', L.tensor([1.,2]), L.tensor([3.,4]))",
    'L.tensordot(L.ones(2,3), L.ones(3,2), dims=0).shape',
    'L.kron(L.tensor([1,2]), L.tensor([[1,1]]))',
    'L.tensor([[1,2],[3,4]]).diag()',
    'L.tensor([1,2]).diag()',
    'L.ones(2,3).tril(5)',
    'L.ones(2,3).triu(-5)',
    'L.tensor([1,2,3]).unfold(0, 2, 1)',
    'L.tensor([1.,2]).outer(L.tensor([1,2]))',
    'L.tensor([1, 1, 2]).mode()',
    'L.arange(4).reshape(2,2).count_nonzero(0)',
    'L.tensor([[3., 1.], [1., 3.]]).median(dim=1)',
    'L.tensor([1,2,3]).take(L.tensor([-1]))',
    'L.tensor([[1,2],[3,4]]).gather(1, L.tensor([[-1],[0]]))',
    'L.zeros(3).scatter_(0, L.tensor([1]), L.tensor([5.]))',
    "L.zeros(3).scatter(0, L.tensor([1, 1]), 2.0, reduce='add')",
    'L.tensor([1.,2.]).masked_fill(L.tensor(True), 0)',
    'L.tensor([[1.,2.]]).masked_fill(L.tensor([True, False]), L.tensor(9.))',
    'L.searchsorted(L.tensor([1, 3]), 2)',
    'L.bucketize(2.5, L.tensor([1, 3]))',
    'L.tensor([3, 1]).argsort(descending=True)',
    'L.tensor([[1, 2]]).movedim(0, 1)',
    'L.ones(2, 3, 4).movedim((0, 1), (-1, -2)).shape',
    'L.ones(6).unflatten(0, (2, -1)).shape',
    'L.ones(2, 3).swapaxes(0, 1).shape',
    'L.vstack([L.tensor(1), L.tensor(2)])',
    'L.hstack([L.tensor(1), L.tensor(2)])',
    'L.column_stack([L.tensor(1), L.tensor(2)])',
    'L.cartesian_prod(L.tensor([1, 2]))',
    'L.aminmax(L.tensor([1, 5, 3]))',
    'L.tensor([1, 5, 3]).unique(sorted=False)',
    'L.tensor([1.5]).int().bincount() if False else L.tensor([], dtype=L.int64).bincount()',
    'L.tensor([[1, 2], [3, 4]]).trace()',
    'L.tensor([1, 2]).nelement()',
    'L.tensor([1., 2]).logical_not()',
    'L.logical_and(L.tensor([1, 0]), L.tensor([2., 0]))',
    'L.tensor([6, 3]) & 3',
    'L.tensor([1, 2]) << 2',
    "L.arange(5).split(0)",
    "L.arange(0).chunk(2)",
    "L.tensor([[1, 2], [3, 4]]).gather(1, L.tensor([[-1], [0]]))",
    "L.tensor([1., np.nan, 3, 2]).nanmedian()",
    "L.tensor([[1., np.nan, 3, 2], [5, 4, np.nan, 1]]).nanmedian(1)",
    "L.tensor([[1., np.nan], [3, 2]]).nanmedian(0, keepdim=True)",
    "L.tensor([np.nan, np.nan]).nanmedian()",
    "L.tensor(2.).nonzero()",
    "L.flip(L.tensor([[1, 2], [3, 4]]), dims=(0,))",
    "L.tensor([[1, 2], [3, 4]]).flip(dims=[1])",
    "L.tile(L.tensor([1, 2]), dims=(2, 1))",
    "L.tensor([1, 2]).tile((3,))",
    "L.tensor(0.).nonzero()",
    "L.tensor([[1, 0], [1, 1]]).unique(dim=1, return_inverse=True)",
]


def _outcome(expression, L):
    try:
        result = eval(expression, {"L": L, "np": np})
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    items = result if isinstance(result, tuple) else (result,)
    return [(tuple(x.shape), str(x.dtype).split(".")[-1], x.tolist()) if hasattr(x, "shape") else x for x in items]


@pytest.mark.parametrize("expression", EDGES)
def test_edge_cases_match_torch(expression):
    assert repr(_outcome(expression, netgrad)) == repr(_outcome(expression, torch))  # repr: nan equals nan
