"""What a convolutional network learned: its first layer's filters, and the feature maps of one image.

``filter_images`` and ``feature_maps`` return arrays (no matplotlib needed); ``plot_filters`` and
``plot_feature_maps`` draw them. Both faces work: an ``nn.Conv2d`` (weight (O, C, kH, kW)) or a Keras
``Conv2D`` (kernel (kH, kW, C, O)), an ``nn.Sequential`` on (N, C, H, W) images or a Keras model on
(N, H, W, C) ones.
"""
from __future__ import annotations

import math
import os
from typing import Any, Sequence

import numpy as np

from ..engine.autograd import no_grad
from ..engine.tensor import Tensor
from ._backend import finish, pyplot

__all__ = ["filter_images", "feature_maps", "plot_filters", "plot_feature_maps"]


def _array(value: Any) -> np.ndarray:
    data = getattr(value, "_data", value)
    return np.array(data.get() if hasattr(data, "get") and not isinstance(data, np.ndarray) else data, dtype=float)


def _first_conv(model: Any) -> Any:
    """The first layer with a 4-D weight (nn) or kernel (Keras) in a model, or the layer itself."""
    candidates = [model] + list(getattr(model, "layers", None) or
                                (model.modules() if hasattr(model, "modules") else []))
    for layer in candidates:
        weight = getattr(layer, "kernel", None) if hasattr(layer, "filters") else getattr(layer, "weight", None)
        if weight is not None and np.ndim(getattr(weight, "_data", weight)) == 4:
            return layer
    raise ValueError(f"no 2-D convolution layer found in {type(model).__name__}")


def filter_images(layer: Any) -> np.ndarray:
    """The filters of a 2-D convolution as images scaled to [0, 1], one per output channel: (O, kH, kW) for one
    input channel, (O, kH, kW, 3) for three (RGB), else the mean over the input channels.

    Each filter is scaled by the largest |weight| of the layer: 0.5 is a zero weight, so filters compare.
    ``layer`` is an ``nn.Conv2d``, a Keras ``Conv2D``, a model (its first convolution is used) or an array
    (O, C, kH, kW)."""
    if isinstance(layer, np.ndarray) or hasattr(layer, "_data") and not hasattr(layer, "weight"):
        weight = _array(layer)
    else:
        layer = _first_conv(layer)
        if hasattr(layer, "filters"):  # Keras: (kH, kW, C, O)
            weight = _array(layer.kernel).transpose(3, 2, 0, 1)
        else:
            weight = _array(layer.weight)
    if weight.ndim != 4:
        raise ValueError(f"expected a 4-D convolution weight (O, C, kH, kW), got shape {weight.shape}")
    scale = np.abs(weight).max() or 1.0
    images = weight / (2 * scale) + 0.5
    if images.shape[1] == 3:
        return images.transpose(0, 2, 3, 1)
    return images.mean(axis=1)


def _layers(model: Any) -> list:
    """(name, callable) for each layer a Sequential model applies in turn."""
    if hasattr(model, "layers"):  # Keras
        return [(layer.name, layer) for layer in model.layers]
    if hasattr(model, "named_children"):
        return [(f"{name}: {type(module).__name__}", module) for name, module in model.named_children()]
    raise TypeError(f"feature_maps needs a Sequential model (nn or Keras), got {type(model).__name__}")


def feature_maps(model: Any, image: Any, layers: Sequence[int] | None = None) -> list[tuple[str, np.ndarray]]:
    """The output of each layer of a Sequential model for one image, as (name, (C, H, W) maps) pairs.

    ``image`` is one image without the batch axis ((C, H, W) for nn models, (H, W, C) for Keras ones; a 2-D
    (H, W) image gets its channel axis). Only layers whose output is an image are kept (dense layers are
    not), or those listed by index in ``layers``. The model runs in evaluation mode, without a graph."""
    steps = _layers(model)
    keras = hasattr(model, "layers")
    x = np.asarray(getattr(image, "_data", image), dtype=np.float32)
    if x.ndim == 2:
        x = x[..., None] if keras else x[None]
    if x.ndim != 3:
        raise ValueError(f"expected one image (C, H, W) or (H, W), got shape {x.shape}")
    dtype = np.float32
    if not keras and hasattr(model, "parameters"):
        dtype = next((p._data.dtype for p in model.parameters()), dtype)
    out = Tensor._wrap(x[None].astype(dtype))
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    maps = []
    try:
        with no_grad():
            for index, (name, layer) in enumerate(steps):
                out = layer(out, training=False) if keras else layer(out)
                data = _array(out)
                if data.ndim == 4 and (layers is None or index in layers):
                    maps.append((name, data[0].transpose(2, 0, 1) if keras else data[0]))
    finally:
        if was_training and hasattr(model, "train"):
            model.train()
    return maps


def _grid(plt: Any, count: int, columns: int, size: float = 1.1) -> tuple:
    columns = min(columns, count)
    rows = math.ceil(count / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(size * columns, size * rows + 0.4), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    return fig, axes


def plot_filters(layer: Any, path: str | os.PathLike | None = None, *, columns: int = 8,
                 title: str | None = None) -> Any:
    """The first convolution's filters as small images (grey: 0 weight, light: positive, dark: negative)."""
    images = filter_images(layer)
    plt = pyplot()
    fig, axes = _grid(plt, len(images), columns)
    for k, (ax, image) in enumerate(zip(axes.flat, images)):
        ax.imshow(image, cmap=None if image.ndim == 3 else "gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(str(k), fontsize=7)
    fig.suptitle(title or f"{len(images)} learned filters of {images.shape[1]}x{images.shape[2]} (first layer)")
    return finish(fig, path)


def plot_feature_maps(model: Any, image: Any, path: str | os.PathLike | None = None, *,
                      layers: Sequence[int] | None = None, max_maps: int = 8, title: str | None = None) -> Any:
    """One image through a convolutional model: a row per layer, showing its first ``max_maps`` channels."""
    maps = feature_maps(model, image, layers)
    if not maps:
        raise ValueError("the model has no layer whose output is an image")
    plt = pyplot()
    columns = 1 + max(min(max_maps, m.shape[0]) for _, m in maps)
    fig, axes = plt.subplots(len(maps), columns, figsize=(1.2 * columns, 1.3 * len(maps) + 0.4), squeeze=False)
    picture = np.asarray(getattr(image, "_data", image), dtype=float)
    picture = picture if picture.ndim == 2 else (picture[0] if picture.shape[0] in (1, 3) and
                                                 not hasattr(model, "layers") else picture[..., 0])
    for row, (name, channels) in enumerate(maps):
        for ax in axes[row]:
            ax.axis("off")
        axes[row, 0].imshow(picture, cmap="gray")
        axes[row, 0].set_title("input", fontsize=7)
        for k in range(min(max_maps, channels.shape[0])):
            axes[row, k + 1].imshow(channels[k], cmap="viridis", interpolation="nearest")
            axes[row, k + 1].set_title(f"{name} [{k}]" if k == 0 else str(k), fontsize=7, loc="left")
    fig.suptitle(title or "feature maps of one image, layer by layer")
    return finish(fig, path)
