"""Neural-network building blocks with PyTorch's API: ``import netgrad.nn as nn``.

Modules (``Module``, ``Parameter``, ``Sequential``, ``ModuleList``, ``ModuleDict``), layers (``Linear``,
``Flatten``, ``Dropout``, ``BatchNorm1d``, ``LayerNorm``, ``Identity``), convolution and pooling layers
(``Conv1d``, ``Conv2d``, ``MaxPool1d/2d``, ``AvgPool1d/2d``, ``AdaptiveAvgPool2d``, ``BatchNorm2d``,
``Dropout2d``), every activation and loss as a
module, the stateless ``functional`` API, ``init`` (weight initialisers) and ``utils`` (gradient clipping,
parameter counts, L1 / L2 penalties).

    >>> model = nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
    ...                       nn.Linear(100, 10))
    >>> nn.utils.count_parameters(model)
    266610
"""
from . import functional, init, parallel, utils
from .activations import (
                          ELU,
                          GELU,
                          SELU,
                          Hardtanh,
                          LeakyReLU,
                          LogSigmoid,
                          LogSoftmax,
                          Mish,
                          PReLU,
                          ReLU,
                          ReLU6,
                          RReLU,
                          Sigmoid,
                          SiLU,
                          Softmax,
                          Softplus,
                          Step,
                          Tanh,
)
from .container import ModuleDict, ModuleList, Sequential
from .conv import Conv1d, Conv2d
from .layers import BatchNorm1d, BatchNorm2d, Dropout, Dropout2d, Flatten, Identity, LayerNorm, Linear
from .losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss
from .module import Module, Parameter
from .pooling import AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d

__all__ = [
    "functional", "init", "parallel", "utils",
    "Module", "Parameter", "Sequential", "ModuleList", "ModuleDict",
    "Linear", "Identity", "Flatten", "Dropout", "BatchNorm1d", "LayerNorm",
    "Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool2d", "BatchNorm2d",
    "Dropout2d",
    "Step", "Sigmoid", "LogSigmoid", "Tanh", "Hardtanh", "ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "ELU",
    "SELU", "GELU", "SiLU", "Mish", "Softplus", "Softmax", "LogSoftmax",
    "MSELoss", "L1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss",
]
