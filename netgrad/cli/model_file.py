"""The ``.netgrad`` model file of the command line: a trained MLP and everything needed to use it on raw data.

One safetensors file written by :func:`netgrad.io.save`: the weights as tensors, and as JSON the
architecture, the preprocessing (the standard scaler's statistics, the feature and class names) and how it
was trained (data, split seed and size, scores). Nothing in it is executable: loading parses JSON and
copies arrays, and the architecture is checked against the stored tensors' shapes before any layer is
built, so a damaged or hostile file cannot make netgrad allocate more than the file holds.
"""
from __future__ import annotations

import numbers
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import netgrad
import netgrad.io
from netgrad.engine.numerics import softmax_array
from netgrad.nn.mlp import build_mlp
from netgrad.nn.names import ACTIVATIONS

from .errors import CLIError, one_line

__all__ = ["SavedModel", "save_model", "load_model", "MODEL_FORMAT", "MODEL_VERSION", "MAX_WIDTH", "MAX_LAYERS"]

MODEL_FORMAT = "netgrad-mlp"
MODEL_VERSION = 1
MAX_WIDTH = 1 << 20  # units in one layer: far above any MLP the command trains
MAX_LAYERS = 1000


@dataclass
class SavedModel:
    """A trained MLP with everything needed to use it on raw data.

    Attributes:
        model: The ``nn.Sequential``.
        architecture: ``{"inputs", "hidden", "outputs", "activation", "dropout", "batch_norm"}``.
        task: ``"classification"`` or ``"regression"``.
        feature_names, class_names, target_name: What the columns and classes are called.
        mean, scale: The standard scaler of the inputs (``(x - mean) / scale``).
        y_mean, y_scale: The scaler of a regression target (the model predicts scaled values).
        info: How it was trained (data, epochs, optimizer, test scores, split seed and size).
    """

    model: Any
    architecture: dict
    task: str
    feature_names: list[str]
    class_names: list[str]
    target_name: str
    mean: np.ndarray
    scale: np.ndarray
    y_mean: float = 0.0
    y_scale: float = 1.0
    info: dict = field(default_factory=dict)

    def transform(self, X: np.ndarray) -> np.ndarray:
        return ((X - self.mean) / self.scale).astype(np.float32)

    def outputs(self, X: np.ndarray) -> np.ndarray:
        """The model's raw outputs (logits, or scaled values) on raw features ``X``, in eval mode."""
        self.model.eval()
        with netgrad.no_grad():
            return self.model(netgrad.tensor(self.transform(X))).numpy()

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return softmax_array(self.outputs(X).astype(np.float64), 1)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class indices for classification, values in the target's units for regression."""
        if self.task == "classification":
            return self.outputs(X).argmax(axis=1)
        return self.outputs(X)[:, 0] * self.y_scale + self.y_mean


def save_model(saved: SavedModel, path: str) -> None:
    """Write ``saved`` to ``path`` (safetensors via :func:`netgrad.io.save`; JSON metadata, no pickle)."""
    netgrad.io.save({
        "format": MODEL_FORMAT, "version": MODEL_VERSION, "architecture": saved.architecture, "task": saved.task,
        "state_dict": saved.model.state_dict(),
        "preprocessing": {"mean": saved.mean.astype(np.float32), "scale": saved.scale.astype(np.float32),
                          "feature_names": saved.feature_names, "class_names": saved.class_names,
                          "target_name": saved.target_name, "y_mean": saved.y_mean, "y_scale": saved.y_scale},
        "info": saved.info,
    }, path)


def _width(value: Any, what: str) -> int:
    return netgrad.io.check_dimension(value, what, at_most=MAX_WIDTH)


def _checked_architecture(arch: Any, state: Any) -> dict:
    """The architecture, once its sizes are sane and its Linear layers match the stored weight shapes."""
    if not isinstance(arch, dict) or not isinstance(state, dict):
        raise ValueError("the architecture and the weights must be tables")
    hidden = arch["hidden"]
    if not isinstance(hidden, (list, tuple)) or len(hidden) > MAX_LAYERS:
        raise ValueError(f"hidden must be a list of at most {MAX_LAYERS} layer sizes, got {hidden!r}")
    widths = [_width(arch["inputs"], "inputs"), *(_width(h, "each hidden size") for h in hidden),
              _width(arch["outputs"], "outputs")]
    if arch["activation"] not in ACTIVATIONS:
        raise ValueError(f"unknown activation {arch['activation']!r}")
    dropout = arch["dropout"]
    if not isinstance(dropout, numbers.Real) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
    if not isinstance(arch["batch_norm"], bool):
        raise ValueError(f"batch_norm must be true or false, got {arch['batch_norm']!r}")
    shapes = {name: tuple(getattr(value, "shape", np.shape(value))) for name, value in state.items()}
    weights = sorted((name for name, shape in shapes.items() if name.endswith(".weight") and len(shape) == 2),
                     key=lambda name: int(name.split(".")[0]) if name.split(".")[0].isdigit() else -1)
    stored = [shapes[name] for name in weights]
    expected = [(fan_out, fan_in) for fan_in, fan_out in zip(widths, widths[1:])]
    if stored != expected:
        raise ValueError(f"the architecture {'-'.join(map(str, widths))} needs Linear weights of shapes "
                         f"{expected}, but the file stores {stored}")
    return arch


def load_model(path: str) -> SavedModel:
    """Read a model written by :func:`save_model`; the message of any problem names the file."""
    if not os.path.exists(path):
        raise CLIError(f"no such model file: {path}")
    try:
        header = netgrad.io.load_header(path)
    except (ValueError, OSError, KeyError) as err:
        raise CLIError(f"{path} is not a netgrad model file: {err}") from None
    if not isinstance(header, dict) or header.get("format") != MODEL_FORMAT:
        raise CLIError(f"{path} is a safetensors file but not a model saved by 'netgrad train'")
    if header.get("version") != MODEL_VERSION:
        raise CLIError(f"{path} has model format version {header.get('version')}; this netgrad reads "
                       f"version {MODEL_VERSION}")
    try:
        # the sizes are checked against the header's tensor shapes before anything is read or built
        arch = _checked_architecture(header["architecture"], header["state_dict"])
        stored = netgrad.io.load(path)
        prep = stored["preprocessing"]
        model = build_mlp(arch["inputs"], arch["hidden"], arch["outputs"], arch["activation"],
                          dropout=arch["dropout"], batch_norm=arch["batch_norm"])
        model.load_state_dict(stored["state_dict"])
        saved = SavedModel(model, arch, stored["task"], list(prep["feature_names"]), list(prep["class_names"]),
                           prep["target_name"], np.asarray(prep["mean"]), np.asarray(prep["scale"]),
                           float(prep["y_mean"]), float(prep["y_scale"]), stored.get("info", {}))
    except KeyError as err:
        raise CLIError(f"{path} is damaged: it has no {err} entry") from None
    except (ValueError, TypeError, RuntimeError) as err:
        raise CLIError(f"{path} is damaged: its architecture and weights do not fit together ({one_line(err)})") \
            from None
    model.eval()
    return saved
