"""The computational graph of a tensor, exported to Graphviz DOT.

Each operation that produced a tensor is one box, labelled with the operation and the shape of what it
produced; each leaf tensor that requires a gradient (inputs, weights) is an ellipse that shows its name,
shape and ``requires_grad``; edges run in the direction data flows, from inputs to the output. This is the
graph that ``backward()`` walks in reverse::

    a = netgrad.tensor([3.0], requires_grad=True)
    b = netgrad.tensor([2.0], requires_grad=True)
    c = netgrad.tensor([5.0], requires_grad=True)
    J = 2 * (a * b + c)
    save_graph(J, "J.svg", params={"a": a, "b": b, "c": c}, output_name="J")

Constants (the ``2`` above) and tensors that do not require a gradient take no part in backpropagation,
so the graph does not record them and the picture does not show them.

Rendering to SVG, PNG or PDF needs the ``dot`` program of Graphviz (``apt install graphviz``); without it
:func:`save_graph` writes the ``.dot`` text, which any Graphviz viewer opens. :func:`plot_graph` draws
small graphs with matplotlib instead, values and gradients included: those of the leaves, and those of
intermediate tensors named in ``params`` (their gradients are kept when ``retain_grad()`` was called).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any, Mapping

from ..engine import Tensor

__all__ = ["to_dot", "save_graph", "graph_ops", "plot_graph"]

_RENDER_FORMATS = ("svg", "png", "pdf")


def _quote(text: str) -> str:
    """A DOT string literal; ``\\n`` inside it stays a DOT line break."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _op_name(node: Any) -> str:
    return type(node).__name__


def _walk(output: Tensor) -> tuple[dict, dict, list]:
    """The graph behind ``output``: op nodes with output shapes, leaves, and (source, target) edges.

    Returns:
        ``ops`` {id(node): (node, output shape)}, ``leaves`` {id(tensor): tensor} and ``edges`` as pairs of
        those ids, in the order an iterative depth-first walk meets them.
    """
    ops: dict[int, tuple[Any, tuple]] = {}
    leaves: dict[int, Tensor] = {}
    edges: list[tuple[int, int]] = []
    root = output._grad_fn
    if root is None:
        leaves[id(output)] = output
        return ops, leaves, edges
    ops[id(root)] = (root, tuple(output.shape))
    stack = [root]
    while stack:
        node = stack.pop()
        inputs = node.inputs
        if inputs is None:
            raise RuntimeError(
                f"the graph was freed by backward() ({node!r} no longer knows its inputs): export it before "
                "calling backward(), or call backward(retain_graph=True)"
            )
        for tensor in inputs:
            if tensor is None:  # a constant or a tensor that needs no gradient
                continue
            producer = tensor._grad_fn
            if producer is None:
                leaves.setdefault(id(tensor), tensor)
                edges.append((id(tensor), id(node)))
            else:
                if id(producer) not in ops:
                    ops[id(producer)] = (producer, tuple(tensor.shape))
                    stack.append(producer)
                edges.append((id(producer), id(node)))
    return ops, leaves, edges


def _named_ops(params: Mapping[str, Tensor] | None) -> dict[int, tuple[str, Tensor]]:
    """``{id(node): (name, tensor)}`` for the intermediate tensors in ``params`` (those an op produced)."""
    return {id(t._grad_fn): (name, t) for name, t in (params or {}).items()
            if isinstance(t, Tensor) and t._grad_fn is not None}


def graph_ops(output: Tensor) -> list[str]:
    """Names of the operations in the graph that produced ``output``, from the output back to the inputs.

    >>> a = netgrad.tensor([3.0], requires_grad=True)
    >>> graph_ops(2 * (a * a + a))
    ['Mul', 'Add', 'Mul']
    """
    ops, _, _ = _walk(output)
    return [_op_name(node) for node, _ in ops.values()]


