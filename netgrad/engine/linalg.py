"""``netgrad.linalg``: PyTorch's ``torch.linalg`` on real (batches of) matrices, differentiable.

Norms, inverse, determinants, solves, decompositions (Cholesky, QR, symmetric eigen, SVD), the
pseudo-inverse and least squares, powers, rank, condition numbers, ``multi_dot`` and ``cross``. The
decompositions' gradients are the closed forms in ``ops/linalg.py``. Matrices are the last two dimensions;
the ones before are a batch. There is no complex dtype: every matrix is real.
"""
from __future__ import annotations

import math
from collections import namedtuple
from typing import Any, Sequence

import numpy as np

from . import ops
from .autograd import ShapeError
from .backend import device_of, to_device
from .dtypes import _numpy_dtype
from .ops import linalg as la
from .ops.linalg import LinAlgError

__all__ = ["LinAlgError", "vector_norm", "matrix_norm", "norm", "inv", "det", "slogdet", "solve", "cholesky", "qr",
           "eigh", "eigvalsh", "svd", "svdvals", "pinv", "lstsq", "matrix_power", "matrix_rank", "multi_dot", "cross",
           "cond", "matmul", "cdist", "inv_ex", "cholesky_ex", "solve_triangular", "vecdot", "logdet"]

SlogdetResult = namedtuple("slogdet", ["sign", "logabsdet"])
QRResult = namedtuple("qr", ["Q", "R"])
EighResult = namedtuple("eigh", ["eigenvalues", "eigenvectors"])
SVDResult = namedtuple("svd", ["U", "S", "Vh"])
LstsqResult = namedtuple("lstsq", ["solution", "residuals", "rank", "singular_values"])
InvExResult = namedtuple("inv_ex", ["inverse", "info"])
CholeskyExResult = namedtuple("cholesky_ex", ["L", "info"])


def wrap_like(like: Any, array: Any) -> Any:
    """A tensor of ``array`` on ``like``'s device (arrays made on the host are moved there)."""
    data = like._data
    if type(array) is np.ndarray and type(data) is not np.ndarray:
        array = to_device(array, *device_of(data))
    return like._result_type._wrap(array)


def _floating(A: Any, name: str) -> Any:
    if not hasattr(A, "_data"):
        raise TypeError(f"linalg.{name}: argument 'A' must be Tensor, not {type(A).__name__}")
    if A._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.{name}: Expected a floating point tensor as input. Got {A.dtype.name.capitalize()}")
    return A


def _square(A: Any, name: str) -> Any:
    _floating(A, name)
    if A.ndim < 2:
        raise RuntimeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    return A


def _cast(x: Any, dtype: Any) -> Any:
    return x if dtype is None else x.type(_numpy_dtype(dtype))


# ------------------------------------------------------------------------------------------------ norms


def vector_norm(x: Any, ord: float = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """(sum_i |x_i|^ord)^(1/ord) over ``dim`` (every element when None); ord inf / -inf: max / min |x_i|,
    ord 0: the number of non-zeros."""
    x = _cast(_floating(x, "vector_norm"), dtype)
    axes = tuple(range(x.ndim)) if dim is None else (dim,) if isinstance(dim, int) else tuple(dim)
    axes = tuple(a % max(x.ndim, 1) for a in axes)
    if x.ndim == 0:
        return x.abs() if ord != 0 else (x != 0).type(x.dtype)
    return la.VectorNorm.apply(x, float(ord), axes, keepdim)


def matrix_norm(A: Any, ord: Any = "fro", dim: tuple = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None) -> Any:
    """'fro' (sqrt of the sum of squares), 'nuc' (sum of singular values), 2 / -2 (largest / smallest singular
    value), 1 / -1 (largest / smallest column sum of |a_ij|), inf / -inf (the same for rows)."""
    A = _cast(_floating(A, "matrix_norm"), dtype)
    if A.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions, got {A.ndim}")
    rows, cols = (d % A.ndim for d in dim)
    if ord == "fro":
        return vector_norm(A, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        moved = A.permute(*[i for i in range(A.ndim) if i not in (rows, cols)], rows, cols)
        s = svdvals(moved)
        out = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
    elif ord in (1, -1, math.inf, -math.inf):
        summed, over = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = A.abs().sum(summed, keepdim=True)
        out = sums.amax(over, keepdim=True) if ord > 0 else sums.amin(over, keepdim=True)
        out = out.squeeze((rows, cols))
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if keepdim:
        out = out.unsqueeze(min(rows, cols)).unsqueeze(max(rows, cols))
    return out


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """A vector norm (``dim`` an int, or a 1-D input) or a matrix norm (``dim`` a pair, or a 2-D input); with
    ``ord`` and ``dim`` both None, the 2-norm of all elements."""
    if dim is None and ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if isinstance(dim, int) or (dim is None and A.ndim == 1) or (dim is not None and len(dim) == 1):
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is None and A.ndim != 2:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                           f"{A.ndim}D.")
    return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if dim is None else tuple(dim), keepdim, dtype=dtype)


