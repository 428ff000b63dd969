"""Datasets, mini-batches and splits, with PyTorch's ``torch.utils.data`` semantics.

This is the one loader behind ``netgrad.data`` and ``netgrad.utils.data`` (PyTorch's module path): the
same :class:`DataLoader` batches arrays for the Trainer and runs PyTorch scripts' datasets, samplers and
``collate_fn`` s.

An epoch of a :class:`DataLoader` over ``n`` samples in batches of ``b`` makes ``ceil(n / b)`` updates
(``floor(n / b)`` with ``drop_last``): batch gradient descent is ``b = n`` (one update per epoch),
stochastic gradient descent ``b = 1`` (``n`` updates), mini-batch gradient descent anything in between;
12 samples in batches of 3 give 4 updates per epoch.

Batches of a :class:`TensorDataset` (or a :class:`Subset` of one) with the default ``collate_fn`` are cut
straight from its arrays: a slice per batch without shuffling (a view, no copy), one gather (``np.take``)
per batch otherwise, which is faster than permuting the whole dataset each epoch and needs no second copy
of it. No per-sample Python loop, no dtype conversion; the batches are those ``default_collate`` would make.

Example:
    >>> X, y = np.random.rand(12, 2).astype(np.float32), np.arange(12)
    >>> loader = DataLoader(TensorDataset(X, y), batch_size=3, shuffle=True)
    >>> xb, yb = next(iter(loader))
    >>> len(loader), tuple(xb.shape)
    (4, (3, 2))
"""
from __future__ import annotations

import bisect
import itertools
import math
import warnings
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from netgrad.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from netgrad.data.validation import check_consistent_length, to_numpy
from netgrad.engine import Tensor, tensor
from netgrad.random import Generator, get_generator

__all__ = [
    "Dataset",
    "IterableDataset",
    "TensorDataset",
    "ConcatDataset",
    "ChainDataset",
    "Subset",
    "DataLoader",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
    "train_test_split",
]


def _generator(seed: Any) -> Any:
    """None -> the global generator (read now); an int -> a fresh Generator; a Generator or RandomState as is."""
    if seed is None:
        return get_generator()
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(int(seed))
    raise ValueError(f"expected None, an int seed or a netgrad / numpy Generator, got {seed!r}")


# ------------------------------------------------------------------------------------- datasets


class Dataset:
    """A map-style dataset: ``dataset[i]`` is sample ``i`` and ``len(dataset)`` the number of samples.

    Subclasses implement ``__getitem__`` and ``__len__``; a sample is usually a tuple ``(x, y)``.
    ``a + b`` is ``ConcatDataset([a, b])``.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples: subclasses implement ``__iter__`` (``len`` is optional).

    A DataLoader batches the stream in order; it has no indices, so ``shuffle`` and samplers do not apply.
    """

    def __iter__(self) -> Iterator:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __add__(self, other: IterableDataset) -> ChainDataset:
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples are rows of equally long arrays or Tensors: ``dataset[i] == (X[i], y[i], ...)``.

    The arrays are kept as given (no copy); ``tensors`` wraps them as Tensors, as in PyTorch.
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one array or Tensor")
        arrays = tuple(t._data if isinstance(t, Tensor) else t if isinstance(t, np.ndarray) else tensor(t)._data
                       for t in tensors)
        if any(a.ndim == 0 for a in arrays):
            raise ValueError("TensorDataset needs arrays with one row per sample, got a scalar")
        if len({len(a) for a in arrays}) > 1:
            shapes = ", ".join(str(a.shape) for a in arrays)
            raise ValueError(f"Size mismatch between tensors: every array needs the same first dimension, got {shapes}")
        self.arrays = arrays
        self.tensors = tuple(Tensor._wrap(a) for a in arrays)

    def __getitem__(self, index: int) -> tuple:
        return tuple(Tensor._wrap(np.asarray(a[index])) for a in self.arrays)

    def __len__(self) -> int:
        return len(self.arrays[0])


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: int) -> Any:
        if isinstance(index, list):
            return [self.dataset[int(self.indices[i])] for i in index]
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """The samples of several datasets one after the other; ``cumulative_sizes[k]`` ends dataset ``k``."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("datasets should not be an empty iterable")
        if any(isinstance(d, IterableDataset) for d in self.datasets):
            raise TypeError("ConcatDataset does not support IterableDataset (chain them with ChainDataset)")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index += len(self)
        k = bisect.bisect_right(self.cumulative_sizes, index)
        return self.datasets[k][index - (self.cumulative_sizes[k - 1] if k else 0)]


class ChainDataset(IterableDataset):
    """The streams of several iterable datasets one after the other."""

    def __init__(self, datasets: Iterable[IterableDataset]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise TypeError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)


def random_split(dataset: Dataset, lengths: Sequence[int | float], generator: Any = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random subsets of the given lengths (as ``torch``).

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing to 1; fractions are floored
    and the samples left over go one each to the subsets in turn, as in PyTorch. Each subset's
    ``indices`` is a list of ints.

    Args:
        generator: a :class:`netgrad.Generator`, a numpy Generator or an int seed; None draws from the
            global generator.
    """
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, fraction in enumerate(lengths):
            if not 0 <= fraction <= 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        counts = [math.floor(n * f) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, count in enumerate(counts):
            if count == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an empty dataset.",
                              stacklevel=2)
        lengths = counts
    if any(not isinstance(k, (int, np.integer)) or k < 0 for k in lengths) or sum(lengths) != n:
        raise ValueError(
            f"Sum of input lengths does not equal the length of the input dataset! Got lengths {list(lengths)} "
            f"for {n} samples (give counts summing to {n}, or fractions summing to 1)"
        )
    order = _generator(generator).permutation(n).tolist()
    return [Subset(dataset, order[end - k:end]) for k, end in zip(lengths, itertools.accumulate(lengths))]


