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
``convolutional.py``   ``Conv1D``, ``Conv2D``
``pooling.py``         ``MaxPooling1D/2D``, ``AveragePooling1D/2D``, ``GlobalAveragePooling1D/2D``,
                       ``GlobalMaxPooling1D/2D``
``normalization.py``   ``BatchNormalization``
``preprocessing.py``   ``Normalization``, ``Rescaling``
``serialization.py``   ``serialize`` / ``deserialize`` of every layer and model
=====================  ==============================================================================

A new family is a new file whose classes subclass :class:`Layer`, plus its import line below: saving and
loading find every public ``Layer`` subclass of netgrad.keras by its class name.
"""
from ..keras_tensor import KerasTensor
from .convolutional import Conv1D, Conv2D
from .core import Activation, Dense, Input, InputLayer
from .layer import Layer
from .merging import (
                      Add,
                      Average,
                      Concatenate,
                      Maximum,
                      Minimum,
                      Multiply,
                      Subtract,
                      add,
                      average,
                      concatenate,
                      maximum,
                      minimum,
                      multiply,
                      subtract,
)
from .normalization import BatchNormalization
from .pooling import (
                      AveragePooling1D,
                      AveragePooling2D,
                      GlobalAveragePooling1D,
                      GlobalAveragePooling2D,
                      GlobalMaxPooling1D,
                      GlobalMaxPooling2D,
                      MaxPooling1D,
                      MaxPooling2D,
)
from .preprocessing import Normalization, Rescaling
from .regularization import Dropout
from .reshaping import Flatten, Reshape
from .serialization import deserialize, serialize

__all__ = [
    "Activation", "Add", "Average", "AveragePooling1D", "AveragePooling2D", "BatchNormalization", "Concatenate",
    "Conv1D", "Conv2D", "Dense", "Dropout", "Flatten", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
    "GlobalMaxPooling1D", "GlobalMaxPooling2D", "Input", "InputLayer", "KerasTensor", "Layer", "MaxPooling1D",
    "MaxPooling2D", "Maximum", "Minimum", "Multiply", "Normalization", "Rescaling", "Reshape", "Subtract", "add",
    "average", "concatenate", "deserialize", "maximum", "minimum", "multiply", "serialize", "subtract",
]
