"""Curves over training: loss and metrics per epoch, optimizers side by side, the learning-rate finder."""
from __future__ import annotations

import math
import os
from typing import Any, Mapping, Sequence

import numpy as np

from ._backend import CLASS_COLORS, finish, integer_ticks, pyplot

__all__ = ["plot_history", "plot_optimizer_comparison", "plot_lr_finder", "plot_lr_schedule"]


def _history_dict(history: Any) -> tuple[dict[str, list], list[int] | None]:
    """``(values by name, epoch indices)`` from a History, a Keras-style object or a plain dict of lists."""
    values = getattr(history, "history", history)
    if not isinstance(values, Mapping):
        raise TypeError(f"expected a History or a dict of per-epoch lists, got {type(history).__name__}")
    epochs = getattr(history, "epoch", None)
    values = {name: list(v) for name, v in values.items() if name != "epoch"}
    if isinstance(history, Mapping) and "epoch" in history:
        epochs = list(history["epoch"])
    return values, (list(epochs) if epochs else None)


def plot_history(history: Any, metrics: Sequence[str] | None = None, path: str | os.PathLike | None = None, *,
                 title: str | None = None, log_loss: bool = False) -> Any:
    """Loss and metric curves of a training run, training and validation side by side.

    One panel for the loss and one per metric; each draws the training curve and, when the run had
    validation data, the ``val_`` curve dashed.

    Args:
        history: A :class:`~netgrad.training.History` (what ``fit`` returns), or a dict of per-epoch lists
            such as ``{"loss": [...], "val_loss": [...], "accuracy": [...]}``.
        metrics: The names to draw (default: ``loss`` and every other non-``val_`` key).
        path: Where to save the picture (PNG, SVG, PDF by extension); nothing is saved when None.
        title: The figure's title.
        log_loss: Draw the loss on a logarithmic axis.

    Returns:
        The matplotlib Figure.
    """
    values, epochs = _history_dict(history)
    if metrics is None:
        metrics = [name for name in values if not name.startswith("val_") and name != "lr"]
        metrics.sort(key=lambda name: name != "loss")  # loss first
    missing = [name for name in metrics if name not in values and f"val_{name}" not in values]
    if missing:
        raise ValueError(f"the history has no {', '.join(map(repr, missing))}; it has {sorted(values)}")
    if not metrics:
        raise ValueError("the history is empty: train for at least one epoch first")
    plt = pyplot()
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.6 * len(metrics), 3.4), squeeze=False)
    for ax, name in zip(axes[0], metrics):
        for key, style, label in ((name, "-", "training"), (f"val_{name}", "--", "validation")):
            if key not in values or not values[key]:
                continue
            ys = np.asarray(values[key], dtype=float)
            xs = np.asarray(epochs, dtype=float)[:len(ys)] + 1 if epochs else np.arange(1, len(ys) + 1)
            ax.plot(xs, ys, style, color=CLASS_COLORS[1] if style == "-" else CLASS_COLORS[0], marker="o",
                    markersize=3 if len(ys) < 60 else 0, label=label)
        ax.set_xlabel("epoch")
        integer_ticks(ax)
        ax.set_ylabel(name)
        ax.set_title(name)
        if name == "loss" and log_loss:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return finish(fig, path)


def _curve(result: Any, metric: str) -> np.ndarray:
    if isinstance(result, (list, tuple, np.ndarray)):
        return np.asarray(result, dtype=float)
    values, _ = _history_dict(result)
    if metric not in values:
        raise ValueError(f"no {metric!r} in a run that recorded {sorted(values)}")
    return np.asarray(values[metric], dtype=float)


