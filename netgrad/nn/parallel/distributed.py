"""``DistributedDataParallel``: the same model on every rank, gradients averaged across ranks after backward.

At construction rank 0's parameters and buffers are broadcast, so every rank starts from the same weights.
Each rank then runs forward and backward on its own share of the batch; as soon as the backward pass has
produced the gradients of a bucket (a group of parameters, about ``bucket_cap_mb`` of gradients, the last
layers first), the bucket is copied into one flat buffer and a non-blocking MPI all-reduce starts on it while
the pass goes on. When the pass ends, every parameter's ``.grad`` holds the mean over the ranks::

    grad_p <- (grad_p^(0) + grad_p^(1) + ... + grad_p^(R-1)) / R

so one optimizer step on every rank applies the same update: with equal shares of a global batch and a loss
that is a mean over samples, exactly the step one process would take on the whole batch.
"""
from __future__ import annotations

import contextlib
import weakref
import zlib
from typing import Any, Iterator

import numpy as np

from ...distributed import collectives
from ...distributed.process_group import _get_group
from ...engine import autograd
from ..module import Module

_FIRST_BUCKET_BYTES = 1024 * 1024  # PyTorch's: a small first bucket starts communicating early
_BUCKET_CAP_MB = 25


class _Bucket:
    """Parameters whose gradients travel in one all-reduce: ``flat`` holds them, then one 'has a grad' flag each."""

    __slots__ = ("indices", "params", "views", "flags", "flat", "pending", "request")

    def __init__(self, indices: list, params: list) -> None:
        self.indices = indices
        self.params = params
        sizes = [p._data.size for p in params]
        self.flat = np.empty(sum(sizes) + len(params), params[0]._data.dtype)
        offsets = np.cumsum([0] + sizes)
        self.views = [self.flat[a:b].reshape(p._data.shape) for a, b, p in zip(offsets, offsets[1:], params)]
        self.flags = self.flat[offsets[-1]:]
        self.pending = 0
        self.request = None


