"""Tensor methods that cut, flip, move and repeat axes (chunk, split, narrow, flip, roll, diagonal, tril, tile,
movedim, unfold, ...), with PyTorch's names and defaults, and the functions that join or broadcast several
tensors (hstack, meshgrid, broadcast_tensors, cartesian_prod). Each is written from the engine's primitives
(indexing, reshape, permute, expand, where, cat), so each is differentiable through them."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import autograd, ops
from .backend import array_module, placement, to_device
from .dtypes import _numpy_dtype


def _dim(dim: int, ndim: int) -> int:
    """A dimension in [0, ndim), PyTorch's IndexError for one out of range (a 0-d tensor has dims -1 and 0)."""
    top = max(ndim, 1)
    if not -top <= dim < top:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-top}, {top - 1}], but got {dim})")
    return dim % top


def _sizes(sizes: Sequence) -> tuple:
    """f(2, 3) and f((2, 3)) alike."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = sizes[0]
    return tuple(int(s) for s in sizes)


def _along(dim: int, key: Any) -> tuple:
    """An index that applies ``key`` to axis ``dim`` and keeps every other axis whole."""
    return (slice(None),) * dim + (key,)


class ShapeMethods:
    """Tensor methods over axes (mixed into ``Tensor``; every method returns new tensors)."""

    __slots__ = ()

    # ------------------------------------------------------------------------------------------- pieces

    def narrow(self, dim: int, start: int, length: int) -> Any:
        """Elements start .. start + length - 1 along ``dim`` (a view, as in PyTorch)."""
        d = _dim(dim, self.ndim)
        n = self.shape[d]
        start = start + n if start < 0 else start
        if not 0 <= start <= n:
            raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
        if length < 0 or start + length > n:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
        return self[_along(d, slice(start, start + length))]

    def select(self, dim: int, index: int) -> Any:
        """The slice at ``index`` along ``dim``, without that dimension."""
        d = _dim(dim, self.ndim)
        n = self.shape[d]
        if not -n <= index < n:
            raise IndexError(f"select(): index {index} out of range for tensor of size {tuple(self.shape)} "
                             f"at dimension {dim}")
        return self[_along(d, index)]

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple:
        """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the listed sizes."""
        d = _dim(dim, self.ndim)
        n = self.shape[d]
        if isinstance(split_size_or_sections, (int, np.integer)):
            size = int(split_size_or_sections)
            if size < 0:
                raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
            if size == 0 and n:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
            sizes = [size] * (n // size) + ([n % size] if n % size else []) if size else [0]
        else:
            sizes = [int(s) for s in split_size_or_sections]
            if sum(sizes) != n or any(s < 0 for s in sizes):
                raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                                   f"size at dimension {d}), but got split_sizes={sizes}")
        starts = np.cumsum([0] + sizes[:-1])
        return tuple(self.narrow(d, int(s), size) for s, size in zip(starts, sizes))

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        """At most ``chunks`` pieces of ceil(n / chunks) elements along ``dim``."""
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        n = self.shape[_dim(dim, self.ndim)]
        if n == 0:
            return tuple(self.narrow(dim, 0, 0) for _ in range(chunks))
        return self.split(-(-n // chunks), dim)

    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> tuple:
        """``sections`` pieces as equal as can be (the first n % sections one longer), or cuts at the indices."""
        d = _dim(dim, self.ndim)
        n = self.shape[d]
        if isinstance(indices_or_sections, (int, np.integer)) or getattr(indices_or_sections, "ndim", 1) == 0:
            sections = int(indices_or_sections)
            if sections <= 0:
                raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
            sizes = [n // sections + 1] * (n % sections) + [n // sections] * (sections - n % sections)
            cuts = np.cumsum([0] + sizes)
        else:
            cuts = [0] + [min(max(int(i) + (n if i < 0 else 0), 0), n) for i in indices_or_sections] + [n]
        return tuple(self[_along(d, slice(int(a), max(int(a), int(b))))] for a, b in zip(cuts[:-1], cuts[1:]))

    def unbind(self, dim: int = 0) -> tuple:
        """Every slice along ``dim``, without that dimension."""
        d = _dim(dim, self.ndim)
        return tuple(self[_along(d, i)] for i in range(self.shape[d]))

    def unfold(self, dimension: int, size: int, step: int) -> Any:
        """Every window of ``size`` elements, ``step`` apart, along ``dimension``: that axis becomes the
        number of windows and a last axis of ``size`` is added."""
        d = _dim(dimension, self.ndim)
        n = self.shape[d] if self.ndim else 1
        if size > n:
            raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
        if step <= 0:
            raise RuntimeError(f"step is {step} but must be > 0")
        windows = np.arange(0, n - size + 1, step)[:, None] + np.arange(size)
        return self[_along(d, windows)].movedim(d + 1, -1)

    # -------------------------------------------------------------------------------------- reorderings

    def flip(self, *args: Any, dims: Any = None) -> Any:
        """The elements in reverse order along each of ``dims`` (``flip(0, 1)``, ``flip((0, 1))``, ``dims=``)."""
        key = [slice(None)] * self.ndim
        for d in _sizes(args if dims is None else (dims,)):
            key[_dim(d, self.ndim)] = slice(None, None, -1)
        return self[tuple(key)]

    def fliplr(self) -> Any:
        return self.flip(1)

    def flipud(self) -> Any:
        return self.flip(0)

    def roll(self, shifts: Any, dims: Any = None) -> Any:
        """Elements shifted cyclically by ``shifts`` along ``dims`` (over the flattened tensor when None)."""
        if dims is None:
            return self.flatten().roll(shifts, 0).reshape(self.shape)
        shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
        dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
        if len(shifts) != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
        out = self
        for shift, dim in zip(shifts, dims):
            d = _dim(dim, self.ndim)
            out = out[_along(d, np.roll(np.arange(self.shape[d]), shift))]
        return out

    def rot90(self, k: int = 1, dims: Sequence = (0, 1)) -> Any:
        """Rotation by 90 degrees ``k`` times, from the first axis of ``dims`` towards the second."""
        if len(dims) != 2:
            raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
        d0, d1 = _dim(dims[0], self.ndim), _dim(dims[1], self.ndim)
        if d0 == d1:
            raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
        k %= 4
        if k == 1:
            return self.flip(d1).transpose(d0, d1)
        if k == 2:
            return self.flip(d0, d1)
        if k == 3:
            return self.flip(d0).transpose(d0, d1)
        return self[...]

    def movedim(self, source: Any, destination: Any) -> Any:
        """Axes ``source`` moved to positions ``destination``, the others keeping their order."""
        source = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
        destination = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
        if len(source) != len(destination):
            raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(source)} dims) "
                               f"should contain the same number of dims as destination ({list(destination)} dims)")
        source = [_dim(d, self.ndim) for d in source]
        destination = [_dim(d, self.ndim) for d in destination]
        order = [d for d in range(self.ndim) if d not in source]
        for dest, src in sorted(zip(destination, source)):
            order.insert(dest, src)
        return self.permute(order)

    moveaxis = movedim

    def swapaxes(self, axis0: int, axis1: int) -> Any:
        return self.transpose(axis0, axis1)

    swapdims = swapaxes

    def unflatten(self, dim: int, sizes: Sequence) -> Any:
        """Axis ``dim`` split into ``sizes`` (one of them may be -1)."""
        d = _dim(dim, self.ndim)
        sizes = tuple(int(s) for s in sizes)
        known = int(np.prod([s for s in sizes if s != -1]))
        n = self.shape[d]
        if (-1 not in sizes and known != n) or (-1 in sizes and (known == 0 or n % known)):
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
                               f"({n}) in the input tensor")
        return self.reshape(self.shape[:d] + sizes + self.shape[d + 1:])

    # -------------------------------------------------------------------------------------- repetitions

    def tile(self, *args: Any, dims: Any = None) -> Any:
        """The tensor repeated ``dims[i]`` times along each axis (leading 1s added to the shorter of the two)."""
        dims = _sizes(args if dims is None else (dims,))
        return self.repeat((1,) * (self.ndim - len(dims)) + dims)

    def repeat_interleave(self, repeats: Any, dim: int | None = None, *, output_size: int | None = None) -> Any:
        """Each element repeated ``repeats`` times (a number, or one count per element) along ``dim`` (over the
        flattened tensor when None)."""
        x = self.flatten() if dim is None else self
        d = 0 if dim is None else _dim(dim, self.ndim)
        counts = np.asarray(repeats.tolist() if hasattr(repeats, "_data") else repeats)
        if counts.ndim and counts.size != x.shape[d]:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{counts.size} and input.size({d}) = {x.shape[d]}")
        if np.any(counts < 0):
            raise RuntimeError("repeats can not be negative")
        return x[_along(d, np.repeat(np.arange(x.shape[d]), counts))]

    def broadcast_to(self, size: Sequence) -> Any:
        return self.expand(tuple(size))

    # -------------------------------------------------------------------------------------------- matrices

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:
        """The diagonal ``offset`` above the main one of the planes (dim1, dim2), as a new last axis."""
        d1, d2 = _dim(dim1, self.ndim), _dim(dim2, self.ndim)
        if d1 == d2:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        x = self.movedim((d1, d2), (-2, -1))
        rows, cols = x.shape[-2:]
        n = max(min(rows - max(-offset, 0), cols - max(offset, 0)), 0)
        along = np.arange(n)
        return x[..., along + max(-offset, 0), along + max(offset, 0)]

    def diag(self, diagonal: int = 0) -> Any:
        """A 2-D tensor's ``diagonal``-th diagonal, or the square matrix with a 1-D tensor on that diagonal."""
        if self.ndim == 2:
            return self.diagonal(diagonal)
        if self.ndim != 1:
            raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D")
        n, k = self.shape[0], abs(diagonal)
        xp = array_module(self._data)
        place = xp.eye(n + k, k=diagonal, dtype=bool)
        padding = self._result_type._wrap(xp.zeros(k, dtype=self._data.dtype))
        line = ops.Concatenate.apply(self, padding, axis=0)
        line = line.reshape(-1, 1) if diagonal >= 0 else line.reshape(1, -1)
        return ops.Where.apply(place, line, xp.zeros((), dtype=self._data.dtype))

    def trace(self) -> Any:
        """Sum of the main diagonal of a 2-D tensor."""
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self.ndim}")
        return self.diagonal().sum()

    def _triangle(self, diagonal: int, lower: bool) -> Any:
        if self.ndim < 2:
            raise RuntimeError(f"{'tril' if lower else 'triu'}: input tensor must have at least 2 dimensions")
        xp = array_module(self._data)
        keep = (xp.tril if lower else xp.triu)(xp.ones(self.shape[-2:], dtype=bool), diagonal)
        return ops.Where.apply(keep, self, xp.zeros((), dtype=self._data.dtype))

    def tril(self, diagonal: int = 0) -> Any:
        """Elements on and below the ``diagonal``-th diagonal of the last two axes; zeros above."""
        return self._triangle(diagonal, True)

    def triu(self, diagonal: int = 0) -> Any:
        """Elements on and above the ``diagonal``-th diagonal of the last two axes; zeros below."""
        return self._triangle(diagonal, False)

    # --------------------------------------------------------------------------- shape changes in place

    def _become(self, change: Any) -> Any:
        """Make this tensor ``change(old self)`` (a view: same values, another shape), as PyTorch's in-place
        shape methods do; a leaf that requires grad refuses, as in PyTorch."""
        self._recording()  # raises for a leaf that requires grad
        old = self._make(self._data, self._grad_fn)
        old.requires_grad = self.requires_grad
        out = change(old)
        self._data = out._data
        if out._grad_fn is not None:
            self._grad_fn = out._grad_fn
        return self

    def _rewrite(self, change: Any, operand: Any = None) -> Any:
        """Write ``change(old self)`` into this tensor's values (masked_fill_, scatter_, index_add_, ...): when
        the graph is recorded, the old values are a copy and this tensor takes the new node, as ``_record``."""
        if not self._recording(operand):
            out = change(self)
            self._data[...] = out._data
            autograd.bump(self)
            return self
        old = self._make(self._data.copy(), self._grad_fn)
        old.requires_grad = self.requires_grad
        out = change(old)
        self._data[...] = out._data
        autograd.bump(self)
        self._grad_fn, self.requires_grad = out._grad_fn, True
        return self

    def squeeze_(self, dim: Any = None) -> Any:
        return self._become(lambda t: t.squeeze(dim))

    def unsqueeze_(self, dim: int) -> Any:
        return self._become(lambda t: t.unsqueeze(dim))

    def t_(self) -> Any:
        return self._become(lambda t: t.t())

    def transpose_(self, dim0: int, dim1: int) -> Any:
        return self._become(lambda t: t.transpose(dim0, dim1))

    # ------------------------------------------------------------------------------ memory and factories

    def is_contiguous(self, memory_format: Any = None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None) -> Any:
        """Steps in elements between neighbours along each axis."""
        steps = tuple(s // self._data.itemsize for s in self._data.strides)
        return steps if dim is None else steps[_dim(dim, self.ndim)]

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.size * self._data.itemsize

    def ndimension(self) -> int:
        return self._data.ndim

    def nelement(self) -> int:
        return self._data.size

    def _new(self, array: Any, dtype: Any, device: Any, requires_grad: bool) -> Any:
        if dtype is not None:
            array = array.astype(_numpy_dtype(dtype), copy=False)
        if device is not None:
            array = to_device(array, *placement(device))
        out = self._result_type._wrap(array)
        return out.requires_grad_() if requires_grad else out

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Any:
        """Zeros of ``size``, of this tensor's dtype and device unless given."""
        return self._new(array_module(self._data).zeros(_sizes(size), self._data.dtype), dtype, device, requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Any:
        return self._new(array_module(self._data).ones(_sizes(size), self._data.dtype), dtype, device, requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Any:
        return self._new(array_module(self._data).empty(_sizes(size), self._data.dtype), dtype, device, requires_grad)

    def new_full(self, size: Sequence, fill_value: Any, *, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Any:
        xp = array_module(self._data)
        return self._new(xp.full(tuple(size), fill_value, self._data.dtype), dtype, device, requires_grad)

    def new_tensor(self, data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Any:
        """A copy of ``data`` (values, not graph), of this tensor's dtype and device unless given."""
        data = data._data if hasattr(data, "_data") else data
        array = array_module(self._data).array(data, dtype=self._data.dtype if dtype is None else _numpy_dtype(dtype))
        return self._new(array, None, device, requires_grad)


# ------------------------------------------------------------------------------- several tensors at once


def broadcast_tensors(*tensors: Any) -> tuple:
    """The tensors expanded to their common broadcast shape."""
    shape = np.broadcast_shapes(*(tuple(t.shape) for t in tensors))
    return tuple(t.expand(shape) for t in tensors)


def broadcast_shapes(*shapes: Any) -> tuple:
    return np.broadcast_shapes(*(tuple(s) if isinstance(s, (tuple, list)) else (s,) for s in shapes))


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple:
    """Coordinate grids of 1-D tensors: with "ij" the i-th output varies along axis i; "xy" swaps the first
    two axes (NumPy's and MATLAB's convention). PyTorch's default is "ij"."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    sizes = [t.numel() for t in tensors]
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, t in enumerate(tensors):
        axis = (1 - i if i < 2 else i) if swap else i
        shape = [1] * len(tensors)
        shape[axis] = t.numel()
        grids.append(t.reshape(shape).expand(sizes))
    return tuple(grids)


def _at_least(t: Any, ndim: int) -> Any:
    if t.ndim >= ndim:
        return t
    if ndim == 3 and t.ndim == 2:
        return t.unsqueeze(-1)
    shape = (1,) * (min(ndim, 2) - t.ndim) + tuple(t.shape)
    return t.reshape(shape + (1,) * (ndim - len(shape)))


def _at_least_each(tensors: tuple, ndim: int) -> Any:
    if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)):
        return _at_least(tensors[0], ndim)
    return tuple(_at_least(t, ndim) for t in (tensors[0] if len(tensors) == 1 else tensors))


def atleast_1d(*tensors: Any) -> Any:
    return _at_least_each(tensors, 1)


def atleast_2d(*tensors: Any) -> Any:
    return _at_least_each(tensors, 2)


def atleast_3d(*tensors: Any) -> Any:
    return _at_least_each(tensors, 3)


def _join(tensors: Sequence, ndim: int, axis: int, what: str) -> Any:
    if not tensors:
        raise RuntimeError(f"{what} expects a non-empty TensorList")
    return ops.Concatenate.apply(*(_at_least(t, ndim) for t in tensors), axis=axis)


def hstack(tensors: Sequence) -> Any:
    """Concatenation along the columns (along the only axis for 1-D tensors)."""
    return _join(tensors, 1, 0 if all(t.ndim <= 1 for t in tensors) else 1, "hstack")


def vstack(tensors: Sequence) -> Any:
    """Concatenation of the tensors as rows (1-D tensors become rows)."""
    return _join(tensors, 2, 0, "vstack")


row_stack = vstack


def dstack(tensors: Sequence) -> Any:
    """Concatenation along a third axis (1-D and 2-D tensors get one)."""
    return _join(tensors, 3, 2, "dstack")


def column_stack(tensors: Sequence) -> Any:
    """1-D tensors as columns, side by side with the columns of 2-D ones."""
    if not tensors:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    return ops.Concatenate.apply(*(t.reshape(-1, 1) if t.ndim <= 1 else t for t in tensors), axis=1)


def cartesian_prod(*tensors: Any) -> Any:
    """Every combination of one element of each 1-D tensor, as rows (a 1-D tensor itself for one input)."""
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return ops.Stack.apply(*(g.flatten() for g in grids), axis=1)
