"""Grids of images with their labels and predictions (digits, Fashion-MNIST), and confusion matrices."""
from __future__ import annotations

import math
import os
from typing import Any, Sequence

import numpy as np

from ._backend import finish, pyplot

__all__ = ["plot_image_grid", "plot_confusion_matrix"]


def _name(label: Any, class_names: Sequence[str] | None) -> str:
    return str(class_names[int(label)]) if class_names is not None else str(label)


def plot_image_grid(images: Any, labels: Any, predictions: Any = None, path: str | os.PathLike | None = None, *,
                    class_names: Sequence[str] | None = None, columns: int = 8, max_images: int = 32,
                    title: str | None = None) -> Any:
    """Images in a grid, each captioned with its label, or its prediction when given.

    A correct prediction is captioned in black; a wrong one in red as ``predicted (true)`` with a red frame.

    Args:
        images: ``(n, h, w)`` images, or ``(n, h*w)`` rows of square images (784 -> 28x28, 64 -> 8x8).
        labels: The true classes ``(n,)``.
        predictions: The predicted classes ``(n,)``, or None to show the labels only.
        path: Where to save the picture; nothing is saved when None.
        class_names: Names of the classes, indexed by label.
        columns: Images per row.
        max_images: Most images shown (the first ones).
        title: The figure's title.

    Returns:
        The matplotlib Figure.
    """
    images = np.asarray(images, dtype=float)
    labels = np.asarray(labels).reshape(-1)
    if images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side != images.shape[1]:
            raise ValueError(f"rows of {images.shape[1]} pixels are not square images; pass (n, h, w) images")
        images = images.reshape(len(images), side, side)
    if images.ndim != 3:
        raise ValueError(f"images must be (n, h, w) or (n, h*w); got shape {images.shape}")
    if len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    if predictions is not None:
        predictions = np.asarray(predictions).reshape(-1)
        if len(predictions) != len(images):
            raise ValueError(f"{len(images)} images but {len(predictions)} predictions")
    n = min(len(images), max_images)
    if n == 0:
        raise ValueError("no images to show")
    columns = min(columns, n)
    rows = math.ceil(n / columns)
    plt = pyplot()
    fig, axes = plt.subplots(rows, columns, figsize=(1.35 * columns, 1.55 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for k in range(n):
        ax = axes.flat[k]
        ax.imshow(images[k], cmap="gray_r", interpolation="nearest")
        if predictions is None:
            ax.set_title(_name(labels[k], class_names), fontsize=7)
            continue
        wrong = predictions[k] != labels[k]
        caption = _name(predictions[k], class_names)
        if wrong:
            caption += f"\n({_name(labels[k], class_names)})"
            ax.axis("on")
            ax.set_xticks([])
            ax.set_yticks([])
            for spine in ax.spines.values():
                spine.set_color("#d62728")
                spine.set_linewidth(2)
        ax.set_title(caption, fontsize=7, color="#d62728" if wrong else "black")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return finish(fig, path)


def plot_confusion_matrix(matrix: Any, class_names: Sequence[str] | None = None,
                          path: str | os.PathLike | None = None, *, normalize: bool = False,
                          title: str | None = None) -> Any:
    """A confusion matrix as a heat map: row = true class, column = predicted class.

    Args:
        matrix: ``(k, k)`` counts, e.g. from :func:`netgrad.metrics.confusion_matrix`.
        class_names: Names of the ``k`` classes.
        path: Where to save the picture; nothing is saved when None.
        normalize: Show each row as fractions of that class (recall on the diagonal).

    Returns:
        The matplotlib Figure.
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"a confusion matrix is square; got shape {matrix.shape}")
    k = len(matrix)
    names = [str(c) for c in class_names] if class_names is not None else [str(i) for i in range(k)]
    if len(names) != k:
        raise ValueError(f"{k} classes but {len(names)} class names")
    shown = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1) if normalize else matrix
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(0.55 * k + 2.5, 0.5 * k + 2.0))
    ax.imshow(shown, cmap="Blues")
    for i in range(k):
        for j in range(k):
            text = f"{shown[i, j]:.2f}" if normalize else f"{int(matrix[i, j])}"
            ax.text(j, i, text, ha="center", va="center", fontsize=7,
                    color="white" if shown[i, j] > 0.6 * shown.max() else "black")
    ax.set_xticks(range(k), names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(k), names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or "confusion matrix")
    fig.tight_layout()
    return finish(fig, path)
