"""``torch.utils.data.dataset``: the dataset classes (defined in :mod:`netgrad.data.loader`)."""
from netgrad.data.loader import (
                                 ChainDataset,
                                 ConcatDataset,
                                 Dataset,
                                 IterableDataset,
                                 Subset,
                                 TensorDataset,
                                 random_split,
)

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "ChainDataset", "Subset", "random_split"]
