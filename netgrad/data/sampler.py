"""Samplers: the order in which a :class:`~netgrad.data.DataLoader` visits a map-style dataset, as in
PyTorch's ``torch.utils.data``.

A sampler yields dataset indices; :class:`BatchSampler` groups them into lists of ``batch_size``. The
built-in samplers draw their whole order at once as an array (``_indices``), which the DataLoader cuts
into batches straight from the arrays of a :class:`~netgrad.data.TensorDataset`.

Randomness comes from ``generator`` (a :class:`netgrad.Generator` or a NumPy Generator) or, without one,
from netgrad's global generator, read at the start of every epoch, so ``netgrad.manual_seed`` makes the
order reproducible. The orders are not PyTorch's (another bit generator); their distribution is.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence, Sized

import numpy as np

from netgrad.random import get_generator

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]


def _rng(generator: Any) -> np.random.Generator:
    return get_generator() if generator is None else generator


def _positive_int(name: str, value: Any) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value!r}")
    return int(value)


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} should be a boolean value, but got {name}={value!r}")
    return value


class Sampler:
    """Base class: ``__iter__`` yields dataset indices; ``__len__`` (optional) says how many."""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def _indices(self) -> np.ndarray | None:
        """The epoch's indices as one array (None: not available, iterate instead)."""
        return None


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``, always in that order."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _indices(self) -> np.ndarray:
        return np.arange(len(self.data_source))

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A new random permutation every epoch; with ``replacement``, ``num_samples`` independent uniform draws.

    Without replacement and ``num_samples > len(data_source)``, whole permutations follow each other (the
    last one cut short), as in PyTorch.
    """

    def __init__(self, data_source: Sized, replacement: bool = False, num_samples: int | None = None,
                 generator: Any = None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={replacement!r}")
        self.data_source, self.replacement, self._num_samples, self.generator = (data_source, replacement,
                                                                                 num_samples, generator)
        _positive_int("num_samples", self.num_samples)

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _indices(self) -> np.ndarray:
        n, k, rng = len(self.data_source), self.num_samples, _rng(self.generator)
        if self.replacement:
            return rng.integers(0, n, size=k)
        if k == n:
            return rng.permutation(n)
        return np.concatenate([rng.permutation(n) for _ in range(-(-k // n))])[:k]

    def __iter__(self) -> Iterator[int]:
        return iter(self._indices().tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a new random order every epoch."""

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices, self.generator = indices, generator

    def _indices(self) -> np.ndarray:
        return np.asarray(self.indices, dtype=np.int64)[_rng(self.generator).permutation(len(self.indices))]

    def __iter__(self) -> Iterator[int]:
        return iter(self._indices().tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices in ``[0, len(weights))`` drawn with probability ``weights[i] / sum(weights)``.

    Without ``replacement`` every index is drawn at most once, so ``num_samples <= len(weights)``.
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Any = None) -> None:
        _positive_int("num_samples", num_samples)
        _flag("replacement", replacement)
        w = np.asarray(getattr(weights, "_data", weights), dtype=np.float64)
        if w.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError("invalid multinomial distribution: weights must be finite, non-negative and not all 0")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ValueError(f"cannot sample num_samples={num_samples} without replacement from "
                             f"{np.count_nonzero(w)} indices of non-zero weight")
        self.weights, self.num_samples, self.replacement, self.generator = w, int(num_samples), replacement, generator

    def _indices(self) -> np.ndarray:
        p = self.weights / self.weights.sum()
        return _rng(self.generator).choice(len(p), size=self.num_samples, replace=self.replacement, p=p)

    def __iter__(self) -> Iterator[int]:
        return iter(self._indices().tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of ``batch_size`` indices from ``sampler``; the last one shorter unless ``drop_last``.

    Example:
        >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        self.batch_size = _positive_int("batch_size", batch_size)
        self.drop_last = _flag("drop_last", drop_last)
        self.sampler = sampler

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
