"""The learning-rate finder: the notes' "optimal learning rate" (Smith's LR range test).

Train for up to ``num_iter`` mini-batches while the learning rate grows exponentially from ``start_lr`` to
``end_lr``,

    lr_i = start_lr * (end_lr / start_lr) ** (i / (num_iter - 1)),

record the loss, smoothed by an exponential moving average (``s_i = smooth_f * loss_i + (1 - smooth_f) *
s_{i-1}``), and stop once it diverges (``s_i > diverge_th * best``, or a non-finite loss). The loss first
barely moves (lr too small), then falls, then explodes (lr too large); a good learning rate is where it
falls fastest, about ten times below where it blows up. The suggestion is the learning rate at the steepest
descent of the smoothed curve (the most negative slope against ``log lr``), as torch-lr-finder does.

The test runs through :class:`~netgrad.training.Trainer` (a callback sets the learning rate before each
batch and stops training when the loss diverges), and afterwards the model, the optimizer and netgrad's
global random generator are restored exactly as they were, so finding the learning rate changes nothing.

Example:
    >>> result = find_lr(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), (X, y))
    >>> result.suggestion          # e.g. 0.12
    >>> result.plot()              # loss against learning rate, log scale, suggestion marked
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from netgrad.random import get_rng_state, set_rng_state

from .callbacks import Callback, _copy_state, _restore_state
from .data_checks import length as _length
from .trainer import Trainer

__all__ = ["find_lr", "LRFinderResult", "LRRangeTest"]


@dataclass
class LRFinderResult:
    """The curve of an LR range test.

    Attributes:
        lrs: The learning rate of each recorded batch.
        losses: The smoothed loss after each recorded batch.
        skip_start, skip_end: Points left out at both ends when looking for the steepest descent (the
            start is noisy, the end diverging), as torch-lr-finder's defaults.
    """

    lrs: np.ndarray
    losses: np.ndarray
    skip_start: int = 10
    skip_end: int = 5

    @property
    def suggestion(self) -> float | None:
        """The learning rate where the smoothed loss falls fastest (None with fewer than 2 points)."""
        return self.suggest(self.skip_start, self.skip_end)

    def suggest(self, skip_start: int = 10, skip_end: int = 5) -> float | None:
        """The steepest-descent learning rate, leaving out `skip_start` / `skip_end` points at the ends.

        When the curve is too short for that, fewer points are skipped.
        """
        lrs, losses = np.asarray(self.lrs, np.float64), np.asarray(self.losses, np.float64)
        if len(lrs) < 2:
            return None
        if len(lrs) - skip_start - skip_end < 2:
            skip_start = skip_end = max(0, (len(lrs) - 2) // 4)
        stop = len(lrs) - skip_end
        lrs, losses = lrs[skip_start:stop], losses[skip_start:stop]
        slopes = np.gradient(losses, np.log(lrs))
        return float(lrs[int(np.argmin(slopes))])

    def plot(self, ax: Any = None, suggest: bool = True) -> Any:
        """Plot the smoothed loss against the learning rate (log scale), marking the suggestion."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        ax.plot(self.lrs, self.losses)
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss (smoothed)")
        suggestion = self.suggestion if suggest else None
        if suggestion is not None:
            index = int(np.argmin(np.abs(np.asarray(self.lrs) - suggestion)))
            ax.scatter([suggestion], [self.losses[index]], color="red", zorder=3,
                       label=f"steepest descent: {suggestion:.2e}")
            ax.legend()
        return ax


