"""``keras.ops``: Keras 3's backend-independent ops namespace, on netgrad's engine.

``from netgrad.keras import ops`` (or ``from netgrad import keras; keras.ops``) gives the ops the Keras guides
use in custom layers, losses and metrics: ``core.py`` (``convert_to_tensor``, ``cast``, ``shape``, ...),
``numpy.py`` (creation, arithmetic, reductions, comparisons, ``matmul``, shapes) and ``nn.py``
(activations, ``softmax``, ``one_hot``, cross-entropies). Each op calls the engine's Tensor methods, so
gradients flow through them.
"""
from .core import *  # noqa: F403
from .core import __all__ as _core
from .nn import *  # noqa: F403
from .nn import __all__ as _nn
from .numpy import *  # noqa: F403
from .numpy import __all__ as _numpy

__all__ = [*_core, *_nn, *_numpy]
