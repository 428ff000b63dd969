"""Matrix functions and decompositions on (batches of) matrices, forward next to backward.

The backward passes are the closed forms of the literature (Giles 2008, "Collected matrix derivative results
for forward and reverse mode AD"; Murray 2016 for Cholesky; Townsend 2016 for the SVD), for real matrices.
A decomposition with several outputs returns them packed in one array that the caller slices, so the
factorisation runs once and its backward sees every output's gradient together.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function, unbroadcast
from ..backend import array_module


class LinAlgError(RuntimeError):
    """A matrix the operation cannot work on: singular, not positive-definite, no convergence (PyTorch's
    ``torch.linalg.LinAlgError``, a ``RuntimeError``)."""


def _checked(function, *args, what: str):
    """``function(*args)``, with NumPy's LinAlgError (a ValueError) raised as netgrad's LinAlgError."""
    try:
        return function(*args)
    except np.linalg.LinAlgError as error:
        raise LinAlgError(f"{what}: {error}") from None


def _t(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _diagonal(x: np.ndarray) -> tuple:
    """The index of the diagonal of x's last two dimensions (on x's device)."""
    n = min(x.shape[-2:])
    i = array_module(x).arange(n)
    return Ellipsis, i, i


def _diag_embed(v: np.ndarray) -> np.ndarray:
    out = array_module(v).zeros(v.shape + v.shape[-1:], dtype=v.dtype)
    out[_diagonal(out)] = v
    return out


def _sym(a: np.ndarray) -> np.ndarray:
    return (a + _t(a)) / 2


class VectorNorm(Function):
    """(sum |x|^p)^(1/p) over ``axes``;  dx = g sign(x) |x|^(p-1) / norm^(p-1) (0 where norm is 0);
    p = inf / -inf: g shared by the extreme entries; p = 0 (the count of non-zeros): dx = 0."""

    @staticmethod
    def forward(ctx, x, ord, axes, keepdim):
        a = np.abs(x)
        if ord == np.inf:
            out = a.max(axis=axes, keepdims=True)
        elif ord == -np.inf:
            out = a.min(axis=axes, keepdims=True)
        elif ord == 0:
            out = (a != 0).sum(axis=axes, keepdims=True).astype(x.dtype)
        elif ord == 1:
            out = a.sum(axis=axes, keepdims=True)
        elif ord == 2:
            out = np.sqrt((x * x).sum(axis=axes, keepdims=True))
        else:
            out = (a ** ord).sum(axis=axes, keepdims=True) ** (1.0 / ord)
        ctx.x, ctx.out, ctx.ord, ctx.axes, ctx.keepdim = x, out, ord, axes, keepdim
        return out if keepdim else np.squeeze(out, axis=axes)

    @staticmethod
    def backward(ctx, g):
        x, out, ord, axes = ctx.x, ctx.out, ctx.ord, ctx.axes
        if not ctx.keepdim:
            g = np.expand_dims(g, axes)
        if ord == 0:
            return np.zeros_like(x), None, None, None
        if ord in (np.inf, -np.inf):
            hit = np.abs(x) == out
            share = hit / hit.sum(axis=axes, keepdims=True)
            return g * np.sign(x) * share, None, None, None
        if ord == 1:
            return g * np.sign(x), None, None, None
        safe = np.where(out == 0, 1, out)
        if ord == 2:
            return np.where(out == 0, 0, g * x / safe), None, None, None
        with np.errstate(divide="ignore", invalid="ignore"):
            grad = g * np.sign(x) * np.abs(x) ** (ord - 1) / safe ** (ord - 1)
        return np.where(out == 0, 0, grad), None, None, None


class Inverse(Function):
    """A^-1;  dA = -A^-T g A^-T."""

    @staticmethod
    def forward(ctx, a):
        ctx.out = _checked(np.linalg.inv, a, what="linalg.inv: the input matrix is singular, so it has no inverse")
        return ctx.out

    @staticmethod
    def backward(ctx, g):
        inv_t = _t(ctx.out)
        return -(inv_t @ g @ inv_t)


class Det(Function):
    """det A;  dA = g det(A) A^-T."""

    @staticmethod
    def forward(ctx, a):
        ctx.a = a
        ctx.out = np.linalg.det(a)
        return ctx.out

    @staticmethod
    def backward(ctx, g):
        return (g * ctx.out)[..., None, None] * _t(np.linalg.inv(ctx.a))


class LogAbsDet(Function):
    """ln |det A| (``slogdet``'s second output);  dA = g A^-T."""

    @staticmethod
    def forward(ctx, a):
        ctx.a = a
        sign, logabsdet = np.linalg.slogdet(a)
        ctx.sign = sign
        return logabsdet

    @staticmethod
    def backward(ctx, g):
        return g[..., None, None] * _t(np.linalg.inv(ctx.a))


class Solve(Function):
    """X = A^-1 B;  dB = A^-T g, dA = -dB X^T (summed over broadcast batch dimensions)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b_shape = a, b.shape
        ctx.out = _checked(np.linalg.solve, a, b, what="linalg.solve: the input matrix is singular")
        return ctx.out

    @staticmethod
    def backward(ctx, g):
        need_a, need_b = ctx.inputs
        grad_b = np.linalg.solve(_t(ctx.a), g)
        grad_a = unbroadcast(-(grad_b @ _t(ctx.out)), ctx.a.shape) if need_a is not None else None
        return grad_a, unbroadcast(grad_b, ctx.b_shape) if need_b is not None else None


class Cholesky(Function):
    """L with A = L L^T;  dA = sym(L^-T Phi(L^T g) L^-1), Phi the lower triangle with its diagonal halved."""

    @staticmethod
    def forward(ctx, a):
        ctx.out = _checked(np.linalg.cholesky, a, what="linalg.cholesky: The factorization could not be completed "
                           "because the input is not positive-definite; check that it is symmetric with positive "
                           "eigenvalues")
        return ctx.out

    @staticmethod
    def backward(ctx, g):
        lower = ctx.out
        phi = np.tril(_t(lower) @ g)
        phi[_diagonal(phi)] *= 0.5
        inv = np.linalg.inv(lower)
        return _sym(_t(inv) @ phi @ inv)


class Eigh(Function):
    """Eigenvalues w (ascending) and eigenvectors Q of a symmetric A, packed as [w; Q] of shape (n + 1, n);
    dA = Q (diag(g_w) + sym-part of (Q^T g_Q) / (w_j - w_i)) Q^T."""

    @staticmethod
    def forward(ctx, a, uplo):
        w, q = _checked(np.linalg.eigh, a, uplo, what="linalg.eigh: the algorithm failed to converge")
        ctx.w, ctx.q = w, q
        return np.concatenate([w[..., None, :], q], axis=-2)

    @staticmethod
    def backward(ctx, g):
        w, q = ctx.w, ctx.q
        g_w, g_q = g[..., 0, :], g[..., 1:, :]
        inner = _t(q) @ g_q
        inner = (inner - _t(inner)) / 2
        gap = w[..., None, :] - w[..., :, None]
        gap[_diagonal(gap)] = 1
        with np.errstate(divide="ignore", invalid="ignore"):
            middle = np.where(inner == 0, 0, inner / gap)
        middle[_diagonal(middle)] = g_w
        return q @ middle @ _t(q), None


class SVD(Function):
    """Thin SVD A = U diag(S) V^T (k = min(m, n)), packed as [U^T | S | V^T] of shape (k, m + 1 + n);
    dA = U [(skew(U^T g_U) / E) S + S (skew(V^T g_V) / E) + diag(g_S)] V^T
         + (I - U U^T) g_U S^-1 V^T + U S^-1 g_V^T (I - V V^T),  E_ij = S_j^2 - S_i^2, skew(X) = X - X^T."""

    @staticmethod
    def forward(ctx, a):
        u, s, vh = _checked(np.linalg.svd, a, False, what="linalg.svd: the algorithm failed to converge")
        ctx.u, ctx.s, ctx.vh = u, s, vh
        return np.concatenate([_t(u), s[..., :, None], vh], axis=-1)

    @staticmethod
    def backward(ctx, g):
        u, s, vh = ctx.u, ctx.s, ctx.vh
        m = u.shape[-2]
        g_u, g_s, g_v = _t(g[..., :, :m]), g[..., :, m], _t(g[..., :, m + 1:])
        v = _t(vh)
        middle = _diag_embed(g_s)
        if g_u.any() or g_v.any():
            gap = s[..., None, :] ** 2 - s[..., :, None] ** 2
            gap[_diagonal(gap)] = 1
            uu, vv = _t(u) @ g_u, _t(v) @ g_v
            sd = s[..., None, :]
            middle = middle + ((uu - _t(uu)) / gap) * sd + _t(sd) * ((vv - _t(vv)) / gap)
            grad = u @ middle @ vh
            grad = grad + (g_u - u @ uu) / sd @ vh + u @ (_t(g_v - v @ vv) / _t(sd))
            return grad
        return u @ middle @ vh


class QR(Function):
    """Reduced QR (m >= n) packed as [Q^T | R] of shape (n, m + n);
    dA = Q (g_R + tril(Q^T g_Q - g_Q^T Q + R g_R^T - g_R R^T) R^-T) + (g_Q - Q Q^T g_Q) R^-T."""

    @staticmethod
    def forward(ctx, a):
        q, r = np.linalg.qr(a, mode="reduced")
        ctx.q, ctx.r = q, r
        return np.concatenate([_t(q), r], axis=-1)

    @staticmethod
    def backward(ctx, g):
        q, r = ctx.q, ctx.r
        m, n = q.shape[-2], r.shape[-1]
        if m < n:
            raise NotImplementedError("linalg.qr: the derivative is implemented for matrices with at least as "
                                      f"many rows as columns (got {m} x {n})")
        g_q, g_r = _t(g[..., :, :m]), g[..., :, m:]
        qdq = _t(q) @ g_q
        rdr = r @ _t(g_r)
        lower = np.tril(qdq - _t(qdq) + rdr - _t(rdr))
        r_inv_t = _t(np.linalg.inv(r))
        return q @ (g_r + lower @ r_inv_t) + (g_q - q @ qdq) @ r_inv_t
