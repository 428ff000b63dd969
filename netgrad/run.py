"""Run an unmodified PyTorch script on netgrad: ``python -m netgrad.run SCRIPT.py [args]``.

For the length of the run, ``import torch`` (and ``torch.nn``, ``torch.nn.functional``, ``torch.optim``,
``torch.utils.data``, ``torch.autograd``, ...) gives the netgrad module of the same path: ``torch.X.Y`` is
``netgrad.X.Y``. The script runs as ``__main__`` with ``sys.argv == [SCRIPT.py, *args]``, as under
``python SCRIPT.py``. Afterwards the ``torch`` names are gone again (a real PyTorch stays importable).

Anything netgrad lacks stops the script with one line naming it and where the script asked for it:

    train.py:14: netgrad has no torch.sparse (see docs/pytorch.md for what netgrad covers)

Example:
    >>> run_script("examples_nn.py", ["--epochs", "3"])  # doctest: +SKIP
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import re
import runpy
import sys
import traceback
from types import ModuleType
from typing import Any, Sequence

import netgrad

__all__ = ["run_script", "main", "missing_feature"]

_HINT = "see docs/pytorch.md for what netgrad covers"


def _torch_name(name: str) -> str:
    """``netgrad.nn.functional`` -> ``torch.nn.functional`` (the name the script used)."""
    return "torch" + name[len("netgrad"):] if name == "netgrad" or name.startswith("netgrad.") else name


class _TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch`` and ``torch.*`` as the netgrad modules of the same path."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        netgrad_name = "netgrad" + fullname[len("torch"):]
        try:
            importlib.import_module(netgrad_name)
        except ModuleNotFoundError as error:
            if error.name is not None and netgrad_name.startswith(error.name):
                raise ModuleNotFoundError(f"netgrad has no {fullname} ({_HINT})", name=fullname) from None
            raise
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: Any) -> ModuleType:
        return sys.modules["netgrad" + spec.name[len("torch"):]]

    def exec_module(self, module: ModuleType) -> None:
        pass  # the netgrad module is already executed


def missing_feature(error: BaseException) -> str | None:
    """What netgrad lacks, in PyTorch's names, when ``error`` says so ("netgrad has no torch.sparse"); else None."""
    if isinstance(error, ModuleNotFoundError) and str(error).startswith("netgrad has no "):
        return str(error)
    if isinstance(error, NotImplementedError) and str(error).startswith("netgrad has no "):
        return f"{error} ({_HINT})"
    if isinstance(error, ImportError) and (error.name or "").startswith("netgrad"):
        found = re.match(r"cannot import name '(\w+)'", str(error))
        if found:
            return f"netgrad has no {_torch_name(error.name)}.{found.group(1)} ({_HINT})"
    if isinstance(error, AttributeError) and error.name is not None:
        obj = getattr(error, "obj", None)
        if isinstance(obj, ModuleType) and obj.__name__.startswith("netgrad"):
            return f"netgrad has no {_torch_name(obj.__name__)}.{error.name} ({_HINT})"
        kind = obj if isinstance(obj, type) else type(obj)
        if kind.__module__.startswith("netgrad"):
            return f"netgrad has no {kind.__name__}.{error.name} ({_HINT})"
    if isinstance(error, TypeError):
        found = re.match(r"([\w.]+)\(\) got an unexpected keyword argument '(\w+)'", str(error))
        if found and _is_netgrad_name(found.group(1)):
            name = found.group(1).removesuffix(".__init__")
            return f"netgrad's {name}() has no argument {found.group(2)!r} ({_HINT})"
    return None


def _is_netgrad_name(qualname: str) -> bool:
    """Whether ``randn`` / ``Linear.__init__`` / ``Tensor.to`` names a function of netgrad's PyTorch face."""
    head = qualname.split(".")[0]
    return any(getattr(getattr(module, head, None), "__module__", "").startswith("netgrad")
               for module in (netgrad, netgrad.nn, netgrad.nn.functional, netgrad.optim, netgrad.Tensor))


def run_script(path: str, args: Sequence[str] = ()) -> dict:
    """Run the script at ``path`` with ``torch`` resolved to netgrad; return its globals.

    Exceptions from the script propagate as they are (``SystemExit`` included).
    """
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no script at {path}")
    finder = _TorchAlias()
    saved_torch = {name: sys.modules.pop(name) for name in list(sys.modules)
                   if name == "torch" or name.startswith("torch.")}
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [path, *args]
    sys.path.insert(0, os.path.dirname(path))
    sys.meta_path.insert(0, finder)
    try:
        return runpy.run_path(path, run_name="__main__")
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
            del sys.modules[name]
        sys.modules.update(saved_torch)
        sys.argv, sys.path[:] = saved_argv, saved_path


def _where(error: BaseException, path: str) -> str:
    """``script.py:LINE`` of the script's innermost frame in the traceback."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if os.path.abspath(f.filename) == path]
    return f"{os.path.basename(path)}:{frames[-1].lineno}" if frames else os.path.basename(path)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m netgrad.run SCRIPT.py [args]``: 0 when the script ends, 1 with one line when netgrad lacks
    something it uses; the script's own errors show their traceback, as under ``python``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m netgrad.run SCRIPT.py [args ...]\n\n"
              "Runs a PyTorch script unchanged, with `import torch` resolved to netgrad.", file=sys.stderr)
        return 0 if argv else 2
    path = os.path.abspath(argv[0])
    try:
        run_script(path, argv[1:])
    except FileNotFoundError as error:
        if os.path.isfile(path):
            raise
        print(f"netgrad run: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        missing = missing_feature(error)
        if missing is not None:
            print(f"{_where(error, path)}: {missing}", file=sys.stderr)
            return 1
        tb = error.__traceback__  # the script's traceback, as under `python SCRIPT.py`
        while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) != path:
            tb = tb.tb_next
        traceback.print_exception(type(error), error, tb or error.__traceback__)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
