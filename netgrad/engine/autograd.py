"""Reverse-mode automatic differentiation: graph nodes, the backward engine and grad mode.

Every differentiable operation is a :class:`Function` subclass with a ``forward`` and a ``backward``
on raw NumPy arrays. ``Function.apply`` runs ``forward`` and, when an input requires a gradient, the
``Function`` instance itself becomes the graph node (``tensor.grad_fn``) that remembers its inputs and
whatever ``forward`` saved on it. Each node is numbered when it is created, so a node's inputs always
carry smaller numbers than the node itself. :func:`backward` therefore needs no graph traversal to sort
it: it keeps the nodes that have received a gradient in a heap and always runs the newest one next (as
PyTorch's engine does), which calls each node's ``backward`` exactly once, with the sum of all the
gradients that reached it (the multivariate chain rule). No recursion, so graphs of any depth work.

Unlike PyTorch, ``forward`` and ``backward`` see NumPy arrays, not tensors: that keeps the engine cheap.
"""
from __future__ import annotations

import functools
import heapq
import itertools
import threading
import weakref
from typing import Any, Callable

import numpy as np

from .backend import array_module, device_of
from .numerics import ONE

_new = object.__new__

_sequence = itertools.count()  # creation order of graph nodes: a topological order for free
# non-leaf tensors that asked for .grad with retain_grad(): graph node -> weak reference to the tensor
_retained: "weakref.WeakKeyDictionary[Function, weakref.ref]" = weakref.WeakKeyDictionary()


class TensorBase:
    """What the graph needs of a tensor: its array, gradient, node and flag (``Tensor`` builds on it).

    ``_result_type`` is the class of the tensors operations return (``Tensor``, also for a ``Parameter``)."""

    # _changes: [version, sequence number of the latest in-place change], set by the first one (see bump);
    # shared by a tensor and its detach()es, as PyTorch's version counter
    __slots__ = ("_data", "_grad", "requires_grad", "_grad_fn", "_changes", "__weakref__")
    _result_type: type


class ShapeError(ValueError, RuntimeError):
    """Operands whose shapes do not fit the operation (a ``ValueError`` and a ``RuntimeError``, as in PyTorch)."""


class Function:
    """A differentiable operation and, once applied, its node in the computational graph.

    Subclass it with two static methods::

        class Cube(Function):
            @staticmethod
            def forward(ctx, x):            # x: np.ndarray
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, grad_output):  # d(x^3)/dx = 3x^2
                (x,) = ctx.saved_tensors
                return 3 * x ** 2 * grad_output

        y = Cube.apply(t)

    ``backward`` returns one gradient per positional argument of ``forward`` (``None`` where there is none).
    It must not modify ``grad_output`` in place: the same array may flow to several places.
    """

    # inputs: the Tensor arguments that require grad (None elsewhere; the tuple is None once freed);
    # sequence: creation number, larger than every input's node's; args: every argument (for version checks);
    # before: set on the node of an in-place op, the tensor as it was before the op (see Tensor._record)
    __slots__ = ("inputs", "sequence", "args", "before")
    # True where backward always returns new arrays that nothing else holds (a matrix product, a ufunc's
    # result): a leaf keeps them as its .grad without the end-of-pass check for shared arrays
    fresh_gradients = False

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any):
        ctx = _new(cls)
        arrays = []
        inputs = []
        requires_grad = False
        like = None
        for a in args:
            if isinstance(a, TensorBase):
                like = a
                arrays.append(a._data)
                if a.requires_grad:
                    requires_grad = True
                    inputs.append(a)
                    continue
            else:
                arrays.append(a)
            inputs.append(None)
        requires_grad = requires_grad and _grad_state.enabled
        if requires_grad:
            ctx.inputs = tuple(inputs)
            ctx.sequence = next(_sequence)
            ctx.args = args
        else:
            ctx.inputs = None
        try:
            out = cls.forward(ctx, *arrays, **kwargs)
        except ValueError as error:
            shapes = ", ".join(str(tuple(np.shape(a))) for a in arrays if hasattr(a, "shape"))
            raise ShapeError(f"{cls.__name__}: {error} (input shapes: {shapes})") from None
        except TypeError:  # CuPy (and the stand-in device) refuse arrays of another device with a TypeError
            _check_same_device(arrays)
            raise
        if type(out) is not np.ndarray:  # a NumPy scalar comes only from NumPy inputs (CuPy gives 0-d arrays)
            out = np.asarray(out) if isinstance(out, np.generic) else _output_array(out, arrays)
        if like is None:
            raise TypeError(f"{cls.__name__}.apply() needs at least one tensor argument")
        t = _new(like._result_type)  # what Tensor._make does, inline: this runs once per operation
        t._data = out
        t._grad = None
        t._grad_fn = ctx if requires_grad else None
        t.requires_grad = requires_grad
        return t

    @staticmethod
    def forward(ctx: "Function", *args: Any, **kwargs: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: "Function", grad_output: np.ndarray) -> Any:
        raise NotImplementedError

    def save_for_backward(self, *arrays: Any) -> None:
        self.saved_tensors = arrays

    @property
    def needs_input_grad(self) -> tuple:
        inputs = self.inputs
        return () if inputs is None else tuple(t is not None for t in inputs)

    @property
    def next_functions(self) -> tuple:
        """The graph nodes feeding this one, as PyTorch gives them: a ``(node, 0)`` pair per input, the node
        being the input's ``grad_fn``, the :class:`AccumulateGrad` of a leaf that requires grad, or None."""
        return tuple((None, 0) if t is None else (t._grad_fn or AccumulateGrad.of(t), 0) for t in self.inputs or ())

    def name(self) -> str:
        return type(self).__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"


