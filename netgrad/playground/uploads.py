"""Points uploaded to the playground as CSV: parsing (through :mod:`netgrad.data.csv_files`, the reader the
command line uses too), the problem type they suggest, and the targets the network trains on."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from netgrad.data.csv_files import class_indices, infer_task, is_fractional, parse_csv_text, regression_targets

from .config import MAX_CLASSES

__all__ = ["UploadedData", "parse_csv", "infer_problem", "class_targets", "numeric_targets", "MIN_UPLOAD_ROWS",
           "MAX_UPLOAD_ROWS", "MAX_FEATURE"]

MAX_UPLOAD_ROWS = 10_000
MIN_UPLOAD_ROWS = 10
MAX_FEATURE = 1e6  # the plane is drawn around the points: larger values are surely unscaled data


@dataclass(frozen=True)
class UploadedData:
    """Points from a CSV: ``X`` float32 ``(n, 2)`` and the label column as the file spells it."""

    X: np.ndarray
    labels: tuple[str, ...]
    columns: tuple[str, str, str] = ("x1", "x2", "label")

    def __post_init__(self) -> None:
        if self.X.ndim != 2 or self.X.shape[1] != 2 or len(self.X) != len(self.labels):
            raise ValueError(f"uploaded data needs points of shape (n, 2) and n labels; got {self.X.shape} and "
                             f"{len(self.labels)} labels")


def parse_csv(text: str) -> UploadedData:
    """Read a CSV with two feature columns and a label column (an optional header line is kept as names).

    The delimiter may be a comma, a semicolon or a tab (then ``1,5`` is 1.5); blank lines are skipped;
    a UTF-8 byte-order mark is ignored.

    Raises:
        ValueError: naming the line that is wrong (column count, a feature that is not a finite number),
            or when there are fewer than 10 or more than 10 000 rows.
    """
    table = parse_csv_text(text)
    if len(table.header) != 3:
        raise ValueError(f"the CSV file, line {table.lines[0] - table.has_header}: expected 3 columns (two "
                         f"features and a label), got {len(table.header)}")
    if not MIN_UPLOAD_ROWS <= len(table.rows) <= MAX_UPLOAD_ROWS:
        raise ValueError(f"the CSV file needs {MIN_UPLOAD_ROWS} to {MAX_UPLOAD_ROWS} data rows; got "
                         f"{len(table.rows)}")
    columns = tuple(table.header) if table.has_header else ("x1", "x2", "label")
    points = table.numbers(table.header[:2], dtype=np.float64)
    labels = []
    for line, row in zip(table.lines, table.rows):
        if not row[2]:
            raise ValueError(f"the CSV file, line {line}: the label is empty")
        number = table.number(row[2]) if table.decimal_comma else None
        labels.append(repr(number) if number is not None and "," in row[2] else row[2])
    if np.abs(points).max() > MAX_FEATURE:
        raise ValueError("feature values must lie within +-1e6; rescale the data (the built-in sets use -6..6)")
    return UploadedData(points.astype(np.float32), tuple(labels), columns)


def infer_problem(labels: Sequence[str]) -> str:
    """``classification`` for text labels or at most 10 distinct whole numbers, else ``regression`` (the rule
    of :func:`netgrad.data.csv_files.infer_task`)."""
    return infer_task(labels)


def class_targets(labels: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Class indices 0..K-1 in sorted label order (numerically when the labels are numbers), and the names."""
    if is_fractional(labels):
        raise ValueError("the labels are fractional numbers; choose the regression problem type for them")
    index, names = class_indices(labels)
    if not 2 <= len(names) <= MAX_CLASSES:
        raise ValueError(f"classification needs 2 to {MAX_CLASSES} classes; the labels have {len(names)} "
                         f"distinct values{' (use the regression problem type)' if len(names) > 2 else ''}")
    return index, names


def numeric_targets(labels: Sequence[str]) -> np.ndarray:
    """The labels as float32 regression targets."""
    values = regression_targets(labels)
    if values is None:
        bad = next(label for label in labels if regression_targets([label]) is None)
        raise ValueError(f"regression needs numeric labels; got {bad!r} (choose classification for class names)")
    return values.astype(np.float32)
