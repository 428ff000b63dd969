"""Decision boundaries of classifiers on two input features (the notes' AND / OR / XOR, circle, spiral).

The plane around the data is sampled on a grid, the model classifies every grid point, and the picture
shades each region by the class the model predicts there (the stronger the colour, the surer the model)
with the data drawn on top. A linear model's boundary is a straight line, ``w1 x1 + w2 x2 + b = 0``; a
hidden layer with a non-linear activation bends it.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import numpy as np

import netgrad

from ..engine.numerics import sigmoid_array, softmax_array
from ..nn.module import training_mode
from ._backend import CLASS_COLORS, NEGATIVE, POSITIVE, finish, pyplot

__all__ = ["plot_decision_boundary", "predict_scores"]


def _is_module(model: Any) -> bool:
    return hasattr(model, "parameters") and hasattr(model, "train") and hasattr(model, "eval") and callable(model)


def _module_outputs(model: Any, X: np.ndarray) -> np.ndarray:
    """The model's outputs on ``X`` in eval mode without building a graph; the mode is restored after."""
    with training_mode(model, False), netgrad.no_grad():
        out = model(netgrad.tensor(X))
    return np.asarray(out.numpy() if hasattr(out, "numpy") else out, dtype=float)


def predict_scores(model: Any, X: np.ndarray, logits: bool | None = None) -> np.ndarray:
    """Class probabilities of ``model`` on ``X``: ``(n,)`` of P(class 1) for binary models, else ``(n, k)``.

    ``model`` may be a netgrad ``Module`` (run in eval mode without gradients), an object with
    ``predict_proba`` (estimators) or ``predict`` (Keras-style models), or a function of a NumPy array.
    Outputs that are not probabilities are treated as logits: ``logits=None`` decides from the values
    (any output outside [0, 1], or rows of a multi-column output not summing to 1, means logits);
    ``True`` / ``False`` says so explicitly.
    """
    X = np.asarray(X, dtype=np.float32)
    if hasattr(model, "predict_proba"):
        out, logits = np.asarray(model.predict_proba(X), dtype=float), False
    elif _is_module(model):
        out = _module_outputs(model, X)
    elif hasattr(model, "predict"):
        out = np.asarray(model.predict(X), dtype=float)
    elif callable(model):
        out = np.asarray(model(X), dtype=float)
    else:
        raise TypeError(f"cannot get predictions from a {type(model).__name__}: pass a netgrad Module, an "
                        "object with predict_proba or predict, or a function of a NumPy array")
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.ndim == 1:
        if logits is None:
            logits = bool(np.any(out < 0) or np.any(out > 1))
        return sigmoid_array(out) if logits else out
    if out.ndim != 2 or len(out) != len(X):
        raise ValueError(f"the model returned shape {out.shape} for {len(X)} points; expected ({len(X)},) or "
                         f"({len(X)}, n_classes)")
    if logits is None:
        logits = bool(np.any(out < 0) or not np.allclose(out.sum(axis=1), 1.0, atol=1e-3))
    probabilities = softmax_array(out, 1) if logits else out
    if probabilities.shape[1] == 2:
        return probabilities[:, 1]
    return probabilities


def _integer_labels(classes: np.ndarray) -> bool:
    """Whether the labels are whole numbers (ints, bools, or floats such as 0.0 / 1.0) from 0."""
    if classes.dtype.kind in "biu":
        return bool(classes.size == 0 or classes.min() >= 0)
    if classes.dtype.kind == "f":
        return bool(np.all(classes == np.round(classes)) and (classes.size == 0 or classes.min() >= 0))
    return False


def _class_colors(classes: np.ndarray) -> list[str]:
    """The colour of each class: ``CLASS_COLORS[label]`` for labels 0, 1, 2, ..., else by sorted position."""
    indices = classes.astype(np.int64) if _integer_labels(classes) else np.arange(len(classes))
    return [CLASS_COLORS[int(i) % len(CLASS_COLORS)] for i in indices]


def _class_name(label: Any, class_names: Sequence[str] | None) -> str:
    if isinstance(label, (float, np.floating)) and float(label).is_integer():
        label = int(label)
    if class_names is not None and isinstance(label, (int, np.integer)) and 0 <= label < len(class_names):
        return str(class_names[label])
    return f"class {label}"


