"""The optimizer base class: parameter groups, per-parameter state, ``zero_grad``, ``step`` and state dicts.

It follows ``torch.optim.Optimizer``: an optimizer holds a list of *parameter groups* (dicts with a
``"params"`` list and that group's hyper-parameters, the constructor's values filling in whatever a group
leaves out) and a ``state`` dict keyed by parameter (momentum buffers, moving averages, step counts).

Updates work on raw NumPy arrays: for every parameter ``p`` with a gradient, ``p._data`` is changed in
place with ``out=`` ufuncs, reading ``p._grad``; parameters whose gradient is ``None`` are skipped. The
arrays of the state and the scratch space an update needs are allocated once, so a step allocates no
parameter-sized memory.

Differences from PyTorch: there are no ``foreach`` / ``fused`` / ``capturable`` / ``differentiable``
options (NumPy has one code path); ``state["step"]`` is a Python float rather than a 0-d tensor; a
parameter listed twice raises ``ValueError`` even inside one group (PyTorch only warns there); and every
group's hyper-parameters are checked, not only the constructor's.
"""
from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any, Callable, Iterable

import numpy as np

from ..engine import Tensor
from ..engine.autograd import changed, enable_grad
from ..engine.backend import device_of, to_device

__all__ = ["Optimizer", "required"]


