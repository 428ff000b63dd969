"""``torch.utils.data.sampler``: the samplers (defined in :mod:`netgrad.data.sampler`)."""
from netgrad.data.sampler import (
                                  BatchSampler,
                                  RandomSampler,
                                  Sampler,
                                  SequentialSampler,
                                  SubsetRandomSampler,
                                  WeightedRandomSampler,
)

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler"]
