"""Keras's models, split by job.

======================  ======================================================================
file                    holds
======================  ======================================================================
``model.py``            ``Model``: layers, ``build`` of subclassed models, ``summary``, ``save``
``training.py``         ``compile`` / ``fit`` / ``evaluate`` / ``predict`` through the one ``Trainer``
``compile_utils.py``    what compile sets up for the Trainer: loss, metrics, batch logs, penalties
``sequential.py``       ``Sequential``
``functional.py``       ``Functional`` (``Model(inputs, outputs)``)
``summary.py``          the text of ``model.summary()``
======================  ======================================================================
"""
from ..saving import load_model, model_from_json, save_model  # keras.models.load_model and friends
from .functional import Functional
from .model import Model
from .sequential import Sequential

__all__ = ["Functional", "Model", "Sequential", "load_model", "model_from_json", "save_model"]
