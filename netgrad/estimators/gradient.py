"""How the gradient-trained estimators fit: a netgrad module, a loss and an optimizer, run by the Trainer.

No estimator has a training loop of its own: :func:`fit_module` hands the arrays to
:class:`netgrad.training.Trainer` and adds scikit-learn's stopping rule as a callback
(:class:`NoImprovementStopping`), so ``max_iter`` counts epochs and ``tol`` / ``n_iter_no_change`` mean
what they mean in scikit-learn's ``MLPClassifier`` and ``SGDClassifier``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from netgrad import optim
from netgrad.engine import Tensor
from netgrad.engine.autograd import no_grad
from netgrad.engine.backend import to_host
from netgrad.engine.device import choose_device
from netgrad.optim import names
from netgrad.training import Callback, NonFiniteLossError, Trainer

from .base import check_choice

__all__ = ["OPTIMIZERS", "make_optimizer", "NoImprovementStopping", "FitResult", "fit_module", "SumOverOutputs",
           "check_device", "forward_on_host"]

#: The optimizers accepted by name (``solver=``): netgrad's one table, :data:`netgrad.optim.names.OPTIMIZERS`.
OPTIMIZERS = names.OPTIMIZERS


def check_device(device: Any) -> Any:
    """The estimator's ``device`` hyper-parameter checked (in ``fit``): ``'cpu'``, ``'cuda'``, ``'cuda:N'``,
    ``'auto'`` (the GPU when there is one) or None (leave the module where it is); a ValueError otherwise."""
    return choose_device(device)


def forward_on_host(module: Any, X: np.ndarray) -> np.ndarray:
    """``module(X)`` without gradients: ``X`` in the dtype and on the device of the module's parameters, the
    outputs a NumPy array on the host (what scikit-learn's ``predict`` returns)."""
    parameter = next(iter(module.parameters()), None)
    x = Tensor._wrap(X)
    if parameter is not None:
        x = Tensor._wrap(X.astype(parameter._data.dtype, copy=False)).to(parameter.device)
    with no_grad():
        return to_host(module(x)._data)


def make_optimizer(name: str, parameters: Any, lr: float, **options: Any) -> optim.Optimizer:
    """The :mod:`netgrad.optim` optimizer called ``name`` (``'sgd'``, ``'adam'``, ...) over ``parameters``."""
    check_choice(name, "optimizer", tuple(OPTIMIZERS))
    return names.create(name, parameters, lr, OPTIMIZERS, **options)


class SumOverOutputs:
    """A loss summed over the outputs of each sample and averaged over the samples.

    ``loss(output, target) = Σ_i Σ_k ℓ(output_ik, target_ik) / n``: one independent binary problem per output
    column (one-vs-rest, multi-label), each with the same weight it would have when fitted alone, as in the
    notes' multi-label loss and scikit-learn's ``log_loss`` for indicator targets. ``base`` must be a loss
    module constructed with ``reduction='sum'``.
    """

    def __init__(self, base: Callable[[Any, Any], Any]) -> None:
        self.base = base

    def __call__(self, output: Any, target: Any) -> Any:
        return self.base(output, target) / len(target)


class NoImprovementStopping(Callback):
    """scikit-learn's stopping rule: stop after ``n_iter_no_change`` epochs without an improvement of ``tol``.

    An epoch counts as no improvement when its value is not better than the best so far by at least ``tol``
    (``loss > best_loss - tol`` for a loss, ``score < best_score + tol`` for a validation score). Training
    stops when the count of such epochs in a row exceeds ``n_iter_no_change`` — the exact rule of
    ``MLPClassifier._update_no_improvement_count``.

    Args:
        tol: The improvement that resets the count.
        n_iter_no_change: How many epochs without it are tolerated.
        score: None to watch the training loss (``logs['loss']``); else a function ``model -> float``, a
            validation score where greater is better, evaluated after every epoch.
    """

    def __init__(self, tol: float, n_iter_no_change: int, score: Callable[[Any], float] | None = None) -> None:
        super().__init__()
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.score = score
        self.best = math.inf if score is None else -math.inf
        self.bad_epochs = 0
        self.stopped = False
        self.scores: list[float] = []
        self.best_state: dict | None = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.score is None:
            value = float((logs or {})["loss"])
            improved_enough = value <= self.best - self.tol
            is_best = value < self.best
        else:
            value = float(self.score(self.model))
            self.scores.append(value)
            improved_enough = value >= self.best + self.tol
            is_best = value > self.best
        self.bad_epochs = 0 if improved_enough else self.bad_epochs + 1
        if is_best:
            self.best = value
            if self.score is not None:  # early stopping keeps the parameters of the best validation score
                self.best_state = {name: np.array(t._data, copy=True) for name, t in self.model.state_dict().items()}
        if self.bad_epochs > self.n_iter_no_change:
            self.stopped = True
            self.trainer.stop_training = True


@dataclass
class FitResult:
    """What a fit through the Trainer produced (the estimators copy it into their ``_``-attributes).

    Attributes:
        loss_curve: The training loss of every epoch (penalty included).
        n_iter: Epochs run.
        converged: Whether the stopping rule ended training (False when it ran out of ``max_iter`` epochs;
            always True when there was no stopping rule, ``tol=None``).
        validation_scores: The validation score of every epoch (early stopping only).
        best_validation_score: The best of them.
        history: The Trainer's ``History.history``, ``{'loss': [...], ...}``.
    """

    loss_curve: list[float]
    n_iter: int
    converged: bool
    validation_scores: list[float] | None = None
    best_validation_score: float | None = None
    history: dict = field(default_factory=dict)


def fit_module(module: Any, loss: Callable, X: np.ndarray, y: np.ndarray, *, optimizer: Any, max_iter: int,
               batch_size: int, shuffle: bool = True, tol: float | None = None, n_iter_no_change: int = 10,
               penalty: Callable | None = None, validation_score: Callable[[Any], float] | None = None,
               callbacks: Sequence[Callback] = (), verbose: int = 0, device: Any = None) -> FitResult:
    """Train ``module`` on ``(X, y)`` with the Trainer for at most ``max_iter`` epochs.

    Args:
        module: The netgrad module to train (in place).
        loss: ``loss(output, target) -> scalar Tensor``.
        X: Inputs, one row per sample.
        y: Targets in the form ``loss`` expects.
        optimizer: An optimizer over ``module``'s parameters.
        max_iter: The most epochs.
        batch_size: Samples per update (``len(X)`` for full-batch gradient descent).
        shuffle: Reshuffle the samples every epoch.
        tol: Stopping tolerance (None: always run ``max_iter`` epochs).
        n_iter_no_change: Epochs without an improvement of ``tol`` before stopping.
        penalty: ``model -> scalar Tensor`` added to the loss (L2 regularisation).
        validation_score: With ``tol``, stop on this score (``model -> float``, greater is better) instead of
            the training loss, and restore the parameters of its best epoch (early stopping).
        callbacks: More Trainer callbacks.
        verbose: The Trainer's verbosity.
        device: Where the module and every batch go (the Trainer's ``device``; None: where the module is).

    Raises:
        ValueError: If the loss became NaN or infinite (gradient descent diverged).
    """
    stopping = None if tol is None else NoImprovementStopping(tol, n_iter_no_change, validation_score)
    all_callbacks = list(callbacks) + ([stopping] if stopping is not None else [])
    if device is None:  # the batches go where the module is
        device = next((p.device for p in module.parameters()), None)
    trainer = Trainer(module, loss, optimizer, callbacks=all_callbacks, penalty=penalty, device=device)
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below, not as RuntimeWarnings
            history = trainer.fit((X, y), epochs=max_iter, batch_size=batch_size, shuffle=shuffle, verbose=verbose)
    except NonFiniteLossError as error:  # scikit-learn's SGD estimators raise ValueError here too
        raise ValueError(
            f"The loss became {error.loss} in epoch {error.epoch + 1}: gradient descent diverged. Scale the "
            "features (e.g. StandardScaler) or lower the learning rate.") from error
    loss_curve = [float(v) for v in history.history.get("loss", [])]
    converged = stopping is None or stopping.stopped
    result = FitResult(loss_curve=loss_curve, n_iter=len(loss_curve), converged=converged,
                       history=dict(history.history))
    if stopping is not None and validation_score is not None:
        result.validation_scores = stopping.scores
        result.best_validation_score = stopping.best
        if stopping.best_state is not None:
            module.load_state_dict(stopping.best_state)
    return result
