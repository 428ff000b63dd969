"""``torch.utils.data`` under its PyTorch name: datasets, samplers and the DataLoader.

These are the very classes of :mod:`netgrad.data` (one implementation, one loader): a PyTorch script's
``from torch.utils.data import DataLoader, TensorDataset`` and netgrad's Trainer use the same code.
"""
from netgrad.data.loader import (
                                 ChainDataset,
                                 ConcatDataset,
                                 DataLoader,
                                 Dataset,
                                 IterableDataset,
                                 Subset,
                                 TensorDataset,
                                 default_collate,
                                 default_convert,
                                 get_worker_info,
                                 random_split,
)
from netgrad.data.sampler import (
                                 BatchSampler,
                                 RandomSampler,
                                 Sampler,
                                 SequentialSampler,
                                 SubsetRandomSampler,
                                 WeightedRandomSampler,
)

from .distributed import DistributedSampler

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "ChainDataset", "Subset", "DataLoader",
           "default_collate", "default_convert", "get_worker_info", "random_split", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler", "DistributedSampler"]
