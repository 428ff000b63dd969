"""One playground session: the data, the input features, the network, the optimizer and the training state
behind one open page.

A :class:`PlaygroundSession` is plain synchronous Python: the server runs each one in a thread of its own
and is the only caller of its methods. Training goes through :class:`netgrad.training.Trainer`, one
``train_epoch`` per :meth:`PlaygroundSession.step`; the losses shown are ``Trainer.evaluate`` on the
training and the test points at the current weights (as TensorFlow Playground shows them).

The model follows the notes' summary table: a binary problem has one output with a sigmoid and the binary
cross-entropy (``BCEWithLogitsLoss``), more classes have one output per class with a softmax and the
cross-entropy (``CrossEntropyLoss``), regression has one linear output and the mean squared error.

Everything random comes from ``config.seed``: the data, the train/test split, the initial weights
(``netgrad.manual_seed(seed)`` before the layers are built) and the shuffling (a ``DataLoader`` with a
generator seeded by ``seed``). So a configuration, such as the page's URL holds, always starts from the
same network, and :func:`netgrad.playground.export.export_script` rebuilds exactly that network.
"""
from __future__ import annotations

import base64
import math
import os
import tempfile
from dataclasses import fields, replace
from typing import Any, Mapping, Sequence

import numpy as np

import netgrad
import netgrad.io
from netgrad import nn
from netgrad.data import DataLoader, TensorDataset, playground_features, train_test_split
from netgrad.engine.numerics import sigmoid_array, softmax_array
from netgrad.nn.mlp import build_mlp, linear_layers
from netgrad.optim.names import create as create_optimizer
from netgrad.training import Callback, Trainer

from .config import (ACTIVATIONS, DATASETS, DOMAIN, FEATURES, MAX_SEED, OPTIMIZERS, PROBLEMS, REGULARIZATIONS,
                     UPLOAD, PlaygroundConfig, check_choice, held_out_count, is_int, options)
from .export import export_script
from .turns import NETGRAD_TURNS, in_turn
from .uploads import UploadedData, class_targets, infer_problem, numeric_targets, parse_csv

__all__ = [
    "PlaygroundConfig",
    "PlaygroundSession",
    "UploadedData",
    "parse_csv",
    "infer_problem",
    "held_out_count",
    "DATASETS",
    "FEATURES",
    "ACTIVATIONS",
    "OPTIMIZERS",
    "REGULARIZATIONS",
    "PROBLEMS",
    "options",
]

# What a change of each field rebuilds: the data (and so the network), the network, the optimizer, or
# nothing (the new value is read at the next step, as TensorFlow Playground does for the learning rate).
_REBUILDS_DATA = {"dataset", "problem", "noise", "train_ratio", "seed"}
_REBUILDS_NETWORK = {"features", "hidden", "activation"}
_REBUILDS_OPTIMIZER = {"optimizer"}


class _GradientNorms(Callback):
    """Averages, over the batches of an epoch, the L2 norm of each Linear layer's gradient (weight and bias)."""

    def __init__(self, layers: Sequence[Any]) -> None:
        super().__init__()
        self.layers = list(layers)
        self.sums = np.zeros(len(self.layers))
        self.batches = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.sums[:] = 0.0
        self.batches = 0

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        for i, layer in enumerate(self.layers):
            squares = 0.0
            for param in (layer.weight, layer.bias):
                if param is not None and param._grad is not None:
                    squares += float(np.vdot(param._grad, param._grad))
            self.sums[i] += math.sqrt(squares)
        self.batches += 1

    def epoch_means(self) -> list[float]:
        return (self.sums / max(self.batches, 1)).tolist()


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _quantize(values: np.ndarray, low: float, high: float) -> str:
    """Base64 of uint8 codes: ``low`` -> 0, ``high`` -> 255, clipped; NaN becomes the middle of the range."""
    scaled = (np.nan_to_num(values, nan=(low + high) / 2, posinf=high, neginf=low) - low) / (high - low)
    codes = np.round(np.clip(scaled, 0.0, 1.0) * 255).astype(np.uint8)
    return base64.b64encode(codes.tobytes()).decode("ascii")


def _downsample(length: int, limit: int) -> np.ndarray:
    """At most ``limit`` evenly spread indices of ``range(length)``, always with the first and the last."""
    if length <= limit:
        return np.arange(length)
    return np.unique(np.linspace(0, length - 1, limit).round().astype(int))


