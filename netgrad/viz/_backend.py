"""The one place netgrad.viz imports matplotlib: lazily, with an error that says how to install it."""
from __future__ import annotations

import os
from typing import Any

_INSTALL_HINT = 'netgrad.viz needs matplotlib, which is not installed; install it with: pip install "netgrad[plot]"'

# netgrad's colours, shared by every picture and by the playground: orange for negative, blue for positive
NEGATIVE = "#f59322"
POSITIVE = "#0877bd"
CLASS_COLORS = ("#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf")


def pyplot() -> Any:
    """``matplotlib.pyplot``, imported on first use.

    Raises:
        ImportError: matplotlib is missing; the message names the ``plot`` extra.
    """
    try:
        import matplotlib.pyplot as plt  # on a machine without a screen, matplotlib falls back to Agg itself
    except ImportError:
        raise ImportError(_INSTALL_HINT) from None
    return plt


def integer_ticks(ax: Any) -> None:
    """Ticks at whole numbers only on the x axis (epochs and steps: no tick at 2.5)."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def finish(fig: Any, path: str | os.PathLike | None, dpi: int = 110) -> Any:
    """Save ``fig`` to ``path`` when one is given (creating its folder), and return it."""
    if path is not None:
        path = os.fspath(path)
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
    return fig
