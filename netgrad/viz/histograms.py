"""Per-layer histograms of activations and gradients, and per-layer statistics over training.

In a healthy deep network every layer's activations keep a similar spread and every layer's gradients a
similar size. With sigmoid activations the histograms of deeper layers saturate and the gradients shrink
layer after layer toward the input (vanishing gradients); with ReLU and He initialisation they stay alike.
"""
from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

from ._backend import finish, integer_ticks, pyplot

__all__ = ["plot_layer_histograms", "plot_diagnostics"]


def _block_outputs(captures: Sequence[Any]) -> list[Any]:
    """The last capture of every block (the block's output, after its activation)."""
    last: dict[str, Any] = {}
    for capture in captures:
        if capture.block:
            last[capture.block] = capture
    return list(last.values())


def plot_layer_histograms(captures: Sequence[Any], path: str | os.PathLike | None = None, *, bins: int = 60,
                          title: str | None = None) -> Any:
    """Histograms of each block's activations and of the gradients flowing back into it.

    Args:
        captures: :func:`netgrad.diagnostics.capture_layers` of a batch (with a loss, for the gradients).
        path: Where to save the picture; nothing is saved when None.
        bins: Bins per histogram.
        title: The figure's title.

    Left: the values of each block's output. Right: ``log10 |dLoss/d output|``, so that gradients spanning
    many orders of magnitude stay visible; a vanishing gradient shows as curves sliding left, layer by
    layer, toward the input.

    Returns:
        The matplotlib Figure.
    """
    outputs = _block_outputs(captures)
    if not outputs:
        raise ValueError("no Linear blocks among the captures; pass netgrad.diagnostics.capture_layers(model, X, ...)")
    has_grads = all(c.output_grad is not None for c in outputs)
    plt = pyplot()
    fig, axes = plt.subplots(1, 2 if has_grads else 1, figsize=(11 if has_grads else 5.8, 3.9), squeeze=False)
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(outputs)))
    labelled = set(np.unique(np.linspace(0, len(outputs) - 1, min(len(outputs), 8)).round().astype(int)))
    low, high = min(c.output.min() for c in outputs), max(c.output.max() for c in outputs)
    edges = np.linspace(low, high if high > low else low + 1, bins + 1)
    for k, (capture, color) in enumerate(zip(outputs, colors)):
        label = f"{capture.block} ({capture.kind})" if k in labelled else None
        axes[0, 0].hist(capture.output.ravel(), bins=edges, histtype="step", color=color, linewidth=1.4,
                        density=True, label=label)
    axes[0, 0].set_title("activations")
    axes[0, 0].set_xlabel("output value")
    axes[0, 0].set_ylabel("density")
    axes[0, 0].legend(fontsize=7)
    if has_grads:
        logs = [np.log10(np.abs(c.output_grad.ravel()) + 1e-45) for c in outputs]
        finite = np.concatenate([v[v > -44] for v in logs]) if any((v > -44).any() for v in logs) else np.zeros(1)
        edges = np.linspace(finite.min(), finite.max() if finite.max() > finite.min() else finite.min() + 1, bins + 1)
        for k, (capture, values, color) in enumerate(zip(outputs, logs, colors)):
            axes[0, 1].hist(values[values > -44], bins=edges, histtype="step", color=color, linewidth=1.4,
                            density=True, label=capture.block if k in labelled else None)
        axes[0, 1].set_title("back-propagated gradients")
        axes[0, 1].set_xlabel("log10 |dLoss / d output|")
        axes[0, 1].legend(fontsize=7)
    for ax in axes.flat:
        ax.grid(alpha=0.25)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return finish(fig, path)


_LOG_STATISTICS = ("grad_norm", "update_ratio")


def plot_diagnostics(diagnostics: Any, path: str | os.PathLike | None = None, *,
                     statistics: Sequence[str] | None = None, title: str | None = None) -> Any:
    """Per-block statistics over the epochs, one panel per statistic, one line per block.

    Args:
        diagnostics: A :class:`netgrad.diagnostics.DiagnosticsCallback` after training, or its ``history``
            (``{statistic: {block: [value per epoch]}}``).
        path: Where to save the picture; nothing is saved when None.
        statistics: Which to draw (default: all recorded). Gradient norms and update ratios use a log axis.

    Returns:
        The matplotlib Figure.
    """
    history = getattr(diagnostics, "history", diagnostics)
    if not history:
        raise ValueError("nothing recorded yet: train with the DiagnosticsCallback for at least one epoch")
    statistics = list(history) if statistics is None else list(statistics)
    missing = [s for s in statistics if s not in history]
    if missing:
        raise ValueError(f"not recorded: {missing}; recorded: {list(history)}")
    plt = pyplot()
    fig, axes = plt.subplots(1, len(statistics), figsize=(4.2 * len(statistics), 3.4), squeeze=False)
    for ax, statistic in zip(axes[0], statistics):
        blocks = history[statistic]
        colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(blocks)))
        for (block, values), color in zip(blocks.items(), colors):
            ax.plot(np.arange(1, len(values) + 1), values, color=color, marker="o", markersize=3, label=block)
        if statistic in _LOG_STATISTICS:
            ax.set_yscale("log")
        ax.set_title(statistic.replace("_", " "))
        ax.set_xlabel("epoch")
        integer_ticks(ax)
        ax.grid(alpha=0.25, which="both")
    axes[0, 0].legend(fontsize=7)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return finish(fig, path)
