"""Containers of modules: ``Sequential`` (applied in order, with Linear + activation pairs fused into one graph
node), ``ModuleList`` and ``ModuleDict`` (whose modules' parameters belong to the owner)."""
from __future__ import annotations

from collections import OrderedDict
from functools import partial
from typing import Any, Iterable, Iterator, Mapping

from .module import Module


def _index(index: Any, length: int, kind: str) -> int:
    index = int(index)
    if not -length <= index < length:
        raise IndexError(f"index {index} is out of range for a {kind} of length {length}")
    return index % length


class _IndexedContainer(Module):
    """Shared machinery of Sequential and ModuleList: children named '0', '1', ... in order."""

    def _renumber(self, modules: Iterable[Module]) -> None:
        for name in list(self._modules):
            self._forget(name)
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __setitem__(self, index: int, module: Module) -> None:
        i = _index(index, len(self), type(self).__name__)
        self.add_module(list(self._modules)[i], module)

    def __delitem__(self, index: int | slice) -> None:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[_index(index, len(modules), type(self).__name__)]
        self._renumber(modules)

    def append(self, module: Module):
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]):
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._renumber(modules)

    def pop(self, index: int = -1) -> Module:
        modules = list(self._modules.values())
        module = modules.pop(_index(index, len(modules), type(self).__name__))
        self._renumber(modules)
        return module


def _fused(module: Module, after: Module) -> Any:
    """The call computing ``module`` then ``after`` as one graph node, or None.

    A layer class names, in ``_fusion``, the attribute under which an activation class keeps that Function
    (``Linear._fusion`` is ``"_after_linear"``, ``ReLU._after_linear`` is ``LinearReLU``); a pooling class
    names, in ``_fusion_before``, the attribute under which the activation before it keeps one
    (``ReLU._before_max_pool`` is ``MaxPoolReLU``). Exact classes only, not subclasses, and no ``forward``
    replaced on an instance: then the pair's arithmetic is known."""
    if "forward" in module.__dict__ or "forward" in after.__dict__:
        return None
    attribute = type(module).__dict__.get("_fusion")
    function = None if attribute is None else type(after).__dict__.get(attribute)
    if function is not None:
        return partial(module._forward_fused, function)
    attribute = type(after).__dict__.get("_fusion_before")
    function = None if attribute is None else type(module).__dict__.get(attribute)
    return None if function is None else partial(after._forward_fused, function, module)


def _steps(modules: tuple) -> list:
    """What ``Sequential.forward`` calls in order: the modules, with each fusable pair as one call. Of
    ``Conv2d, ReLU, MaxPool2d`` the pooling takes the ReLU: applied to the pooled values, it runs on an array
    kh kw times smaller (fusing it with the convolution saves only the node)."""
    steps: list = []
    i = 0
    while i < len(modules):
        fused = _fused(modules[i], modules[i + 1]) if i + 1 < len(modules) else None
        if fused is not None and i + 2 < len(modules) and _fused(modules[i + 1], modules[i + 2]) is not None \
                and "_fusion_before" in type(modules[i + 2]).__dict__:
            fused = None  # the next pair is an activation and a pooling: leave the activation to it
        if fused is not None:
            steps.append(fused)
            i += 2
            continue
        steps.append(modules[i])
        i += 1
    return steps


class Sequential(_IndexedContainer):
    """Modules applied one after the other: ``Sequential(Linear(784, 300), ReLU(), Linear(300, 10))``.

    Also takes an ``OrderedDict`` of named modules. Indexable (``model[0]``, ``model[-1]``, slices give a
    new ``Sequential`` sharing the modules), iterable, ``len``-able, and growable with ``append``.

    A ``Linear`` directly followed by ``ReLU``, ``Sigmoid`` or ``Tanh`` (and a ``Conv1d`` / ``Conv2d`` followed
    by ``ReLU``) runs as one graph node (for example ``LinearReLUBackward``): the same arithmetic, bit for
    bit, with one node less and the activation computed in place, which is what makes small networks cheap
    to train. A ``ReLU`` followed by ``MaxPool1d`` / ``MaxPool2d`` runs as one node too, the ReLU applied to
    the pooled values (``MaxPoolReLUBackward``; it takes precedence over a convolution before the ReLU).
    Calling the modules one by one gives the same values and gradients.
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], Mapping):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def __getitem__(self, index: int | slice) -> Module:
        if isinstance(index, slice):
            return Sequential(OrderedDict(list(self._modules.items())[index]))
        return list(self._modules.values())[_index(index, len(self), "Sequential")]

    def forward(self, input: Any) -> Any:
        modules = tuple(self._modules.values())
        plan = self.__dict__.get("_plan")
        if plan is None or plan[0] != modules:  # built once, and again whenever the modules change
            plan = self.__dict__["_plan"] = (modules, _steps(modules))
        for step in plan[1]:
            input = step(input)
        return input


class ModuleList(_IndexedContainer):
    """A list of modules whose parameters belong to the owner (a plain Python list would hide them)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return ModuleList(list(self._modules.values())[index])
        return list(self._modules.values())[_index(index, len(self), "ModuleList")]

    def __iadd__(self, modules: Iterable[Module]) -> "ModuleList":
        return self.extend(modules)


class ModuleDict(Module):
    """A dictionary of modules whose parameters belong to the owner, in insertion order."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        if key not in self._modules:
            raise KeyError(key)
        self._forget(key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        return self._modules.keys()

    def items(self) -> Iterable[tuple[str, Module]]:
        return self._modules.items()

    def values(self) -> Iterable[Module]:
        return self._modules.values()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for key, module in pairs:
            self[key] = module

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        for key in list(self._modules):
            self._forget(key)