# ------------------------------------------------------------------------------------- batching


def _stack(arrays: list) -> Tensor:
    try:
        return Tensor._wrap(np.stack(arrays))
    except ValueError:
        shapes = [np.shape(a) for a in arrays]
        k = next(i for i, s in enumerate(shapes) if s != shapes[0])
        raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shapes[0])} at entry 0 and "
                           f"{list(shapes[k])} at entry {k}") from None


def default_collate(batch: list) -> Any:
    """Stack a list of samples along a new first dimension, keeping their structure, as PyTorch does.

    Tensors and arrays are stacked; Python floats give a float64 Tensor, ints an int64 one, bools a bool one
    (``torch.tensor(batch)``); NumPy scalars keep their dtype; strings stay a list; a dict gives a dict, a
    namedtuple a namedtuple and any other tuple or list a **list** of batched fields.
    """
    first = batch[0]
    if isinstance(first, (Tensor, np.ndarray)):
        return _stack([s._data if isinstance(s, Tensor) else s for s in batch])
    if isinstance(first, np.generic) and not isinstance(first, (np.str_, np.bytes_)):
        return Tensor._wrap(np.array(batch))
    if isinstance(first, float):
        return Tensor._wrap(np.array(batch, dtype=np.float64))
    if isinstance(first, (int, bool)):
        return Tensor._wrap(np.array(batch, dtype=np.bool_ if isinstance(first, bool) else np.int64))
    if isinstance(first, (str, bytes)):
        return batch
    if isinstance(first, Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in first}
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # namedtuple
        return type(first)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(first, Sequence):
        if any(len(sample) != len(first) for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(list(field)) for field in zip(*batch)]
    raise TypeError("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                    f"found {type(first)}")


def default_convert(data: Any) -> Any:
    """One sample without batching (``batch_size=None``): arrays become Tensors, containers keep their shape."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        return Tensor._wrap(data)
    if isinstance(data, Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return [default_convert(d) for d in data]
    return data


def get_worker_info() -> None:
    """None: netgrad loads every batch in the main process."""
    return None


def _array_source(dataset: Dataset) -> tuple[tuple[np.ndarray, ...] | None, np.ndarray | None]:
    """``(arrays, indices)`` when batches can be cut straight from arrays: an unmodified TensorDataset,
    possibly through Subsets (``indices`` then maps positions to rows); ``(None, None)`` otherwise."""
    if type(dataset).__getitem__ is TensorDataset.__getitem__:
        return dataset.arrays, None
    if type(dataset).__getitem__ is Subset.__getitem__:
        arrays, rows = _array_source(dataset.dataset)
        if arrays is not None:
            indices = np.asarray(getattr(dataset.indices, "_data", dataset.indices), dtype=np.int64)
            return arrays, indices if rows is None else rows[indices]
    return None, None


# samplers whose epoch order the loader can take as one array (their own __iter__ only iterates over it)
_ARRAY_SAMPLERS = (SequentialSampler.__iter__, RandomSampler.__iter__, SubsetRandomSampler.__iter__,
                   WeightedRandomSampler.__iter__)


class DataLoader:
    """Iterate over a dataset in mini-batches, optionally reshuffled every epoch, as PyTorch's DataLoader.

    Args:
        dataset: a map-style :class:`Dataset` (anything with ``__getitem__`` and ``__len__``: a
            :class:`TensorDataset` is batched fastest) or an :class:`IterableDataset`.
        batch_size: samples per batch (a positive int); None yields the samples one by one, unbatched.
        shuffle: reshuffle the samples at the start of every epoch (a :class:`RandomSampler`).
        sampler: the order of the indices (excludes ``shuffle``).
        batch_sampler: yields lists of indices, one per batch (excludes ``batch_size``, ``shuffle``,
            ``sampler`` and ``drop_last``).
        num_workers, pin_memory, timeout, worker_init_fn, multiprocessing_context, prefetch_factor,
            persistent_workers, pin_memory_device, in_order: checked as PyTorch does and otherwise
            ignored: netgrad loads every batch in the main process.
        collate_fn: turns a list of samples into a batch (default :func:`default_collate`).
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        generator: a :class:`netgrad.Generator` or numpy Generator for shuffling; by default netgrad's
            global generator is read at the start of each epoch, so ``netgrad.manual_seed`` makes the
            order reproducible.
        seed: (netgrad only) an int seeding a generator of this loader's own, instead of ``generator``.

    Yields:
        What ``collate_fn`` makes: for ``(x, y)`` samples a list ``[xb, yb]`` of Tensors stacked along
        dimension 0.

    As in PyTorch, ``DataLoader((X, y))`` is a loader over a dataset of **two** samples, ``X`` and ``y``
    (a tuple is indexable and has a length); for the samples ``(X[i], y[i])`` pass ``TensorDataset(X, y)``.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable | None = None,
        batch_sampler: Sampler | Iterable | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable | None = None,
        multiprocessing_context: Any = None,
        generator: Any = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
        seed: int | None = None,
    ) -> None:
        if not isinstance(num_workers, (int, np.integer)) or num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                             "to enable multiprocessing, otherwise set prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if generator is not None and seed is not None:
            raise ValueError("pass either generator or seed, not both")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise ValueError("generator must be a netgrad.Generator or a numpy Generator, "
                             f"got {type(generator).__name__}")
        if seed is not None:
            generator = Generator().manual_seed(seed)
        if isinstance(dataset, IterableDataset):
            for name, value in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, "
                                     f"but got {name}={value!r}")
        elif sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        if sampler is None and not isinstance(dataset, IterableDataset):
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, bool(drop_last)
        self.sampler, self.batch_sampler, self.generator = sampler, batch_sampler, generator
        self.shuffle = bool(shuffle)
        self.collate_fn = collate_fn or (default_collate if batch_sampler is not None else default_convert)
        self.num_workers, self.pin_memory, self.timeout, self.worker_init_fn = (num_workers, pin_memory, timeout,
                                                                                worker_init_fn)
        self.multiprocessing_context, self.prefetch_factor = multiprocessing_context, prefetch_factor
        self.persistent_workers, self.pin_memory_device, self.in_order = persistent_workers, pin_memory_device, in_order

    def __len__(self) -> int:
        """Batches per epoch: ``ceil(n / batch_size)``, or ``floor`` with ``drop_last``."""
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def __iter__(self) -> Iterator:
        if isinstance(self.dataset, IterableDataset):
            return self._streamed()
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        arrays, rows = _array_source(self.dataset) if self.collate_fn is default_collate else (None, None)
        if arrays is None:
            return self._collated()
        sampler = self.batch_sampler.sampler if type(self.batch_sampler) is BatchSampler else None
        if getattr(type(sampler), "__iter__", None) not in _ARRAY_SAMPLERS:
            return self._gathered(arrays, rows, self.batch_sampler)
        order = None if type(sampler) is SequentialSampler else sampler._indices()
        if rows is not None:
            order = rows if order is None else rows[order]
        return self._sliced(arrays, order, len(order) if order is not None else len(self.dataset))

    def _sliced(self, arrays: tuple, order: np.ndarray | None, n: int) -> Iterator[list]:
        wrap, size = Tensor._wrap, self.batch_size
        stop = n - n % size if self.drop_last else n
        for start in range(0, stop, size):
            if order is None:
                yield [wrap(a[start:start + size]) for a in arrays]
            else:
                batch = order[start:start + size]
                yield [wrap(np.take(a, batch, axis=0)) for a in arrays]  # take: faster than a[batch]

    def _gathered(self, arrays: tuple, rows: np.ndarray | None, batches: Iterable) -> Iterator[list]:
        for batch in batches:
            index = np.asarray(batch, dtype=np.int64)
            index = index if rows is None else rows[index]
            yield [Tensor._wrap(np.take(a, index, axis=0)) for a in arrays]

    def _collated(self) -> Iterator:
        dataset, collate = self.dataset, self.collate_fn
        for batch in self.batch_sampler:
            samples = [dataset[i] for i in batch]
            try:
                yield collate(samples)
            except RuntimeError as error:
                if not isinstance(dataset, (tuple, list)):
                    raise
                raise RuntimeError(f"{error}. A {type(dataset).__name__} given to DataLoader is a dataset of "
                                   f"{len(dataset)} samples, as in PyTorch; for samples (X[i], y[i]) pass "
                                   "TensorDataset(X, y)") from None

    def _streamed(self) -> Iterator:
        if self.batch_size is None:
            yield from (self.collate_fn(sample) for sample in self.dataset)
            return
        batch: list = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __repr__(self) -> str:
        n = len(self.dataset) if hasattr(self.dataset, "__len__") else "?"
        return (f"DataLoader({type(self.dataset).__name__} of {n}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last})")