class LRRangeTest(Callback):
    """The callback behind :func:`find_lr`: sets each batch's learning rate, records the smoothed loss,
    and stops training after ``num_iter`` batches or when the loss diverges."""

    def __init__(self, start_lr: float, end_lr: float, num_iter: int, smooth_f: float, diverge_th: float) -> None:
        super().__init__()
        self.start_lr, self.end_lr, self.num_iter = start_lr, end_lr, num_iter
        self.smooth_f, self.diverge_th = smooth_f, diverge_th
        self.iteration = 0
        self.lrs: list[float] = []
        self.losses: list[float] = []
        self.best = math.inf
        self.diverged = False

    def lr_at(self, iteration: int) -> float:
        return self.start_lr * (self.end_lr / self.start_lr) ** (iteration / (self.num_iter - 1))

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        lr = self.lr_at(self.iteration)
        for group in self.trainer.optimizer.param_groups:
            group["lr"] = lr

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = logs["batch_loss"]
        lr = self.lr_at(self.iteration)
        self.iteration += 1
        if not math.isfinite(loss):
            self.diverged = True  # the Trainer skipped this update; the curve ends here
            self.trainer.stop_training = True
            return
        if self.losses and self.smooth_f > 0:
            loss = self.smooth_f * loss + (1 - self.smooth_f) * self.losses[-1]
        self.best = min(self.best, loss)
        self.lrs.append(lr)
        self.losses.append(loss)
        if loss > self.diverge_th * self.best:
            self.diverged = True
            self.trainer.stop_training = True
        elif self.iteration >= self.num_iter:
            self.trainer.stop_training = True


def find_lr(model: Any, loss: Callable, optimizer: Any, train_data: Any, start_lr: float = 1e-7,
            end_lr: float = 10.0, num_iter: int = 100, smooth_f: float = 0.05, diverge_th: float = 5.0, *,
            batch_size: int | None = None, penalty: Callable | None = None,
            clip_grad_norm: float | None = None, verbose: int = 0) -> LRFinderResult:
    """Run the LR range test and return the loss curve with a suggested learning rate.

    Args:
        model, loss, optimizer: As for :class:`Trainer` (the optimizer's own learning rate is overridden
            during the test and restored afterwards).
        train_data: A DataLoader, a Dataset or ``(X, y[, sample_weight])`` arrays; it is cycled through
            (reshuffled each pass) when it has fewer than ``num_iter`` batches.
        start_lr, end_lr: The learning rates of the first and the last batch.
        num_iter: The number of batches (learning rates) to try.
        smooth_f: The weight of the newest loss in the moving average (0 for no smoothing).
        diverge_th: Stop when the smoothed loss exceeds ``diverge_th`` times the best one.
        batch_size: For array data (default 32).
        penalty, clip_grad_norm: As for :class:`Trainer`.
        verbose: Passed to ``Trainer.fit`` (0: silent).

    Returns:
        An :class:`LRFinderResult` with ``lrs``, ``losses`` and ``suggestion``.
    """
    if not 0 < start_lr < end_lr:
        raise ValueError(f"find_lr needs 0 < start_lr < end_lr, got start_lr={start_lr}, end_lr={end_lr}")
    if not isinstance(num_iter, (int, np.integer)) or num_iter < 2:
        raise ValueError(f"num_iter must be an int >= 2, got {num_iter!r}")
    if not 0 <= smooth_f < 1:
        raise ValueError(f"smooth_f must be in [0, 1), got {smooth_f}")
    if diverge_th <= 1:
        raise ValueError(f"diverge_th must be > 1, got {diverge_th}")
    range_test = LRRangeTest(start_lr, end_lr, int(num_iter), smooth_f, diverge_th)
    trainer = Trainer(model, loss, optimizer, callbacks=[range_test], penalty=penalty,
                      clip_grad_norm=clip_grad_norm)
    loader = trainer._loader(train_data, batch_size, True, "training")
    steps = _length(loader)
    epochs = math.ceil(num_iter / steps) if steps else 1

    model_state, optimizer_state, rng_state = _copy_state(model), optimizer.state_dict(), get_rng_state()
    was_training = getattr(model, "training", True)
    try:
        trainer.fit(loader, epochs=epochs, verbose=verbose)
    finally:
        _restore_state(model, model_state)
        optimizer.load_state_dict(optimizer_state)
        set_rng_state(rng_state)
        if hasattr(model, "train"):
            model.train(bool(was_training))
    return LRFinderResult(np.array(range_test.lrs), np.array(range_test.losses))