class _Reducer:
    """Bucketing, readiness and the all-reduces of one ``DistributedDataParallel`` model.

    A parameter is ready when it has received as many gradients in this pass as in the first synchronised
    pass (once for a parameter used once); buckets are launched strictly in order, so that every rank issues
    the same collectives in the same order whatever the timing."""

    def __init__(self, params: list, group: Any, bucket_cap_bytes: int, first_bucket_bytes: int,
                 gradient_as_bucket_view: bool) -> None:
        self.group = group
        self.params = params
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.buckets: list[_Bucket] = []
        order = list(range(len(params)))[::-1]  # gradients arrive roughly in reverse order of registration
        current: list = []
        cap, size = first_bucket_bytes, 0
        for i in order:
            data = params[i]._data
            if current and (size + data.nbytes > cap or data.dtype != params[current[0]]._data.dtype):
                self.buckets.append(_Bucket(current, [params[j] for j in current]))
                current, size, cap = [], 0, bucket_cap_bytes
            current.append(i)
            size += data.nbytes
        if current:
            self.buckets.append(_Bucket(current, [params[j] for j in current]))
        self.bucket_of = {}
        for b, bucket in enumerate(self.buckets):
            for i in bucket.indices:
                self.bucket_of[i] = b
        self.expected: list | None = None  # gradients per parameter per pass, learnt in the first pass
        self.arrivals = [0] * len(params)
        self.armed = False
        self.queued = False
        self.next_bucket = 0

    def prepare_for_backward(self) -> None:
        """Called by forward: the next backward pass averages the gradients."""
        self.armed = True
        self.queued = False
        self.next_bucket = 0
        self.arrivals = [0] * len(self.params)
        for bucket in self.buckets:  # a parameter that the first pass left unused never becomes ready early
            bucket.request = None
            bucket.pending = len(bucket.indices)

    def grad_ready(self, index: int) -> None:
        """A gradient has been added to parameter ``index``'s ``.grad`` (called by the backward pass)."""
        if not self.armed:
            return
        if not self.queued:
            self.queued = True
            autograd.queue_callback(self.finish)
        arrivals = self.arrivals[index] = self.arrivals[index] + 1
        expected = self.expected
        if expected is None:
            return
        bucket = self.buckets[self.bucket_of[index]]
        if arrivals == expected[index]:
            bucket.pending -= 1
            if bucket.pending == 0:
                self._launch_ready()
        elif arrivals > expected[index] and bucket.request is not None:
            name = f"parameter {index} (shape {tuple(self.params[index]._data.shape)})"
            raise RuntimeError(f"DistributedDataParallel: {name} received more gradients in this backward pass "
                               f"({arrivals}) than in the first one ({expected[index]}), after its gradients had "
                               "been sent: the model must use each parameter the same number of times every step")
        for earlier in self.buckets[:self.next_bucket]:
            if earlier.request is not None:
                earlier.request.Test()  # lets MPI progress the transfers already under way

    def _launch_ready(self) -> None:
        while self.next_bucket < len(self.buckets) and self.buckets[self.next_bucket].pending == 0:
            self._launch(self.buckets[self.next_bucket])

    def _launch(self, bucket: _Bucket) -> None:
        for k, (param, view) in enumerate(zip(bucket.params, bucket.views)):
            grad = param._grad
            if grad is None:
                view.fill(0)
                bucket.flags[k] = 0
            else:
                np.copyto(view, grad)
                bucket.flags[k] = 1
        group = self.group
        bucket.request = group.comm.Iallreduce(group.MPI.IN_PLACE, bucket.flat, group.MPI.SUM)
        self.next_bucket += 1

    def finish(self) -> None:
        """At the end of the pass: launch what is left, wait for every bucket, write the means into ``.grad``."""
        self.armed = False
        if self.expected is None:
            self.expected = list(self.arrivals)
        while self.next_bucket < len(self.buckets):
            self._launch(self.buckets[self.next_bucket])
        group = self.group
        group.MPI.Request.Waitall([bucket.request for bucket in self.buckets])
        size = group.size
        for bucket in self.buckets:
            bucket.request = None
            for param, view, used in zip(bucket.params, bucket.views, bucket.flags):
                if not used:  # no rank had a gradient for it: it keeps none, as in PyTorch
                    continue
                np.divide(view, size, out=view)
                grad = param._grad
                if self.gradient_as_bucket_view:
                    param._grad = view
                elif grad is None or not grad.flags.writeable or grad.base is not None:
                    param._grad = view.copy()
                else:
                    np.copyto(grad, view)


class _Hook:
    """The per-parameter hook: tells the reducer (held weakly, so that a dropped model is collected)."""

    __slots__ = ("reducer", "index")

    def __init__(self, reducer: _Reducer, index: int) -> None:
        self.reducer = weakref.ref(reducer)
        self.index = index

    def __call__(self, tensor: Any) -> None:
        reducer = self.reducer()
        if reducer is not None:
            reducer.grad_ready(self.index)


def _remove_hooks(handles: list) -> None:
    for handle in handles:
        handle.remove()


