"""A tensor's repr, with PyTorch's number formats."""
from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes


def format_tensor(t: Any) -> str:
    data = t._data
    suffix = []
    if data.dtype not in (np.float32, np.int64, np.bool_) or (data.dtype == np.float32 and
                                                                dtypes._default_dtype != np.float32):
        if not (data.dtype == dtypes._default_dtype):
            suffix.append(f"dtype={dtypes._DTYPES.get(data.dtype, data.dtype)!r}")
    if t._grad_fn is not None:
        suffix.append(f"grad_fn={t._grad_fn!r}")
    elif t.requires_grad:
        suffix.append("requires_grad=True")
    if data.size == 0:
        body = f"[], size={data.shape}" if data.ndim > 1 else "[]"
    else:
        body = np.array2string(data, separator=", ", prefix="tensor(", formatter=_formatter(data),
                               threshold=1000, edgeitems=3, max_line_width=80)
    return "tensor(" + ", ".join([body] + suffix) + ")"


def _formatter(data: np.ndarray) -> dict:
    """PyTorch's choice of number format: integers as '3.', else 4 decimals, scientific for wide ranges."""
    if data.dtype.kind == "b":
        return {"bool": lambda v: "True" if v else "False"}
    if data.dtype.kind in "iu":
        width = max(len(str(data.min())), len(str(data.max())))
        return {"int": lambda v: str(v).rjust(width)}
    finite = np.abs(data[np.isfinite(data)]).astype(np.float64)
    if finite.size and np.all(finite == np.round(finite)) and finite.max() < 1e8:
        fmt = "{:.0f}."
    elif finite.size and (finite.max() >= 1e8 or (finite[finite > 0].min(initial=1) < 1e-4)
                          or finite.max() / max(finite[finite > 0].min(initial=1), 1e-300) > 1000):
        fmt = "{:.4e}"
    else:
        fmt = "{:.4f}"

    def show(v: Any) -> str:
        return ("nan" if np.isnan(v) else "inf" if v > 0 else "-inf") if not np.isfinite(v) else fmt.format(v)

    width = max(len(show(v)) for v in data.reshape(-1)[:2000])
    return {"float_kind": lambda v: show(v).rjust(width)}
