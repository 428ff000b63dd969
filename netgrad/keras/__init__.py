"""The Keras face of netgrad: Keras 3's names, arguments, defaults and behaviour on netgrad's engine.

    >>> from netgrad import keras
    >>> from netgrad.keras import layers
    >>> model = keras.Sequential([keras.Input((64,)), layers.Dense(64, activation="relu"),
    ...                           layers.Dense(10, activation="softmax")])
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    >>> history = model.fit(X_train, y_train, epochs=20, validation_split=0.1)
    >>> model.summary()                  # Total params: 4,810

Layers are ``netgrad.nn.Module`` subclasses and training runs through ``netgrad.training.Trainer``, the one
training loop every face of netgrad uses. Keras's conventions hold inside this face (a Dense kernel has
shape ``(input_dim, units)``); PyTorch's everywhere else.
"""
from . import (
               activations,
               backend,
               callbacks,
               initializers,
               layers,
               losses,
               metrics,
               models,
               ops,
               optimizers,
               random,
               regularizers,
               saving,
               utils,
)
from .backend import device
from .layers import Input, InputLayer, KerasTensor, Layer
from .models import Model, Sequential
from .saving import load_model

__all__ = [
    "Input", "InputLayer", "KerasTensor", "Layer", "Model", "Sequential", "activations", "backend", "callbacks",
    "device", "initializers", "layers", "load_model", "losses", "metrics", "models", "ops", "optimizers", "random",
    "regularizers", "saving", "utils",
]
