"""Optimizers and learning-rate schedules with PyTorch's API (``torch.optim``).

>>> optimizer = netgrad.optim.Adam(model.parameters(), lr=1e-3)
>>> scheduler = netgrad.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
>>> for epoch in range(30):
...     for x, y in loader:
...         optimizer.zero_grad()
...         loss_fn(model(x), y).backward()
...         optimizer.step()
...     scheduler.step()
"""
from . import lr_scheduler
from .optimizer import Optimizer
from .optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RMSprop

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam", "lr_scheduler"]
