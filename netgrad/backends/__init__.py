"""``torch.backends``: the probes and switches PyTorch scripts touch (``mps.is_available()``,
``cudnn.deterministic = True``); netgrad computes on the CPU with NumPy, deterministically."""
from . import cudnn, mps

__all__ = ["cudnn", "mps"]