# ------------------------------------------------------------------------------------- train/test split


def _split_sizes(n: int, test_size: Any, train_size: Any) -> tuple[int, int]:
    """scikit-learn's sizes: a float is a fraction (test rounded up, train down), an int a count."""
    if test_size is None and train_size is None:
        test_size = 0.25
    for name, size in (("test_size", test_size), ("train_size", train_size)):
        if size is None:
            continue
        if not isinstance(size, (int, float, np.integer, np.floating)) or isinstance(size, bool):
            raise ValueError(f"Invalid value for {name}: {size!r}")
        if isinstance(size, (float, np.floating)) and not 0 < size < 1 or \
                isinstance(size, (int, np.integer)) and not 0 < size < n:
            raise ValueError(f"{name}={size} should be either positive and smaller than the number of samples "
                             f"{n} or a float in the (0, 1) range")
    fractions = [s for s in (test_size, train_size) if isinstance(s, (float, np.floating))]
    if len(fractions) == 2 and sum(fractions) > 1:
        raise ValueError(f"The sum of test_size and train_size = {sum(fractions)}, should be in the (0, 1) range. "
                         "Reduce test_size and/or train_size.")
    n_test = math.ceil(test_size * n) if isinstance(test_size, (float, np.floating)) else test_size
    n_train = math.floor(train_size * n) if isinstance(train_size, (float, np.floating)) else train_size
    n_train = n - n_test if n_train is None else n_train
    n_test = n - n_train if n_test is None else n_test
    if n_train + n_test > n:
        raise ValueError(f"The sum of train_size and test_size = {n_train + n_test}, should be smaller than the "
                         f"number of samples {n}. Reduce test_size and/or train_size.")
    if n_train == 0:
        raise ValueError(f"With n_samples={n}, test_size={test_size} and train_size={train_size}, the resulting "
                         "train set will be empty. Adjust any of the aforementioned parameters.")
    return int(n_train), int(n_test)