class AccumulateGrad:
    """The graph node that adds a leaf's gradient into its ``.grad`` (``variable``), as in PyTorch: the end of
    every path in ``next_functions``. One per leaf, so graph walkers can tell the nodes they have seen."""

    __slots__ = ("_variable", "__weakref__")
    _made: dict = {}  # id(leaf) -> its node, dropped with the leaf
    next_functions = ()

    def __init__(self, variable: Any) -> None:
        self._variable = weakref.ref(variable)

    @classmethod
    def of(cls, leaf: Any) -> "AccumulateGrad":
        node = cls._made.get(id(leaf))
        if node is None or node._variable() is not leaf:
            node = cls._made[id(leaf)] = cls(leaf)
            weakref.finalize(leaf, cls._made.pop, id(leaf), None)
        return node

    @property
    def variable(self) -> Any:
        return self._variable()

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


def _check_same_device(arrays: list) -> None:
    """PyTorch's error for an operation on tensors of more than one device."""
    found = []
    for a in arrays:
        if hasattr(a, "shape") and hasattr(a, "dtype") and not isinstance(a, np.generic):
            kind, index = device_of(a)
            name = kind if index is None else f"{kind}:{index}"
            if name not in found:
                found.append(name)
    if len(found) > 1:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{found[-1]} and {found[0]}!") from None


def _output_array(out: Any, arrays: list) -> Any:
    """A forward's result as an array of its inputs' device (NumPy gives scalars for 0-d results)."""
    if isinstance(out, np.ndarray) or hasattr(out, "__cuda_array_interface__"):
        return out  # a stand-in or CuPy array
    for a in arrays:
        if isinstance(a, np.ndarray) or hasattr(a, "__cuda_array_interface__"):
            return array_module(a).asarray(out)
    return np.asarray(out)


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum a gradient that NumPy broadcasting spread out back down to ``shape``."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)  # NumPy scalars (a full sum) have reshape too: it gives an array


def _accumulate_leaf(tensor, grad: Any, borrowed: list, fresh: bool = False) -> None:
    """Add ``grad`` to ``tensor.grad``; a first gradient is kept as it is, and listed in ``borrowed`` unless
    ``fresh`` (an array that only this call holds).

    The array a backward pass hands to a leaf may also live elsewhere (passed through by add or reshape,
    given to another leaf, still waiting for its node): it is only made private once the pass is over
    (:func:`_make_private`), and until then never changed in place."""
    data = tensor._data
    own = tensor._grad
    if own is None:
        if type(grad) is not type(data) or (grad.dtype is not data.dtype and grad.dtype != data.dtype):
            grad = array_module(data).array(grad, dtype=data.dtype)  # a new array: private already
        elif not fresh:
            borrowed.append(tensor)
        if grad.shape != data.shape:
            raise ShapeError(f"gradient of shape {grad.shape} for a tensor of shape {data.shape}")
        tensor._grad = grad
    elif borrowed and any(t is tensor for t in borrowed):  # a second gradient in this pass: the first may be shared
        tensor._grad = np.add(own, grad, dtype=own.dtype)
    else:
        own += grad


