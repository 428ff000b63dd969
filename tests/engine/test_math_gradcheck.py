"""Pointwise maths, statistics and linear algebra against central differences (float64), including batches of
matrices and broadcasting; values against closed forms and NumPy."""
import math

import numpy as np
import pytest

import netgrad
from netgrad import gradcheck


def t(*shape, low=-2.0, high=2.0, seed=0):
    rng = np.random.default_rng(seed + 7 * sum(shape))
    return netgrad.tensor(rng.uniform(low, high, size=shape), dtype=netgrad.float64, requires_grad=True)


def spd(*batch, n=3, seed=0):
    a = np.random.default_rng(seed).normal(size=batch + (n, n))
    return netgrad.tensor(a @ np.swapaxes(a, -1, -2) + n * np.eye(n), requires_grad=True)


def sym(a):
    return (a + a.mT) / 2


def fixed_sign(v):
    """Vectors up to sign: the largest-magnitude entry of each column made positive (a constant factor)."""
    values = v.detach().cpu().numpy()
    index = np.abs(values).argmax(-2)[..., None, :]
    return v * netgrad.tensor(np.sign(np.take_along_axis(values, index, -2)), device=v.device)


L = netgrad.linalg
CASES = {
    "log1p": (lambda a: a.log1p(), lambda: (t(3, 4, low=-0.9),)),
    "expm1": (lambda a: netgrad.expm1(a), lambda: (t(3, 4),)),
    "log2 log10": (lambda a: a.log2() + netgrad.log10(a), lambda: (t(3, 4, low=0.2),)),
    "exp2": (lambda a: a.exp2(), lambda: (t(5),)),
    "rsqrt reciprocal": (lambda a: a.rsqrt() + a.reciprocal(), lambda: (t(5, low=0.3),)),
    "erf erfc": (lambda a: a.erf() + a.erfc() * 3, lambda: (t(2, 5, low=-3, high=3),)),
    "erfinv": (lambda a: a.erfinv(), lambda: (t(6, low=-0.95, high=0.95),)),
    "tan": (lambda a: a.tan(), lambda: (t(4, low=-1.2, high=1.2),)),
    "asin acos": (lambda a: a.asin() + 2 * a.acos(), lambda: (t(5, low=-0.9, high=0.9),)),
    "atan": (lambda a: a.atan(), lambda: (t(5),)),
    "sinh cosh asinh": (lambda a: a.sinh() + a.cosh() + a.asinh(), lambda: (t(2, 3),)),
    "acosh": (lambda a: a.acosh(), lambda: (t(5, low=1.2, high=4),)),
    "atanh": (lambda a: a.atanh(), lambda: (t(5, low=-0.9, high=0.9),)),
    "sinc": (lambda a: a.sinc(), lambda: (t(7, low=-3, high=3),)),
    "atan2 broadcast": (lambda a, b: netgrad.atan2(a, b), lambda: (t(3, 4), t(4, seed=1))),
    "hypot broadcast": (lambda a, b: a.hypot(b), lambda: (t(3, 1), t(1, 4, seed=1))),
    "fmod": (lambda a, b: a.fmod(b), lambda: (t(3, 4, low=-5, high=5), t(4, low=0.7, high=1.3, seed=2))),
    "logaddexp": (lambda a, b: a.logaddexp(b) + a.logaddexp2(b), lambda: (t(3, 4), t(4, seed=1))),
    "xlogy": (lambda a, b: a.xlogy(b), lambda: (t(3, 4), t(3, 4, low=0.2, seed=1))),
    "float_power": (lambda a, b: a.float_power(b), lambda: (t(3, low=0.3), t(3, seed=1))),
    "frac": (lambda a: a.frac(), lambda: (t(6, low=-3.3, high=3.3),)),
    "deg2rad rad2deg": (lambda a: a.deg2rad() * a.rad2deg(), lambda: (t(4),)),
    "lerp tensor weight": (lambda a, b, w: a.lerp(b, w), lambda: (t(3, 4), t(4, seed=1), t(3, 1, seed=2))),
    "addcmul addcdiv": (lambda a, b, c: a.addcmul(b, c, value=0.5) + a.addcdiv(b, c, value=-2),
                        lambda: (t(3, 4), t(4, seed=1), t(3, 1, low=0.5, seed=2))),
    "nan_to_num finite": (lambda a: a.nan_to_num(), lambda: (t(3, 4),)),
    "clamp_min clamp_max": (lambda a: a.clamp_min(-0.5) + a.clamp_max(0.5), lambda: (t(3, 4),)),
    "cov": (lambda a: a.cov() + a.cov(correction=0), lambda: (t(3, 6),)),
    "cov aweights": (lambda a, w: a.cov(aweights=w), lambda: (t(3, 6), t(6, low=0.5, seed=1))),
    "corrcoef": (lambda a: a.corrcoef(), lambda: (t(3, 6),)),
    "quantile": (lambda a: a.quantile(netgrad.tensor([0.1, 0.5, 0.9], dtype=netgrad.float64), dim=1),
                 lambda: (t(3, 7),)),
    "quantile all keepdim": (lambda a: a.quantile(0.37, keepdim=True), lambda: (t(3, 5),)),
    "nanquantile": (lambda a: a.nanquantile(0.4, dim=0), lambda: (t(5, 3),)),
    "cdist": (lambda a, b: netgrad.cdist(a, b) + netgrad.cdist(a, b, p=1.5), lambda: (t(2, 3, 4), t(2, 5, 4, seed=1))),
    "trapezoid": (lambda y, x: netgrad.trapezoid(y, x) + netgrad.trapezoid(y, dx=0.3, dim=0).sum(),
                  lambda: (t(3, 4), t(4, seed=1))),
    "vander": (lambda a: netgrad.vander(a, N=4), lambda: (t(3),)),
    "vector_norm p": (lambda a: L.vector_norm(a, 3.0, dim=1) + L.vector_norm(a, 1, dim=1) + L.vector_norm(a, dim=1),
                      lambda: (t(3, 4),)),
    "vector_norm inf": (lambda a: L.vector_norm(a, math.inf, dim=(0, 2)), lambda: (t(2, 3, 4),)),
    "matrix_norm": (lambda a: L.matrix_norm(a) + L.matrix_norm(a, "nuc") + L.matrix_norm(a, 2) + L.matrix_norm(a, 1)
                    + L.matrix_norm(a, -math.inf), lambda: (t(2, 3, 4),)),
    "inv batched": (lambda a: L.inv(a), lambda: (spd(2),)),
    "det batched": (lambda a: L.det(a), lambda: (t(2, 3, 3),)),
    "slogdet": (lambda a: L.slogdet(a).logabsdet, lambda: (t(2, 3, 3),)),
    "solve matrix": (lambda a, b: L.solve(a, b), lambda: (spd(2), t(2, 3, 2, seed=1))),
    "solve vector broadcast": (lambda a, b: L.solve(a, b), lambda: (spd(2), t(3, seed=1))),
    "cholesky": (lambda a: L.cholesky(sym(a)), lambda: (spd(2),)),
    "qr tall": (lambda a: L.qr(a).Q.sum(-1) + L.qr(a).R.sum(-1).sum(-1, keepdim=True), lambda: (t(2, 5, 3),)),
    "eigh": (lambda a: L.eigh(sym(a)).eigenvalues.sum(-1)[..., None, None] * fixed_sign(L.eigh(sym(a)).eigenvectors),
             lambda: (t(2, 3, 3),)),
    "eigvalsh": (lambda a: L.eigvalsh(sym(a)), lambda: (t(4, 4),)),
    "svd": (lambda a: fixed_sign(L.svd(a, full_matrices=False).U).sum(-1)
            + L.svd(a, full_matrices=False).S.sum(-1, keepdim=True)
            + fixed_sign(L.svd(a, full_matrices=False).Vh.mT).sum(), lambda: (t(2, 4, 3),)),
    "svdvals wide": (lambda a: L.svdvals(a), lambda: (t(2, 3, 5),)),
    "pinv": (lambda a: L.pinv(a), lambda: (t(4, 3),)),
    "lstsq": (lambda a, b: L.lstsq(a, b).solution, lambda: (t(5, 3), t(5, 2, seed=1))),
    "matrix_power": (lambda a: L.matrix_power(a, 3) + L.matrix_power(a, -1), lambda: (spd(2),)),
    "multi_dot": (lambda a, b, c: L.multi_dot([a, b, c]), lambda: (t(3), t(3, 4, seed=1), t(4, 2, seed=2))),
    "cross": (lambda a, b: L.cross(a, b), lambda: (t(4, 3), t(1, 3, seed=1))),
    "solve_triangular": (lambda a, b: L.solve_triangular(a, b, upper=False)
                         + L.solve_triangular(a, b, upper=True, unitriangular=True, left=False),
                         lambda: (spd(2), t(2, 3, 3, seed=1))),
    "cond": (lambda a: L.cond(a), lambda: (spd(),)),
    "fftshift": (lambda a: netgrad.fft.fftshift(a) * netgrad.fft.ifftshift(a, dim=0), lambda: (t(3, 4),)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradients_match_central_differences(name):
    fn, make = CASES[name]
    assert gradcheck(fn, make(), atol=1e-5, rtol=1e-4)


def _run(name, where):
    fn, make = CASES[name]
    inputs = [t.detach().to(where).requires_grad_() for t in make()]
    out = fn(*inputs)
    out.sum().backward()
    return [out.detach().cpu().numpy()] + [t.grad.cpu().numpy() for t in inputs]


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_table_gives_the_same_numbers_on_the_standin_device(name):
    """Every array an op makes is made on its input's device (the stand-in refuses to meet NumPy arrays)."""
    for ours, reference in zip(_run(name, "standin"), _run(name, "cpu")):
        np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-14)


def test_rounding_has_zero_gradient_and_rounds_half_to_even():
    x = netgrad.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.25], requires_grad=True)
    out = x.round() + x.floor() + x.ceil() + x.trunc()
    out.sum().backward()
    assert x.grad.numpy().tolist() == [0.0] * 7
    assert x.round().tolist() == [-2.0, -2.0, -0.0, 0.0, 2.0, 2.0, 0.0]
    # 2.675 in float32 is 2.67499995..., but x * 100 rounds to 267.5 in float32 before rounding half to even
    assert netgrad.tensor([1.2345, 2.675]).round(decimals=2).tolist() == pytest.approx([1.23, 2.68], abs=1e-6)
    assert netgrad.tensor([125.0, 135.0]).round(decimals=-1).tolist() == [120.0, 140.0]


