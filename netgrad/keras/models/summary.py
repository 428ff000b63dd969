"""``model.summary()``: the table of layers, output shapes and parameter counts, as Keras prints it."""
from __future__ import annotations

import math
import shutil
import textwrap
from typing import Any, Iterable

from ...engine import Tensor
from ..layers import Layer

__all__ = ["summary_text"]


def _readable_size(size: float) -> str:
    """Bytes as Keras prints them: '18.79 KB'."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _count(weights: Iterable[Tensor]) -> tuple[int, int]:
    """(number of scalars, bytes) of some weights."""
    weights = list(weights)
    return (int(sum(math.prod(w.shape) for w in weights)),
            int(sum(math.prod(w.shape) * w._data.dtype.itemsize for w in weights)))


def _format_shape(layer: Layer) -> str:
    try:
        shape = layer.output_shape
    except (AttributeError, TypeError, ValueError, NotImplementedError):
        return "?"
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _summary_rows(model: Any, expand_nested: bool, show_trainable: bool, connected: bool,
                  level: int = 0) -> list[list[str]]:
    rows = []
    for layer in model.layers:
        prefix = "   " * level + "└ " if level else ""
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        row = [f"{prefix}{layer.name} ({type(layer).__name__})", _format_shape(layer), params]
        if connected:
            row.append(", ".join(model.connections(layer)) or "-")
        if show_trainable:
            row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        rows.append(row)
        if expand_nested and hasattr(layer, "layers"):
            rows.extend(_summary_rows(layer, expand_nested, show_trainable, False, level + 1))
    return rows


def _fitted_widths(columns: list[int], line_length: int) -> list[int]:
    """Each column's width between its borders, as rich lays out Keras's table: every column asks for its
    width plus a space either side, and what exceeds the line (borders included) is taken back as evenly
    as rounding allows, column by column."""
    wanted = [width + 2 for width in columns]
    excess = sum(wanted) + len(columns) + 1 - line_length
    remaining = len(columns)
    fitted = []
    for width in wanted:
        taken = min(width, round(excess / remaining)) if excess > 0 else 0
        fitted.append(width - taken)
        excess -= taken
        remaining -= 1
    return fitted


def summary_text(model: Any, line_length: int | None, positions: Iterable[float] | None, expand_nested: bool,
                  show_trainable: bool) -> str:
    # a functional model that is not one chain gets Keras's "Connected to" column: layer[node][tensor] read
    connected = not getattr(model, "sequential_like", True)
    header = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if connected else [])
    positions = list(positions or ([0.3, 0.56, 0.74, 1.0] if connected else [0.45, 0.80, 1.0]))
    align = ["left", "left", "right"] + (["left"] if connected else [])
    width = 108 if connected else 88
    if show_trainable:
        header.append("Trainable")
        align.append("center")
        width += 12
        positions = [p * 0.90 for p in positions] + [1.0]
    line_length = line_length or min(width, max(40, shutil.get_terminal_size((width, 24)).columns - 4))
    if len(positions) != len(header):
        raise ValueError(f"positions needs {len(header)} entries, one per column, got {positions}")
    # column i spans up to character ends[i]; each cell is one border character plus its padded text
    ends = [int(p * line_length) if max(positions) <= 1.0 else int(p) for p in positions]
    widths = _fitted_widths([end - start for start, end in zip([0] + ends[:-1], ends)], line_length)
    if any(w < 4 for w in widths):
        raise ValueError("Insufficient console width to print summary.")
    justify = {"left": str.ljust, "right": str.rjust, "center": str.center}

    def line(cells: list[str], left: str, middle: str, end: str, wrap: bool = True) -> str:
        # a cell too long for its column wraps onto more lines at spaces (a header is cut short), as rich does
        columns = [(textwrap.wrap(cell, width - 2, break_on_hyphens=False) or [""]) if wrap else
                   [cell if len(cell) <= width - 2 else cell[:width - 3] + "…"] for cell, width in zip(cells, widths)]
        lines = []
        for row in range(max(len(column) for column in columns)):
            parts = []
            for column, width, how in zip(columns, widths, align):
                text = column[row] if row < len(column) else ""
                parts.append(" " + justify[how](text, width - 2) + " ")
            lines.append(left + middle.join(parts) + end)
        return "\n".join(lines)

    def rule(left: str, middle: str, end: str, fill: str) -> str:
        return left + middle.join(fill * w for w in widths) + end

    rows = _summary_rows(model, expand_nested, show_trainable, connected)
    lines = [f'Model: "{model.name}"', rule("┏", "┳", "┓", "━"), line(header, "┃", "┃", "┃", wrap=False),
             rule("┡", "╇", "┩", "━")]
    for number, row in enumerate(rows):
        if number:
            lines.append(rule("├", "┼", "┤", "─"))
        lines.append(line(row, "│", "│", "│"))
    lines.append(rule("└", "┴", "┘", "─"))
    trainable, trainable_bytes = _count(model.trainable_weights)
    frozen, frozen_bytes = _count(model.non_trainable_weights)
    lines.append(f" Total params: {trainable + frozen:,} ({_readable_size(trainable_bytes + frozen_bytes)})")
    lines.append(f" Trainable params: {trainable:,} ({_readable_size(trainable_bytes)})")
    lines.append(f" Non-trainable params: {frozen:,} ({_readable_size(frozen_bytes)})")
    return "\n".join(lines)
