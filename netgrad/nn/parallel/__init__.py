"""Data-parallel training (PyTorch's ``torch.nn.parallel``): ``DistributedDataParallel`` on MPI."""
from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
