"""Tensor methods that pick, place, order and count elements: gather / scatter / index_select / masked_fill /
take, sort / topk / median / mode, cumulative sums, unique / bincount / nonzero, logical and bitwise
operators, floor division and remainder; and searchsorted / bucketize. Values that come from the input
(gather, sort, topk, median, ...) are differentiable through the engine's indexing; indices are int64."""
from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from . import ops
from .backend import array_module
from .shaping import _along, _dim


def _named(name: str, fields: str = "values indices") -> type:
    kind = namedtuple(name, fields.split())
    kind.__module__ = "netgrad.return_types"
    return kind


SORT, TOPK, MEDIAN, MODE, KTHVALUE = (_named(n) for n in ("sort", "topk", "median", "mode", "kthvalue"))
AMINMAX = _named("aminmax", "min max")


def _array(x: Any) -> Any:
    """A tensor's array, an array as it is (on its device), anything else as a NumPy array."""
    if hasattr(x, "_data"):
        return x._data
    return x if hasattr(x, "shape") and hasattr(x, "dtype") else np.asarray(x)


def _on(self: Any, array: Any) -> Any:
    """An index array on the tensor's device."""
    return array_module(self._data).asarray(array)


def _long(self: Any, array: Any) -> Any:
    return self._result_type._wrap(array_module(self._data).asarray(array, dtype=np.int64))


def _grid_key(index: np.ndarray, dim: int) -> tuple:
    """The advanced index that reads x[..., index[i, j, k], ...] (index on axis ``dim``) at every position of
    ``index``: gather's and scatter's addressing."""
    xp = array_module(index)
    key = [xp.arange(n).reshape((1,) * i + (n,) + (1,) * (index.ndim - i - 1)) for i, n in enumerate(index.shape)]
    key[dim] = index
    return tuple(key)


