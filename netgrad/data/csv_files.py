"""The one CSV reader: the command line and the playground read tables through it.

What it accepts:

- text in UTF-8, with or without a byte-order mark (``utf-8-sig``: spreadsheet programs write one);
- comma-, semicolon- or tab-separated values (the separator the first line uses most); with semicolons or
  tabs a decimal comma is accepted too (``1,5`` is 1.5, as European spreadsheets write it);
- an optional header row: the first row is a header when one of its cells is text where the next row holds
  a number (or, for a single row, when any cell is text); without one the columns are ``x1, x2, ...``;
- blank lines anywhere (skipped; errors still name the file's own line numbers).

One rule decides what a target column holds (:func:`infer_task`): text labels, or whole numbers with at
most :data:`MAX_CLASS_VALUES` (10) distinct values, are classes; other numbers are a regression target.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

__all__ = ["Table", "read_csv", "parse_csv_text", "parse_number", "infer_task", "class_indices",
           "is_fractional", "regression_targets", "MAX_CLASS_VALUES"]

#: A numeric column with whole numbers and at most this many distinct values holds classes.
MAX_CLASS_VALUES = 10
_DELIMITERS = (",", ";", "\t")
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def parse_number(text: str, decimal_comma: bool = False) -> float | None:
    """``text`` as a float (``None`` if it is not a number); ``1,5`` reads as 1.5 with ``decimal_comma``."""
    try:
        return float(text)
    except ValueError:
        pass
    if decimal_comma and text.count(",") == 1 and "." not in text:
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return None
    return None


@dataclass
class Table:
    """A CSV table: its column names, its rows of (stripped) text, and the file line each row came from."""

    source: str
    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    delimiter: str = ","
    has_header: bool = True

    @property
    def decimal_comma(self) -> bool:
        return self.delimiter != ","

    def column(self, name: str) -> list[str]:
        k = self.header.index(name)
        return [row[k] for row in self.rows]

    def number(self, cell: str) -> float | None:
        return parse_number(cell, self.decimal_comma)

    def numbers(self, columns: Sequence[str], dtype: type = np.float32, what: str = "feature") -> np.ndarray:
        """The named columns as a matrix of ``dtype``; a cell that is not a finite number of that dtype is a
        ValueError naming the file, the line and the column."""
        out = np.empty((len(self.rows), len(columns)), dtype=dtype)
        limit = float(np.finfo(dtype).max)
        for j, name in enumerate(columns):
            for i, cell in enumerate(self.column(name)):
                value = self.number(cell)
                where = f"{self.source}, line {self.lines[i]}"
                if value is None:
                    found = "a missing value" if not cell else f"the non-numeric value {cell!r}"
                    raise ValueError(f"{where}: {found} in {what} column {name!r}; {what}s must be numbers")
                if not math.isfinite(value):
                    raise ValueError(f"{where}: {cell!r} in column {name!r} is not a finite number")
                if abs(value) > limit:
                    raise ValueError(f"{where}: {cell!r} in column {name!r} is beyond the range of "
                                     f"{np.dtype(dtype).name} (±{limit:.3g}); rescale the column")
                out[i, j] = value
        return out


def _is_header(first: list[str], second: list[str] | None, decimal_comma: bool) -> bool:
    def numeric(cell: str) -> bool:
        return parse_number(cell, decimal_comma) is not None

    if second is None:
        return not all(numeric(cell) for cell in first)
    return any(not numeric(a) and numeric(b) for a, b in zip(first, second))


def parse_csv_text(text: str, source: str = "the CSV file") -> Table:
    """A table from CSV text (see the module docstring for what is accepted).

    Raises:
        ValueError: for an empty table, a header without rows, a row whose number of values differs from the
            header's, or a column name used twice; the message names ``source`` and the line.
    """
    text = text[1:] if text.startswith("\ufeff") else text
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise ValueError(f"{source} is empty")
    delimiter = max(_DELIMITERS, key=first.count)  # ties go to the comma
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        numbered = [(reader.line_num, [cell.strip() for cell in row]) for row in reader
                    if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise ValueError(f"{source}, line {reader.line_num}: {error}") from None
    decimal_comma = delimiter != ","
    has_header = _is_header(numbered[0][1], numbered[1][1] if len(numbered) > 1 else None, decimal_comma)
    if has_header:
        header = numbered[0][1]
        numbered = numbered[1:]
    else:
        header = [f"x{i + 1}" for i in range(len(numbered[0][1]))]
    if not numbered:
        raise ValueError(f"{source} has a header but no rows of data")
    for line, row in numbered:
        if len(row) != len(header):
            raise ValueError(f"{source}, line {line}: {len(row)} values, but the header has {len(header)} columns")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise ValueError(f"{source}: duplicated column name(s) {', '.join(duplicated)}")
    return Table(source, header, [row for _, row in numbered], [line for line, _ in numbered], delimiter,
                 has_header)


def read_csv(path: str) -> Table:
    """The CSV file at ``path`` as a :class:`Table` (read as ``utf-8-sig``).

    Raises:
        FileNotFoundError: ``no such file: PATH``.
        ValueError: for text that is not UTF-8 or a malformed table (naming the file and line).
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as file:
            text = file.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"no such file: {path}") from None
    except UnicodeDecodeError as error:
        raise ValueError(f"cannot read {path}: it is not UTF-8 text ({error.reason} at byte {error.start}); "
                         "save it as UTF-8 CSV") from None
    return parse_csv_text(text, str(path))


def _numeric(labels: Sequence[str], decimal_comma: bool = False) -> np.ndarray | None:
    values = [parse_number(label, decimal_comma) for label in labels]
    if any(v is None or not math.isfinite(v) for v in values):
        return None
    return np.asarray(values, dtype=np.float64)


def infer_task(labels: Sequence[str], decimal_comma: bool = False) -> str:
    """``'classification'`` for text labels or whole numbers with at most :data:`MAX_CLASS_VALUES` distinct
    values, else ``'regression'``."""
    numeric = _numeric(labels, decimal_comma)
    if numeric is None:
        return "classification"
    if np.all(numeric == np.round(numeric)) and len(np.unique(numeric)) <= MAX_CLASS_VALUES:
        return "classification"
    return "regression"


def class_indices(labels: Sequence[str], decimal_comma: bool = False) -> tuple[np.ndarray, list[str]]:
    """Class indices 0..K-1 and the K class names, in sorted order (numerically when the labels are
    numbers: ``"1"`` and ``"1.0"`` are one class, named ``"1"``)."""
    numeric = _numeric(labels, decimal_comma)
    if numeric is not None:
        values, index = np.unique(numeric, return_inverse=True)
        return index.astype(np.int64), [str(int(v)) if v == round(v) else format(v, "g") for v in values]
    names, index = np.unique(np.asarray(list(labels), dtype=object).astype(str), return_inverse=True)
    return index.astype(np.int64), names.tolist()


def is_fractional(labels: Sequence[str], decimal_comma: bool = False) -> bool:
    """Whether the labels are numbers and some of them are not whole."""
    numeric = _numeric(labels, decimal_comma)
    return numeric is not None and not np.all(numeric == np.round(numeric))


def regression_targets(labels: Sequence[str], decimal_comma: bool = False) -> np.ndarray | None:
    """The labels as float64 numbers, or None when one of them is not a finite number."""
    return _numeric(labels, decimal_comma)
