"""Pointwise maths, statistics, linear algebra and FFT helpers against PyTorch: values, dtypes and gradients."""
import math

import numpy as np
import pytest

import netgrad

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

rng = np.random.default_rng(0)
X = rng.normal(size=(3, 4))
Y = rng.normal(size=(4,))
P = rng.uniform(0.2, 2.0, size=(3, 4))       # positive
U = rng.uniform(-0.9, 0.9, size=(3, 4))      # inside (-1, 1)
BIG = rng.uniform(1.1, 3.0, size=(3, 4))     # above 1
SQ = rng.normal(size=(2, 3, 3))
SPD = SQ @ np.swapaxes(SQ, -1, -2) + 3 * np.eye(3)
SYM = SQ + np.swapaxes(SQ, -1, -2)
TALL = rng.normal(size=(2, 5, 3))
WIDE = rng.normal(size=(4, 6))
V3 = rng.normal(size=(4, 3))
W3 = rng.normal(size=(3,))
Z = np.array([[-2.5, -1.5, -0.5, 0.0], [0.5, 1.5, 2.5, 3.7], [-3.7, 1.25, -1.25, 0.3]])


def _sym(L, a):
    return (a + a.transpose(-2, -1)) / 2


def _sign_fixed(v):
    """Eigen/singular vectors up to sign: make the largest-magnitude entry of each column positive."""
    index = v.abs().argmax(-2, keepdim=True)
    take = torch.take_along_dim if hasattr(v, "grad_fn") and isinstance(v, torch.Tensor) else None
    if take is not None:
        sign = take(v, index, -2).sign()
    else:
        sign = netgrad.tensor(np.sign(np.take_along_axis(v.detach().numpy(), index.numpy(), -2)))
    return v * sign