def test_erf_family_matches_closed_forms():
    x = np.linspace(-3, 3, 13)
    ours = netgrad.tensor(x, dtype=netgrad.float64)
    np.testing.assert_allclose(ours.erf().numpy(), [math.erf(v) for v in x], rtol=1e-15, atol=1e-16)
    np.testing.assert_allclose(ours.erfc().numpy(), [math.erfc(v) for v in x], rtol=1e-12, atol=1e-16)
    y = np.linspace(-0.999, 0.999, 21)
    back = netgrad.tensor(y, dtype=netgrad.float64).erfinv().numpy()
    np.testing.assert_allclose([math.erf(v) for v in back], y, rtol=1e-14, atol=1e-15)
    assert netgrad.tensor([1.0, -1.0, 2.0]).erfinv().tolist()[:2] == [math.inf, -math.inf]
    assert math.isnan(netgrad.tensor([2.0]).erfinv().item())


def test_linalg_values_against_definitions():
    a = spd(2, n=4)._data
    assert np.allclose(L.inv(netgrad.tensor(a)).numpy() @ a, np.eye(4))
    lower = L.cholesky(netgrad.tensor(a)).numpy()
    assert np.allclose(lower @ np.swapaxes(lower, -1, -2), a) and np.allclose(np.triu(lower, 1), 0)
    w, q = L.eigh(netgrad.tensor(a))
    assert np.allclose(q.numpy() @ (w.numpy()[..., None] * np.swapaxes(q.numpy(), -1, -2)), a)
    m = np.random.default_rng(3).normal(size=(5, 3))
    u, s, vh = L.svd(netgrad.tensor(m))
    assert u.shape == (5, 5) and vh.shape == (3, 3)
    q, r = L.qr(netgrad.tensor(m))
    assert np.allclose(q.numpy() @ r.numpy(), m) and np.allclose(q.numpy().T @ q.numpy(), np.eye(3))
    assert L.matrix_rank(netgrad.tensor(np.outer([1.0, 2, 3], [1.0, 1, 0]))).item() == 1
    assert np.allclose(L.pinv(netgrad.tensor(m)).numpy() @ m, np.eye(3))
    assert L.det(netgrad.tensor([[2.0, 1.0], [1.0, 3.0]])).item() == pytest.approx(5.0)
    assert L.cross(netgrad.tensor([1.0, 0, 0]), netgrad.tensor([0.0, 1, 0])).tolist() == [0.0, 0.0, 1.0]