def _stable_argsort(data: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable order along ``axis``; descending keeps equal elements in their original order too (NaN first)."""
    if not descending:
        return np.argsort(data, axis=axis, kind="stable")
    n = data.shape[axis]
    return n - 1 - np.flip(np.argsort(np.flip(data, axis), axis=axis, kind="stable"), axis)


class SelectMethods:
    """Tensor methods that select, place, order and count (mixed into ``Tensor``)."""

    __slots__ = ()

    # ------------------------------------------------------------------------------------------- gather

    def _index_of(self, index: Any, dim: int, what: str) -> tuple:
        d = _dim(dim, self.ndim)
        index = _array(index)
        if index.dtype.kind not in "iu":
            raise RuntimeError(f"{what}(): Expected dtype int64 for index, got {index.dtype}")
        if index.ndim != max(self.ndim, 1) and not (index.ndim <= 1 and self.ndim <= 1):
            raise RuntimeError(f"Index tensor must have the same number of dimensions as input tensor "
                               f"({index.ndim} vs {self.ndim}); use unsqueeze or view to match them")
        n = self.shape[d] if self.ndim else 1
        if index.size and (index.max() >= n or index.min() < 0):
            bad = index.max() if index.max() >= n else index.min()
            raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {n}")
        return d, _on(self, index)

    def gather(self, dim: int, index: Any, *, sparse_grad: bool = False) -> Any:
        """out[i][j][k] = self[index[i][j][k]][j][k] (for dim 0, and so on);  d self accumulates g there."""
        d, index = self._index_of(index, dim, "gather")
        return self[_grid_key(index, d)]

    def take_along_dim(self, indices: Any, dim: int | None = None) -> Any:
        """Values at ``indices`` along ``dim`` (of the flattened tensor when None), the indices broadcast
        against the tensor, as NumPy's ``take_along_axis``."""
        if dim is None:
            return self.reshape(-1)[_array(indices).reshape(-1)]
        d = _dim(dim, self.ndim)
        index = _array(indices)
        shape = list(np.broadcast_shapes(tuple(self.shape[:d]) + (1,) + tuple(self.shape[d + 1:]),
                                         index.shape[:d] + (1,) + index.shape[d + 1:]))
        x_shape = shape.copy()
        x_shape[d], shape[d] = self.shape[d], index.shape[d]
        return self.expand(x_shape).gather(d, np.broadcast_to(index, shape))

    def scatter(self, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: str | None = None) -> Any:
        """A copy with out[index[i][j][k]][j][k] = src[i][j][k] (for dim 0, and so on); ``src`` may be a number
        (or ``value=``); ``reduce`` "add" or "multiply" combines instead of replacing."""
        d, index = self._index_of(index, dim, "scatter")
        key = _grid_key(index, d)
        source = value if src is None else src
        if hasattr(source, "_data") and source.ndim:
            source = source[tuple(slice(0, n) for n in index.shape)]
        elif hasattr(source, "_data"):
            source = source.expand(index.shape) if source.requires_grad else source._data
        if reduce == "add":
            return ops.IndexAdd.apply(self, source, key)
        if reduce == "multiply":
            factors = array_module(self._data).ones(self._data.shape, dtype=self._data.dtype)
            np.multiply.at(factors, key, _array(source))
            return self * self._result_type._wrap(factors)
        if reduce is not None:
            raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce!r}")
        return ops.SetItem.apply(self, source, key)

    def scatter_add(self, dim: int, index: Any, src: Any) -> Any:
        """A copy with src[i][j][k] added at [index[i][j][k]][j][k] (for dim 0), repeats accumulating."""
        return self.scatter(dim, index, src, reduce="add")

    def scatter_(self, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: str | None = None) -> Any:
        return self._rewrite(lambda t: t.scatter(dim, index, src, value=value, reduce=reduce), src)

    def scatter_add_(self, dim: int, index: Any, src: Any) -> Any:
        return self._rewrite(lambda t: t.scatter_add(dim, index, src), src)

    def index_select(self, dim: int, index: Any) -> Any:
        """The slices at ``index`` (1-D) along ``dim``."""
        d = _dim(dim, self.ndim)
        index = _array(index)
        if index.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        return self[_along(d, index.reshape(-1))]

    def index_add(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Any:
        """A copy with alpha * source[i] added to slice index[i] along ``dim``, repeats accumulating."""
        d = _dim(dim, self.ndim)
        return ops.IndexAdd.apply(self, source if alpha == 1 else source * alpha, _along(d, _array(index)))

    def index_add_(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Any:
        return self._rewrite(lambda t: t.index_add(dim, index, source, alpha=alpha), source)

    def index_fill(self, dim: int, index: Any, value: Any) -> Any:
        d = _dim(dim, self.ndim)
        return ops.SetItem.apply(self, value, _along(d, _on(self, _array(index))))

    def index_fill_(self, dim: int, index: Any, value: Any) -> Any:
        return self._rewrite(lambda t: t.index_fill(dim, index, value), value)

    def take(self, index: Any) -> Any:
        """Elements of the flattened tensor at ``index`` (the result has the index's shape)."""
        return self.reshape(-1)[_array(index)]

    def masked_fill(self, mask: Any, value: Any) -> Any:
        """``value`` where ``mask`` (broadcast) is True, the tensor elsewhere;  d self = g where not masked."""
        mask = _array(mask)
        if mask.dtype != np.bool_:
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype}")
        if hasattr(value, "_data"):
            if value.ndim:
                raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                                   f"{value.ndim} dimension(s).")
            value = value.type(self.dtype)
        else:
            value = array_module(self._data).asarray(value, dtype=self._data.dtype)
        out = ops.Where.apply(mask, value, self)
        if out.shape != self.shape:
            raise RuntimeError(f"masked_fill: mask of shape {mask.shape} does not broadcast to the tensor's shape "
                               f"{tuple(self.shape)}")
        return out

    def masked_fill_(self, mask: Any, value: Any) -> Any:
        return self._rewrite(lambda t: t.masked_fill(mask, value), value)

    def masked_select(self, mask: Any) -> Any:
        """The elements where ``mask`` (broadcast with the tensor) is True, as a 1-D tensor."""
        mask = _array(mask)
        if mask.dtype != np.bool_:
            raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {mask.dtype}")
        shape = np.broadcast_shapes(tuple(self.shape), mask.shape)
        x = self if tuple(self.shape) == shape else self.expand(shape)
        return x[np.broadcast_to(mask, shape)]

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """Indices of the non-zero elements: an (n, ndim) int64 tensor, or one 1-D tensor per axis."""
        found = np.nonzero(self._data if self.ndim else self._data.reshape(1))
        if as_tuple:
            return tuple(_long(self, f) for f in found)
        return _long(self, np.stack(found, axis=1)[:, :self.ndim])

    def argwhere(self) -> Any:
        return self.nonzero()

    # ------------------------------------------------------------------------------------------ ordering

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
        """(values, indices) in ascending (or descending) order along ``dim``; ties keep their order."""
        if self.ndim == 0:
            return SORT(self[...], _long(self, np.zeros((), np.int64)))
        d = _dim(dim, self.ndim)
        order = _stable_argsort(self._data, d, descending)
        return SORT(self.gather(d, order), _long(self, order))

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
        return self.sort(dim, descending, stable=stable).indices

    def msort(self) -> Any:
        return self.sort(0).values

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        """The ``k`` largest (or smallest) elements along ``dim`` and their indices, largest first."""
        d = _dim(dim, self.ndim)
        n = self.shape[d] if self.ndim else 1
        if not 0 <= k <= n:
            raise RuntimeError("selected index k out of range")
        if self.ndim == 0:
            return TOPK(self[...], _long(self, np.zeros((), np.int64)))
        order = _stable_argsort(self._data, d, largest)[_along(d, slice(0, k))]
        return TOPK(self.gather(d, order), _long(self, order))

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        """The k-th smallest element along ``dim`` (k from 1) and its index."""
        n = self.shape[_dim(dim, self.ndim)] if self.ndim else 1
        if not 1 <= k <= n:
            raise IndexError(f"kthvalue(): selected number k out of range for dimension {dim}")
        return KTHVALUE(*self._rank(k - 1, dim, keepdim))

    def _rank(self, position: int, dim: int, keepdim: bool) -> tuple:
        """The element at ``position`` in sorted order along ``dim``, and its index."""
        if self.ndim == 0:
            return self[...], _long(self, np.zeros((), np.int64))
        d = _dim(dim, self.ndim)
        order = _stable_argsort(self._data, d, False)[_along(d, slice(position, position + 1))]
        values, indices = self.gather(d, order), order
        if not keepdim:
            values, indices = values.squeeze(d), np.squeeze(indices, d)
        return values, _long(self, indices)

    def median(self, dim: int | None = None, keepdim: bool = False) -> Any:
        """The lower median (element (n - 1) // 2 in sorted order); with ``dim``, (values, indices)."""
        if dim is None:
            flat = self.reshape(-1)
            if flat.shape[0] == 0:
                return self._result_type._wrap(array_module(self._data).full((), np.nan, self._data.dtype))
            return flat._rank((flat.shape[0] - 1) // 2, 0, False)[0]
        n = self.shape[_dim(dim, self.ndim)] if self.ndim else 1
        return MEDIAN(*self._rank((n - 1) // 2, dim, keepdim))

    def nanmedian(self, dim: int | None = None, keepdim: bool = False) -> Any:
        """The lower median of the non-NaN elements (NaN where there are none); with ``dim``, (values, indices)."""
        if dim is None:
            flat = self.reshape(-1)
            valid = int((~np.isnan(flat._data)).sum())
            return flat._rank(max(valid - 1, 0) // 2, 0, False)[0] if flat.shape[0] else self.median()
        if self.ndim == 0:
            return MEDIAN(self[...], _long(self, np.zeros((), np.int64)))
        d = _dim(dim, self.ndim)
        order = _stable_argsort(self._data, d, False)  # NaN sorts last
        valid = (~np.isnan(self._data)).sum(axis=d, keepdims=True)
        index = np.take_along_axis(order, np.maximum(valid - 1, 0) // 2, d)
        values = self.gather(d, index)
        if not keepdim:
            values, index = values.squeeze(d), np.squeeze(index, d)
        return MEDIAN(values, _long(self, index))

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        """The most frequent value along ``dim`` (the smallest of equally frequent ones) and the index of its
        last occurrence."""
        if self.ndim == 0:
            return MODE(self[...], _long(self, np.zeros((), np.int64)))
        d = _dim(dim, self.ndim)
        rows = np.moveaxis(self._data, d, -1)
        flat = rows.reshape(-1, rows.shape[-1])
        best = np.empty(flat.shape[0], np.int64)
        for r, row in enumerate(flat):
            values, counts = np.unique(row, return_counts=True)
            winner = values[np.argmax(counts)]
            best[r] = int(np.flatnonzero(row == winner)[-1])
        index = np.expand_dims(best.reshape(rows.shape[:-1]), d)
        values = self.gather(d, index)
        if not keepdim:
            values, index = values.squeeze(d), np.squeeze(index, d)
        return MODE(values, _long(self, index))

    def unique(self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
               dim: int | None = None) -> Any:
        """The distinct elements in ascending order (slices along ``dim`` if given), with the inverse indices
        (input shape) and the counts when asked."""
        data = self._data
        values, inverse, counts = np.unique(data, return_inverse=True, return_counts=True,
                                            axis=None if dim is None else _dim(dim, self.ndim))
        out = [self._result_type._wrap(values)]
        if return_inverse:
            out.append(_long(self, inverse.reshape(data.shape) if dim is None else inverse.reshape(-1)))
        if return_counts:
            out.append(_long(self, counts))
        return out[0] if len(out) == 1 else tuple(out)

    # ------------------------------------------------------------------------------------------- counting

    def bincount(self, weights: Any = None, minlength: int = 0) -> Any:
        """How often each value 0 .. max occurs in a 1-D non-negative integer tensor (or the sum of their
        ``weights``)."""
        data = self._data
        if data.ndim != 1 or data.dtype.kind not in "iub":
            raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs, got {data.ndim}-d "
                               f"{self.dtype}")
        if data.size and data.min() < 0:
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        if minlength < 0:
            raise RuntimeError("minlength should be >= 0")
        if weights is None:
            return _long(self, np.bincount(data, minlength=minlength))
        w = _array(weights)
        counts = np.bincount(data, weights=w, minlength=minlength)
        return self._result_type._wrap(counts.astype(w.dtype if w.dtype.kind == "f" else np.float64))

    def count_nonzero(self, dim: Any = None) -> Any:
        axis = dim if dim is None or isinstance(dim, int) else tuple(dim)
        return _long(self, np.count_nonzero(self._data, axis=axis))

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> Any:
        """(min, max) of all elements, or along ``dim``."""
        if dim is None:
            return AMINMAX(self.amin(), self.amax())
        return AMINMAX(self.amin(dim, keepdim), self.amax(dim, keepdim))

    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
        """Sum treating NaN as zero."""
        x = self if dtype is None else self.type(dtype)
        return x.masked_fill(np.isnan(x._data), 0).sum(dim, keepdim)

    def nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
        """Mean of the non-NaN elements."""
        x = self if dtype is None else self.type(dtype)
        valid = ~np.isnan(x._data)
        count = valid.sum(axis=dim if dim is None or isinstance(dim, int) else tuple(dim), keepdims=keepdim)
        return x.nansum(dim, keepdim) / self._result_type._wrap(array_module(x._data).asarray(count, x._data.dtype))

    # ------------------------------------------------------------------------------------------ scans

    def _scan(self, function: type, dim: int, dtype: Any) -> Any:
        x = self
        if dtype is not None:
            x = x.type(dtype)
        elif self._data.dtype.kind in "biu":
            x = x.type(np.int64)
        return function.apply(x, _dim(dim, x.ndim)) if x.ndim else x[...]

    def cumsum(self, dim: int, *, dtype: Any = None) -> Any:
        """y_i = x_0 + ... + x_i along ``dim`` (integers and booleans sum as int64)."""
        return self._scan(ops.CumSum, dim, dtype)

    def cumprod(self, dim: int, *, dtype: Any = None) -> Any:
        """y_i = x_0 * ... * x_i along ``dim``."""
        return self._scan(ops.CumProd, dim, dtype)

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Any:
        """The n-th forward difference x[i + 1] - x[i] along ``dim`` (after joining prepend and append)."""
        d = _dim(dim, self.ndim)
        parts = [t if hasattr(t, "_data") else self.new_tensor(t) for t in (prepend, self, append) if t is not None]
        x = parts[0] if len(parts) == 1 else ops.Concatenate.apply(*parts, axis=d)
        for _ in range(n):
            if x._data.dtype == np.bool_:
                x = x[_along(d, slice(1, None))] ^ x[_along(d, slice(None, -1))]
            else:
                x = x[_along(d, slice(1, None))] - x[_along(d, slice(None, -1))]
        return x

    # ---------------------------------------------------------------------------- logic and integer maths

    def _logical(self, other: Any, ufunc: np.ufunc) -> Any:
        return self._result_type._wrap(ufunc(self._data, _array(other)))

    def logical_and(self, other: Any) -> Any:
        return self._logical(other, np.logical_and)

    def logical_or(self, other: Any) -> Any:
        return self._logical(other, np.logical_or)

    def logical_xor(self, other: Any) -> Any:
        return self._logical(other, np.logical_xor)

    def logical_not(self) -> Any:
        return self._result_type._wrap(np.logical_not(self._data))

    def _bitwise(self, other: Any, ufunc: np.ufunc, name: str) -> Any:
        if self._data.dtype.kind == "f" or _array(other).dtype.kind == "f":
            raise RuntimeError(f"{name} needs integer or boolean tensors, got {self.dtype} and "
                               f"{getattr(other, 'dtype', type(other).__name__)}")
        return self._result_type._wrap(ufunc(self._data, other._data if hasattr(other, "_data") else other))

    def bitwise_and(self, other: Any) -> Any:
        return self._bitwise(other, np.bitwise_and, "bitwise_and")

    def bitwise_or(self, other: Any) -> Any:
        return self._bitwise(other, np.bitwise_or, "bitwise_or")

    def bitwise_xor(self, other: Any) -> Any:
        return self._bitwise(other, np.bitwise_xor, "bitwise_xor")

    __xor__ = bitwise_xor

    def bitwise_not(self) -> Any:
        if self._data.dtype.kind == "f":
            raise RuntimeError(f"bitwise_not needs an integer or boolean tensor, got {self.dtype}")
        return self._result_type._wrap(np.invert(self._data))

    def bitwise_left_shift(self, other: Any) -> Any:
        return self._bitwise(other, np.left_shift, "lshift")

    def bitwise_right_shift(self, other: Any) -> Any:
        return self._bitwise(other, np.right_shift, "rshift")

    __lshift__, __rshift__ = bitwise_left_shift, bitwise_right_shift

    def __mod__(self, other: Any) -> Any:
        return ops.Remainder.apply(*self._pair(other))

    def __rmod__(self, other: Any) -> Any:
        a, b = self._pair(other)
        return ops.Remainder.apply(b, a)

    remainder = __mod__

    def __floordiv__(self, other: Any) -> Any:
        """floor(self / other), in the operands' result type; no derivative, as in PyTorch."""
        return ops.FloorDivide.apply(*self._pair(other))

    def __rfloordiv__(self, other: Any) -> Any:
        a, b = self._pair(other)
        return ops.FloorDivide.apply(b, a)

    floor_divide = __floordiv__


def searchsorted(sorted_sequence: Any, input: Any, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, sorter: Any = None) -> Any:
    """Where each of ``input`` would go in ``sorted_sequence`` (its last axis) to keep it sorted: the first
    such place, or the last with ``right=True`` / ``side="right"``."""
    if side is not None and side not in ("left", "right"):
        raise RuntimeError(f"side can only be 'left' or 'right' but got {side}")
    if side == "left" and right:
        raise RuntimeError("side and right can't be set to opposites, got side of left while right was True")
    side = side or ("right" if right else "left")
    sequence, values = _array(sorted_sequence), _array(input)
    if sorter is not None:
        sequence = np.take_along_axis(sequence, _array(sorter), -1)
    if sequence.ndim <= 1:
        found = np.searchsorted(sequence, values, side=side)
    else:
        if sequence.shape[:-1] != values.shape[:-1]:
            raise RuntimeError(f"searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                               f"dimensions of boundaries tensor and input value tensor must match, but we got "
                               f"boundaries tensor {list(sequence.shape)} and input value tensor {list(values.shape)}")
        rows, wanted = sequence.reshape(-1, sequence.shape[-1]), values.reshape(-1, values.shape[-1])
        found = np.stack([np.searchsorted(r, v, side=side) for r, v in zip(rows, wanted)]).reshape(values.shape)
    like = sorted_sequence if hasattr(sorted_sequence, "_data") else input
    return like._result_type._wrap(array_module(sequence).asarray(found, dtype=np.int32 if out_int32 else np.int64))


def bucketize(input: Any, boundaries: Any, *, out_int32: bool = False, right: bool = False) -> Any:
    """The bucket of each element: i with boundaries[i - 1] < x <= boundaries[i] (< with ``right=True``)."""
    if _array(boundaries).ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({_array(boundaries).ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)

