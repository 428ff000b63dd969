"""What the Trainer raises when training diverges."""
from __future__ import annotations

__all__ = ["NonFiniteLossError"]


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite: on a training batch (training stopped before that batch's update)
    or first on the validation data after an epoch (training stopped after that epoch).

    Attributes:
        loss: The bad value. ``epoch`` and ``batch``: where it happened (0-based indices, as the
            callbacks see them; the message counts from 1, as the progress bar does; ``batch`` is None for
            validation). ``validation``: whether the validation loss was the first to go.
    """

    def __init__(self, loss: float, epoch: int, batch: int | None, epochs: int | None, steps: int | None, *,
                 validation: bool = False) -> None:
        self.loss, self.epoch, self.batch, self.validation = loss, epoch, batch, validation
        of_epochs = f"/{epochs}" if epochs else ""
        if validation:
            where = (f"the validation loss is {loss} after epoch {epoch + 1}{of_epochs} (the training batches' "
                     "losses were finite); training stopped after this epoch, whose update made the model "
                     "diverge on the validation data. Likely causes: ")
        else:
            of_steps = f"/{steps}" if steps else ""
            where = (f"the loss is {loss} at epoch {epoch + 1}{of_epochs}, batch {batch + 1}{of_steps}; training "
                     "stopped before this batch's update, so the model keeps the weights of the previous batch. "
                     "Likely causes: ")
        super().__init__(
            where + "a learning rate that is too high (try a 10x smaller one, or netgrad.training.find_lr), exploding "
            "gradients (try clip_grad_norm=1.0), or a loss given probabilities where it expects logits." +
            ("" if validation else " Pass callbacks=[TerminateOnNaN()] to stop quietly instead."))