# name -> (function of (library, *tensors), arrays); every array is a float64 tensor that requires grad
CASES = {
    "log1p expm1": (lambda L, a, p: L.log1p(p) + L.expm1(a) + a.log1p().abs(), (U, P)),
    "log2 log10 exp2": (lambda L, a, p: L.log2(p) + L.log10(p) + L.exp2(a), (X, P)),
    "erf erfc erfinv": (lambda L, a, u: L.erf(a) + L.erfc(a) * 2 + L.erfinv(u), (X, U)),
    "trig inverses": (lambda L, a, u: L.tan(u) + L.asin(u) + L.acos(u) + L.atan(a) + L.arctan(a), (X, U)),
    "hyperbolic": (lambda L, a, u, b: L.sinh(a) + L.cosh(a) + L.asinh(a) + L.acosh(b) + L.atanh(u),
                   (X, U, BIG)),
    "atan2 hypot": (lambda L, a, b: L.atan2(a, b) + L.arctan2(b, a) + L.hypot(a, b), (X, Y)),
    "fmod": (lambda L, a, p: L.fmod(a * 3, p) + a.fmod(0.7), (X, P)),
    "logaddexp": (lambda L, a, b: L.logaddexp(a, b) + L.logaddexp2(a * 30, b), (X, Y)),
    "xlogy": (lambda L, a, p: L.xlogy(a, p) + L.xlogy(a * (a > 0), p), (X, P)),
    "float_power": (lambda L, p, a: L.float_power(p, a) + L.float_power(p, 2), (P, X)),
    "rsqrt reciprocal": (lambda L, p: L.rsqrt(p) + L.reciprocal(p) + p.rsqrt(), (P,)),
    "sinc": (lambda L, a: L.sinc(a) + L.sinc(a * 0), (X,)),
    "degrees": (lambda L, a: L.deg2rad(a) + L.rad2deg(a), (X,)),
    "rounding": (lambda L, z: L.floor(z) + L.ceil(z) + L.trunc(z) + L.round(z) + z.round(decimals=1) + L.frac(z)
                 + L.fix(z) + z, (Z,)),
    "lerp": (lambda L, a, b, p: L.lerp(a, b, 0.3) + L.lerp(a, b, p), (X, Y, P)),
    "addcmul addcdiv": (lambda L, a, b, p: L.addcmul(a, b, p, value=0.5) + L.addcdiv(a, b, p, value=2), (X, Y, P)),
    "clamp_min clamp_max": (lambda L, a: L.clamp_min(a, -0.3) + L.clamp_max(a, 0.4) + a.clamp_min(0.1), (X,)),
    "nan_to_num": (lambda L, a: L.nan_to_num(L.log(a)) + L.nan_to_num(1 / (a * (a > 0)), posinf=5.0), (X,)),
    "cov corrcoef": (lambda L, a, p: L.cov(a) + L.corrcoef(a) + L.cov(a, correction=0) + a.cov(aweights=p[0])
                     + L.cov(a, fweights=L.tensor([1, 2, 3, 1])), (X, P)),
    "quantile": (lambda L, a: L.quantile(a, 0.3) + L.quantile(a, L.tensor([0.25, 0.5, 1.0], dtype=L.float64), dim=1,
                                                                 keepdim=True).sum(0).sum(), (X,)),
    "quantile modes": (lambda L, a: sum(a.quantile(0.35, dim=0, interpolation=m)
                                        for m in ("linear", "lower", "higher", "midpoint", "nearest")), (X,)),
    "nanquantile": (lambda L, a: L.nanquantile(L.where(a > 1, L.tensor(math.nan, dtype=L.float64), a), 0.6, dim=1),
                    (X,)),
    "cdist": (lambda L, a, v: L.cdist(a, v[:3]) + L.cdist(a, v[:3], p=1) + L.cdist(a, v[:3], p=3)
              + L.cdist(a, v[:3], p=math.inf), (X, rng.normal(size=(5, 4)))),
    "trapezoid": (lambda L, a, b: L.trapezoid(a) + L.trapezoid(a, dx=0.5) + L.trapezoid(a, b), (X, np.sort(P[0]))),
    "vector_norm": (lambda L, a: L.linalg.vector_norm(a) + L.linalg.vector_norm(a, 1, dim=1).sum()
                    + L.linalg.vector_norm(a, math.inf, dim=0).sum() + L.linalg.vector_norm(a, 3.5)
                    + L.linalg.vector_norm(a, -math.inf) + L.linalg.vector_norm(a, 0), (X,)),
    "matrix_norm": (lambda L, m: sum(L.linalg.matrix_norm(m, o).sum() for o in ("fro", "nuc", 1, -1, 2, -2,
                                                                                  math.inf, -math.inf)), (SQ,)),
    "norm": (lambda L, a, m: L.linalg.norm(a) + L.linalg.norm(a, dim=1).sum() + L.linalg.norm(m, dim=(1, 2)).sum()
             + L.linalg.norm(a, ord=2) + L.linalg.norm(a[0], ord=3), (X, SQ)),
    "inv det": (lambda L, m: L.linalg.inv(m) + L.linalg.det(m)[:, None, None] + L.inverse(m) + m.det().sum(), (SQ,)),
    "slogdet logdet": (lambda L, m, s: L.linalg.slogdet(m).logabsdet * L.linalg.slogdet(m).sign + L.logdet(s),
                       (SQ, SPD)),
    "solve": (lambda L, m, b: L.linalg.solve(m, b).sum() + L.linalg.solve(m, b[..., 0]).sum()
              + L.linalg.solve(m, b, left=False).sum(), (SQ, SQ[::-1].copy())),
    "cholesky": (lambda L, s: L.linalg.cholesky(_sym(L, s)) + L.linalg.cholesky(_sym(L, s), upper=True), (SPD,)),
    "qr": (lambda L, t: L.linalg.qr(t).Q.sum(-1) * 2 + L.linalg.qr(t).R.sum(-2).sum(-1, keepdim=True), (TALL,)),
    "eigh": (lambda L, s: L.linalg.eigh(_sym(L, s)).eigenvalues.sum() + L.linalg.eigvalsh(_sym(L, s))
             + _sign_fixed(L.linalg.eigh(_sym(L, s)).eigenvectors).sum(-1), (SYM,)),
    "svd": (lambda L, t: L.linalg.svdvals(t) + L.linalg.svd(t, full_matrices=False).S
            + (_sign_fixed(L.linalg.svd(t, full_matrices=False).U) ** 2).sum(-1)[..., :3]
            + (_sign_fixed(L.linalg.svd(t, full_matrices=False).Vh.mT)).sum(-1), (TALL,)),
    "pinv lstsq": (lambda L, t, w: L.linalg.pinv(t).sum() + L.linalg.pinv(w).sum()
                   + L.linalg.lstsq(t, t[..., :2]).solution.sum(), (TALL, WIDE)),
    "matrix_power": (lambda L, m: L.linalg.matrix_power(m, 3) + L.linalg.matrix_power(m, -2)
                     + L.linalg.matrix_power(m, 0) + m.matrix_power(1), (SQ,)),
    "multi_dot cross": (lambda L, v, w, a: L.linalg.multi_dot([w, v.T, v, w]) + L.linalg.cross(v, w[None]).sum()
                        + L.cross(v, w[None].expand(4, 3), dim=1).sum() + L.linalg.multi_dot([a, a.T]).sum(),
                        (V3, W3, X)),
    "solve_triangular": (lambda L, m, b: L.linalg.solve_triangular(m, b, upper=True)
                         + L.linalg.solve_triangular(m, b, upper=False, unitriangular=True)
                         + L.linalg.solve_triangular(m, b, upper=False, left=False), (SPD, SQ)),
    "vecdot inv_ex cholesky_ex": (lambda L, m, s: L.linalg.vecdot(m, s) + L.linalg.inv_ex(s).inverse.sum(-1)
                                  + L.linalg.cholesky_ex(_sym(L, s)).L.sum(-1)
                                  + (L.linalg.inv_ex(s).info + L.linalg.cholesky_ex(s).info)[:, None], (SQ, SPD)),
    "cond": (lambda L, m: L.linalg.cond(m) + L.linalg.cond(m, -2), (SQ,)),
    "in place": (lambda L, a, u, p: (u * 1).log1p_() + (a * 1).expm1_() + (a * 1).erf_() + (u * 1).erfinv_()
                 + (u * 1).tan_() + (a * 1).atan_() + (a * 1).sinh_() + (a * 1).cosh_() + (a * 3).floor_()
                 + (a * 3).ceil_() + (a * 3).trunc_() + (a * 3).round_(decimals=1) + (p * 1).clamp_min_(1.0)
                 + (p * 1).clamp_max_(1.0) + (a * 1).lerp_(p, 0.3) + (a * 1).atan2_(p) + (a * 3).fmod_(p)
                 + (a * 1).hypot_(p), (X, U, P)),
    "fftshift": (lambda L, a: L.fft.fftshift(a) * L.fft.ifftshift(a, dim=1) + L.fft.fftshift(a, dim=(0,)), (X,)),
}


