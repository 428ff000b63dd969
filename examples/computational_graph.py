"""The computational graph of the notes: J = 2(ab + c), forward and backward.

With a = 3, b = 2, c = 5 the forward pass gives u = ab = 6, v = u + c = 11 and J = 2v = 22. The notes
then nudge a from 3 to 3.1 to see how much J moves (22 -> 22.4: dJ/da ≈ 4) and apply the chain rule
backwards, node by node:

    dJ/dv = 2,   dJ/du = dJ/dv * dv/du = 2 * 1 = 2,
    dJ/da = dJ/du * du/da = 2 * b = 4,   dJ/db = 2 * a = 6,   dJ/dc = dJ/dv * dv/dc = 2.

This script builds the same graph with netgrad tensors, lets ``backward()`` compute the three gradients,
checks them against the notes' finite differences, keeps the intermediate gradients with
``retain_grad()``, and writes the graph as Graphviz DOT (``<out>/computational_graph.dot``; also
``.svg`` when Graphviz's ``dot`` program is installed) and as a picture with the values and gradients
(``<out>/computational_graph.png``).

Run it with::

    python examples/computational_graph.py --out netgrad-examples/
"""
from __future__ import annotations

import argparse
import os
import shutil

import netgrad
from netgrad import viz


def forward(a: float, b: float, c: float) -> float:
    return 2 * (a * b + c)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the graph files")
    args = parser.parse_args(argv)

    a = netgrad.tensor([3.0], requires_grad=True)
    b = netgrad.tensor([2.0], requires_grad=True)
    c = netgrad.tensor([5.0], requires_grad=True)
    u = a * b
    v = u + c
    J = 2 * v
    for t in (u, v):
        t.retain_grad()  # keep dJ/du and dJ/dv, which backward() would otherwise not store
    print(f"forward:  u = ab = {u.item():g},  v = u + c = {v.item():g},  J = 2v = {J.item():g}")
    print(f"J is {J}")

    os.makedirs(args.out, exist_ok=True)
    params = {"a": a, "b": b, "c": c}
    dot_path = viz.save_graph(J, os.path.join(args.out, "computational_graph.dot"), params, output_name="J",
                              title="J = 2(ab + c)")
    written = [dot_path]
    if shutil.which("dot"):
        written.append(viz.save_graph(J, os.path.join(args.out, "computational_graph.svg"), params,
                                      output_name="J", title="J = 2(ab + c)"))
    print("graph nodes (output first):", " <- ".join(viz.graph_ops(J)))

    J.backward(retain_graph=True)  # keep the graph, to draw it with its gradients below
    print(f"backward: dJ/dv = {v.grad.item():g}, dJ/du = {u.grad.item():g}, "
          f"dJ/da = {a.grad.item():g}, dJ/db = {b.grad.item():g}, dJ/dc = {c.grad.item():g}")

    # the notes' way: nudge one input by 0.1 and watch J
    step = 0.1
    base = forward(3.0, 2.0, 5.0)
    nudged = {"a": forward(3.0 + step, 2.0, 5.0), "b": forward(3.0, 2.0 + step, 5.0),
              "c": forward(3.0, 2.0, 5.0 + step)}
    for name, value in nudged.items():
        slope = (value - base) / step
        print(f"  nudge {name} by {step}: J {base:g} -> {value:g}, slope {slope:.3g}  (autograd: "
              f"{params[name].grad.item():g})")
        assert abs(slope - params[name].grad.item()) < 1e-6  # J is linear in each input: the slope is exact
    try:
        written.append(os.path.join(args.out, "computational_graph.png"))
        viz.plot_graph(J, {**params, "u": u, "v": v}, written[-1], output_name="J",
                       title="J = 2(ab + c): values and gradients")
    except ImportError as err:
        written.pop()
        print(f"picture skipped: {err}")
    print("wrote " + ", ".join(str(p) for p in written))


if __name__ == "__main__":
    main()