class _Required:
    """Marks a hyper-parameter that has no default: every parameter group must then give it."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: An iterable of Tensors, of ``(name, Tensor)`` pairs (``model.named_parameters()``), or of
            dicts, each a parameter group: ``{"params": [...], "lr": 0.1, ...}``.
        defaults: The hyper-parameters of every group that does not set its own.

    Subclasses implement ``_update_group(group)``, which updates the parameters of one group in place, and
    may override ``_check_hyperparameters(options)``, which raises ``ValueError`` for bad values.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        if isinstance(params, (Tensor, np.ndarray)):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {type(params).__name__} (pass model.parameters() or [tensor])")
        self.defaults = defaults
        self._check_hyperparameters({k: v for k, v in defaults.items() if v is not required})
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._scratch: dict[tuple, np.ndarray] = {}
        self._rate: tuple = (None, None)  # (learning rate, that rate as a 0-d array of the parameters' dtype)
        self._opt_called = False

        param_groups = list(params)
        if not param_groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ----------------------------------------------------------------------------------- parameter groups

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters (the defaults fill in the rest).

        Useful when fine-tuning: layers that were frozen can join training with their own learning rate.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("a parameter group needs a 'params' entry (a list of Tensors)")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs. Please use a list instead.")
        else:
            params = list(params)

        group = dict(param_group)
        tensors, names = [], []
        for param in params:
            if isinstance(param, tuple):
                names.append(param[0])
                param = param[1]
            tensors.append(param)
        if names and len(names) != len(tensors):
            raise ValueError("all optimizer params should be with/without names. Some param names are missing")
        group["params"] = tensors
        if names:
            group["param_names"] = names

        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(param).__name__}")
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor (it is the result of an operation; "
                                 "optimize the leaf tensors it was computed from)")
            if not param.is_floating_point():
                raise TypeError(f"optimizer can only optimize floating-point Tensors, but one is {param.dtype}")

        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            group.setdefault(name, default)
        self._check_hyperparameters(group)

        ids = [id(p) for p in tensors]
        if len(ids) != len(set(ids)):
            raise ValueError("optimizer contains a parameter group with duplicate parameters; "
                             "list each parameter once")
        for other in self.param_groups:
            if ("param_names" in group) != ("param_names" in other):
                raise ValueError("all optimizer param groups should be with/without names. cannot add param group "
                                 f"{'with' if 'param_names' in group else 'without'} names to the optimizer")
            if not set(ids).isdisjoint(id(p) for p in other["params"]):
                raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def _check_hyperparameters(self, options: dict[str, Any]) -> None:
        """Raise ``ValueError`` for a bad hyper-parameter in `options` (a group, or the defaults)."""
        lr = options.get("lr", 0.0)
        if lr is required:
            return
        try:
            negative = lr < 0.0
        except TypeError:
            raise TypeError(f"the learning rate must be a number, got {lr!r}") from None
        if negative:
            raise ValueError(f"Invalid learning rate: {lr}")

    # ------------------------------------------------------------------------------------------ stepping

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors.

        Args:
            set_to_none: Drop the gradient arrays (the default, and cheaper); with False, fill them with
                zeros in place. Optimizers skip a parameter whose gradient is None, but update one whose
                gradient is zero (weight decay and momentum still move it).
        """
        for group in self.param_groups:
            if set_to_none:
                for p in group["params"]:
                    p._grad = None
                continue
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                if grad.flags.writeable:
                    grad.fill(0)
                else:
                    p._grad = np.zeros_like(p._data)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, once.

        Args:
            closure: Optional; a function that clears the gradients, recomputes the loss, calls
                ``backward()`` and returns the loss. It runs with gradient recording on.

        Returns:
            The closure's loss, or None without a closure.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._opt_called = True
        for group in self.param_groups:
            self._update_group(group)
        changed(self.param_groups)  # the parameters' version counters
        return loss

    def _update_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _update_group(group) or step()")

    def _buffer(self, array: np.ndarray, slot: int = 0) -> np.ndarray:
        """Scratch space shaped like `array`, allocated once and reused by every parameter of that shape."""
        key = (array.shape, array.dtype, slot)
        buffer = self._scratch.get(key)
        if buffer is None:
            buffer = self._scratch[key] = np.empty_like(array)
        return buffer

    # ----------------------------------------------------------------------------------------- state dicts

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as a dict of plain data, in PyTorch's layout.

        ``"state"`` maps a parameter's index (its position across all groups, in order) to its state
        (copies of the arrays); ``"param_groups"`` lists each group's hyper-parameters, with ``"params"``
        the indices of its parameters. The parameters themselves are not included.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {key: copy.deepcopy(value) for key, value in group.items() if key != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: copy.deepcopy(values) for p, values in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by :meth:`state_dict` (of an optimizer of the same kind over the same params).

        Arrays are copied and cast to their parameter's dtype; the hyper-parameters of each group are replaced
        by the saved ones. Create learning-rate schedulers before calling this, since a new scheduler resets
        the learning rates.
        """
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            got = f"keys {sorted(map(str, state_dict))}" if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(f"an optimizer state dict is a dict with 'state' and 'param_groups' entries (got {got})")
        saved_groups = copy.deepcopy(list(state_dict["param_groups"]))
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups "
                             f"({len(saved_groups)}) than the optimizer ({len(self.param_groups)})")
        for number, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                                 f"optimizer's group (group {number}: {len(saved['params'])} saved parameters, "
                                 f"{len(group['params'])} in the optimizer)")
        id_map = {int(saved_id): p for group, saved in zip(self.param_groups, saved_groups)
                  for saved_id, p in zip(saved["params"], group["params"])}

        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, values in state_dict["state"].items():
            key = int(key)
            if key not in id_map:
                raise ValueError(f"loaded state dict has state for parameter {key}, which no parameter group lists")
            param = id_map[key]
            state[param] = {name: _cast_state(param, name, value) for name, value in values.items()}

        param_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            param_groups.append(saved)
        self.state = state
        self.param_groups = param_groups

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for number, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {number}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key not in ("params", "param_names"))
        return "\n".join(lines) + "\n)"


_SCALAR_STATE = ("step", "mu_product")  # kept as Python floats (PyTorch keeps 0-d tensors)


def _cast_state(param: Tensor, name: str, value: Any) -> Any:
    """A private copy of one saved state value, arrays cast to the parameter's dtype (except ``step``)."""
    if isinstance(value, Tensor):
        value = value._data
    if isinstance(value, np.ndarray):
        if name in _SCALAR_STATE and value.ndim == 0:
            return float(value)
        if value.shape != param.shape:
            raise ValueError(f"loaded state {name!r} has shape {value.shape}, but its parameter has shape "
                             f"{tuple(param.shape)}; was the state dict saved for other parameters?")
        dtype = param._data.dtype if value.dtype.kind == "f" else value.dtype
        return to_device(np.array(value, dtype=dtype, copy=True), *device_of(param._data))
    if isinstance(value, np.generic):
        return value.item()
    return copy.deepcopy(value)