class PlaygroundSession:
    """The training state behind one page.

    Args:
        config: the starting configuration (a :class:`PlaygroundConfig` or a dict of its fields).
        grid_size: the output heatmap's resolution (``grid_size`` x ``grid_size`` points of the plane).
        neuron_grid_step: every ``neuron_grid_step``-th grid point in each direction makes the neurons'
            small heatmaps.

    Example:
        >>> session = PlaygroundSession({"features": ["x1^2", "x2^2"], "hidden": []})
        >>> session.step(10)
        >>> session.epoch, session.losses()["train"] < 0.5
        (10, True)
    """

    HISTORY_POINTS = 400  # loss-chart points sent to the page
    GRADIENT_POINTS = 100  # gradient-norm sparkline points per layer
    HISTORY_LIMIT = 4000  # loss-history points kept; beyond, older ones are thinned out (a page may play for hours)

    @in_turn
    def __init__(self, config: PlaygroundConfig | Mapping[str, Any] | None = None, *, grid_size: int = 75,
                 neuron_grid_step: int = 3) -> None:
        if not is_int(grid_size) or grid_size < 2:
            raise ValueError(f"grid_size must be an int >= 2; got {grid_size!r}")
        if not is_int(neuron_grid_step) or not 1 <= neuron_grid_step <= grid_size:
            raise ValueError(f"neuron_grid_step must be an int from 1 to grid_size; got {neuron_grid_step!r}")
        if config is None:
            config = PlaygroundConfig()
        elif not isinstance(config, PlaygroundConfig):
            config = PlaygroundConfig.from_dict(config)
        self.grid_size = grid_size
        self.neuron_grid_step = neuron_grid_step
        self.uploaded: UploadedData | None = None
        self.data_version = 0
        self._config = config
        self._build_data()

    # -------------------------------------------------------------------- configuration

    @property
    def config(self) -> PlaygroundConfig:
        """The current configuration (change it with :meth:`update`)."""
        return self._config

    @in_turn
    def update(self, changes: Mapping[str, Any]) -> str:
        """Apply some configuration fields; rebuild only what they affect.

        Returns:
            What was rebuilt: ``"data"`` (new points, new network, training restarts), ``"network"`` (new
            network, training restarts), ``"optimizer"`` (new optimizer, weights kept), ``"live"`` (the
            learning rate, regularization or batch size apply from the next step on) or ``"none"``.

        Raises:
            ValueError: for an unknown field or a bad value; the session is then unchanged.
        """
        new = PlaygroundConfig.from_dict(changes, base=self._config)
        if new.dataset == UPLOAD and self.uploaded is None:
            raise ValueError("no CSV has been uploaded in this session; upload one before choosing 'upload'")
        changed = {f.name for f in fields(PlaygroundConfig) if getattr(new, f.name) != getattr(self._config, f.name)}
        if not changed:
            return "none"
        old = self._config
        self._config = new
        try:
            if changed & _REBUILDS_DATA:
                self._build_data()
                return "data"
            if changed & _REBUILDS_NETWORK:
                self._build_network()
                return "network"
            if changed & _REBUILDS_OPTIMIZER:
                self._build_optimizer()
                return "optimizer"
        except Exception:
            self._config = old
            self._build_data()
            raise
        if "learning_rate" in changed:
            for group in self.optimizer.param_groups:
                group["lr"] = new.learning_rate
        if "batch_size" in changed:
            self._build_loader()
        return "live"  # regularization is read by the penalty at every step

    @in_turn
    def upload(self, data: UploadedData, problem: str | None = None) -> dict[str, Any]:
        """Train on uploaded points from now on (``dataset='upload'``); training restarts.

        Args:
            data: from :func:`parse_csv`.
            problem: ``classification`` or ``regression``; by default :func:`infer_problem` decides.

        Returns:
            A summary: the problem type, the number of points and the class names.
        """
        problem = infer_problem(data.labels) if problem is None else problem
        check_choice("problem", problem, PROBLEMS)
        if problem == "classification":
            class_targets(data.labels)  # fail now, before anything changes
        else:
            numeric_targets(data.labels)
        old_data, old_config = self.uploaded, self._config
        self.uploaded, self._config = data, replace(old_config, dataset=UPLOAD, problem=problem)
        try:
            self._build_data()
        except Exception:
            self.uploaded, self._config = old_data, old_config
            self._build_data()
            raise
        return {"problem": problem, "n_samples": len(data.labels), "classes": self.classes}

    @in_turn
    def regenerate(self, seed: int | None = None) -> None:
        """New data (and a new network) from a new seed; a random one unless ``seed`` is given."""
        if seed is None:
            seed = int(np.random.default_rng().integers(0, MAX_SEED))
        self._config = replace(self._config, seed=seed)
        self._build_data()

    @in_turn
    def reset(self) -> None:
        """Back to epoch 0 with the initial weights (the same ones: they come from the seed)."""
        self._build_network()

    # -------------------------------------------------------------------- building

    def _raw_data(self) -> tuple[np.ndarray, np.ndarray]:
        cfg = self._config
        if cfg.dataset == UPLOAD:
            if self.uploaded is None:
                raise ValueError("no CSV has been uploaded in this session")
            if cfg.problem == "classification":
                y, self.classes = class_targets(self.uploaded.labels)
            else:
                y, self.classes = numeric_targets(self.uploaded.labels), []
            return self.uploaded.X, y
        dataset = DATASETS[cfg.dataset]
        X, y = dataset(noise=cfg.noise / 100, seed=cfg.seed)
        self.classes = ["0", "1"] if dataset.problem == "classification" else []
        return X, y

    def _build_data(self) -> None:
        cfg = self._config
        X, y = self._raw_data()
        self.X_train, self.X_test, self.y_train, self.y_test = train_test_split(
            X, y, test_size=held_out_count(len(X), cfg.train_ratio), random_state=cfg.seed)
        self.n_classes = len(self.classes)
        if cfg.dataset == UPLOAD:
            self.domain = self._upload_domain(X)
        else:
            self.domain = DOMAIN + DOMAIN
        x1 = np.linspace(self.domain[0], self.domain[1], self.grid_size)
        x2 = np.linspace(self.domain[3], self.domain[2], self.grid_size)  # row 0 is the top of the picture
        grid_x1, grid_x2 = np.meshgrid(x1, x2)
        self.grid = np.stack([grid_x1.ravel(), grid_x2.ravel()], axis=1).astype(np.float32)
        # The colour scale of a regression output: symmetric around 0, covering the targets.
        self.target_scale = float(max(np.abs(y).max(), 1e-6)) if cfg.problem == "regression" else 1.0
        self.data_version += 1
        self._build_network()

    @staticmethod
    def _upload_domain(X: np.ndarray) -> tuple[float, float, float, float]:
        low, high = X.min(axis=0).astype(float), X.max(axis=0).astype(float)
        margin = np.maximum((high - low) * 0.1, 1e-3)
        return (low[0] - margin[0], high[0] + margin[0], low[1] - margin[1], high[1] + margin[1])

    @property
    def n_outputs(self) -> int:
        """1 for regression and two classes, else the number of classes."""
        return self.n_classes if self.n_classes > 2 else 1

    def _targets(self, y: np.ndarray) -> np.ndarray:
        """Targets as the loss wants them: class indices for cross-entropy, a column otherwise."""
        if self.n_classes > 2:
            return y.astype(np.int64)
        return y.astype(np.float32).reshape(-1, 1)

    def _build_network(self) -> None:
        cfg = self._config
        features = list(cfg.features)
        self.inputs_train = playground_features(self.X_train, features).astype(np.float32)
        self.inputs_test = playground_features(self.X_test, features).astype(np.float32)
        self.targets_train, self.targets_test = self._targets(self.y_train), self._targets(self.y_test)
        self.grid_inputs = playground_features(self.grid, features).astype(np.float32)
        with NETGRAD_TURNS:
            saved = netgrad.get_rng_state()
            netgrad.manual_seed(cfg.seed)
            self.model = build_mlp(len(features), cfg.hidden, self.n_outputs, cfg.activation, activations=ACTIVATIONS)
            netgrad.set_rng_state(saved)
        self.linears = linear_layers(self.model)
        if cfg.problem == "regression":
            self.loss = nn.MSELoss()
        elif self.n_classes > 2:
            self.loss = nn.CrossEntropyLoss()
        else:
            self.loss = nn.BCEWithLogitsLoss()
        self.epoch = 0
        self.history: dict[str, list] = {"epoch": [], "train_loss": [], "test_loss": []}
        self.gradient_history: list[list[float]] = [[] for _ in self.linears]
        self._shuffle_generator = np.random.default_rng(cfg.seed)
        self._build_loader()
        self._build_optimizer()
        self._record_losses()

    def _build_loader(self) -> None:
        self.loader = DataLoader(TensorDataset(self.inputs_train, self.targets_train),
                                 batch_size=self._config.batch_size, shuffle=True, generator=self._shuffle_generator)

    def _build_optimizer(self) -> None:
        cfg = self._config
        self.optimizer = create_optimizer(cfg.optimizer, self.model.parameters(), cfg.learning_rate, OPTIMIZERS)
        self._gradient_norms = _GradientNorms(self.linears)
        self.trainer = Trainer(self.model, self.loss, self.optimizer, callbacks=[self._gradient_norms],
                               penalty=self._penalty)
        # The losses shown are the data's loss alone, as TensorFlow Playground shows them (training and test
        # loss then compare like with like); training minimises the loss plus the penalty.
        self._evaluator = Trainer(self.model, self.loss, self.optimizer)

    def _penalty(self, model: Any) -> Any:
        """``rate * sum |w|`` (L1) or ``rate * sum w^2`` (L2) over the weights, not the biases (as Keras's
        ``kernel_regularizer``); read from the config at every step, so a change applies at once."""
        cfg = self._config
        if cfg.regularization == "none" or cfg.regularization_rate == 0:
            return None
        penalty = nn.utils.l1_penalty if cfg.regularization == "l1" else nn.utils.l2_penalty
        return penalty(model, cfg.regularization_rate)

    # -------------------------------------------------------------------- training

    def step(self, epochs: int = 1) -> None:
        """Train ``epochs`` epochs (one ``Trainer.train_epoch`` each) and record the losses.

        Raises:
            netgrad.training.NonFiniteLossError: the loss became NaN or infinite (the learning rate is
                too high); the weights are those before the failing batch.
        """
        if not is_int(epochs) or epochs < 1:
            raise ValueError(f"epochs must be a positive int; got {epochs!r}")
        for _ in range(epochs):
            with NETGRAD_TURNS, np.errstate(all="ignore"):  # NaN losses are shown on the page, not warned
                self.trainer.train_epoch(self.loader)
                self.epoch += 1
                for history, norm in zip(self.gradient_history, self._gradient_norms.epoch_means()):
                    history.append(norm)
                self._record_losses()
            self._bound_memory()

    def _bound_memory(self) -> None:
        """Keep the histories bounded however long the page plays."""
        history = self.history
        if len(history["epoch"]) > self.HISTORY_LIMIT:
            last = len(history["epoch"]) - 1
            for key, values in history.items():
                history[key] = values[0:last:2] + [values[last]]
        for norms in self.gradient_history:
            if len(norms) > 2 * self.GRADIENT_POINTS:
                del norms[:-self.GRADIENT_POINTS]
        trainer_history = self.trainer.history  # the Trainer's own record: the page never reads it
        if len(trainer_history.epoch) > self.HISTORY_LIMIT:
            trainer_history.epoch.clear()
            for values in trainer_history.history.values():
                values.clear()

    def _evaluate(self, inputs: np.ndarray, targets: np.ndarray) -> float:
        if len(inputs) == 0:
            return float("nan")
        with np.errstate(all="ignore"):
            return float(self._evaluator.evaluate((inputs, targets))["loss"])

    def _record_losses(self) -> None:
        self.history["epoch"].append(self.epoch)
        self.history["train_loss"].append(self._evaluate(self.inputs_train, self.targets_train))
        self.history["test_loss"].append(self._evaluate(self.inputs_test, self.targets_test))

    def losses(self) -> dict[str, float]:
        """The training and test loss at the current weights."""
        return {"train": self.history["train_loss"][-1], "test": self.history["test_loss"][-1]}

    # -------------------------------------------------------------------- what the page draws

    def _activations(self, inputs: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """Each hidden layer's outputs and the network's output (logits) at ``inputs``."""
        hidden = []
        with netgrad.no_grad(), np.errstate(all="ignore"):
            x = netgrad.from_numpy(inputs)
            for module in self.model:
                x = module(x)
                if not isinstance(module, nn.Linear):
                    hidden.append(x.numpy())
        return hidden, x.numpy()

    def _output_channels(self, logits: np.ndarray) -> list[dict[str, Any]]:
        """The output heatmap: P(class 1), each class's probability, or the regression value."""
        with np.errstate(all="ignore"):
            if self._config.problem == "regression":
                s = self.target_scale
                return [{"lo": -s, "hi": s, "values": _quantize(logits[:, 0], -s, s)}]
            probabilities = softmax_array(logits, 1) if self.n_classes > 2 else sigmoid_array(logits)
        return [{"lo": 0.0, "hi": 1.0, "values": _quantize(p, 0.0, 1.0)} for p in probabilities.T]

    @in_turn
    def snapshot(self) -> dict[str, Any]:
        """The state the page draws, JSON-ready (see docs/playground.md, "Protocol").

        Grids are ``grid_size`` squared (the output) or ``neuron_grid_size`` squared (the neurons) values,
        row by row from the top (largest x2) left to right, each byte mapping ``0..255`` onto ``lo..hi``.
        """
        cfg = self._config
        n, step = self.grid_size, self.neuron_grid_step
        small = np.zeros((n, n), dtype=bool)
        small[step // 2::step, step // 2::step] = True
        small = small.ravel()
        hidden, logits = self._activations(self.grid_inputs)
        features = []
        for column in self.grid_inputs[small].T:
            scale = float(max(np.abs(column).max(), 1e-6))
            features.append(_quantize(column, -scale, scale))
        neurons = [[_quantize(a, -1.0, 1.0) for a in layer[small].T] for layer in hidden]
        history_index = _downsample(len(self.history["epoch"]), self.HISTORY_POINTS)
        return {
            "epoch": self.epoch,
            "train_loss": _finite_or_none(self.history["train_loss"][-1]),
            "test_loss": _finite_or_none(self.history["test_loss"][-1]),
            "history": {key: [_finite_or_none(values[i]) if key != "epoch" else values[i] for i in history_index]
                        for key, values in self.history.items()},
            "gradient_norms": [[_finite_or_none(v) for v in h[-self.GRADIENT_POINTS:]] for h in self.gradient_history],
            "config": cfg.to_dict(),
            "data_version": self.data_version,
            "layers": [len(cfg.features), *cfg.hidden, self.n_outputs],
            "weights": [np.round(np.nan_to_num(linear.weight._data), 4).tolist() for linear in self.linears],
            "biases": [np.round(np.nan_to_num(linear.bias._data), 4).tolist() for linear in self.linears],
            "grid": {"size": n, "neuron_size": len(range(step // 2, n, step))},
            "output": self._output_channels(logits),
            "features": features,
            "neurons": neurons,
        }

    def data_snapshot(self) -> dict[str, Any]:
        """The points (train and test), the plane's domain, the problem and the class names."""
        def points(X: np.ndarray, y: np.ndarray) -> dict[str, list]:
            return {"x": np.round(X, 4).tolist(), "y": np.round(y, 4).tolist()}
        return {
            "data_version": self.data_version,
            "problem": self._config.problem,
            "classes": self.classes,
            "domain": list(self.domain),
            "target_scale": self.target_scale,
            "train": points(self.X_train, self.y_train),
            "test": points(self.X_test, self.y_test),
        }

    # -------------------------------------------------------------------- export

    @in_turn
    def model_bytes(self) -> bytes:
        """The trained model as a netgrad file (safetensors written by ``netgrad.io.save``).

        It holds ``state_dict`` (the ``nn.Sequential``'s weights) and ``playground`` (the configuration,
        the epoch, the feature names and the class names), so ``netgrad.io.load`` gives both back.
        """
        handle, path = tempfile.mkstemp(suffix=".netgrad")
        os.close(handle)
        try:
            netgrad.io.save({"state_dict": self.model.state_dict(),
                             "playground": {"config": self._config.to_dict(), "epoch": self.epoch,
                                            "classes": list(self.classes)}}, path)
            with open(path, "rb") as file:
                return file.read()
        finally:
            os.remove(path)

    def script(self, api: str = "nn", epochs: int | None = None) -> str:
        """A runnable Python script that rebuilds and trains this network (see :mod:`.export`)."""
        data = self.uploaded if self._config.dataset == UPLOAD else None
        return export_script(self._config, api=api, epochs=epochs or self.epoch or 100, uploaded=data)
