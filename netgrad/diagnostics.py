"""Diagnostics: what happens inside a network while it trains, layer by layer.

The notes explain why deep networks are hard to train: a signal multiplied by the same factor at every
layer explodes (``1.5^100 ≈ 4e17``) or vanishes (``0.5^100 ≈ 8e-31``), on the way forward (activations) and
on the way back (gradients). This module measures that:

- :func:`deep_chain`: the notes' width-1 chain ``a_{l+1} = w a_l``, run through autograd;
- :func:`capture_layers` / :func:`layer_statistics`: one batch through a model, keeping every layer's
  output and the gradient of the loss with respect to it; per fully-connected block the activation mean and
  standard deviation, the fraction of dead ReLUs, and the gradient norms of the weights;
- :func:`check_gradients`: warnings when gradients vanish or explode;
- :class:`DiagnosticsCallback`: a Trainer callback that records those statistics every epoch, plus the
  update-to-weight ratio ``||ΔW|| / ||W||`` of each optimizer step (about ``1e-3`` is healthy);
- :func:`neuron_spread`: how different the neurons of a layer are (0: all identical, as with a constant
  initialisation, where symmetry never breaks).

A *block* is a ``Linear`` layer with everything that follows it up to the next ``Linear`` (activation,
batch norm, dropout); blocks are named ``layer1``, ``layer2``, ... from the input.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, NamedTuple

import numpy as np

from .engine import Tensor, tensor
from .engine.autograd import no_grad
from .nn import Sequential
from .nn.module import training_mode
from .training.callbacks import Callback

__all__ = [
    "ChainResult", "deep_chain",
    "LayerCapture", "capture_layers", "BlockStatistics", "layer_statistics",
    "GradientWarning", "VanishingGradientWarning", "ExplodingGradientWarning", "check_gradients",
    "DiagnosticsCallback", "neuron_spread",
]

#: Activations whose output is exactly 0 for negative inputs: a unit that outputs 0 for every sample is dead.
RELU_LIKE = ("ReLU", "ReLU6", "Step")


# ------------------------------------------------------------------------------------------- deep chain


class ChainResult(NamedTuple):
    """The width-1 chain of :func:`deep_chain`.

    Attributes:
        activations: ``a_1 ... a_{L}`` (``depth + 1`` values, ``a_1 = x``).
        gradients: ``dJ/da_l`` for ``J = a_L``, the same length: ``gradients[0]`` is ``dJ/da_1 = w^depth``.
        weight_gradients: ``dJ/dw_l`` of the ``depth`` weights.
    """

    activations: np.ndarray
    gradients: np.ndarray
    weight_gradients: np.ndarray


def deep_chain(weight: float | Iterable[float], depth: int = 100, x: float = 1.0) -> ChainResult:
    """The notes' deep chain: ``depth`` layers of one neuron, no bias, linear activation.

    ``a_{l+1} = w_l a_l`` with ``a_1 = x``, so ``a_L = x ∏ w_l``; backpropagating ``J = a_L`` gives
    ``dJ/da_l = ∏_{k >= l} w_k``. With ``w = 1.5`` and 100 layers the output and the first gradient are
    ``1.5^100 ≈ 4.07e17`` (exploding); with ``w = 0.5`` they are ``0.5^100 ≈ 7.9e-31`` (vanishing).
    Computed in float64 with netgrad's autograd.

    Args:
        weight: The weight of every layer, or one weight per layer.
        depth: Number of layers (multiplications).
        x: The input ``a_1``.
    """
    if not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth must be a positive int, got {depth!r}")
    weights = np.broadcast_to(np.asarray(weight, dtype=np.float64), (depth,)) if np.ndim(weight) == 0 \
        else np.asarray(list(weight), dtype=np.float64)
    if weights.shape != (depth,):
        raise ValueError(f"expected {depth} weights, got {weights.shape[0]}")
    w = [tensor(float(v), dtype=np.float64, requires_grad=True) for v in weights]
    a = [tensor(float(x), dtype=np.float64, requires_grad=True)]
    for w_l in w:
        a.append(w_l * a[-1])
        a[-1].retain_grad()
    a[-1].backward()
    activations = np.array([t.item() for t in a])
    gradients = np.array([t.grad.item() for t in a])
    return ChainResult(activations, gradients, np.array([t.grad.item() for t in w]))


# ---------------------------------------------------------------------------------- layer by layer


@dataclass
class LayerCapture:
    """One module's output on a batch, and the gradient of the loss with respect to it.

    Attributes:
        name: The module's path in the model (``"0"``, ``"fc1"``).
        kind: Its class name (``"Linear"``, ``"ReLU"``).
        block: The block it belongs to (``"layer1"``...), or ``""`` before the first Linear.
        output: The output on the batch.
        output_grad: ``dLoss/d output`` (None when no loss was given).
        module: The module itself.
    """

    name: str
    kind: str
    block: str
    output: np.ndarray
    output_grad: np.ndarray | None
    module: Any = field(repr=False, default=None)


def _unwrap(model: Any) -> Any:
    """The netgrad Module inside a Keras-style model or an estimator, or ``model`` itself."""
    for attribute in ("module", "module_", "model_", "network"):
        inner = getattr(model, attribute, None)
        if inner is not None and hasattr(inner, "parameters") and callable(inner):
            return inner
    return model


def _is_linear(module: Any) -> bool:
    weight = getattr(module, "weight", None)
    return weight is not None and hasattr(module, "in_features") and len(weight.shape) == 2


def _flat_layers(model: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """``(path, module)`` of the steps of a (nested) Sequential; any other module is one opaque step."""
    if isinstance(model, Sequential):
        steps = []
        for name, child in model.named_children():
            steps.extend(_flat_layers(child, f"{prefix}{name}."))
        return steps
    return [(prefix.rstrip(".") or type(model).__name__, model)]


def linear_blocks(model: Any) -> list[tuple[str, Any]]:
    """``(block name, Linear module)`` for every fully-connected layer of ``model``, input first."""
    model = _unwrap(model)
    linears = [m for m in model.modules() if _is_linear(m)] if hasattr(model, "modules") else []
    return [(f"layer{i + 1}", m) for i, m in enumerate(linears)]


def capture_layers(model: Any, X: Any, y: Any = None, loss_fn: Callable | None = None, *,
                   training: bool = False) -> list[LayerCapture]:
    """Run one batch through ``model`` step by step, keeping each step's output and its gradient.

    The model runs in eval mode unless ``training`` (dropout off, batch norm on its running statistics);
    its mode is restored afterwards, and the parameters' ``.grad`` are left as they were.

    Args:
        model: A netgrad Module; a ``Sequential`` (nested ones too) is traced module by module, any other
            module as a whole.
        X: The batch.
        y, loss_fn: Targets and a loss (``nn.CrossEntropyLoss()``...): with both, the loss is
            backpropagated and every capture gets ``output_grad``.
        training: Run in training mode.
    """
    model = _unwrap(model)
    steps = _flat_layers(model)
    params = list(model.parameters())
    saved_grads = [p._grad for p in params]
    want_grad = y is not None and loss_fn is not None
    with training_mode(model, training):
        try:
            x = X if isinstance(X, Tensor) else tensor(np.asarray(X))
            outputs = []
            if want_grad:
                for p in params:
                    p._grad = None
                for _, module in steps:
                    x = module(x)
                    if x.requires_grad:
                        x.retain_grad()
                    outputs.append(x)
                target = y if isinstance(y, Tensor) else tensor(np.asarray(y))
                loss_fn(x, target).backward()
            else:
                with no_grad():
                    for _, module in steps:
                        x = module(x)
                        outputs.append(x)
        finally:
            for p, g in zip(params, saved_grads):
                p._grad = g
    captures, block, count = [], "", 0
    for (name, module), out in zip(steps, outputs):
        if _is_linear(module):
            count += 1
            block = f"layer{count}"
        grad = out._grad if want_grad else None
        captures.append(LayerCapture(name, type(module).__name__, block, out._data.copy(),
                                     None if grad is None else np.array(grad), module))
    return captures


@dataclass
class BlockStatistics:
    """Statistics of one block (a Linear layer and what follows it) on one batch.

    Attributes:
        activation_mean, activation_std: Mean and standard deviation of the block's output.
        dead_fraction: Fraction of its units that output 0 for every sample (ReLU-like blocks; else 0).
        weight_norm: ``||W||`` (Frobenius).
        grad_norm: ``||dLoss/dW||`` (NaN without a loss).
        output_grad_std: Standard deviation of ``dLoss/d output`` (NaN without a loss).
    """

    activation_mean: float
    activation_std: float
    dead_fraction: float
    weight_norm: float
    grad_norm: float = math.nan
    output_grad_std: float = math.nan


def _dead_fraction(output: np.ndarray) -> float:
    units = output.reshape(len(output), -1)
    return float(np.mean(np.all(units <= 0, axis=0)))


def layer_statistics(model: Any, X: Any, y: Any = None, loss_fn: Callable | None = None) -> dict[str, BlockStatistics]:
    """Per-block statistics of ``model`` on the batch ``X`` (and the gradients of ``loss_fn`` with ``y``).

    Returns:
        ``{"layer1": BlockStatistics, ...}`` from the input to the output.
    """
    captures = capture_layers(model, X, y, loss_fn)
    model = _unwrap(model)
    weight_grads = {}
    if y is not None and loss_fn is not None:
        weight_grads = _weight_gradients(model, X, y, loss_fn)
    stats: dict[str, BlockStatistics] = {}
    blocks: dict[str, list[LayerCapture]] = {}
    for capture in captures:
        if capture.block:
            blocks.setdefault(capture.block, []).append(capture)
    for block, members in blocks.items():
        linear, last = members[0].module, members[-1]
        relu_like = any(m.kind in RELU_LIKE for m in members)
        grad = weight_grads.get(block)
        stats[block] = BlockStatistics(
            activation_mean=float(last.output.mean()),
            activation_std=float(last.output.std()),
            dead_fraction=_dead_fraction(last.output) if relu_like else 0.0,
            weight_norm=float(np.linalg.norm(linear.weight._data)),
            grad_norm=math.nan if grad is None else float(np.linalg.norm(grad)),
            output_grad_std=math.nan if last.output_grad is None else float(last.output_grad.std()),
        )
    return stats


def _weight_gradients(model: Any, X: Any, y: Any, loss_fn: Callable) -> dict[str, np.ndarray]:
    """``dLoss/dW`` of every block's Linear on one batch (eval mode), leaving ``.grad`` as it was."""
    params = list(model.parameters())
    saved = [p._grad for p in params]
    with training_mode(model, False):
        try:
            for p in params:
                p._grad = None
            x = X if isinstance(X, Tensor) else tensor(np.asarray(X))
            target = y if isinstance(y, Tensor) else tensor(np.asarray(y))
            loss_fn(model(x), target).backward()
            return {name: np.array(linear.weight._grad) for name, linear in linear_blocks(model)
                    if linear.weight._grad is not None}
        finally:
            for p, g in zip(params, saved):
                p._grad = g