# ------------------------------------------------------------------------------- inverse, determinants


def inv(A: Any) -> Any:
    """A^-1 (batched); a singular matrix raises."""
    return la.Inverse.apply(_square(A, "inv"))


def _ex(function: Any, A: Any, check_errors: bool, result: type) -> Any:
    """``function(A)`` with an int32 ``info`` per matrix (0: it worked, 1: it failed, the output NaN there)
    instead of an error, unless ``check_errors``."""
    info = np.zeros(A.shape[:-2], dtype=np.int32)
    try:
        return result(function(A), wrap_like(A, info))
    except LinAlgError:
        if check_errors:
            raise
    flat = A.reshape(-1, A.shape[-2], A.shape[-1])
    outputs = []
    for i in range(flat.shape[0]):
        try:
            outputs.append(function(flat[i]))
        except LinAlgError:
            info.reshape(-1)[i] = 1
            outputs.append(wrap_like(A, np.full(A.shape[-2:], np.nan, dtype=A._data.dtype)))
    return result(ops.Stack.apply(*outputs, axis=0).reshape(A.shape), wrap_like(A, info))


def inv_ex(A: Any, *, check_errors: bool = False) -> Any:
    """(A^-1, info): ``info`` is 1 where a matrix is singular (its inverse NaN) rather than an error."""
    return _ex(inv, _square(A, "inv_ex"), check_errors, InvExResult)


def det(A: Any) -> Any:
    return la.Det.apply(_square(A, "det"))


def slogdet(A: Any) -> Any:
    """(sign, ln |det A|): the determinant without overflow; only ``logabsdet`` has a gradient."""
    logabsdet = la.LogAbsDet.apply(_square(A, "slogdet"))
    return SlogdetResult(wrap_like(A, np.sign(np.linalg.det(A._data)).astype(A._data.dtype)), logabsdet)


def logdet(A: Any) -> Any:
    """ln det A (NaN where the determinant is negative)."""
    sign, logabsdet = slogdet(A)
    return logabsdet + wrap_like(A, np.where(sign._data < 0, np.nan, 0).astype(A._data.dtype))


def solve(A: Any, B: Any, *, left: bool = True) -> Any:
    """X with A X = B (``left=False``: X A = B); B may be a (batch of) vector(s)."""
    A = _square(A, "solve")
    if not left:
        return solve(A.mT, B.mT).mT
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    if (B.shape[-1] if vector else B.shape[-2]) != A.shape[-1]:
        raise ShapeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B ({tuple(A.shape)} "
                         f"and {tuple(B.shape)})")
    if B._data.dtype != A._data.dtype:
        B = B.type(A.dtype)
    if vector:
        return la.Solve.apply(A, B.unsqueeze(-1)).squeeze(-1)
    return la.Solve.apply(A, B)


def matrix_power(A: Any, n: int) -> Any:
    """A^n by repeated squaring (n < 0: of A^-1; n = 0: the identity)."""
    A = _square(A, "matrix_power")
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    if result is None:
        return wrap_like(A, np.broadcast_to(np.eye(A.shape[-1], dtype=A._data.dtype), A.shape).copy())
    return result


# -------------------------------------------------------------------------------------- decompositions


def cholesky(A: Any, *, upper: bool = False) -> Any:
    """L lower triangular with A = L L^T (``upper=True``: L^T) for a symmetric positive-definite A."""
    lower = la.Cholesky.apply(_square(A, "cholesky"))
    return lower.mT if upper else lower


def cholesky_ex(A: Any, *, upper: bool = False, check_errors: bool = False) -> Any:
    """(L, info): ``info`` is 1 where a matrix is not positive-definite (its L NaN) rather than an error."""
    return _ex(lambda m: cholesky(m, upper=upper), _square(A, "cholesky_ex"), check_errors, CholeskyExResult)


