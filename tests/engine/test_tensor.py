"""Tensor creation, attributes, conversions, repr and non-differentiable ops (closed forms / NumPy)."""
import numpy as np
import pytest

import netgrad


def test_tensor_infers_dtypes_like_pytorch():
    assert netgrad.tensor([1.0, 2.0]).dtype == netgrad.float32
    assert netgrad.tensor([1, 2]).dtype == netgrad.int64
    assert netgrad.tensor([True, False]).dtype == netgrad.bool
    assert netgrad.tensor(np.array([1.0])).dtype == netgrad.float64  # arrays keep their dtype
    assert netgrad.tensor([1, 2], dtype=netgrad.float64).dtype == netgrad.float64
    assert netgrad.get_default_dtype() == netgrad.float32


def test_set_default_dtype():
    try:
        netgrad.set_default_dtype(netgrad.float64)
        assert netgrad.tensor([1.5]).dtype == netgrad.float64 and netgrad.zeros(2).dtype == netgrad.float64
    finally:
        netgrad.set_default_dtype(netgrad.float32)
    with pytest.raises(TypeError):
        netgrad.set_default_dtype(netgrad.int64)


def test_tensor_copies_and_from_numpy_shares():
    a = np.zeros(3)
    t = netgrad.tensor(a)
    s = netgrad.from_numpy(a)
    a[0] = 7
    assert t[0].item() == 0 and s[0].item() == 7


def test_factories():
    assert netgrad.zeros(2, 3).shape == (2, 3) and netgrad.zeros((2, 3)).shape == (2, 3)
    assert netgrad.ones(4).tolist() == [1.0] * 4
    assert netgrad.full((2,), 7).tolist() == [7, 7] and netgrad.full((2,), 7).dtype == netgrad.int64
    assert netgrad.full((2,), 0.5).dtype == netgrad.float32
    assert netgrad.arange(5).tolist() == [0, 1, 2, 3, 4] and netgrad.arange(5).dtype == netgrad.int64
    assert netgrad.arange(0, 1, 0.25).tolist() == [0, 0.25, 0.5, 0.75]
    assert netgrad.linspace(0, 1, 5).tolist() == [0, 0.25, 0.5, 0.75, 1.0]
    np.testing.assert_array_equal(netgrad.eye(3).numpy(), np.eye(3))
    assert netgrad.empty(2, 2).shape == (2, 2)
    x = netgrad.ones(2, 3, dtype=netgrad.float64)
    for like in (netgrad.zeros_like, netgrad.ones_like, netgrad.empty_like, netgrad.rand_like, netgrad.randn_like):
        y = like(x)
        assert y.shape == (2, 3) and y.dtype == netgrad.float64
    assert netgrad.full_like(x, 3).tolist() == [[3.0] * 3] * 2
    assert netgrad.zeros(2, requires_grad=True).requires_grad


def test_random_factories_follow_manual_seed_and_their_distributions():
    netgrad.manual_seed(42)
    a = netgrad.randn(1000)
    netgrad.manual_seed(42)
    b = netgrad.randn(1000)
    assert a.equal(b)
    big = netgrad.randn(200_000).numpy()
    assert abs(big.mean()) < 0.01 and abs(big.std() - 1) < 0.01
    u = netgrad.rand(200_000).numpy()
    assert 0 <= u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    r = netgrad.randint(3, 7, (1000,))
    assert r.dtype == netgrad.int64 and set(r.tolist()) == {3, 4, 5, 6}
    assert sorted(netgrad.randperm(10).tolist()) == list(range(10))


def test_attributes_and_conversions():
    t = netgrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert t.shape == (2, 2) and t.ndim == 2 and t.dim() == 2 and t.numel() == 4 and t.size(0) == 2
    assert t.is_leaf and t.grad is None and t.grad_fn is None and str(t.device) == "cpu"
    assert t.detach().requires_grad is False
    with pytest.raises(RuntimeError, match="detach"):
        t.numpy()
    assert t.detach().numpy() is t.detach().numpy() or np.shares_memory(t.detach().numpy(), t.data.numpy())
    assert t.double().dtype == netgrad.float64 and t.long().dtype == netgrad.int64
    assert t.float() is t and t.to(netgrad.float32) is t and t.to("cpu") is t
    assert t.sum().item() == 10.0 and t.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    c = t.clone()
    assert c.requires_grad and not c.is_leaf
    c.sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.ones((2, 2)))


def test_data_is_settable_like_pytorch():
    w = netgrad.randn(3, 4, requires_grad=True)
    w.data = netgrad.zeros(3, 4)
    assert w.sum().item() == 0 and w.requires_grad and w.is_leaf


def test_in_place_helpers():
    t = netgrad.ones(3)
    t.mul_(2).add_(1)
    assert t.tolist() == [3.0] * 3
    t.zero_()
    assert t.tolist() == [0.0] * 3
    t.fill_(5)
    t.copy_(netgrad.tensor([1.0, 2.0, 3.0]))
    assert t.tolist() == [1.0, 2.0, 3.0]
    t[0] = 9
    assert t.tolist() == [9.0, 2.0, 3.0]
    r = netgrad.ones(2, requires_grad=True)
    assert r.requires_grad_(False) is r and not r.requires_grad


