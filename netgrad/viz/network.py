"""Network diagrams: neurons in columns, links coloured by the sign of their weight and as thick as |w|.

The same picture as TensorFlow Playground's (and netgrad's playground): blue links carry positive weights,
orange ones negative weights; a thick link matters more than a thin one. Neurons are filled by the sign
and size of their bias. Wide layers (the 784 pixels of an image) show their first and last neurons with
a gap between them and the true count underneath.
"""
from __future__ import annotations

import os
from typing import Any, NamedTuple, Sequence

import numpy as np

from ._backend import NEGATIVE, POSITIVE, finish, pyplot

__all__ = ["plot_network", "dense_layers", "DenseLayer"]

_UNCAPTIONED = ("Flatten", "Identity", "Unflatten")  # modules that change nothing worth a caption


class DenseLayer(NamedTuple):
    """One fully-connected layer: ``weight`` ``(out, in)`` as in ``nn.Linear``, ``bias`` ``(out,)`` or None,
    and the names of the modules that follow it (activation, batch norm, dropout)."""

    weight: np.ndarray
    bias: np.ndarray | None
    after: tuple[str, ...]


def _array(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t, dtype=float)


def _modules_in_order(model: Any) -> list:
    """The leaf modules of ``model`` in the order ``modules()`` lists them (the order of a Sequential)."""
    if hasattr(model, "modules"):
        return [m for m in model.modules() if m is not model and not list(_children(m))] or [model]
    return [model]


def _children(module: Any) -> list:
    return list(module.children()) if hasattr(module, "children") else []


def dense_layers(model: Any) -> list[DenseLayer]:
    """The fully-connected layers of ``model`` in order.

    ``model`` may be a netgrad Module (its ``Linear`` layers and whatever follows each; Keras-style
    ``Dense`` layers, whose ``(input_dim, units)`` kernels are transposed), an estimator (its ``module_``, or
    scikit-learn-style ``coefs_`` and ``intercepts_``), or a list of weight matrices ``(out, in)`` or
    ``(weight, bias)`` pairs.
    """
    if isinstance(model, (list, tuple)):
        layers = []
        for item in model:
            weight, bias = (item if isinstance(item, tuple) else (item, None))
            layers.append(DenseLayer(_array(weight), None if bias is None else _array(bias).reshape(-1), ()))
        return layers
    if hasattr(model, "coefs_") and hasattr(model, "intercepts_") and not hasattr(model, "module_"):
        return [DenseLayer(_array(c).T, _array(b).reshape(-1), ()) for c, b in zip(model.coefs_, model.intercepts_)]
    for attribute in ("module", "module_", "model_", "network"):
        inner = getattr(model, attribute, None)
        if inner is not None and hasattr(inner, "modules"):
            model = inner
            break
    layers: list[DenseLayer] = []
    for module in _modules_in_order(model):
        weight = getattr(module, "weight", None)
        kernel = getattr(module, "kernel", None)
        if weight is not None and hasattr(module, "in_features") and len(getattr(weight, "shape", ())) == 2:
            bias = getattr(module, "bias", None)
            layers.append(DenseLayer(_array(weight), None if bias is None else _array(bias), ()))
        elif kernel is not None and hasattr(module, "units") and len(getattr(kernel, "shape", ())) == 2:
            bias = getattr(module, "bias", None)  # a Keras Dense: kernel (input_dim, units), its own activation
            activation = getattr(getattr(module, "activation", None), "__name__", None)
            layers.append(DenseLayer(_array(kernel).T, None if bias is None else _array(bias),
                                     (activation,) if activation and activation != "linear" else ()))
        elif layers:
            last = layers[-1]
            layers[-1] = last._replace(after=last.after + (type(module).__name__,))
    if not layers:
        raise ValueError(f"found no fully-connected (Linear) layers in {type(model).__name__}")
    return layers


def _shown(n: int, max_neurons: int) -> tuple[np.ndarray, bool]:
    """Indices of the neurons drawn for a layer of ``n``, and whether some are left out."""
    if n <= max_neurons:
        return np.arange(n), False
    half = max_neurons // 2
    return np.concatenate([np.arange(half), np.arange(n - (max_neurons - half), n)]), True


