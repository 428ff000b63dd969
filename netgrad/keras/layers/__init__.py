"""Keras's layers, one family per file, as in Keras 3.

=====================  ==============================================================================
file                   layers
=====================  ==============================================================================
``layer.py``           ``Layer``: the ``build`` / ``call`` contract, weights, losses, configuration
``core.py``            ``Input`` / ``InputLayer``, ``Dense``, ``Activation``
``regularization.py``  ``Dropout``
``reshaping.py``       ``Flatten``, ``Reshape``
``merging.py``         ``Concatenate``, ``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``,
                       ``Minimum`` and ``concatenate``, ``add``, ... (a list of inputs)
``normalization.py``   ``BatchNormalization``
``preprocessing.py``   ``Normalization``, ``Rescaling``
``serialization.py``   ``serialize`` / ``deserialize`` of every layer and model
=====================  ==============================================================================

A new family is a new file whose classes subclass :class:`Layer`, plus its import line below: saving and
loading find every public ``Layer`` subclass of netgrad.keras by its class name.
"""
from ..keras_tensor import KerasTensor
from .core import Activation, Dense, Input, InputLayer
from .layer import Layer
from .merging import (Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, add, average, concatenate,
                      maximum, minimum, multiply, subtract)
from .normalization import BatchNormalization
from .preprocessing import Normalization, Rescaling
from .regularization import Dropout
from .reshaping import Flatten, Reshape
from .serialization import deserialize, serialize

__all__ = [
    "Activation", "Add", "Average", "BatchNormalization", "Concatenate", "Dense", "Dropout", "Flatten", "Input",
    "InputLayer", "KerasTensor", "Layer", "Maximum", "Minimum", "Multiply", "Normalization", "Rescaling", "Reshape",
    "Subtract", "add", "average", "concatenate", "deserialize", "maximum", "minimum", "multiply", "serialize",
    "subtract",
]
