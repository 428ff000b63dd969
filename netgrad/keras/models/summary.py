"""``model.summary()``: the table of layers, output shapes and parameter counts, as Keras prints it."""
from __future__ import annotations

import math
import shutil
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


def _summary_rows(model: Any, expand_nested: bool, show_trainable: bool, level: int = 0) -> list[list[str]]:
    rows = []
    for layer in model.layers:
        prefix = "   " * level + "└ " if level else ""
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        row = [f"{prefix}{layer.name} ({type(layer).__name__})", _format_shape(layer), params]
        if show_trainable:
            row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
        rows.append(row)
        if expand_nested and hasattr(layer, "layers"):
            rows.extend(_summary_rows(layer, expand_nested, show_trainable, level + 1))
    return rows


def summary_text(model: Any, line_length: int | None, positions: Iterable[float] | None, expand_nested: bool,
                  show_trainable: bool) -> str:
    header = ["Layer (type)", "Output Shape", "Param #"]
    positions = list(positions or [0.45, 0.80, 1.0])
    line_length = line_length or min(88, max(40, shutil.get_terminal_size((88, 24)).columns - 4))
    if show_trainable:
        header.append("Trainable")
        line_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
    if len(positions) != len(header):
        raise ValueError(f"positions needs {len(header)} entries, one per column, got {positions}")
    # column i spans up to character ends[i]; each cell is one border character plus its padded text
    ends = [int(p * line_length) if max(positions) <= 1.0 else int(p) for p in positions]
    widths = [end - start - 1 for start, end in zip([0] + ends[:-1], ends)]
    widths[-1] -= 1  # the closing border
    if any(w < 4 for w in widths):
        raise ValueError("Insufficient console width to print summary.")
    right = [False, False, True, False][:len(header)]

    def line(cells: list[str], left: str, middle: str, end: str, fill: str = " ") -> str:
        parts = []
        for cell, width, align_right in zip(cells, widths, right):
            text = cell if len(cell) <= width - 2 else cell[:width - 3] + "…"
            parts.append(" " + (text.rjust(width - 2) if align_right else text.ljust(width - 2)) + " ")
        return left + middle.join(parts) + end

    def rule(left: str, middle: str, end: str, fill: str) -> str:
        return left + middle.join(fill * w for w in widths) + end

    rows = _summary_rows(model, expand_nested, show_trainable)
    lines = [f'Model: "{model.name}"', rule("┏", "┳", "┓", "━"), line(header, "┃", "┃", "┃"), rule("┡", "╇", "┩", "━")]
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