def test_decomposition_errors_name_the_problem():
    with pytest.raises(L.LinAlgError, match="singular"):
        L.inv(netgrad.zeros(2, 2))
    with pytest.raises(L.LinAlgError, match="positive-definite"):
        L.cholesky(-netgrad.eye(2))
    with pytest.raises(RuntimeError, match="square"):
        L.det(netgrad.zeros(2, 3))
    with pytest.raises(NotImplementedError, match="no complex tensors"):
        netgrad.fft.rfft(netgrad.ones(4))


def test_quantile_matches_numpy_for_every_interpolation():
    data = np.random.default_rng(4).normal(size=(4, 9))
    x = netgrad.tensor(data)
    for method in ("linear", "lower", "higher", "midpoint", "nearest"):
        np.testing.assert_allclose(x.quantile(0.3, dim=1, interpolation=method).numpy(),
                                   np.quantile(data, 0.3, axis=1, method=method), rtol=1e-6)
    data[0, 2] = np.nan
    np.testing.assert_allclose(netgrad.tensor(data).nanquantile(0.6, dim=1).numpy(),
                               np.nanquantile(data, 0.6, axis=1), rtol=1e-6)
    assert np.isnan(netgrad.tensor(data).quantile(0.6, dim=1).numpy()[0])


def test_histc_counts_match_numpy():
    data = np.random.default_rng(5).normal(size=100).astype(np.float32)
    counts = netgrad.tensor(data).histc(bins=7, min=-1, max=1)
    inside = data[(data >= -1) & (data <= 1)]
    assert counts.numpy().tolist() == np.histogram(inside, 7, range=(-1, 1))[0].astype(np.float32).tolist()
    assert counts.dtype == netgrad.float32
