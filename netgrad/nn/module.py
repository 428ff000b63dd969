"""Modules: ``Parameter`` and the ``Module`` base class (the containers are in ``container.py``).

A :class:`Module` is a callable object that owns parameters (learned tensors), buffers (state that is
saved but not learned, like BatchNorm's running mean) and sub-modules. Assigning any of these to an
attribute registers it, as in PyTorch::

    class TwoLayer(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(2, 3)   # a sub-module: its parameters become ours
            self.output = nn.Linear(3, 1)

        def forward(self, x):
            return self.output(self.hidden(x).relu())

    sum(p.numel() for p in TwoLayer().parameters())   # 13 = (2*3 + 3) + (3*1 + 1)

Registered values live in ``_parameters`` / ``_buffers`` / ``_modules`` and, for fast attribute access on the
hot path (``self.weight`` inside ``forward``), in the instance ``__dict__`` as well; every registration and
removal goes through this module, which keeps the two in step.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Iterator, Mapping

import numpy as np

from ..engine.backend import device_of, placement, to_device
from ..engine.device import device
from ..engine.dtypes import _numpy_dtype, get_default_dtype
from ..engine.tensor import Tensor
from ..io import check_state_dict


class Parameter(Tensor):
    """A tensor that is a learned parameter of a module: assigning it to a module attribute registers it.

    ``Parameter(data)`` wraps the array of ``data`` itself (no copy) as a leaf that requires grad.

    >>> nn.Parameter(netgrad.ones(2))
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            array = np.empty(0, dtype=get_default_dtype().numpy)
        elif isinstance(data, Tensor):
            array = data._data
        elif isinstance(data, np.ndarray):
            array = data
        else:
            array = Tensor(data)._data
        self._data = array
        self._grad = None
        self._grad_fn = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def _addindent(text: str, spaces: int) -> str:
    """Indent every line but the first (for nested module reprs)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


class Module:
    """Base class of every layer and model (PyTorch's ``nn.Module``).

    Subclasses call ``super().__init__()`` first, assign parameters and sub-modules as attributes, and define
    ``forward``. Calling the module calls ``forward`` (and nothing else: no hooks, so the call costs nothing).
    """

    training: bool

    def __init__(self) -> None:
        state = self.__dict__
        state["training"] = True
        state["_parameters"] = {}
        state["_buffers"] = {}
        state["_non_persistent_buffers"] = set()
        state["_modules"] = {}

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------------------------- registration

    def _registry(self, what: str) -> dict:
        registry = self.__dict__.get(what)
        if registry is None:
            raise AttributeError(f"cannot assign {what[1:]} before Module.__init__() call "
                                 f"(call super().__init__() first in {type(self).__name__}.__init__)")
        return registry

    def _forget(self, name: str, keep: str | None = None) -> None:
        """Remove ``name`` from every registry but ``keep`` (where a new value will replace it in its place,
        preserving the order), and from the instance dictionary."""
        state = self.__dict__
        for what in ("_parameters", "_buffers", "_modules"):
            registry = state.get(what)
            if registry is not None and what != keep:
                registry.pop(name, None)
        non_persistent = state.get("_non_persistent_buffers")
        if non_persistent is not None:
            non_persistent.discard(name)
        state.pop(name, None)

    def __setattr__(self, name: str, value: Any) -> None:
        state = self.__dict__
        if isinstance(value, Parameter):
            parameters = self._registry("_parameters")
            self._forget(name, keep="_parameters")
            parameters[name] = value
            state[name] = value
        elif isinstance(value, Module):
            modules = self._registry("_modules")
            self._forget(name, keep="_modules")
            modules[name] = value
            state[name] = value
        elif name in state.get("_parameters", ()):
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as parameter {name!r} "
                                "(netgrad.nn.Parameter or None expected); to change its values, assign to "
                                f"{name}.data or wrap the tensor in nn.Parameter")
            state["_parameters"][name] = None
            state[name] = None
        elif name in state.get("_modules", ()):
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as child module {name!r} "
                                "(netgrad.nn.Module or None expected)")
            state["_modules"][name] = None
            state[name] = None
        elif name in state.get("_buffers", ()):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer {name!r} (Tensor or None expected)")
            state["_buffers"][name] = value
            state[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails; registered values normally sit in __dict__ already.
        state = self.__dict__
        for what in ("_parameters", "_buffers", "_modules"):
            registry = state.get(what)
            if registry is not None and name in registry:
                return registry[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        state = self.__dict__
        if any(name in state.get(what, ()) for what in ("_parameters", "_buffers", "_modules")):
            self._forget(name)
        else:
            object.__delattr__(self, name)

    def _check_new_name(self, name: Any, what: str, registry: dict) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{what} name should be a string, got {type(name).__name__}")
        if not name:
            raise KeyError(f'{what} name can\'t be empty string ""')
        if "." in name:
            raise KeyError(f'{what} name can\'t contain ".", got: {name!r}')
        if name not in registry and (name in self.__dict__ or hasattr(type(self), name)):
            raise KeyError(f"attribute {name!r} already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or ``None``, a declared but absent one, like ``bias=False``) under ``name``."""
        parameters = self._registry("_parameters")
        self._check_new_name(name, "parameter", parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign {type(param).__name__} object to parameter {name!r} "
                            "(netgrad.nn.Parameter or None required)")
        self._forget(name, keep="_parameters")
        parameters[name] = param
        self.__dict__[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: module state that is not learned (saved in ``state_dict`` when ``persistent``)."""
        buffers = self._registry("_buffers")
        self._check_new_name(name, "buffer", buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign {type(tensor).__name__} object to buffer {name!r} "
                            "(Tensor or None required)")
        self._forget(name, keep="_buffers")
        buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)
        self.__dict__[name] = tensor

    def add_module(self, name: str, module: "Module | None") -> None:
        """Add a child module under ``name`` (reachable as an attribute)."""
        modules = self._registry("_modules")
        self._check_new_name(name, "module", modules)
        if module is not None and not isinstance(module, Module):
            hint = (f"; did you mean {module.__name__}()?"
                    if isinstance(module, type) and issubclass(module, Module) else "")
            raise TypeError(f"{getattr(module, '__name__', type(module).__name__)} is not a Module instance{hint}")
        self._forget(name, keep="_modules")
        modules[name] = module
        self.__dict__[name] = module

    register_module = add_module

    # ------------------------------------------------------------------------------------------ traversal

    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, "Module"]]:
        """This module and every module below it, with dotted names (``''`` for this one), pre-order."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self) -> Iterator["Module"]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator["Module"]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, what: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in module.__dict__[what].items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(name, parameter)`` pairs, names dotted like ``0.weight``; shared parameters appear once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter of this module and (when ``recurse``) of its sub-modules, each once."""
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def get_submodule(self, target: str) -> "Module":
        """The sub-module at a dotted path such as ``'encoder.0'`` (``''`` is this module)."""
        module = self
        for part in target.split(".") if target else ():
            child = module._modules.get(part)
            if not isinstance(child, Module):
                raise AttributeError(f"{type(module).__name__} has no submodule {part!r} (looking for {target!r})")
            module = child
        return module

    # -------------------------------------------------------------------------------------------- state

    def train(self, mode: bool = True) -> "Module":
        """Set training mode (Dropout drops, BatchNorm uses batch statistics) on this module and all below."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be a bool, got {type(mode).__name__}")
        for module in self.modules():
            module.__dict__["training"] = mode
        return self

    def eval(self) -> "Module":
        """Set evaluation mode: the same as ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Switch gradient recording on or off for every parameter (``False`` freezes the module)."""
        for parameter in self.parameters():
            parameter.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to ``None`` (the default, as in PyTorch) or to zeros."""
        for parameter in self.parameters():
            if set_to_none:
                parameter._grad = None
            elif parameter._grad is not None:
                parameter._grad[...] = 0

    def apply(self, fn: Callable[["Module"], Any]) -> "Module":
        """Call ``fn`` on every sub-module (children first) and then on this module; e.g. custom init."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def state_dict(self, *, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> "OrderedDict[str, Tensor]":
        """Name -> tensor for every parameter and persistent buffer (tensors share memory with the module).

        The order is PyTorch's: a module's parameters, then its buffers, then each child's entries.
        ``keep_vars=True`` returns the parameters themselves instead of detached tensors.
        """
        if destination is None:
            destination = OrderedDict()
        for name, parameter in self._parameters.items():
            if parameter is not None:
                destination[prefix + name] = parameter if keep_vars else Tensor._wrap(parameter._data)
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = buffer if keep_vars else Tensor._wrap(buffer._data)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        return destination

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True):
        """Copy values from ``state_dict`` into this module's parameters and buffers, in place.

        Every problem is reported at once: missing and unexpected names (when ``strict``) and every entry
        whose shape differs. Values are cast to each parameter's dtype, as ``Tensor.copy_`` does.

        Returns:
            ``IncompatibleKeys(missing_keys, unexpected_keys)`` (both empty when ``strict`` succeeds).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"expected a mapping of names to tensors, got {type(state_dict).__name__}")
        own = self.state_dict(keep_vars=True)
        result = check_state_dict(own, state_dict, strict, check_dtype=False, source=type(self).__name__)
        for name, target in own.items():
            if name in state_dict:
                value = state_dict[name]
                value = value._data if isinstance(value, Tensor) else np.asarray(value)
                target._data[...] = to_device(value, *device_of(target._data))
        return result

    def to(self, *args: Any, **kwargs: Any) -> "Module":
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)``: move and convert floating parameters
        and buffers in place.

        The parameter objects stay the same (an optimizer holding them keeps working); their arrays, and any
        gradients, are replaced by moved or converted ones. Integer buffers keep their dtype but move.
        """
        target, where = kwargs.get("dtype"), kwargs.get("device")
        for arg in args:
            if isinstance(arg, Tensor):
                target, where = arg._data.dtype, arg.device
            elif isinstance(arg, (str, device)) or (isinstance(arg, int) and not isinstance(arg, bool)):
                where = arg
            elif arg is not None:
                target = arg
        numpy_dtype = None if target is None else _numpy_dtype(target)
        if numpy_dtype is not None and numpy_dtype.kind != "f":
            raise TypeError(f"Module.to only accepts floating point dtypes, but got desired dtype={target!r}")
        place = None if where is None else placement(where)
        for module in self.modules():
            for registry in (module._parameters, module._buffers):
                for tensor in registry.values():
                    if tensor is None:
                        continue
                    if place is not None:
                        tensor._data = to_device(tensor._data, *place)
                        if tensor._grad is not None:
                            tensor._grad = to_device(tensor._grad, *place)
                    data = tensor._data
                    if numpy_dtype is not None and data.dtype.kind == "f" and data.dtype != numpy_dtype:
                        tensor._data = tensor._data.astype(numpy_dtype)
                        if tensor._grad is not None:
                            tensor._grad = tensor._grad.astype(numpy_dtype)
        return self

    def float(self) -> "Module":
        return self.to(np.float32)

    def double(self) -> "Module":
        return self.to(np.float64)

    def half(self) -> "Module":
        return self.to(np.float16)

    def cpu(self) -> "Module":
        return self.to("cpu")

    def cuda(self, device: Any = None) -> "Module":
        return self.to("cuda" if device is None else device if not isinstance(device, int) else f"cuda:{device}")

    # --------------------------------------------------------------------------------------------- repr

    def extra_repr(self) -> str:
        """The module's own settings for its repr, e.g. ``in_features=4, out_features=3, bias=True``."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(module), 2) for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"

    def __dir__(self) -> list:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))


class training_mode:
    """``with training_mode(model, False):`` runs the block in eval mode (``True``: training mode), then gives
    the model, and every module inside it, back the mode it had. Objects without ``train`` pass through."""

    __slots__ = ("model", "mode", "saved")

    def __init__(self, model: Any, training: bool = False) -> None:
        self.model, self.mode, self.saved = model, bool(training), None

    def __enter__(self) -> Any:
        model = self.model
        if isinstance(model, Module):
            self.saved = [(m, m.training) for m in model.modules()]
            model.train(self.mode)
        elif callable(getattr(model, "train", None)):
            self.saved = getattr(model, "training", None)
            model.train(self.mode)
        return model

    def __exit__(self, *exc: Any) -> None:
        saved, self.saved = self.saved, None
        if isinstance(saved, list):
            for module, mode in saved:
                module.__dict__["training"] = mode
        elif saved is not None:
            self.model.train(bool(saved))
