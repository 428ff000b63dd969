"""A callback from plain functions, one per hook."""
from __future__ import annotations

from typing import Callable

from .base import HOOKS, Callback


class LambdaCallback(Callback):
    """A callback made of plain functions, one per hook (Keras's ``LambdaCallback``).

    Example:
        >>> LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    """

    def __init__(self, on_epoch_begin: Callable | None = None, on_epoch_end: Callable | None = None,
                 on_train_begin: Callable | None = None, on_train_end: Callable | None = None,
                 on_train_batch_begin: Callable | None = None, on_train_batch_end: Callable | None = None,
                 **kwargs: Callable) -> None:
        super().__init__()
        functions = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end, on_train_begin=on_train_begin,
                         on_train_end=on_train_end, on_train_batch_begin=on_train_batch_begin,
                         on_train_batch_end=on_train_batch_end)
        aliases = {"on_batch_begin": "on_train_batch_begin", "on_batch_end": "on_train_batch_end"}
        for name, function in kwargs.items():
            hook = aliases.get(name, name)
            if hook not in HOOKS:
                raise ValueError(f"LambdaCallback got an unknown hook {name!r}; the hooks are {', '.join(HOOKS)}")
            functions[hook] = function
        for hook, function in functions.items():
            if function is not None:
                if not callable(function):
                    raise ValueError(f"LambdaCallback {hook} must be callable, got {function!r}")
                setattr(self, hook, function)


# ------------------------------------------------------------------------------------- progress