def plot_optimizer_comparison(results: Mapping[str, Any], metric: str = "loss",
                              path: str | os.PathLike | None = None, *, log_scale: bool = True,
                              xlabel: str = "epoch", title: str | None = None) -> Any:
    """Curves of several runs on one axis: the optimizer race.

    Args:
        results: ``{label: run}``, a run being a History, a dict of per-epoch lists, or a plain sequence
            of values (per step or per epoch).
        metric: What to draw from each History (``"loss"``, ``"val_accuracy"``, ...).
        path: Where to save the picture; nothing is saved when None.
        log_scale: Logarithmic y axis (losses spanning decades).
        xlabel: The x axis' label (``"epoch"`` or ``"step"``).

    Returns:
        The matplotlib Figure.
    """
    if not results:
        raise ValueError("results is empty: pass {label: history} for at least one run")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for i, (label, run) in enumerate(results.items()):
        ys = _curve(run, metric)
        ax.plot(np.arange(1, len(ys) + 1), ys, label=str(label), color=CLASS_COLORS[i % len(CLASS_COLORS)],
                linewidth=1.6)
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    integer_ticks(ax)
    ax.set_ylabel(metric)
    ax.set_title(title or f"{metric} by {xlabel}")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    return finish(fig, path)


def _lr_and_loss(result: Any) -> tuple[np.ndarray, np.ndarray, float | None]:
    """``(learning rates, losses, suggested rate)`` from a learning-rate finder's result."""
    if isinstance(result, Mapping):
        lrs, losses = result.get("lrs", result.get("lr")), result.get("losses", result.get("loss"))
        suggestion = result.get("suggestion", result.get("suggested_lr"))
    else:
        lrs = getattr(result, "lrs", getattr(result, "lr", None))
        losses = getattr(result, "losses", getattr(result, "loss", None))
        suggestion = getattr(result, "suggestion", getattr(result, "suggested_lr", None))
    if lrs is None or losses is None:
        raise TypeError("expected a learning-rate finder result with learning rates ('lrs') and losses ('losses')")
    suggestion = suggestion() if callable(suggestion) else suggestion
    return (np.asarray(lrs, dtype=float), np.asarray(losses, dtype=float),
            None if suggestion is None else float(suggestion))


def plot_lr_finder(result: Any, path: str | os.PathLike | None = None, *, title: str | None = None) -> Any:
    """Loss against learning rate from :func:`netgrad.training.find_lr`, with the suggested rate marked.

    The learning rate grows exponentially from step to step; the loss first stays flat (too small a
    rate), then falls steeply (good rates), then blows up (too large). The suggestion is where it falls
    fastest.

    Returns:
        The matplotlib Figure.
    """
    lrs, losses, suggestion = _lr_and_loss(result)
    finite = np.isfinite(losses)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 3.8))
    ax.plot(lrs[finite], losses[finite], color=CLASS_COLORS[1], linewidth=1.6)
    if suggestion is not None and math.isfinite(suggestion):
        ax.axvline(suggestion, color=CLASS_COLORS[0], linestyle="--", label=f"suggested lr = {suggestion:.2g}")
        ax.legend()
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("loss")
    ax.set_title(title or "learning-rate finder")
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return finish(fig, path)


def plot_lr_schedule(lrs: Sequence[float] | Mapping[str, Sequence[float]], path: str | os.PathLike | None = None,
                     *, xlabel: str = "step", title: str | None = None) -> Any:
    """Learning rate per step of one schedule (a sequence) or several (``{name: sequence}``).

    Returns:
        The matplotlib Figure.
    """
    runs = lrs if isinstance(lrs, Mapping) else {"learning rate": lrs}
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.0, 3.4))
    for i, (label, values) in enumerate(runs.items()):
        values = np.asarray(values, dtype=float)
        ax.plot(np.arange(len(values)), values, label=str(label), color=CLASS_COLORS[i % len(CLASS_COLORS)])
    ax.set_xlabel(xlabel)
    integer_ticks(ax)
    ax.set_ylabel("learning rate")
    ax.set_title(title or "learning-rate schedule")
    ax.grid(alpha=0.3)
    if len(runs) > 1:
        ax.legend()
    fig.tight_layout()
    return finish(fig, path)
