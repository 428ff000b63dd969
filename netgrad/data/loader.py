"""Datasets, mini-batches and splits, with PyTorch's ``torch.utils.data`` semantics.

An epoch of a :class:`DataLoader` over ``n`` samples in batches of ``b`` makes ``ceil(n / b)`` updates
(``floor(n / b)`` with ``drop_last``): batch gradient descent is ``b = n`` (one update per epoch),
stochastic gradient descent ``b = 1`` (``n`` updates), mini-batch gradient descent anything in between;
12 samples in batches of 3 give 4 updates per epoch.

Batches of a :class:`TensorDataset` (or a :class:`Subset` of one) are cut straight from its arrays: a
slice per batch without shuffling (a view, no copy), one gather (``np.take``) per batch with shuffling,
which is faster than permuting the whole dataset each epoch and needs no second copy of it.
No per-sample Python loop, no dtype conversion.

Example:
    >>> X, y = np.random.rand(12, 2).astype(np.float32), np.arange(12)
    >>> loader = DataLoader(TensorDataset(X, y), batch_size=3, shuffle=True)
    >>> xb, yb = next(iter(loader))
    >>> len(loader), tuple(xb.shape)
    (4, (3, 2))
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from netgrad.data.validation import check_consistent_length, to_numpy
from netgrad.random import get_generator
from netgrad.engine import Tensor, tensor

__all__ = [
    "Dataset",
    "TensorDataset",
    "Subset",
    "DataLoader",
    "default_collate",
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
    raise ValueError(f"expected None, an int seed or a numpy Generator, got {seed!r}")


# ------------------------------------------------------------------------------------- datasets


class Dataset:
    """A map-style dataset: ``dataset[i]`` is sample ``i`` and ``len(dataset)`` the number of samples.

    Subclasses implement ``__getitem__`` and ``__len__``; a sample is usually a tuple ``(x, y)``.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")


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
        return self.dataset[int(self.indices[index])]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Dataset, lengths: Sequence[int | float], generator: Any = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random subsets of the given lengths (as ``torch``).

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing to 1; fractions are floored
    and the samples left over go one each to the subsets in turn, as in PyTorch.

    Args:
        generator: an int seed or a numpy Generator; None draws from the global generator.
    """
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1 and not all(isinstance(k, int) for k in lengths):
        if any(not 0 <= f <= 1 for f in lengths):
            raise ValueError(f"fractions in lengths must be between 0 and 1, got {list(lengths)}")
        counts = [math.floor(n * f) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if any(not isinstance(k, (int, np.integer)) or k < 0 for k in lengths) or sum(lengths) != n:
        raise ValueError(
            f"Sum of input lengths does not equal the length of the input dataset: lengths {list(lengths)} "
            f"for {n} samples (give counts summing to {n}, or fractions summing to 1)"
        )
    order = _generator(generator).permutation(n)
    ends = np.cumsum(lengths)
    return [Subset(dataset, order[end - k:end]) for k, end in zip(lengths, ends)]


# ------------------------------------------------------------------------------------- batching


def default_collate(samples: list) -> Any:
    """Stack a list of samples along a new first dimension, keeping their structure.

    Tuples and lists of fields give a tuple of batched Tensors, dicts a dict; arrays and Tensors are
    stacked as they are; Python numbers become Tensors as ``netgrad.tensor`` makes them (floats float32).
    """
    first = samples[0]
    if isinstance(first, (tuple, list)):
        return tuple(default_collate(list(field)) for field in zip(*samples))
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, (Tensor, np.ndarray, np.generic)):
        return Tensor._wrap(np.stack([s._data if isinstance(s, Tensor) else s for s in samples]))
    return tensor(samples)


def _array_source(dataset: Dataset) -> tuple[tuple[np.ndarray, ...] | None, np.ndarray | None]:
    """``(arrays, indices)`` when batches can be cut straight from arrays: an unmodified TensorDataset,
    possibly through Subsets (``indices`` then maps positions to rows); ``(None, None)`` otherwise."""
    if type(dataset).__getitem__ is TensorDataset.__getitem__:
        return dataset.arrays, None
    if type(dataset).__getitem__ is Subset.__getitem__:
        arrays, rows = _array_source(dataset.dataset)
        if arrays is not None:
            indices = np.asarray(dataset.indices, dtype=np.int64)
            return arrays, indices if rows is None else rows[indices]
    return None, None


class DataLoader:
    """Iterate over a dataset in mini-batches, optionally reshuffled every epoch (as in PyTorch).

    Args:
        dataset: a :class:`Dataset` (a :class:`TensorDataset` is batched fastest).
        batch_size: samples per batch (a positive int).
        shuffle: reshuffle the samples at the start of every epoch.
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        generator: numpy Generator for shuffling; by default netgrad's global generator is read at the
            start of each epoch, so ``netgrad.manual_seed`` makes the order reproducible.
        seed: an int seeding a generator of this loader's own (instead of ``generator``).
        collate_fn: turns a list of samples into a batch (default :func:`default_collate`); used for
            datasets that are not array-backed.

    Yields:
        Tuples of Tensors stacked along dimension 0, e.g. ``(xb, yb)``.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: np.random.Generator | None = None,
        seed: int | None = None,
        *,
        collate_fn: Callable[[list], Any] | None = None,
    ) -> None:
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size!r}")
        if generator is not None and seed is not None:
            raise ValueError("pass either generator or seed, not both")
        if generator is not None and not isinstance(generator, np.random.Generator):
            raise ValueError(f"generator must be a numpy Generator, got {type(generator).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = _generator(seed) if seed is not None else generator
        self.collate_fn = collate_fn

    def __len__(self) -> int:
        """Batches per epoch: ``ceil(n / batch_size)``, or ``floor`` with ``drop_last``."""
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator:
        n = len(self.dataset)
        order = (self.generator or get_generator()).permutation(n) if self.shuffle else None
        stop = n - n % self.batch_size if self.drop_last else n
        arrays, rows = _array_source(self.dataset) if self.collate_fn is None else (None, None)
        if arrays is None:
            return self._collated(order, stop)
        if rows is not None:
            order = rows if order is None else rows[order]
        return self._sliced(arrays, order, stop)

    def _sliced(self, arrays: tuple, order: np.ndarray | None, stop: int) -> Iterator[tuple]:
        wrap, size = Tensor._wrap, self.batch_size
        for start in range(0, stop, size):
            if order is None:
                yield tuple(wrap(a[start:start + size]) for a in arrays)
            else:
                batch = order[start:start + size]
                yield tuple(wrap(np.take(a, batch, axis=0)) for a in arrays)  # take: faster than a[batch]

    def _collated(self, order: np.ndarray | None, stop: int) -> Iterator:
        collate = self.collate_fn or default_collate
        positions = np.arange(stop) if order is None else order[:stop]
        for start in range(0, stop, self.batch_size):
            yield collate([self.dataset[int(i)] for i in positions[start:start + self.batch_size]])

    def __repr__(self) -> str:
        return (f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, batch_size={self.batch_size}, "
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
            raise ValueError(f"The {name} = {size} should be greater or equal to the number of classes = {len(classes)}")
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