def _to(lib, arrays):
    return [(netgrad.tensor if lib is netgrad else torch.tensor)(a, dtype=lib.float64, requires_grad=True)
            for a in arrays]


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_torch(name):
    fn, arrays = CASES[name]
    ours, theirs = _to(netgrad, arrays), _to(torch, arrays)
    out_ours, out_theirs = fn(netgrad, *ours), fn(torch, *theirs)
    np.testing.assert_allclose(out_ours.detach().numpy(), out_theirs.detach().numpy(), rtol=1e-8, atol=1e-10)
    assert str(out_ours.dtype).split(".")[1] == str(out_theirs.dtype).split(".")[1]
    weights = np.random.default_rng(1).normal(size=out_theirs.shape)
    (out_ours * netgrad.tensor(weights)).sum().backward()
    (out_theirs * torch.tensor(weights)).sum().backward()
    for o, t in zip(ours, theirs):
        expected = np.zeros(t.shape) if t.grad is None else t.grad.numpy()
        got = np.zeros(o.shape) if o.grad is None else o.grad.numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


INT = np.array([[1, 2, 3], [0, -4, 5]])
BOOL = np.array([True, False, True])

# name -> function of (library, int tensor, bool tensor, float32 tensor): the result's dtype must match PyTorch's
DTYPES = {
    "unary int": lambda L, i, b, f: [g(i) for g in (L.log1p, L.expm1, L.log2, L.log10, L.exp2, L.erf, L.erfc,
                                                    L.rsqrt, L.reciprocal, L.sinh, L.atan, L.sinc, L.deg2rad,
                                                    L.rad2deg, L.tan)],
    "unary bool": lambda L, i, b, f: [g(b) for g in (L.log1p, L.erf, L.exp2, L.sinc, L.atan, L.rsqrt)],
    "rounding": lambda L, i, b, f: [L.floor(i), L.ceil(i), L.round(i), L.trunc(i), L.floor(f), L.round(f, decimals=2)],
    "binary": lambda L, i, b, f: [L.atan2(i, i), L.atan2(i, f[0]), L.xlogy(i, i), L.xlogy(f[0], i), L.fmod(i, 2),
                                  L.fmod(i, 2.5), L.fmod(f, 2)],
    "float_power": lambda L, i, b, f: [L.float_power(i, 2), L.float_power(f, 2), L.float_power(f, i[0])],
    "predicates": lambda L, i, b, f: [L.signbit(i), L.signbit(f), L.isclose(f, f), L.isclose(i, i),
                                      L.heaviside(i, L.tensor([0])), L.heaviside(f, L.tensor([0.5]))],
    "conversions": lambda L, i, b, f: [i.byte(), i.char(), i.short(), f.short(), f.real, L.conj(i)],
    "statistics": lambda L, i, b, f: [L.cov(f), L.corrcoef(f), L.quantile(f, 0.5), L.histc(f, 4), L.vander(i[0]),
                                      L.trapezoid(i), L.trapezoid(f)],
    "factories": lambda L, i, b, f: [L.logspace(0, 2, 3), L.logspace(0, 2, 3, dtype=L.float64), L.fft.fftfreq(5),
                                     L.fft.rfftfreq(6, 0.1)],
    "linalg float32": lambda L, i, b, f: [L.linalg.det(f @ f.T), L.linalg.inv(f @ f.T), L.linalg.norm(f),
                                          L.linalg.matrix_rank(f), L.linalg.svdvals(f)],
    "random": lambda L, i, b, f: [L.bernoulli(f.abs().clamp(max=1)), L.multinomial(f.abs(), 2),
                                  L.poisson(f.abs()), f.clone().random_(), f.clone().exponential_(),
                                  f.clone().geometric_(0.5), f.clone().cauchy_(), f.clone().log_normal_(),
                                  f.clone().bernoulli_(0.3), i.clone().random_(0, 5)],
}