class DistributedDataParallel(Module):
    """Wrap ``module`` for data-parallel training across the ranks of the process group (PyTorch's DDP).

    ``model = DistributedDataParallel(model)`` after ``netgrad.distributed.init_process_group("mpi")``: rank 0's
    parameters and buffers are copied to every rank, and each ``backward()`` through ``model(x)`` leaves the
    mean of the ranks' gradients in ``.grad`` (see the module docstring). The wrapped module is ``.module``;
    ``state_dict()`` keys start with ``module.`` as in PyTorch. ``broadcast_buffers`` copies rank 0's buffers
    (BatchNorm's running statistics) to every rank before each forward pass.

    Args:
        module: the model.
        bucket_cap_mb: size of the gradient buckets in MiB (default 25, and 1 for the first bucket).
        gradient_as_bucket_view: ``.grad`` becomes a view of the bucket buffer (saves a copy per step).

    PyTorch's other arguments (``device_ids``, ``output_device``, ``dim``, ``init_sync``, ``process_group``,
    ``find_unused_parameters``, ``check_reduction``, ``static_graph``) are accepted for its scripts: parameters
    unused in a pass are handled without ``find_unused_parameters``, and ``process_group`` must be the default
    group.
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None, dim: int = 0,
                 broadcast_buffers: bool = True, init_sync: bool = True, process_group: Any = None,
                 bucket_cap_mb: float | None = None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel wraps a netgrad.nn.Module, got {type(module).__name__}")
        if device_ids not in (None, [], ["cpu"]) or output_device not in (None, "cpu"):
            raise ValueError("DistributedDataParallel device_ids and output_device arguments only work with "
                             f"GPU modules; netgrad runs on the CPU: leave them out (got device_ids={device_ids!r}, "
                             f"output_device={output_device!r})")
        if bucket_cap_mb is not None and not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive, got {bucket_cap_mb!r}")
        group = _get_group(process_group)
        parameters = [p for p in module.parameters() if p.requires_grad]
        if any(id(p) in autograd._leaf_hooks for p in parameters):
            raise RuntimeError("DistributedDataParallel: this model is already wrapped by another "
                               "DistributedDataParallel that is still alive; wrap a model once and use that wrapper")
        self.module = module
        self.broadcast_buffers = bool(broadcast_buffers)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self._check_same_layout(group, list(module.parameters()))
        self._has_rank_0_state = bool(self._rank_0_state())  # most models have none: no module walk per forward
        if init_sync:
            for tensor in parameters + self._rank_0_state():
                collectives.broadcast(tensor, 0)
        cap = int((_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        first = _FIRST_BUCKET_BYTES if bucket_cap_mb is None else cap  # as PyTorch sizes them
        self.reducer = _Reducer(parameters, group, cap, first, bool(gradient_as_bucket_view))
        handles = [autograd.register_post_accumulate_grad_hook(p, _Hook(self.reducer, i))
                   for i, p in enumerate(parameters)]
        weakref.finalize(self, _remove_hooks, handles)  # the model can be wrapped again once this wrapper is gone

    @staticmethod
    def _check_same_layout(group: Any, params: list) -> None:
        """Every rank must hold the same parameters: compare a short signature of their shapes and dtypes."""
        layout = ";".join(f"{p._data.dtype}{p._data.shape}" for p in params).encode()
        signature = np.array([len(params), sum(p._data.size for p in params), zlib.crc32(layout)], np.int64)
        table = np.empty((group.size, 3), np.int64)
        group.comm.Allgather(signature, table)
        differs = [r for r in range(group.size) if not np.array_equal(table[r], table[0])]
        if differs:
            raise ValueError(f"DistributedDataParallel: the model on rank(s) {differs} has other parameters than "
                             f"on rank 0 ({table[differs[0]][0]} tensors of {table[differs[0]][1]} values against "
                             f"{table[0][0]} of {table[0][1]}): build the same model on every rank")

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if self._has_rank_0_state and self.require_forward_param_sync and self.broadcast_buffers:
            for state in self._rank_0_state():
                collectives.broadcast(state, 0)
        if autograd.is_grad_enabled() and self.require_backward_grad_sync:
            self.reducer.prepare_for_backward()
        else:
            self.reducer.armed = False
        return self.module(*inputs, **kwargs)

    def _rank_0_state(self) -> list:
        """What every forward copies from rank 0: buffers, and parameters that are not trained (Keras's
        non-trainable weights, e.g. BatchNormalization's moving statistics)."""
        return list(self.module.buffers()) + [p for p in self.module.parameters() if not p.requires_grad]

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Backward passes of forwards run inside this block keep their gradients local (accumulated in
        ``.grad``); the first backward after it averages the sum::

            with model.no_sync():
                model(x1).sum().backward()   # local only
            model(x2).sum().backward()       # averages grad(x1) + grad(x2) across ranks
        """
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous
