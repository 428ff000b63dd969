"""The Keras face's modules form no import loop, and none imports inside a function.

The import graph is read from the source with ``ast`` (independent of Python's import machinery, which
hides loops that happen to resolve): ``from package import name`` is an edge to the submodule when ``name``
is one, else to the package's ``__init__``.
"""
from __future__ import annotations

import ast
from pathlib import Path

import netgrad

ROOT = Path(netgrad.__file__).parent
CHECKED = ("keras", "optim")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:]) if "." in name else Path()
    return (ROOT / relative).with_suffix(".py").exists() or (ROOT / relative / "__init__.py").exists()


def imports(path: Path) -> tuple[set[str], list[int]]:
    """The netgrad modules a file imports at module level, and the lines of imports inside functions."""
    tree = ast.parse(path.read_text())
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[:len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if not source.startswith("netgrad"):
                continue
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                found.add(candidate if is_module(candidate) else source)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("netgrad"))
    inner = [node.lineno for function in ast.walk(tree) if isinstance(function, (ast.FunctionDef,
                                                                                   ast.AsyncFunctionDef))
             for node in ast.walk(function) if isinstance(node, (ast.Import, ast.ImportFrom))]
    return found, inner


def find_loop(graph: dict[str, set[str]]) -> list[str] | None:
    """A chain of modules that leads back to its start, or None (depth-first search)."""
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> list[str] | None:
        state[name] = 1
        for target in sorted(graph.get(name, ())):
            if state.get(target) == 1:
                return trail + [name, target]
            if target in graph and target not in state:
                loop = visit(target, trail + [name])
                if loop:
                    return loop
        state[name] = 2
        return None

    for name in graph:
        if name not in state:
            loop = visit(name, [])
            if loop:
                return loop
    return None


def test_no_import_loops_and_no_imports_inside_functions():
    files = [path for folder in CHECKED for path in sorted((ROOT / folder).rglob("*.py"))]
    graph = {}
    for path in files:
        edges, inner = imports(path)
        assert not inner, f"{path.relative_to(ROOT)} imports inside a function at lines {inner}"
        graph[module_name(path)] = edges
    assert "netgrad.keras.layers.core" in graph and "netgrad.keras.models.training" in graph
    assert find_loop(graph) is None, " -> ".join(find_loop(graph))


def test_the_checker_finds_the_loop_of_the_old_layout():
    graph = {"layers": {"models"}, "models": {"saving"}, "saving": {"layers", "io"}, "io": set()}
    assert find_loop(graph) == ["layers", "models", "saving", "layers"]
    assert find_loop({"layers": {"io"}, "models": {"layers"}, "io": set()}) is None