def _approximate_mode(class_counts: np.ndarray, n_draws: int, rng: Any) -> np.ndarray:
    """Per-class counts of ``n_draws`` in proportion to ``class_counts``: floors, then the largest remainders
    (ties broken at random), as scikit-learn does."""
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    remainder = continuous - floored
    for value in np.sort(np.unique(remainder))[::-1] if need_to_add > 0 else ():
        (candidates,) = np.where(remainder == value)
        add_now = min(len(candidates), need_to_add)
        floored[rng.choice(candidates, size=add_now, replace=False)] += 1
        need_to_add -= add_now
        if need_to_add == 0:
            break
    return floored.astype(int)


def _stratified_indices(labels: np.ndarray, n_train: int, n_test: int, rng: Any) -> tuple[np.ndarray, np.ndarray]:
    if labels.ndim == 2:  # multi-label rows: stratify on each distinct row
        labels = np.array([" ".join(row.astype(str)) for row in labels])
    classes, label_index, class_counts = np.unique(labels, return_inverse=True, return_counts=True)
    if class_counts.min() < 2:
        raise ValueError("The least populated classes in y have only 1 member, which is too few. The minimum "
                         "number of groups for any class cannot be less than 2. Classes with too few members are: "
                         f"{classes[class_counts < 2].tolist()}")
    for name, size in (("train_size", n_train), ("test_size", n_test)):
        if size < len(classes):
            raise ValueError(f"The {name} = {size} should be greater or equal to the number of classes = "
                             f"{len(classes)}")
    members = np.split(np.argsort(label_index, kind="stable"), np.cumsum(class_counts)[:-1])
    n_train_per_class = _approximate_mode(class_counts, n_train, rng)
    n_test_per_class = _approximate_mode(class_counts - n_train_per_class, n_test, rng)
    train, test = [], []
    for rows, k_train, k_test in zip(members, n_train_per_class, n_test_per_class):
        rows = rows.take(rng.permutation(len(rows)), mode="clip")
        train.extend(rows[:k_train])
        test.extend(rows[k_train:k_train + k_test])
    return rng.permutation(train), rng.permutation(test)