def to_dot(output: Tensor, params: Mapping[str, Tensor] | None = None, *, output_name: str = "output",
           title: str | None = None, rankdir: str = "LR") -> str:
    """The computational graph that produced ``output``, as Graphviz DOT text.

    Args:
        output: The tensor at the end of the graph (a loss, a prediction).
        params: Names for leaf tensors, e.g. ``dict(model.named_parameters())`` or ``{"a": a}``;
            unnamed leaves are called ``leaf``. Intermediate tensors may be named too (``{"u": u}``):
            the name is added to the box of the op that produced them.
        output_name: Label of the output tensor's node.
        title: A caption drawn under the graph.
        rankdir: Graphviz direction: ``"LR"`` (inputs on the left) or ``"TB"`` (inputs on top).

    Returns:
        The DOT source: op nodes are boxes ``"<Op>\\n<output shape>"``, leaves are ellipses
        ``"<name>\\n<shape>\\nrequires_grad=True"``, edges go from inputs to the ops that use them.
    """
    if not isinstance(output, Tensor):
        raise TypeError(f"to_dot needs a netgrad Tensor, got {type(output).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    names = {id(t): name for name, t in (params or {}).items()}
    named_ops = _named_ops(params)
    ops, leaves, edges = _walk(output)
    ids: dict[int, str] = {}

    def node_id(key: int) -> str:
        return ids.setdefault(key, f"n{len(ids)}")

    lines = ["digraph netgrad {", f"  rankdir={rankdir};",
             '  node [fontname="Helvetica", fontsize=11];', '  edge [color="#555555"];']
    if title:
        lines.append(f"  label={_quote(title)}; labelloc=b; fontname=\"Helvetica\";")
    for key, tensor in leaves.items():
        label = f"{names.get(key, 'leaf')}\n{_shape(tuple(tensor.shape))}\nrequires_grad={tensor.requires_grad}"
        lines.append(f'  {node_id(key)} [label={_quote(label)}, shape=ellipse, style=filled, fillcolor="#cfe8fc"];')
    for key, (node, shape) in ops.items():
        label = f"{_op_name(node)}\n{_shape(shape)}"
        if key in named_ops:
            label += f"\n{named_ops[key][0]}"
        lines.append(f'  {node_id(key)} [label={_quote(label)}, shape=box, style="rounded,filled", '
                     'fillcolor="#f2f2f2"];')
    if output._grad_fn is not None:
        out_label = f"{output_name}\n{_shape(tuple(output.shape))}"
        lines.append(f'  out [label={_quote(out_label)}, shape=ellipse, style=filled, fillcolor="#d4f0c4"];')
        lines.append(f"  {node_id(id(output._grad_fn))} -> out;")
    for source, target in edges:
        lines.append(f"  {node_id(source)} -> {node_id(target)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def plot_graph(output: Tensor, params: Mapping[str, Tensor] | None = None, path: str | os.PathLike | None = None,
               *, output_name: str = "output", title: str | None = None, values: bool = True) -> Any:
    """Draw the computational graph with matplotlib (no Graphviz needed), inputs on the left.

    The same nodes as :func:`to_dot`: each leaf that requires a gradient is an ellipse (name, shape and,
    with ``values`` and a single element, its value and gradient when it has one), each operation a box with
    the shape of its output. An intermediate tensor named in ``params`` (``{"u": u}``) adds its name, value
    and gradient to the box of the op that produced it; its gradient is there after ``u.retain_grad()``
    and ``backward(retain_graph=True)``. Columns follow the order of computation: a node sits one column right of
    its latest input; a leaf sits just left of the first operation that uses it.

    Returns:
        The matplotlib Figure.
    """
    from ._backend import finish, pyplot

    if not isinstance(output, Tensor):
        raise TypeError(f"plot_graph needs a netgrad Tensor, got {type(output).__name__}")
    names = {id(t): name for name, t in (params or {}).items()}
    named_ops = _named_ops(params)
    ops, leaves, edges = _walk(output)
    inputs: dict[int, list[int]] = {}
    for source, target in edges:
        inputs.setdefault(target, []).append(source)
    column = {key: 1 for key in ops}
    for _ in range(len(ops)):  # longest path from the leaves: relax until nothing moves (a DAG settles)
        moved = False
        for key in ops:
            wanted = 1 + max((column[s] for s in inputs.get(key, []) if s in ops), default=0)
            if wanted != column[key]:
                column[key], moved = wanted, True
        if not moved:
            break
    for key in leaves:
        consumers = [column[t] for s, t in edges if s == key]
        column[key] = min(consumers) - 1 if consumers else 0
    out_key = -1
    if output._grad_fn is not None:
        column[out_key] = column[id(output._grad_fn)] + 1
    rows: dict[int, list[int]] = {}
    for key in [*leaves, *ops, *([out_key] if out_key in column else [])]:
        rows.setdefault(column[key], []).append(key)
    position = {}
    for col, keys in rows.items():
        for i, key in enumerate(keys):
            position[key] = (col * 2.2, (len(keys) - 1) / 2 - i)

    def label(key: int) -> str:
        if key == out_key:
            text = f"{output_name}\n{_shape(tuple(output.shape))}"
            if values and output.numel() == 1:
                text += f"\n= {output.item():.4g}"
            return text
        if key in leaves:
            t = leaves[key]
            return f"{names.get(key, 'leaf')}  {_shape(tuple(t.shape))}" + value_and_grad(t) + "\nrequires_grad"
        node, shape = ops[key]
        if key in named_ops:
            name, t = named_ops[key]
            return f"{_op_name(node)}\n{name}  {_shape(shape)}" + value_and_grad(t)
        return f"{_op_name(node)}\n{_shape(shape)}"

    def value_and_grad(t: Tensor) -> str:
        if not values or t.numel() != 1:
            return ""
        return f"\n= {t.item():.4g}" + (f"\ngrad {t.grad.item():.4g}" if t.grad is not None else "")

    plt = pyplot()
    width = max(column.values()) - min(column.values()) + 1
    height = max(len(keys) for keys in rows.values())
    fig, ax = plt.subplots(figsize=(2.1 * width + 0.8, 1.25 * height + 1.2))
    boxes = {}
    for key, (x, y) in position.items():
        if key in ops:
            style = {"boxstyle": "round,pad=0.5", "facecolor": "#f2f2f2", "edgecolor": "#555555"}
        elif key == out_key:
            style = {"boxstyle": "ellipse,pad=0.4", "facecolor": "#d4f0c4", "edgecolor": "#555555"}
        else:
            style = {"boxstyle": "ellipse,pad=0.3", "facecolor": "#cfe8fc", "edgecolor": "#555555"}
        boxes[key] = ax.text(x, y, label(key), ha="center", va="center", fontsize=9, bbox=style, zorder=3)
    for source, target in edges + ([(id(output._grad_fn), out_key)] if out_key in column else []):
        # clipped at the boxes' outlines, so every arrow head shows whatever the box's size
        ax.annotate("", xy=position[target], xytext=position[source],
                    arrowprops={"arrowstyle": "-|>", "color": "#555555", "lw": 1.2, "shrinkA": 2, "shrinkB": 2,
                                "patchA": boxes[source].get_bbox_patch(), "patchB": boxes[target].get_bbox_patch()})
    xs = [p[0] for p in position.values()]
    ys = [p[1] for p in position.values()]
    ax.set_xlim(min(xs) - 1.1, max(xs) + 1.1)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return finish(fig, path)


def save_graph(output: Tensor, path: str | os.PathLike, params: Mapping[str, Tensor] | None = None, *,
               output_name: str = "output", title: str | None = None, rankdir: str = "LR") -> Path:
    """Write the computational graph of ``output`` to ``path``; render it when ``dot`` is installed.

    ``path`` ending in ``.dot`` (or ``.gv``) gets the DOT text. Ending in ``.svg``, ``.png`` or ``.pdf``, the
    DOT text is written beside it (same name, ``.dot``) and rendered with Graphviz's ``dot`` program; if
    ``dot`` is not installed, a warning says so and only the ``.dot`` file is written.

    Returns:
        The path of the file written last: the picture, or the ``.dot`` file when nothing was rendered.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("dot", "gv") + _RENDER_FORMATS:
        raise ValueError(f"save_graph writes .dot, .gv, .svg, .png or .pdf files, got {path.name!r}")
    source = to_dot(output, params, output_name=output_name, title=title, rankdir=rankdir)
    path.parent.mkdir(parents=True, exist_ok=True)
    dot_path = path if fmt in ("dot", "gv") else path.with_suffix(".dot")
    dot_path.write_text(source)
    if fmt in ("dot", "gv"):
        return dot_path
    program = shutil.which("dot")
    if program is None:
        warnings.warn(f"Graphviz's 'dot' program is not installed, so {path.name} was not rendered; wrote "
                      f"{dot_path} instead (install it with: apt install graphviz)", RuntimeWarning, stacklevel=2)
        return dot_path
    result = subprocess.run([program, f"-T{fmt}", str(dot_path), "-o", str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"dot could not render {dot_path}: {result.stderr.strip()}")
    return path
