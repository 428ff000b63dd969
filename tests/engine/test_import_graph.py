"""No module of netgrad imports itself through others: a depth-first search over every import statement (read with ast),
those inside functions included, so a loop cannot hide behind a late import."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "netgrad"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, name: str, known: set) -> set:
    """Modules of netgrad that ``path`` imports, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rsplit(".", 1)[0]
            base = (base + "." + node.module if node.module else base) if node.level else node.module
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)  # `from . import ops` names a module
    return {m for m in found if m in known and m != name}


def _graph() -> dict:
    paths = {_module_name(p): p for p in ROOT.rglob("*.py")}
    return {name: _imports(path, name, set(paths)) for name, path in paths.items()}


def _cycle_through(graph: dict, start: str) -> list | None:
    """A path start -> ... -> start, if there is one (packages excluded: importing a submodule runs its
    package's __init__, which is not a loop between the two modules)."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for nxt in graph.get(node, ()):
            if nxt == start:
                return path + [start]
            if nxt not in seen and not start.startswith(nxt + "."):
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None


@pytest.mark.parametrize("prefix", ["netgrad.engine", "netgrad.nn", "netgrad.io", "netgrad.autograd",
                                    "netgrad.random", "netgrad"])
def test_no_import_loop(prefix):
    graph = _graph()
    # a package's own __init__ importing its submodules is how packages work; drop those edges
    graph = {m: {d for d in deps if not d.startswith(m + ".")} for m, deps in graph.items()}
    modules = [m for m in graph if m == prefix or m.startswith(prefix + ".")]
    assert modules
    loops = [c for c in (_cycle_through(graph, m) for m in modules) if c]
    assert not loops, f"import loops: {loops[:3]}"


def test_the_search_finds_a_loop():
    """The check itself: a planted loop a -> b -> a is found, a chain a -> b -> c is not."""
    assert _cycle_through({"a": {"b"}, "b": {"a"}}, "a") == ["a", "b", "a"]
    assert _cycle_through({"a": {"b"}, "b": {"c"}}, "a") is None
