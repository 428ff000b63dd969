"""PyTorch's ``torch.utils`` path: ``netgrad.utils.data`` is ``torch.utils.data``."""
from netgrad.utils import data

__all__ = ["data"]
