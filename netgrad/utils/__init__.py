"""Utilities with PyTorch's ``torch.utils`` names: ``netgrad.utils.data`` is ``torch.utils.data``."""
from netgrad.utils import data

__all__ = ["data"]
