"""Products beyond ``@``: bmm, addmm, baddbmm, outer, kron (Tensor methods) and einsum, tensordot (functions),
with PyTorch's names, arguments and checks; each written from matmul, broadcasting or the Einsum node."""
from __future__ import annotations

import string
from typing import Any, Sequence

from . import ops


class ProductMethods:
    """Tensor methods for matrix products (mixed into ``Tensor``)."""

    __slots__ = ()

    def bmm(self, mat2: Any) -> Any:
        """Batched matrix product of (b, n, m) and (b, m, p) tensors: (b, n, p)."""
        if self.ndim != 3 or mat2.ndim != 3:
            raise RuntimeError("batch1 must be a 3D tensor" if self.ndim != 3 else "batch2 must be a 3D tensor")
        if self.shape[0] != mat2.shape[0] or self.shape[2] != mat2.shape[1]:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                               f"[{self.shape[0]}, {self.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
        return self.matmul(mat2)

    def addmm(self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
        """beta * self + alpha * (mat1 @ mat2), self broadcast to the product's shape (ignored when beta = 0)."""
        if mat1.ndim != 2 or mat2.ndim != 2:
            raise RuntimeError(f"{'mat1' if mat1.ndim != 2 else 'mat2'} must be a matrix, got "
                               f"{mat1.ndim if mat1.ndim != 2 else mat2.ndim}-D tensor")
        return _scaled_sum(self, mat1.matmul(mat2), beta, alpha)

    def baddbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
        """beta * self + alpha * bmm(batch1, batch2)."""
        return _scaled_sum(self, batch1.bmm(batch2), beta, alpha)

    def addmv(self, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
        """beta * self + alpha * (mat @ vec)."""
        if mat.ndim != 2 or vec.ndim != 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got {self.ndim}, {mat.ndim}, {vec.ndim}")
        return _scaled_sum(self, mat.matmul(vec), beta, alpha)

    def outer(self, vec2: Any) -> Any:
        """out[i, j] = self[i] * vec2[j] for 1-D tensors."""
        if self.ndim != 1 or vec2.ndim != 1:
            raise RuntimeError(f"outer: expected 1-D tensors, got {self.ndim}-D and {vec2.ndim}-D")
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    ger = outer

    def inner(self, other: Any) -> Any:
        """Sum over the last axes of both tensors (a product with a number for 0-d ones)."""
        if self.ndim == 0 or other.ndim == 0:
            return self * other
        return tensordot(self, other, dims=([-1], [-1]))

    def kron(self, other: Any) -> Any:
        """Kronecker product: block (i, j) is self[i, j] * other (any number of axes)."""
        ndim = max(self.ndim, other.ndim)
        a = self.reshape((1,) * (ndim - self.ndim) + tuple(self.shape))
        b = other.reshape((1,) * (ndim - other.ndim) + tuple(other.shape))
        spread_a = [n for size in a.shape for n in (size, 1)]
        spread_b = [n for size in b.shape for n in (1, size)]
        out = a.reshape(spread_a) * b.reshape(spread_b)
        return out.reshape([m * n for m, n in zip(a.shape, b.shape)])


def _scaled_sum(input: Any, product: Any, beta: Any, alpha: Any) -> Any:
    product = product if alpha == 1 else product * alpha
    if beta == 0:
        return product
    return product + (input if beta == 1 else input * beta)


def _letters(equation: str, operands: Sequence) -> tuple:
    """The subscripts of each operand and of the output, with "..." written out as letters, and the implicit
    output (the letters used once, in alphabetical order) made explicit."""
    equation = equation.replace(" ", "")
    left, arrow, output = equation.partition("->")
    terms = left.split(",")
    if len(terms) != len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                           if len(operands) > len(terms) else
                           "einsum(): fewer operands were provided than specified in the equation")
    used = set(equation) - set(".,->")
    spare = [c for c in string.ascii_letters if c not in used]
    broadcast = 0
    for term, x in zip(terms, operands):
        named = len(term.replace("...", ""))
        if "..." in term:
            broadcast = max(broadcast, x.ndim - named)
        elif named != x.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) does not match the "
                               f"number of dimensions ({x.ndim}) for operand {terms.index(term)} and no ellipsis "
                               "was given")
    ellipsis = "".join(spare[:broadcast])
    inputs = tuple(t.replace("...", ellipsis[broadcast - (x.ndim - len(t.replace("...", ""))):])
                   for t, x in zip(terms, operands))
    if arrow:
        output = output.replace("...", ellipsis)
    else:
        joined = "".join(terms).replace("...", "")
        output = ellipsis + "".join(sorted(c for c in set(joined) if joined.count(c) == 1))
    for c in output:
        if c not in "".join(inputs):
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                               "operand")
    return inputs, output


def einsum(equation: str, *operands: Any) -> Any:
    """Einstein summation: ``einsum("ij,jk->ik", a, b)`` is a @ b; "..." stands for broadcast axes, and
    without "->" the output is the letters used once, in alphabetical order."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    inputs, output = _letters(equation, operands)
    return ops.Einsum.apply(*operands, inputs=inputs, output=output)


def tensordot(a: Any, b: Any, dims: Any = 2) -> Any:
    """Sum of products over the last ``dims`` axes of ``a`` and the first ``dims`` of ``b``, or over the
    axes listed in ``dims = (axes of a, axes of b)``."""
    if isinstance(dims, int) or getattr(dims, "ndim", None) == 0:
        dims = int(dims)
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        axes_a, axes_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        axes_a, axes_b = ([d] if isinstance(d, int) else list(d) for d in dims)
        axes_a, axes_b = [d % a.ndim for d in axes_a], [d % b.ndim for d in axes_b]
    if len(axes_a) != len(axes_b):
        raise RuntimeError(f"both dimension lists should have same length, got {len(axes_a)} and {len(axes_b)}")
    for i, j in zip(axes_a, axes_b):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[i]} in dim {i} "
                               f"and second has size {b.shape[j]} in dim {j}")
    letters = iter(string.ascii_letters)
    sub_a = [next(letters) for _ in range(a.ndim)]
    sub_b = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(axes_a, axes_b):
        sub_b[j] = sub_a[i]
    output = [c for i, c in enumerate(sub_a) if i not in axes_a] + [c for j, c in enumerate(sub_b) if j not in axes_b]
    return ops.Einsum.apply(a, b, inputs=("".join(sub_a), "".join(sub_b)), output="".join(output))
