"""``DistributedSampler``: each rank's share of a dataset's indices, split exactly as PyTorch splits them.

With ``n`` samples and ``R`` replicas every rank gets ``ceil(n / R)`` indices: the (shuffled) index list is
padded by repeating its start until its length is a multiple of ``R`` (or, with ``drop_last``, cut down
to ``R * floor(n / R)``), and rank ``r`` takes every ``R``-th index from position ``r``::

    n = 10, R = 4:  [0 1 2 3 4 5 6 7 8 9 0 1]  ->  rank 0: 0 4 8   rank 1: 1 5 9   rank 2: 2 6 0   rank 3: 3 7 1

The shuffle order depends only on ``seed + epoch``, so every rank draws the same permutation: call
``set_epoch(epoch)`` before each epoch for a new order (netgrad's generator, so the permutation itself
differs from PyTorch's; the split rules are the same).
"""
from __future__ import annotations

import math
from typing import Any, Iterator

import numpy as np

from ... import distributed
from ...data.sampler import Sampler


class DistributedSampler(Sampler):
    """The indices of ``dataset`` that rank ``rank`` of ``num_replicas`` processes trains on this epoch.

    Args:
        dataset: anything with ``len()``.
        num_replicas: number of processes (default: the process group's world size).
        rank: this process's rank (default: the process group's rank).
        shuffle: draw a new permutation each epoch (from ``seed + epoch``).
        seed: the same on every rank.
        drop_last: drop the tail so that every rank gets ``floor(n / num_replicas)`` distinct samples
            instead of padding with repeated ones.
    """

    def __init__(self, dataset: Any, num_replicas: int | None = None, rank: int | None = None, shuffle: bool = True,
                 seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            if not distributed.is_initialized():
                raise RuntimeError("Requires distributed package to be available: call "
                                   "netgrad.distributed.init_process_group('mpi') first, or pass num_replicas and rank")
            num_replicas = distributed.get_world_size() if num_replicas is None else num_replicas
            rank = distributed.get_rank() if rank is None else rank
        if not isinstance(num_replicas, (int, np.integer)) or num_replicas < 1:
            raise ValueError(f"num_replicas should be a positive integer, got {num_replicas!r}")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = int(num_replicas)
        self.rank = int(rank)
        self.epoch = 0
        self.drop_last = bool(drop_last)
        n = len(dataset)
        if self.drop_last and n % self.num_replicas != 0:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = bool(shuffle)
        self.seed = int(seed)

    def indices(self) -> np.ndarray:
        """This rank's indices for the current epoch, as an int64 array."""
        n = len(self.dataset)
        if self.shuffle:
            order = np.random.Generator(np.random.PCG64(self.seed + self.epoch)).permutation(n)
        else:
            order = np.arange(n, dtype=np.int64)
        if self.drop_last:
            order = order[:self.total_size]
        elif self.total_size > n:
            order = np.resize(order, self.total_size)  # repeats the list from its start as often as needed
        return order[self.rank:self.total_size:self.num_replicas]

    _indices = indices  # what the DataLoader reads for a whole epoch at once

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices().tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch that (with ``seed``) picks this epoch's shuffle order; the same on every rank."""
        self.epoch = epoch