@pytest.mark.parametrize("name", sorted(DTYPES))
def test_dtypes_match_torch(name):
    f32 = rng.normal(size=(2, 3)).astype(np.float32)
    ours = DTYPES[name](netgrad, netgrad.tensor(INT), netgrad.tensor(BOOL), netgrad.tensor(f32))
    theirs = DTYPES[name](torch, torch.tensor(INT), torch.tensor(BOOL), torch.tensor(f32))
    for k, (o, t) in enumerate(zip(ours, theirs)):
        assert str(o.dtype).split(".")[1] == str(t.dtype).split(".")[1], (k, o.dtype, t.dtype)
        assert tuple(o.shape) == tuple(t.shape), (k, o.shape, t.shape)
        if name not in ("random",):
            np.testing.assert_allclose(np.asarray(o.tolist(), dtype=float), np.asarray(t.tolist(), dtype=float),
                                       rtol=1e-6, atol=1e-6, err_msg=f"{name}[{k}]")


ERRORS = {
    "frac int": lambda L: L.frac(L.tensor([1, 2])),
    "floor bool": lambda L: L.floor(L.tensor([True])),
    "logaddexp int": lambda L: L.logaddexp(L.tensor([1]), L.tensor([2])),
    "histc int": lambda L: L.histc(L.tensor([1, 2])),
    "imag": lambda L: L.ones(2).imag,
    "multinomial too many": lambda L: L.multinomial(L.tensor([1.0, 2.0]), 3),
    "multinomial negative": lambda L: L.multinomial(L.tensor([1.0, -2.0]), 1),
    "bernoulli p": lambda L: L.bernoulli(L.tensor([2.0])),
    "geometric p": lambda L: L.ones(2).geometric_(0),
    "exponential int": lambda L: L.tensor([1, 2]).exponential_(),
    "inv singular": lambda L: L.linalg.inv(L.zeros(2, 2)),
    "inv not square": lambda L: L.linalg.inv(L.zeros(2, 3)),
    "cholesky not pd": lambda L: L.linalg.cholesky(-L.eye(2)),
    "norm 3d ord": lambda L: L.linalg.norm(L.ones(2, 3, 4), ord=2),
    "qr mode": lambda L: L.linalg.qr(L.ones(2, 2), mode="full"),
    "cross size": lambda L: L.linalg.cross(L.ones(2, 2), L.ones(2, 2)),
    "cdist columns": lambda L: L.cdist(L.ones(2, 3), L.ones(2, 4)),
    "quantile q range": lambda L: L.quantile(L.ones(3), 1.5),
    "quantile int": lambda L: L.quantile(L.tensor([1, 2]), 0.5),
    "multi_dot one": lambda L: L.linalg.multi_dot([L.ones(2, 2)]),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    with pytest.raises(Exception) as theirs:
        ERRORS[name](torch)
    with pytest.raises(Exception) as ours:
        ERRORS[name](netgrad)
    builtin = next(c for c in type(theirs.value).__mro__ if c.__module__ == "builtins")  # LinAlgError: RuntimeError
    assert isinstance(ours.value, builtin), (ours.value, theirs.value)
