"""``torch.utils.data.dataloader``: the DataLoader and its collate functions (defined in
:mod:`netgrad.data.loader`)."""
from netgrad.data.loader import DataLoader, default_collate, default_convert, get_worker_info

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]
