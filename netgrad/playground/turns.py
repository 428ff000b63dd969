"""The lock that makes playground sessions compute in turns."""
from __future__ import annotations

import functools
import threading
from typing import Any, Callable

__all__ = ["TurnLock", "NETGRAD_TURNS", "in_turn"]


class TurnLock:
    """A re-entrant lock handed out first come, first served, so that no session starves the others.

    Sessions run in threads of their own, but some of netgrad's state is process-wide: the grad mode that
    ``no_grad`` switches (``Trainer.evaluate`` and the heatmaps use it; one session's evaluation must not
    switch off another's graph recording mid-epoch) and the random generator that ``manual_seed`` replaces
    (each network must get exactly the initial weights its seed promises). So sessions compute in turns,
    an epoch or a snapshot at a time.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._owner: int | None = None
        self._depth = 0

    def __enter__(self) -> None:
        me = threading.get_ident()
        with self._condition:
            if self._owner == me:
                self._depth += 1
                return
            ticket = self._next_ticket
            self._next_ticket += 1
            while self._serving != ticket:
                self._condition.wait()
            self._owner, self._depth = me, 1

    def __exit__(self, *exc: Any) -> None:
        with self._condition:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._serving += 1
                self._condition.notify_all()


NETGRAD_TURNS = TurnLock()


def in_turn(method: Callable) -> Callable:
    """Run ``method`` holding :data:`NETGRAD_TURNS`."""
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with NETGRAD_TURNS:
            return method(*args, **kwargs)
    return wrapper
