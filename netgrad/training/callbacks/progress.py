"""The progress bar shown during training (tqdm)."""
from __future__ import annotations

import sys
import time
from typing import Any

from .base import Callback


def _format_logs(logs: dict) -> str:
    return " - ".join(f"{name}: {value:.4f}" if isinstance(value, float) else f"{name}: {value}"
                      for name, value in logs.items() if name not in ("batch_loss", "size"))


class ProgressBar(Callback):
    """Training progress: a tqdm bar per epoch (``verbose=1``) or one line per epoch (``verbose=2``).

    The bar shows the running loss and metrics of the epoch; its text is refreshed at most every
    ``refresh_interval`` seconds, so the per-batch cost is a clock read. The Trainer adds one
    automatically for ``fit(verbose=1 or 2)``.

    Args:
        verbose: 1 (a bar per epoch) or 2 (a line per epoch).
        file: Where to write; the bar defaults to ``sys.stderr`` (as tqdm), the lines to ``sys.stdout``
            (as Keras).
        refresh_interval: Seconds between updates of the bar.
    """

    def __init__(self, verbose: int = 1, file: Any = None, refresh_interval: float = 0.25) -> None:
        super().__init__()
        if verbose not in (1, 2):
            raise ValueError(f"ProgressBar verbose must be 1 (a bar per epoch) or 2 (a line per epoch), "
                             f"got {verbose!r}")
        self.verbose = verbose
        self.file = file
        self.refresh_interval = refresh_interval
        self.bar: Any = None
        self._epoch_start = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch_start = time.perf_counter()
        if self.verbose != 1:
            return
        from tqdm.auto import tqdm

        epochs = self.params.get("epochs")
        self.bar = tqdm(total=self.params.get("steps"), desc=f"Epoch {epoch + 1}/{epochs}", unit="batch",
                        file=self.file if self.file is not None else sys.stderr, leave=True, dynamic_ncols=True,
                        mininterval=0, miniters=1)
        self._shown = 0  # batches the bar shows
        self._done = 0  # batches finished
        self._next_refresh = self._epoch_start + self.refresh_interval

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.bar is None:
            return
        self._done = batch + 1
        now = time.perf_counter()
        if now >= self._next_refresh:
            self._next_refresh = now + self.refresh_interval
            self._refresh(logs or {})

    def _refresh(self, logs: dict) -> None:
        postfix = {"loss": logs["loss"]} if "loss" in logs else {}
        postfix.update(self.trainer.running_metrics())
        self.bar.set_postfix_str(_format_logs(postfix), refresh=False)
        self.bar.update(self._done - self._shown)
        self._shown = self._done

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.bar is not None:
            self.bar.set_postfix_str(_format_logs(logs), refresh=False)
            self.bar.update(self._done - self._shown)
            self.bar.close()
            self.bar = None
        elif self.verbose == 2:
            seconds = time.perf_counter() - self._epoch_start
            file = self.file if self.file is not None else sys.stdout
            print(f"Epoch {epoch + 1}/{self.params.get('epochs')} - {seconds:.2f}s - {_format_logs(logs)}",
                  file=file, flush=True)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.bar is not None:  # an epoch cut short (Ctrl-C, non-finite loss)
            self.bar.update(self._done - self._shown)
            self.bar.close()
            self.bar = None
