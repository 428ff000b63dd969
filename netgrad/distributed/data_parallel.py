"""What training does differently on several processes: the pieces the Trainer (and so Keras ``fit`` and the
estimators) uses while a process group of more than one rank is open.

- :func:`enabled`: whether to train data-parallel (a group is open, or ``distributed=True`` opens one);
- :class:`ShardedBatches`: every rank walks the same global batches in the same order and takes its part;
- :func:`epoch_results`: the epoch's loss and outputs combined over the ranks, so every rank logs the same
  figures (the loss as a sample-weighted mean, the metrics on all ranks' outputs);
- :func:`is_main_process`: rank 0, the one that prints and writes files.

The model itself is wrapped in :class:`netgrad.nn.parallel.DistributedDataParallel`.
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from ..data.loader import DataLoader, _array_source, default_collate
from ..data.sampler import BatchSampler, RandomSampler, SequentialSampler
from ..engine.tensor import Tensor
from ..random import get_generator
from . import process_group
from .process_group import _get_group


def enabled(distributed: bool | None = None) -> bool:
    """Train data-parallel? ``None``: when a group of more than one rank is open; ``True``: open one if needed
    (``init_process_group('mpi')``); ``False``: never."""
    if distributed is False:
        return False
    if distributed and not process_group.is_initialized():
        process_group.init_process_group("mpi")
    return process_group.is_initialized() and process_group.get_world_size() > 1


def is_main_process() -> bool:
    """True on rank 0, and when no group is open: where progress is printed and files are written."""
    return not process_group.is_initialized() or process_group.get_rank() == 0


class ShardedBatches:
    """The batches of ``loader`` split across the ranks: rank r gets the r-th of ``world`` near-equal parts of
    every global batch of ``loader.batch_size`` samples.

    The shuffle order comes from a seed that rank 0 draws from its generator and sends to all, so every rank
    cuts the same global batches. A global batch with fewer samples than ranks (a short last batch) is
    skipped, since every rank must take part in every step."""

    def __init__(self, loader: DataLoader) -> None:
        if not isinstance(loader, DataLoader):
            raise TypeError(f"data-parallel training needs arrays, a Dataset or a netgrad DataLoader to share out, "
                            f"got {type(loader).__name__}")
        sampler, batches = getattr(loader, "sampler", None), getattr(loader, "batch_sampler", None)
        if type(sampler) not in (SequentialSampler, RandomSampler, type(None)) or loader.batch_size is None or \
                (batches is not None and type(batches) is not BatchSampler):
            raise ValueError(f"data-parallel training shares out a DataLoader's batches by itself: give it one with "
                             f"batch_size and shuffle, not {type(sampler).__name__} / {type(batches).__name__} (for a "
                             "sampler of your own, use DistributedSampler in your own loop)")
        group = _get_group()
        self.loader = loader
        self.rank, self.world = group.rank, group.size
        seed = np.zeros(1, np.int64)
        if loader.shuffle and group.rank == 0:
            generator = loader.generator if isinstance(loader.generator, np.random.Generator) else get_generator()
            seed[0] = generator.integers(2**62)
        group.comm.Bcast(seed, root=0)
        self.generator = np.random.default_rng(int(seed[0]))

    def _global_batches(self) -> Iterator[np.ndarray]:
        loader = self.loader
        n, size = len(loader.dataset), loader.batch_size
        order = self.generator.permutation(n) if loader.shuffle else np.arange(n)
        stop = n - n % size if loader.drop_last else n
        for start in range(0, stop, size):
            rows = order[start:min(start + size, stop)]
            if len(rows) >= self.world:
                yield rows

    def __len__(self) -> int:
        n, size = len(self.loader.dataset), self.loader.batch_size
        full, rest = divmod(n, size)
        return full + (0 < rest and not self.loader.drop_last and rest >= self.world)

    def __iter__(self) -> Iterator:
        dataset = self.loader.dataset
        collate = self.loader.collate_fn or default_collate
        arrays, positions = _array_source(dataset) if collate is default_collate else (None, None)
        for rows in self._global_batches():
            part = np.array_split(rows, self.world)[self.rank]
            if arrays is None:
                yield collate([dataset[int(i)] for i in part])
            else:
                part = part if positions is None else positions[part]
                yield tuple(Tensor._wrap(np.take(a, part, axis=0)) for a in arrays)


def epoch_results(total: float, seen: int, outputs: list, targets: list) -> tuple[float, list, list]:
    """The epoch's mean loss over every rank's samples, and every rank's outputs and targets (rank order)."""
    group = _get_group()
    sums = np.array([total, seen], np.float64)
    group.comm.Allreduce(group.MPI.IN_PLACE, sums, group.MPI.SUM)
    loss = sums[0] / sums[1] if sums[1] else float("nan")
    if not outputs:
        return float(loss), outputs, targets
    return float(loss), [_gather_rows(np.concatenate(outputs), group)], [_gather_rows(np.concatenate(targets), group)]


def _gather_rows(array: np.ndarray, group: Any) -> np.ndarray:
    """Every rank's rows of ``array`` (same trailing shape and dtype everywhere), stacked in rank order."""
    array = np.ascontiguousarray(array)
    counts = np.zeros(group.size, np.int64)
    group.comm.Allgather(np.array([array.size], np.int64), counts)
    gathered = np.empty(int(counts.sum()), array.dtype)
    group.comm.Allgatherv(array.ravel(), [gathered, counts])
    return gathered.reshape((-1,) + array.shape[1:])


def average(value: Any) -> Any:
    """The mean over the ranks of a number or array (the same result on every rank)."""
    group = _get_group()
    array = np.array(value, np.float64)
    group.comm.Allreduce(group.MPI.IN_PLACE, array, group.MPI.SUM)
    array /= group.size
    return float(array) if array.ndim == 0 else array


__all__ = ["enabled", "is_main_process", "ShardedBatches", "epoch_results", "average"]
