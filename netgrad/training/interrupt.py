"""Ctrl-C during training: stop cleanly between batches."""
from __future__ import annotations

import signal
import sys
import threading
from typing import Any

__all__ = ["GracefulInterrupt"]


class GracefulInterrupt:
    """While training: the first Ctrl-C asks the loop to stop after the current batch; a second one
    raises KeyboardInterrupt at once (Python's usual behaviour).

    The handler is installed only over Python's own (``signal.default_int_handler``), in the main thread,
    and whatever was there is put back afterwards. A process that ignores SIGINT (``SIG_IGN``, inherited
    by background jobs of a shell so that Ctrl-C meant for the foreground does not reach them) keeps
    ignoring it, and a handler of the program's own is left alone: both are the program's choice.
    """

    def __init__(self, trainer: Any) -> None:
        self.trainer = trainer
        self.installed = False
        self.previous: Any = None

    def __enter__(self) -> "GracefulInterrupt":
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            if previous is signal.default_int_handler:
                self.previous = previous
                signal.signal(signal.SIGINT, self._handle)
                self.installed = True
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.trainer.stop_training = True
        self.trainer._interrupt_requested = True
        signal.signal(signal.SIGINT, self.previous)
        print("\nCtrl-C: stopping after the current batch (press Ctrl-C again to abort at once)",
              file=sys.stderr, flush=True)

    def __exit__(self, *exc: Any) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, self.previous)
            self.installed = False
