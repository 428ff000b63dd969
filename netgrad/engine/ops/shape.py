"""Shape operations: reshape, permute, expand, concatenate, stack, indexing; forward next to backward."""
from __future__ import annotations

import numpy as np

from ..autograd import Function, unbroadcast
from ..backend import array_module, device_of, to_device


class Reshape(Function):
    """reshape;  dx = g reshaped back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.shape), None


class Permute(Function):
    """axes permutation (transpose);  dx = g permuted by the inverse permutation."""

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return x.transpose(axes)

    @staticmethod
    def backward(ctx, g):
        return g.transpose(np.argsort(ctx.axes)), None


class Expand(Function):
    """broadcast to a larger shape;  dx = g summed over the broadcast axes."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return unbroadcast(g, ctx.shape), None


class Concatenate(Function):
    """cat along an axis;  each input gets its slice of g."""

    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.axis = axis
        ctx.splits = np.cumsum([a.shape[axis] for a in arrays])[:-1].tolist()
        return np.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return tuple(np.split(g, ctx.splits, axis=ctx.axis))


class Stack(Function):
    """stack along a new axis;  input i gets g[..., i, ...]."""

    @staticmethod
    def forward(ctx, *arrays, axis):
        ctx.axis = axis
        return np.stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        return tuple(np.moveaxis(g, ctx.axis, 0))


def _is_basic_index(key) -> bool:
    items = key if isinstance(key, tuple) else (key,)
    return all(k is None or k is Ellipsis or isinstance(k, (int, slice, np.integer)) for k in items)


def _key_on(key, x):
    place = device_of(x)
    if isinstance(key, tuple):
        return tuple(to_device(k, *place) if isinstance(k, np.ndarray) else k for k in key)
    return to_device(key, *place) if isinstance(key, np.ndarray) else key


class Index(Function):
    """x[key] (basic or advanced);  dx = g scattered back, repeated indices accumulating."""

    @staticmethod
    def forward(ctx, x, key):
        if type(x) is not np.ndarray:  # index arrays (from lists, CPU tensors) go to the data's device
            key = _key_on(key, x)
        ctx.shape, ctx.dtype, ctx.key = x.shape, x.dtype, key
        return x[key]

    @staticmethod
    def backward(ctx, g):
        grad = array_module(g).zeros(ctx.shape, dtype=g.dtype)
        if _is_basic_index(ctx.key):
            grad[ctx.key] = g
        else:
            np.add.at(grad, ctx.key, g)
        return grad, None


class SetItem(Function):
    """x with x[key] = value (``x[key] = value`` on a tensor in the graph);  dx = g with g[key] = 0,
    dvalue = g[key] summed back to the value's shape."""

    @staticmethod
    def forward(ctx, x, value, key):
        ctx.key, ctx.shape = key, np.shape(value)
        out = x.copy()
        out[key] = value
        return out

    @staticmethod
    def backward(ctx, g):
        grad_x = None
        if ctx.inputs[0] is not None:
            grad_x = g.copy()
            grad_x[ctx.key] = 0
        grad_value = unbroadcast(array_module(g).asarray(g[ctx.key]), ctx.shape) if ctx.inputs[1] is not None else None
        return grad_x, grad_value, None


class IndexAdd(Function):
    """x with value added at key, repeated positions accumulating (scatter_add, index_add, put with
    accumulate);  dx = g, dvalue = g[key] summed back to the value's shape."""

    @staticmethod
    def forward(ctx, x, value, key):
        if type(x) is not np.ndarray:
            key = _key_on(key, x)
        ctx.key, ctx.shape = key, np.shape(value)
        out = x.copy()
        np.add.at(out, key, value)
        return out

    @staticmethod
    def backward(ctx, g):
        grad_value = unbroadcast(array_module(g).asarray(g[ctx.key]), ctx.shape) if ctx.inputs[1] is not None else None
        return g, grad_value, None