def _positions(count: int, gap: bool, height: float) -> np.ndarray:
    """Vertical positions of ``count`` neurons centred on 0, with a one-slot gap in the middle if ``gap``."""
    slots = count + (1 if gap else 0)
    ys = np.linspace(height / 2, -height / 2, slots) if slots > 1 else np.zeros(1)
    if gap:
        ys = np.delete(ys, count // 2)
    return ys


def _legend_handles(biases: bool) -> list:
    """Legend entries for the link colours and, when the layers have biases, the neuron fills."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=POSITIVE, linewidth=2.5, label="weight > 0 (thicker: larger |w|)"),
               Line2D([], [], color=NEGATIVE, linewidth=2.5, label="weight < 0")]
    if biases:
        dot = {"marker": "o", "linestyle": "", "markersize": 9, "markeredgecolor": "#333333"}
        handles += [Line2D([], [], markerfacecolor=POSITIVE, label="bias > 0 (stronger: larger |b|)", **dot),
                    Line2D([], [], markerfacecolor=NEGATIVE, label="bias < 0", **dot)]
    return handles


def plot_network(model: Any, path: str | os.PathLike | None = None, *, max_neurons: int = 12,
                 input_names: Sequence[str] | None = None, output_names: Sequence[str] | None = None,
                 ax: Any = None, title: str | None = None, legend: bool = True) -> Any:
    """Draw a fully-connected network: neurons, links coloured by sign and sized by |w|.

    Args:
        model: A netgrad Module (or anything :func:`dense_layers` accepts).
        path: Where to save the picture; nothing is saved when None.
        max_neurons: Most neurons drawn per layer; wider layers show their first and last ones.
        input_names, output_names: Labels for the input and output neurons (when all are drawn).
        ax: Draw into this matplotlib Axes instead of a new figure.
        title: The figure's title (default: the layer sizes, e.g. ``784-300-100-10``).
        legend: Explain the colours under the diagram: links by the sign of their weight (thicker for a
            larger ``|w|``), neurons by the sign of their bias (stronger for a larger ``|b|``).

    Returns:
        The matplotlib Figure.
    """
    from matplotlib.collections import LineCollection

    if max_neurons < 2:
        raise ValueError(f"max_neurons must be at least 2, got {max_neurons}")
    layers = dense_layers(model)
    for before, after in zip(layers, layers[1:]):
        if after.weight.shape[1] != before.weight.shape[0]:
            raise ValueError(f"layer sizes do not chain: a layer with {before.weight.shape[0]} outputs feeds one "
                             f"expecting {after.weight.shape[1]} inputs")
    sizes = [layers[0].weight.shape[1]] + [layer.weight.shape[0] for layer in layers]
    height = min(max(sizes), max_neurons) - 1.0
    shown = [_shown(n, max_neurons) for n in sizes]
    ys = [_positions(len(idx), gap, height * len(idx) / max(len(s[0]) for s in shown)) for idx, gap in shown]

    # the captions under the layers: "input 784", "hidden 300 BatchNorm1d ReLU", ... (one line each)
    captions = [f"input\n{sizes[0]}"]
    for c in range(1, len(sizes)):
        after = [name for name in layers[c - 1].after if name not in _UNCAPTIONED]
        captions.append("\n".join(["output" if c == len(sizes) - 1 else "hidden", str(sizes[c]), *after]))
    lines = max(caption.count("\n") + 1 for caption in captions)
    plt = pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(1.9 * len(sizes) + 1.0,
                                        0.38 * min(max(sizes), max_neurons) + 1.0 + 0.3 * lines))
    else:
        fig = ax.figure
    radius = 0.3
    dx = 3.2  # horizontal distance between layers, in neuron spacings
    for c, layer in enumerate(layers):
        (src, _), (dst, _) = shown[c], shown[c + 1]
        w = layer.weight[np.ix_(dst, src)]
        scale = np.abs(layer.weight).max() or 1.0
        segments, colors, widths = [], [], []
        for j, y_dst in enumerate(ys[c + 1]):
            for i, y_src in enumerate(ys[c]):
                segments.append([(c * dx + radius, y_src), ((c + 1) * dx - radius, y_dst)])
                colors.append(POSITIVE if w[j, i] >= 0 else NEGATIVE)
                widths.append(0.2 + 2.8 * abs(w[j, i]) / scale)
        ax.add_collection(LineCollection(segments, colors=colors, linewidths=widths, alpha=0.7, zorder=1))
    for c, ((idx, gap), y) in enumerate(zip(shown, ys)):
        bias = layers[c - 1].bias if c > 0 else None
        for neuron, y_k in zip(idx, y):
            face, alpha = "#ffffff", 1.0
            if bias is not None:  # fill by the bias: its sign picks the colour, its size the strength
                face = POSITIVE if bias[neuron] >= 0 else NEGATIVE
                alpha = 0.25 + 0.75 * abs(bias[neuron]) / (np.abs(bias).max() or 1.0)
            ax.add_patch(plt.Circle((c * dx, y_k), radius, facecolor=face, alpha=alpha, edgecolor="none", zorder=2))
            ax.add_patch(plt.Circle((c * dx, y_k), radius, facecolor="none", edgecolor="#333333", linewidth=1,
                                    zorder=3))
            names = input_names if c == 0 else output_names if c == len(sizes) - 1 else None
            if names is not None and not gap and neuron < len(names):
                side, align = (-radius - 0.08, "right") if c == 0 else (radius + 0.08, "left")
                ax.text(c * dx + side, y_k, str(names[neuron]), ha=align, va="center", fontsize=8)
        if gap:
            ax.text(c * dx, (y[len(idx) // 2 - 1] + y[len(idx) // 2]) / 2, "⋮", ha="center", va="center", fontsize=14)
        ax.text(c * dx, -height / 2 - 0.9, captions[c], ha="center", va="top", fontsize=9)
    ax.set_xlim(-1.6, (len(sizes) - 1) * dx + 1.6)
    ax.set_ylim(-height / 2 - 1.2 - 0.62 * lines, height / 2 + 0.8)  # room for the longest caption
    ax.set_aspect("equal")
    ax.axis("off")
    if legend:
        ax.legend(handles=_legend_handles(any(layer.bias is not None for layer in layers)), loc="upper center",
                  bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=8, frameon=False)
    ax.set_title(title or "-".join(str(n) for n in sizes))
    return finish(fig, path)