def _make_private(leaves: list, root_grad: np.ndarray) -> None:
    """Copy each leaf gradient that may be shared: a view, the root gradient, or an array another leaf has.

    After the pass these arrays are all alive, so their ids tell them apart."""
    seen = {id(root_grad)}
    for tensor in leaves:
        grad = tensor._grad
        if grad.base is not None or id(grad) in seen:
            tensor._grad = grad.copy()
        else:
            seen.add(id(grad))


def backward(tensor, gradient: Any = None, retain_graph: bool = False) -> None:
    """Accumulate d(tensor)/d(leaf) * gradient into ``.grad`` of every leaf that requires grad."""
    if not tensor.requires_grad:
        raise RuntimeError(
            "backward() on a tensor that does not require grad and has no grad_fn: "
            "create the inputs with requires_grad=True (or call .requires_grad_())."
        )
    data = tensor._data
    if gradient is None:
        if data.size != 1:
            raise RuntimeError(
                f"backward() without a gradient needs a scalar output, but the tensor has shape {data.shape}: "
                f"pass gradient= of shape {data.shape}, or reduce the output first (e.g. .sum() or .mean())."
            )
        # d(loss)/d(loss) = 1: a shared read-only 0-d one (a backward never modifies the gradient it is given)
        grad = ONE.get(data.dtype) if data.ndim == 0 and type(data) is np.ndarray else None
        if grad is None:
            grad = array_module(data).ones(data.shape, data.dtype)
    else:
        grad = gradient._data if isinstance(gradient, TensorBase) else gradient
        if type(grad) is not type(data) or grad.dtype != data.dtype:
            if isinstance(gradient, TensorBase):
                _check_same_device([data, grad])
            grad = array_module(data).asarray(grad, dtype=data.dtype)
        if grad.shape != data.shape:
            if grad.size == data.size and grad.size == 1:
                grad = grad.reshape(data.shape)
            else:
                raise ShapeError(
                    f"backward(): gradient has shape {grad.shape} but the output has shape {data.shape}; "
                    "they must match."
                )
    root_grad = grad
    borrowed: list = []  # leaves whose .grad is an array of this pass, made private at the end
    hooks = _leaf_hooks or None
    root = tensor._grad_fn
    if root is None:  # a leaf
        _accumulate_leaf(tensor, grad, borrowed)
        _make_private(borrowed, root_grad)
        return
    pending = {root: grad}  # node -> sum of the gradients it has received so far
    heap = [(-root.sequence, root)]  # max-heap on creation number: newest first
    retained = _retained if _retained.data else None  # .data: the plain dict, cheap to test for emptiness
    last_change = _last_change
    pop, push = heapq.heappop, heapq.heappush
    try:
        while heap:
            node = pop(heap)[1]
            grad = pending.pop(node)
            inputs = node.inputs
            if inputs is None:
                raise RuntimeError(
                    "Trying to backward through the graph a second time: its saved values were freed by the "
                    "first backward(). Call backward(retain_graph=True) the first time if you need to do this."
                )
            if node.sequence < last_change:  # something changed in place after this node was made
                _check_saved(node)
                inputs = _inputs_as_made(node)
            if retained is not None and node in retained:
                owner = retained[node]()
                if owner is not None:
                    _accumulate_leaf(owner, grad, borrowed)
            grads = node.backward(node, grad)
            if type(grads) is not tuple:
                grads = (grads,)
            fresh = node.fresh_gradients
            for t, g in zip(inputs, grads):
                if t is None or g is None:
                    continue
                fn = t._grad_fn
                if fn is None:
                    _accumulate_leaf(t, g, borrowed, fresh)
                    if hooks is not None and id(t) in hooks:
                        hooks[id(t)](t)
                else:
                    previous = pending.get(fn)
                    if previous is None:
                        pending[fn] = g
                        push(heap, (-fn.sequence, fn))
                    else:
                        pending[fn] = previous + g
            if not retain_graph:
                node.inputs = node.args = None
                node.__dict__.clear()
    except BaseException:
        _pass_end_callbacks.clear()
        raise
    finally:  # also when a node fails half-way: no leaf is left holding a shared array
        if borrowed:
            _make_private(borrowed, root_grad)
    while _pass_end_callbacks:
        _pass_end_callbacks.pop(0)()


