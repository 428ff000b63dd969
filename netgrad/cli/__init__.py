"""The ``netgrad`` command: the main job (``demo``), and ``train`` / ``evaluate`` / ``predict`` on any data.

::

    netgrad demo              # 784-300-100-10 on Fashion-MNIST if installed, else 64-300-100-10 on digits
    netgrad train --data iris --hidden 16 --epochs 50 --save iris.netgrad
    netgrad train --data houses.csv --target price --save houses.netgrad
    netgrad evaluate --model iris.netgrad --data iris
    netgrad predict --model houses.netgrad --input new_houses.csv --output predictions.csv
    netgrad playground        # the browser playground (needs the 'web' extra)

Every model trains through :class:`netgrad.training.Trainer`. Bad arguments and unusable inputs end with
one line, ``netgrad: error: ...``, and exit status 2.

Files: ``parser`` (options and :func:`main`), ``commands`` (train, evaluate, predict, playground), ``demo``,
``datasets`` (built-in sets and CSV files), ``training`` (scaling, the Trainer run, scores),
``model_file`` (the ``.netgrad`` format), ``errors``.
"""
from netgrad.nn.mlp import build_mlp

from .datasets import BUILTIN_DATASETS, Data, load_builtin, load_csv, load_data
from .errors import CLIError
from .model_file import SavedModel, load_model, save_model
from .parser import build_parser, main
from .training import format_confusion_matrix

__all__ = ["main", "build_parser", "build_mlp", "save_model", "load_model", "SavedModel", "CLIError", "Data",
           "BUILTIN_DATASETS", "load_builtin", "load_csv", "load_data", "format_confusion_matrix"]