def test_repr_matches_pytorch_formatting():
    assert repr(netgrad.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(netgrad.tensor([0.1, 2.5])) == "tensor([0.1000, 2.5000])"
    assert repr(netgrad.tensor([1, 2, 3])) == "tensor([1, 2, 3])"
    assert repr(netgrad.tensor([1.0], dtype=netgrad.float64)) == "tensor([1.], dtype=netgrad.float64)"
    assert repr(netgrad.tensor(3.5)) == "tensor(3.5000)"
    assert repr(netgrad.tensor([[1.0, 2.0], [3.0, 4.0]])) == "tensor([[1., 2.],\n        [3., 4.]])"
    assert repr(netgrad.tensor([True])) == "tensor([True])"
    assert repr(netgrad.tensor([1e-5, 1.0])) == "tensor([1.0000e-05, 1.0000e+00])"


def test_comparisons_argmax_and_max_with_dim():
    t = netgrad.tensor([[1.0, 5.0, 3.0], [7.0, 2.0, 2.0]])
    assert (t > 2).tolist() == [[False, True, True], [True, False, False]]
    assert (t == 2).sum().item() == 2
    assert t.argmax(1).tolist() == [1, 0] and t.argmin().item() == 0
    values, indices = t.max(dim=1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    result = t.min(0, keepdim=True)
    assert result.values.tolist() == [[1.0, 2.0, 2.0]] and result.indices.shape == (1, 3)
    assert t.max().item() == 7.0
    assert netgrad.max(t, netgrad.zeros(2, 3)).shape == (2, 3)  # elementwise form


def test_shape_ops_values_match_numpy():
    a = np.arange(24.0).reshape(2, 3, 4)
    t = netgrad.tensor(a)
    np.testing.assert_array_equal(t.transpose(0, 2).numpy(), a.transpose(2, 1, 0))
    np.testing.assert_array_equal(t.permute(1, 2, 0).numpy(), a.transpose(1, 2, 0))
    np.testing.assert_array_equal(t.flatten().numpy(), a.reshape(-1))
    np.testing.assert_array_equal(t.flatten(1).numpy(), a.reshape(2, 12))
    assert t.unsqueeze(0).shape == (1, 2, 3, 4) and t.unsqueeze(-1).shape == (2, 3, 4, 1)
    assert t.unsqueeze(1).squeeze().shape == (2, 3, 4) and t[:, :1].squeeze(1).shape == (2, 4)
    assert netgrad.ones(1, 3).expand(4, -1).shape == (4, 3)
    np.testing.assert_array_equal(netgrad.tensor([[1, 2]]).repeat(2, 2).numpy(), np.tile([[1, 2]], (2, 2)))
    np.testing.assert_array_equal(netgrad.cat([t, t], 1).numpy(), np.concatenate([a, a], 1))
    np.testing.assert_array_equal(netgrad.stack([t, t], -1).numpy(), np.stack([a, a], -1))
    np.testing.assert_array_equal(t[..., 1:3].numpy(), a[..., 1:3])
    assert t.T.shape == (4, 3, 2)


def test_reductions_values_match_numpy():
    a = np.random.default_rng(0).normal(size=(3, 4))
    t = netgrad.tensor(a)
    np.testing.assert_allclose(t.var().item(), a.var(ddof=1))
    np.testing.assert_allclose(t.std(1, unbiased=False).numpy(), a.std(1))
    np.testing.assert_allclose(t.var(0, correction=0).numpy(), a.var(0))
    np.testing.assert_allclose(t.prod(0).numpy(), a.prod(0))
    np.testing.assert_allclose(t.logsumexp(1).numpy(), np.log(np.exp(a).sum(1)))
    np.testing.assert_allclose(t.softmax(1).numpy(), np.exp(a) / np.exp(a).sum(1, keepdims=True))
    np.testing.assert_allclose(t.log_softmax(0).numpy(), a - np.log(np.exp(a).sum(0, keepdims=True)))


def test_softmax_and_logsumexp_are_stable_for_huge_logits():
    t = netgrad.tensor([[1000.0, 0.0, -1000.0]], requires_grad=True)
    assert np.isfinite(t.logsumexp(1).item()) and t.logsumexp(1).item() == pytest.approx(1000.0)
    ls = t.log_softmax(1)
    assert np.isfinite(ls.detach().numpy()[0, :2]).all()
    (t.softmax(1)[0, 0] + t.logsumexp(1).sum()).backward()
    assert np.isfinite(t.grad.numpy()).all()


def test_prod_gradient_with_zeros_is_exact():
    x = netgrad.tensor([2.0, 0.0, 3.0], requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [0.0, 6.0, 0.0]


def test_python_protocols():
    t = netgrad.tensor([1.0, 2.0, 3.0])
    assert len(t) == 3 and [x.item() for x in t] == [1.0, 2.0, 3.0]
    assert float(netgrad.tensor(2.5)) == 2.5 and int(netgrad.tensor(3)) == 3
    assert np.asarray(t).tolist() == [1.0, 2.0, 3.0]
    assert {t: 1}[t] == 1
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(t)
    assert (np.ones(3) + t).tolist() == [2.0, 3.0, 4.0]  # ndarray + Tensor -> Tensor


def test_variance_of_a_single_value_is_nan_like_pytorch():
    x = netgrad.tensor([2.0], requires_grad=True)
    with pytest.warns(RuntimeWarning, match="Degrees of freedom"):
        v = x.var()
    assert np.isnan(v.item())
    v.backward()
    assert np.isnan(x.grad.item())
    assert x.var(unbiased=False).item() == 0.0