def plot_decision_boundary(model: Any, X: Any, y: Any, path: str | os.PathLike | None = None, *,
                           ax: Any = None, features: Callable[[np.ndarray], np.ndarray] | None = None,
                           logits: bool | None = None, resolution: int = 200, margin: float = 0.1,
                           title: str | None = None, feature_names: Sequence[str] | None = None,
                           class_names: Sequence[str] | None = None) -> Any:
    """The regions where a 2-D classifier predicts each class, with the data on top.

    Args:
        model: A netgrad Module, an estimator or Keras-style model, or a function of an ``(n, 2)`` array
            (see :func:`predict_scores`).
        X: ``(n, 2)`` points (a pandas DataFrame's column names label the axes); ``y``: their class labels,
            drawn in the class colours (integer labels, and floats such as 0.0 / 1.0, pick colour ``label``;
            other labels pick colours in sorted order).
        path: Where to save the picture; nothing is saved when None.
        ax: Draw into this matplotlib Axes instead of a new figure (for grids of boundaries).
        features: Maps the ``(m, 2)`` grid points to the model's inputs, when it was trained on derived
            features (e.g. ``netgrad.data.playground_features``).
        logits: Whether the model outputs logits (None: decide from the values).
        resolution: Grid points per axis.
        margin: Space on each side of the data, as a fraction of its range.
        title: The panel's title.
        feature_names: The two axes' labels (default: the DataFrame's columns, else ``x1`` and ``x2``).
        class_names: The legend's name for each class, indexed like the colours (default: ``class <label>``).

    Returns:
        The matplotlib Figure.
    """
    if feature_names is None and hasattr(X, "columns"):
        feature_names = [str(name) for name in X.columns]
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y).reshape(-1)
    if feature_names is not None and len(feature_names) != 2:
        raise ValueError(f"feature_names must name the 2 features, got {list(feature_names)}")
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision boundaries are drawn for 2 input features; X has shape {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} points but y has {len(y)} labels")
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    low, high = X.min(axis=0), X.max(axis=0)
    pad = margin * np.maximum(high - low, 1e-3)
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    ys = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype(np.float32)
    inputs = features(grid) if features is not None else grid
    scores = predict_scores(model, inputs, logits=logits)

    plt = pyplot()
    from matplotlib.colors import LinearSegmentedColormap, ListedColormap

    if ax is None:
        fig, ax = plt.subplots(figsize=(4.6, 4.2))
    else:
        fig = ax.figure
    if scores.ndim == 1:  # binary: shade P(class 1) from orange (0) through white to blue (1)
        cmap = LinearSegmentedColormap.from_list("netgrad", [NEGATIVE, "#ffffff", POSITIVE])
        ax.contourf(grid_x, grid_y, scores.reshape(grid_x.shape), levels=np.linspace(0, 1, 21), cmap=cmap,
                    alpha=0.55)
        ax.contour(grid_x, grid_y, scores.reshape(grid_x.shape), levels=[0.5], colors="#333333", linewidths=1.2)
    else:
        k = scores.shape[1]
        predicted = scores.argmax(axis=1).reshape(grid_x.shape)
        cmap = ListedColormap([CLASS_COLORS[i % len(CLASS_COLORS)] for i in range(k)])
        ax.imshow(predicted, origin="lower", extent=(xs[0], xs[-1], ys[0], ys[-1]), cmap=cmap, vmin=-0.5,
                  vmax=k - 0.5, alpha=0.35, aspect="auto", interpolation="nearest")
        ax.contour(grid_x, grid_y, predicted, levels=np.arange(k) + 0.5, colors="#333333", linewidths=0.8)
    classes = np.unique(y)
    for label, color in zip(classes, _class_colors(classes)):
        mask = y == label
        name = _class_name(label, class_names)
        ax.scatter(X[mask, 0], X[mask, 1], s=28 if len(X) < 50 else 12, color=color, edgecolors="#222222",
                   linewidths=0.5, label=name)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel(feature_names[0] if feature_names is not None else "$x_1$")
    ax.set_ylabel(feature_names[1] if feature_names is not None else "$x_2$")
    ax.legend(loc="best", fontsize=8, framealpha=0.8, handletextpad=0.2)
    if title:
        ax.set_title(title)
    return finish(fig, path)
