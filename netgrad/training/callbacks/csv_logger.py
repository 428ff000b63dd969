"""Write each epoch's logs as a row of a CSV file."""
from __future__ import annotations

import csv
import os
from typing import Any, Iterable

import numpy as np

from .base import Callback


class CSVLogger(Callback):
    """Write each epoch's logs as a row of a CSV file (Keras's ``CSVLogger``).

    The first column is ``epoch`` (0-based, as Keras); the others are the logged names in sorted order.
    When the first epoch has no ``val_`` entries, ``val_`` columns are added anyway (filled with ``NA``),
    as Keras does, so that a file keeps one layout whatever the validation schedule.

    Args:
        filename: The CSV file.
        separator: The column separator.
        append: Append to an existing file (its header is kept; a header is written only to an empty or
            new file); otherwise the file is overwritten.
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys: list[str] | None = None
        self.writer: Any = None
        self.csv_file: Any = None
        self.append_header = True

    def on_train_begin(self, logs: dict | None = None) -> None:
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, encoding="utf-8") as existing:
                    self.append_header = not bool(len(existing.readline()))
            mode = "a"
        else:
            mode = "w"
        self.keys = None
        self.writer = None
        self.csv_file = open(self.filename, mode, newline="", encoding="utf-8")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if not any(key.startswith("val_") for key in self.keys):
                self.keys.extend("val_" + key for key in list(self.keys))
        if self.writer is None:
            separator = self.sep

            class Dialect(csv.excel):
                delimiter = separator

            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch", *self.keys], dialect=Dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _csv_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.csv_file is not None:
            self.csv_file.close()
        self.csv_file = None
        self.writer = None


def _csv_value(value: Any) -> Any:
    if isinstance(value, str) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value
    if isinstance(value, Iterable):
        return f"[{', '.join(map(str, value))}]"
    return value