def neuron_spread(weight: Any) -> float:
    """The largest difference between the incoming weights of two neurons of a layer.

    ``weight`` is ``(out, in)`` as in ``nn.Linear`` (one row per neuron). 0 means every neuron of the layer
    is the same function of its inputs: with a constant initialisation they get the same gradient at every
    step, stay identical for ever, and the layer is no wider than one neuron.
    """
    w = np.asarray(weight.detach().numpy() if hasattr(weight, "detach") else weight, dtype=np.float64)
    if w.ndim != 2:
        raise ValueError(f"expected a (out, in) weight matrix, got shape {w.shape}")
    return float(np.max(np.abs(w - w[:1]))) if len(w) > 1 else 0.0


# ------------------------------------------------------------------------------------------- warnings


class GradientWarning(RuntimeWarning):
    """Gradients too small or too large for the network to learn well."""


class VanishingGradientWarning(GradientWarning):
    """The first layers get gradients orders of magnitude smaller than the last ones: they barely learn."""


class ExplodingGradientWarning(GradientWarning):
    """Gradients are huge or not finite: updates overshoot and the loss diverges."""


def check_gradients(grad_norms: dict[str, float], *, vanishing_ratio: float = 1e-4, min_norm: float = 1e-10,
                    max_norm: float = 1e3, warn: bool = True) -> list[str]:
    """Messages (and warnings) about vanishing or exploding gradients.

    Args:
        grad_norms: ``{block: ||dLoss/dW||}`` from the input to the output.
        vanishing_ratio: Warn when the first block's norm is below this fraction of the last block's.
        min_norm: Warn when a block's norm is below this (it learns nothing).
        max_norm: Warn when a block's norm is above this, or not finite.
        warn: Also issue :class:`VanishingGradientWarning` / :class:`ExplodingGradientWarning`.

    Returns:
        The messages (empty when the gradients look healthy).
    """
    problems: list[tuple[type, str]] = []
    names = list(grad_norms)
    exploding = [n for n in names if not math.isfinite(grad_norms[n]) or grad_norms[n] > max_norm]
    if exploding:
        problems.append((ExplodingGradientWarning, "exploding gradients: ||dL/dW|| = " + ", ".join(
            f"{grad_norms[n]:.3g} in {n}" for n in exploding) + f" (above {max_norm:g}); lower the learning rate, "
            "clip gradients (clip_grad_norm) or use batch normalisation"))
    finite = [n for n in names if math.isfinite(grad_norms[n])]
    tiny = [n for n in finite if grad_norms[n] < min_norm]
    if len(finite) >= 2 and grad_norms[finite[-1]] > 0:
        ratio = grad_norms[finite[0]] / grad_norms[finite[-1]]
        if ratio < vanishing_ratio:
            problems.append((VanishingGradientWarning,
                             f"vanishing gradients: ||dL/dW|| of {finite[0]} is {ratio:.2g} times that of "
                             f"{finite[-1]} ({grad_norms[finite[0]]:.3g} vs {grad_norms[finite[-1]]:.3g}); use ReLU "
                             "with He initialisation, batch normalisation or a shallower network"))
            tiny = []
    if tiny:
        problems.append((VanishingGradientWarning, "vanishing gradients: ||dL/dW|| below "
                         f"{min_norm:g} in " + ", ".join(tiny)))
    if warn:
        for category, message in problems:
            warnings.warn(message, category, stacklevel=2)
    return [message for _, message in problems]


