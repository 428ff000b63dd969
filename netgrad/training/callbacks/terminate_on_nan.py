"""Stop training at the first batch whose loss is not finite."""
from __future__ import annotations

import math

from .base import Callback


class TerminateOnNaN(Callback):
    """Stop training quietly when a batch's loss is NaN or infinite (Keras's ``TerminateOnNaN``).

    Without it a non-finite loss raises :class:`~netgrad.training.NonFiniteLossError`. Either way the
    batch with the bad loss does not update the weights.
    """

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("batch_loss", (logs or {}).get("loss"))
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.trainer.stop_training = True
