"""Utilities with PyTorch's ``torch.utils`` names (``netgrad.utils.data``)."""