def _take(a: Any, rows: np.ndarray) -> Any:
    if isinstance(a, Tensor):
        return Tensor._wrap(a._data[rows])
    if isinstance(a, np.ndarray):
        return a[rows]
    if hasattr(a, "iloc"):  # pandas
        return a.iloc[rows]
    if isinstance(a, list):
        return [a[i] for i in rows]
    return np.asarray(a)[rows]


def train_test_split(
    *arrays: Any,
    test_size: float | int | None = None,
    train_size: float | int | None = None,
    random_state: Any = None,
    shuffle: bool = True,
    stratify: Any = None,
) -> list:
    """Split arrays into random train and test parts, as scikit-learn's ``train_test_split``.

    Sizes follow scikit-learn: a float is a fraction (the test part rounded up, the train part down), an
    int a count; with neither given the test part is 25 %. With ``stratify`` each class keeps its share
    in both parts. For an int ``random_state`` the split is the very one scikit-learn returns; None draws
    from netgrad's global generator.

    Args:
        *arrays: arrays, Tensors, lists or pandas objects of equal length.
        test_size, train_size: fraction or count of the samples.
        random_state: None, an int seed, or a numpy Generator / RandomState.
        shuffle: shuffle before splitting (False keeps the order: train first, then test).
        stratify: class labels to stratify on (requires ``shuffle``).

    Returns:
        ``[a_train, a_test, b_train, b_test, ...]``, each of the input's kind.

    Example:
        >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    """
    if not arrays:
        raise ValueError("At least one array required as input")
    n = check_consistent_length(*arrays)
    n_train, n_test = _split_sizes(n, test_size, train_size)
    if not shuffle:
        if stratify is not None:
            raise ValueError("Stratified train/test split is not implemented for shuffle=False")
        train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    else:
        rng = np.random.RandomState(int(random_state)) if isinstance(random_state, (int, np.integer)) \
            else _generator(random_state)
        if stratify is not None:
            labels = to_numpy(stratify)
            check_consistent_length(arrays[0], labels)
            train, test = _stratified_indices(labels, n_train, n_test, rng)
        else:
            order = rng.permutation(n)
            train, test = order[n_test:n_test + n_train], order[:n_test]
    return [part for a in arrays for part in (_take(a, train), _take(a, test))]
