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
:func:`save_graph` writes the ``.dot`` text, which any Graphviz viewer opens.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any, Mapping

from ..tensor import Tensor

__all__ = ["to_dot", "save_graph", "graph_ops"]

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
            unnamed leaves are called ``leaf``.
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