# ------------------------------------------------------------------- hooks for data-parallel training
# netgrad.nn.parallel.DistributedDataParallel starts averaging a group of gradients across processes as soon as
# the backward pass has produced them (PyTorch's post-accumulate-grad hooks and queued engine callbacks). With
# no hook registered, a backward pass pays one test for them.

_leaf_hooks: dict = {}  # id(leaf tensor) -> hook(tensor); the entry goes when the tensor does
_pass_end_callbacks: list = []


class RemovableHandle:
    """What a hook registration returns: ``handle.remove()`` unregisters the hook."""

    __slots__ = ("_finalizer",)

    def __init__(self, finalizer: weakref.finalize) -> None:
        self._finalizer = finalizer

    def remove(self) -> None:
        self._finalizer()  # pops the entry once, and no more when the tensor dies


def register_post_accumulate_grad_hook(tensor, hook: Callable) -> RemovableHandle:
    """Call ``hook(tensor)`` after each gradient the backward pass adds to the leaf ``tensor``'s ``.grad``.

    Unlike PyTorch's, the hook runs once per gradient that reaches the leaf (twice for a tensor used twice).
    One hook per tensor."""
    if tensor._grad_fn is not None or not tensor.requires_grad:
        raise RuntimeError("post accumulate grad hooks can only be registered on leaf tensors that require grad")
    if id(tensor) in _leaf_hooks:
        raise RuntimeError("this tensor already has a post accumulate grad hook (one per tensor)")
    _leaf_hooks[id(tensor)] = hook
    return RemovableHandle(weakref.finalize(tensor, _leaf_hooks.pop, id(tensor), None))


def queue_callback(callback: Callable[[], None]) -> None:
    """Run ``callback()`` once the current backward pass has finished (dropped if the pass fails)."""
    _pass_end_callbacks.append(callback)


# ------------------------------------------------------------------------------------- version counters

# PyTorch's version counters, paid for only where tensors change in place: a change records, in the tensor's
# ``_changes`` slot, [how many changes so far, the sequence number of the latest]; a node made before the
# latest change anywhere (``_last_change``) checks, in backward, that nothing it saved has changed since.
# The list is changed in place, so that ``detach()`` can share it (``x.detach().add_(1)`` changes ``x``'s
# version, as in PyTorch); ``.data`` gets a counter of its own.
_last_change = 0
_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
               "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def version(tensor: TensorBase) -> int:
    """How many times ``tensor`` was changed in place (PyTorch's ``tensor._version``)."""
    return getattr(tensor, "_changes", (0, 0))[0]


def shared_changes(tensor: TensorBase) -> list:
    """The version counter of ``tensor`` (made on first use), to share with a tensor of the same memory."""
    try:
        return tensor._changes
    except AttributeError:
        tensor._changes = changes = [0, 0]
        return changes


def bump(tensor: TensorBase) -> None:
    """Record an in-place change of ``tensor``'s values (every ``*_`` method, an optimizer step); a graph node
    whose backward needs those values, as ``forward`` saved them, then refuses to run."""
    global _last_change
    _last_change = sequence = next(_sequence)
    changes = shared_changes(tensor)
    changes[0] += 1
    changes[1] = sequence
    _mark_stale(tensor)
    if len(changes) > 2:  # a detach() of a graph's output: the node that made it may have saved it
        source = changes[2]()
        if source is not None and source is not tensor:
            _mark_stale(source)


def _mark_stale(tensor: TensorBase) -> None:
    node = tensor._grad_fn
    if node is not None and node.inputs is not None and "_stale" not in node.__dict__ and _saves(node, tensor._data):
        node.__dict__["_stale"] = _modified_message(tensor, node, node)


def changed(groups: list) -> None:
    """:func:`bump` for an optimizer step: every parameter with a gradient in ``groups`` (its param_groups)."""
    global _last_change
    sequence = _last_change = next(_sequence)
    for group in groups:
        for tensor in group["params"]:
            if tensor._grad is not None:
                try:
                    changes = tensor._changes
                    changes[0] += 1
                    changes[1] = sequence
                except AttributeError:  # the first change
                    tensor._changes = [1, sequence]


def _saves(node: Function, array: np.ndarray) -> bool:
    """Whether ``node`` kept ``array`` (or a view of its memory) for its backward."""
    values = list(node.__dict__.values())
    values.extend(v for v in node.__dict__.get("saved_tensors", ()))
    return any(v is array or (type(v) is np.ndarray and np.may_share_memory(v, array)) for v in values)