# ------------------------------------------------------------------------------------------- callback


class DiagnosticsCallback(Callback):
    """Records per-block statistics every epoch and warns about vanishing or exploding gradients.

    Every training step contributes its weight-gradient norms ``||dL/dW||`` and its update-to-weight ratio
    ``||W_after - W_before|| / ||W_before||``; their means over the epoch are recorded. With a ``probe``
    batch, the activation mean and standard deviation and the fraction of dead ReLUs are measured on it at
    the end of every epoch too.

    Args:
        probe: A batch of inputs (``X``) to measure activations on; None records gradients and updates only.
        track_updates: Measure update-to-weight ratios (copies the weights before each step).
        warn: Check the gradients each epoch with :func:`check_gradients` and warn (once per kind per run).
        **thresholds: ``vanishing_ratio``, ``min_norm``, ``max_norm`` for :func:`check_gradients`.

    Attributes:
        history: ``{statistic: {block: [value per epoch]}}`` with statistics ``grad_norm``,
            ``update_ratio``, ``weight_norm`` and, with a probe, ``activation_mean``, ``activation_std``,
            ``dead_fraction``.
        epoch: The recorded epochs.
        messages: The warnings issued.
    """

    def __init__(self, probe: Any = None, *, track_updates: bool = True, warn: bool = True,
                 **thresholds: float) -> None:
        super().__init__()
        unknown = set(thresholds) - {"vanishing_ratio", "min_norm", "max_norm"}
        if unknown:
            raise ValueError(f"unknown threshold(s) {sorted(unknown)}; use vanishing_ratio, min_norm, max_norm")
        self.probe = None if probe is None else np.asarray(probe.numpy() if isinstance(probe, Tensor) else probe)
        self.track_updates = track_updates
        self.warn = warn
        self.thresholds = thresholds
        self.history: dict[str, dict[str, list[float]]] = {}
        self.epoch: list[int] = []
        self.messages: list[str] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._blocks = linear_blocks(self.model)
        if not self._blocks:
            raise ValueError(f"DiagnosticsCallback found no Linear layers in {type(self.model).__name__}")
        self._warned: set[type] = set()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._sums = {name: [0.0, 0.0] for name, _ in self._blocks}  # [sum of grad norms, sum of ratios]
        self._steps = 0

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        if self.track_updates:
            self._before = [linear.weight._data.copy() for _, linear in self._blocks]

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._steps += 1
        for k, (name, linear) in enumerate(self._blocks):
            grad = linear.weight._grad
            sums = self._sums[name]
            if grad is not None:
                sums[0] += float(np.linalg.norm(grad))
            if self.track_updates:
                before = self._before[k]
                sums[1] += float(np.linalg.norm(linear.weight._data - before) / (np.linalg.norm(before) or 1.0))

    def _record(self, statistic: str, block: str, value: float) -> None:
        self.history.setdefault(statistic, {}).setdefault(block, []).append(value)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        steps = max(self._steps, 1)
        self.epoch.append(epoch)
        grad_norms = {}
        for name, linear in self._blocks:
            grad_norms[name] = self._sums[name][0] / steps
            self._record("grad_norm", name, grad_norms[name])
            if self.track_updates:
                self._record("update_ratio", name, self._sums[name][1] / steps)
            self._record("weight_norm", name, float(np.linalg.norm(linear.weight._data)))
        if self.probe is not None:
            for name, stats in layer_statistics(self.model, self.probe).items():
                self._record("activation_mean", name, stats.activation_mean)
                self._record("activation_std", name, stats.activation_std)
                self._record("dead_fraction", name, stats.dead_fraction)
        if self.warn:
            for message in check_gradients(grad_norms, warn=False, **self.thresholds):
                category = ExplodingGradientWarning if message.startswith("exploding") else VanishingGradientWarning
                self.messages.append(f"epoch {epoch + 1}: {message}")
                if category not in self._warned:
                    self._warned.add(category)
                    warnings.warn(f"epoch {epoch + 1}: {message}", category, stacklevel=2)