def solve_triangular(A: Any, B: Any, *, upper: bool, left: bool = True, unitriangular: bool = False) -> Any:
    """X with A X = B (``left=False``: X A = B) reading only A's upper or lower triangle (its diagonal taken
    as ones when ``unitriangular``); the gradient reaches that triangle only."""
    A = _square(A, "solve_triangular")
    if B.ndim < 2:
        raise RuntimeError(f"linalg.solve_triangular: The input tensor B must have at least 2 dimensions, got "
                           f"{B.ndim}")
    n = A.shape[-1]
    mask = (np.triu if upper else np.tril)(np.ones((n, n), dtype=A._data.dtype), 1 if upper and unitriangular
                                           else -1 if unitriangular else 0)
    triangle = A * wrap_like(A, mask)
    if unitriangular:
        triangle = triangle + wrap_like(A, np.eye(n, dtype=A._data.dtype))
    return solve(triangle, B, left=left)


def qr(A: Any, mode: str = "reduced") -> Any:
    """A = Q R, Q with orthonormal columns, R upper triangular; ``mode`` 'reduced', 'complete' or 'r'
    (Q empty)."""
    A = _floating(A, "qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    m, n = A.shape[-2], A.shape[-1]
    if mode == "complete" and m > n:
        q, r = np.linalg.qr(A._data, mode="complete")
        return QRResult(wrap_like(A, q), wrap_like(A, r))
    if m < n:  # reduced and complete agree; no gradient through the wide case
        q, r = np.linalg.qr(A._data, mode="reduced")
        return QRResult(wrap_like(A, q), wrap_like(A, r))
    packed = la.QR.apply(A)
    q, r = packed[..., :m].mT, packed[..., m:]
    return QRResult(wrap_like(A, np.empty((0,), A._data.dtype)) if mode == "r" else q, r)


def eigh(A: Any, UPLO: str = "L") -> Any:
    """Eigenvalues (ascending) and orthonormal eigenvectors (columns) of a symmetric A, read from its lower
    (``UPLO='L'``) or upper triangle."""
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    packed = la.Eigh.apply(_square(A, "eigh"), UPLO)
    return EighResult(packed[..., 0, :], packed[..., 1:, :])


def eigvalsh(A: Any, UPLO: str = "L") -> Any:
    return eigh(A, UPLO).eigenvalues


def svd(A: Any, full_matrices: bool = True) -> Any:
    """A = U diag(S) Vh, S descending. The gradient flows through the thin factors; with ``full_matrices``
    and a non-square A, the extra columns of U (rows of Vh) carry none (they are not unique)."""
    A = _floating(A, "svd")
    m, n = A.shape[-2], A.shape[-1]
    packed = la.SVD.apply(A)
    u, s, vh = packed[..., :m].mT, packed[..., m], packed[..., m + 1:]
    if full_matrices and m != n:
        full_u, _, full_vh = np.linalg.svd(A._data, full_matrices=True)
        return SVDResult(wrap_like(A, full_u), s, wrap_like(A, full_vh))
    return SVDResult(u, s, vh)


def svdvals(A: Any) -> Any:
    """The singular values, descending."""
    A = _floating(A, "svdvals")
    return la.SVD.apply(A)[..., A.shape[-2]]


def _tolerance(A: Any, s: Any, atol: Any, rtol: Any) -> Any:
    """max(atol, rtol s_max) per matrix, shaped to compare with ``s`` (rtol defaults to max(m, n) eps when atol
    is absent or 0, else to 0)."""
    atol = 0.0 if atol is None else atol._data[..., None] if hasattr(atol, "_data") else float(atol)
    if rtol is None:
        rtol = max(A.shape[-2:]) * float(np.finfo(A._data.dtype).eps) if not np.any(atol) else 0.0
    rtol = rtol._data[..., None] if hasattr(rtol, "_data") else float(rtol)
    return np.maximum(atol, rtol * s.max(-1, keepdims=True, initial=0))


def pinv(A: Any, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Any:
    """The Moore-Penrose pseudo-inverse V diag(1/s) U^T, singular values below max(atol, rtol s_max) dropped."""
    A = _floating(A, "pinv")
    u, s, vh = svd(A, full_matrices=False)
    keep = s._data > _tolerance(A, s._data, atol, rtol)
    inverse = (s + wrap_like(A, (~keep).astype(A._data.dtype))).reciprocal() * wrap_like(A, keep.astype(A._data.dtype))
    return (vh.mT * inverse.unsqueeze(-2)) @ u.mT


def lstsq(A: Any, B: Any, rcond: Any = None, *, driver: Any = None) -> Any:
    """The least-squares solution X of A X = B (pinv(A) B, differentiable), the residuals (sums of squared
    residuals when A is tall and of full rank, else empty), the rank and the singular values."""
    A = _floating(A, "lstsq")
    if driver not in (None, "gelsy", "gelsd", "gelss", "gels"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss), "
                           f"got {driver}")
    vector = B.ndim == A.ndim - 1
    rhs = B.unsqueeze(-1) if vector else B
    s = np.linalg.svd(A._data, compute_uv=False)
    tol = _tolerance(A, s, None, max(A.shape[-2:]) * np.finfo(A._data.dtype).eps if rcond is None else rcond)
    rank = (s > tol).sum(-1).astype(np.int64)
    solution = pinv(A, rtol=rcond) @ rhs
    empty = A._data.reshape(-1)[:0]
    residuals = empty
    m, n = A.shape[-2], A.shape[-1]
    if (driver or "gelsy") != "gelsy" and m > n and (rank == n).all():
        residuals = ((A._data @ solution._data - rhs._data) ** 2).sum(-2)
    return LstsqResult(solution.squeeze(-1) if vector else solution, wrap_like(A, residuals), wrap_like(A, rank),
                       wrap_like(A, s if driver in ("gelsd", "gelss") else empty))


def matrix_rank(A: Any, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Any:
    """The number of singular values above max(atol, rtol s_max) (int64, no gradient)."""
    A = _floating(A, "matrix_rank")
    s = np.abs(np.linalg.eigvalsh(A._data))[..., ::-1] if hermitian else np.linalg.svd(A._data, compute_uv=False)
    s = np.sort(s, axis=-1)[..., ::-1]
    return wrap_like(A, (s > _tolerance(A, s, atol, rtol)).sum(-1).astype(np.int64))


def cond(A: Any, p: Any = None) -> Any:
    """The condition number ||A|| ||A^-1|| (p None or 2: s_max / s_min)."""
    A = _floating(A, "cond")
    if p in (None, 2, -2):
        s = svdvals(A)
        top, bottom = s[..., 0], s[..., -1]
        return top / bottom if p in (None, 2) else bottom / top
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


# -------------------------------------------------------------------------------------- products


def matmul(input: Any, other: Any) -> Any:
    return input @ other


def vecdot(x: Any, y: Any, *, dim: int = -1) -> Any:
    """sum_i x_i y_i along ``dim`` (broadcast)."""
    return (x * y).sum(dim)


def multi_dot(tensors: Sequence[Any]) -> Any:
    """A_1 A_2 ... A_k; the first may be a row vector (1-D) and the last a column vector (1-D)."""
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        allowed = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.ndim not in allowed:
            raise RuntimeError(f"multi_dot(): tensor {i} must be {' or '.join(f'{a}D' for a in allowed)} but got "
                               f"{t.ndim}D")
    result = tensors[0]
    for t in tensors[1:]:
        result = result @ t
    return result


def cross(input: Any, other: Any, *, dim: int = -1) -> Any:
    """The cross product of 3-vectors along ``dim`` (broadcast): (a2 b3 - a3 b2, a3 b1 - a1 b3, a1 b2 - a2 b1)."""
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions (got {input.ndim} and "
                           f"{other.ndim}); unsqueeze the smaller one")
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[dim]} and "
                           f"{other.shape[dim]}")
    ndim = max(input.ndim, other.ndim)
    axis = dim % ndim
    trailing = (slice(None),) * (ndim - 1 - axis)

    def part(t: Any, i: int) -> Any:
        return t[(Ellipsis, i) + trailing]

    a, b = [part(input, i) for i in range(3)], [part(other, i) for i in range(3)]
    parts = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    return ops.Stack.apply(*parts, axis=axis)


def cdist(x1: Any, x2: Any, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Any:
    """Pairwise p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M): (..., P, R)."""
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D, X2 got: {x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    return vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, -1)