def _modified_message(tensor: TensorBase, producer: Function | None, needer: Function) -> str:
    data = tensor._data
    count = version(tensor)
    kind = f"netgrad.{_TYPE_NAMES.get(data.dtype.name, data.dtype.name)}Tensor {list(data.shape)}"
    made = f", which is output 0 of {producer.name()}," if producer is not None else ""
    return (f"one of the variables needed for gradient computation has been modified by an inplace operation: "
            f"[{kind}]{made} is at version {count}; expected version {count - 1} instead. Hint: {needer.name()} "
            "needs its old values; change a clone instead (x = x.clone()), or change it after backward().")


def _check_saved(node: Function) -> None:
    """Raise if a tensor ``node`` saved in ``forward`` was changed in place after the node was made."""
    stale = node.__dict__.get("_stale")
    if stale is not None:
        raise RuntimeError(stale)
    for a in node.args:
        if isinstance(a, TensorBase):
            changes = getattr(a, "_changes", None)
            if changes is not None and changes[1] > node.sequence and _saves(node, a._data):
                raise RuntimeError(_modified_message(a, a._grad_fn, node))


def _inputs_as_made(node: Function) -> tuple:
    """``node``'s inputs as they were when it was made: an input changed in place since then (``y.add_(...)``
    after ``node`` took ``y``) now has a newer node, which records the tensor as it was before the change; the
    gradient goes there, as PyTorch's graph edges, fixed at creation, send it."""
    inputs = list(node.inputs)
    for i, t in enumerate(inputs):
        fn = t._grad_fn if t is not None else None
        while fn is not None and fn.sequence > node.sequence:
            try:
                t = fn.before
            except AttributeError:  # not an in-place op's node
                break
            fn = t._grad_fn
        inputs[i] = t
    return tuple(inputs)


# ---------------------------------------------------------------------------------------------- grad mode


class _GradState(threading.local):
    """Whether operations record the graph: one flag per thread, as in PyTorch."""

    enabled = True


_grad_state = _GradState()


def is_grad_enabled() -> bool:
    return _grad_state.enabled


class _GradMode:
    """Context manager and decorator that sets whether operations record the graph (in this thread)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = bool(enabled)
        self._previous: list = []

    def __enter__(self) -> None:
        self._previous.append(_grad_state.enabled)
        _grad_state.enabled = self.enabled

    def __exit__(self, *exc: Any) -> None:
        _grad_state.enabled = self._previous.pop()

    def __call__(self, fn: Callable) -> Callable:
        mode = self.enabled

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _GradMode(mode):  # a fresh context per call: safe under recursion and threads
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Disable graph recording: ``with netgrad.no_grad(): ...``, ``@netgrad.no_grad()`` or ``@netgrad.no_grad``."""

    def __new__(cls, func: Callable | None = None) -> Any:
        return super().__new__(cls) if func is None else cls()(func)  # bare @no_grad, as in PyTorch 2

    def __init__(self, func: Callable | None = None) -> None:
        super().__init__(False)


class enable_grad(_GradMode):
    """Enable graph recording inside a ``no_grad`` block."""

    def __init__(self) -> None:
        super().__init__(True)


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(False)`` as a context manager, decorator, or plain call (sets the mode at once)."""

    def __init__(self, mode: bool) -> None:
        super().__init__(mode)
        self._previous.append(_grad_state.enabled)
        _grad_state.enabled = self.enabled

    def __enter__(self) -> None:
        pass  # the mode was already set by __init__, as in PyTorch

    def __call__(self, fn: Callable) -> Callable:
        _grad_state.enabled = self._previous.pop()  # used as a decorator: undo the eager switch
        return super().__call__(fn)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool = False) -> tuple:
    """Gradients of ``outputs`` with respect to ``inputs``, returned instead of accumulated into ``.grad``."""
    single = isinstance(inputs, TensorBase)
    inputs = (inputs,) if single else tuple(inputs)
    saved = [t._grad for t in inputs]
    retains = []
    for t in inputs:
        t._grad = None
        if t._grad_fn is not None:
            t.retain_grad()
            retains.append(t)
    try:
        backward(outputs, grad_outputs, retain_graph=retain_graph)
        result = tuple(None if t._grad is None else t._result_type._wrap(t._grad) for t in inputs)
    finally:
        for t, g in zip(inputs, saved):
            t._grad = g
        for t in retains:
            _retained.pop(t._grad_fn, None)
    return result
