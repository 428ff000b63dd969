"""Export a playground configuration as a runnable Python script.

:func:`export_script` writes a self-contained script that rebuilds the page's data, input features and
network and trains them, with ``netgrad.nn`` and the :class:`netgrad.training.Trainer` (``api="nn"``) or
with ``netgrad.keras`` (``api="keras"``). The ``nn`` script draws every random number exactly as the
playground does (data, split, initial weights and shuffling all come from the seed), so after ``N``
epochs it prints the losses the page showed at epoch ``N``, as long as no setting was changed while
training. Uploaded points are written into the script, so it needs nothing but netgrad.

Example:
    >>> from netgrad.playground.export import export_script
    >>> from netgrad.playground.session import PlaygroundConfig
    >>> source = export_script(PlaygroundConfig(hidden=(4,)), epochs=50)
    >>> compile(source, "playground.py", "exec") is not None
    True
"""
from __future__ import annotations

import numpy as np

from netgrad.nn.names import ACTIVATIONS as ACTIVATION_MODULES
from netgrad.optim.names import KERAS_NAMES, OPTIMIZERS as OPTIMIZER_CLASSES, PRESETS

from .config import DATASETS, UPLOAD, PlaygroundConfig, held_out_count
from .uploads import UploadedData, class_targets, numeric_targets

__all__ = ["export_script", "APIS"]

APIS = ("nn", "keras")


def _keywords(extra: dict) -> str:
    return "".join(f", {key}={value!r}" for key, value in extra.items())


def _float32_list(values: np.ndarray) -> str:
    """Shortest text that reads back as the same float32 values."""
    return ", ".join(np.format_float_positional(np.float32(v), unique=True, trim="-") for v in values)


def _uploaded_arrays(config: PlaygroundConfig, uploaded: UploadedData) -> tuple[str, str]:
    """Source lines defining X (the points) and y (targets as the playground trains on them)."""
    rows = ",\n    ".join(f"[{_float32_list(row)}]" for row in uploaded.X)
    if config.problem == "classification":
        y, classes = class_targets(uploaded.labels)
        lines = [f"CLASSES = {classes!r}  # the CSV's labels; y holds their indices",
                 f"X = np.array([\n    {rows},\n], dtype=np.float32)",
                 f"y = np.array([{', '.join(str(int(v)) for v in y)}], dtype=np.int64)"]
        description = f"uploaded points ({len(y)}, {len(classes)} classes)"
    else:
        y = numeric_targets(uploaded.labels)
        lines = [f"X = np.array([\n    {rows},\n], dtype=np.float32)",
                 f"y = np.array([{_float32_list(y)}], dtype=np.float32)"]
        description = f"uploaded points ({len(y)}, regression)"
    return "\n".join(lines), description


def _summary(config: PlaygroundConfig, data_description: str) -> str:
    hidden = ", ".join(map(str, config.hidden)) if config.hidden else "none"
    return (f"{data_description}; features {', '.join(config.features)}; hidden layers {hidden} ({config.activation}); "
            f"{config.optimizer}, learning rate {config.learning_rate:g}, batch size {config.batch_size}"
            + (f"; {config.regularization.upper()} {config.regularization_rate:g}"
               if config.regularization != "none" and config.regularization_rate else ""))


def export_script(config: PlaygroundConfig, *, api: str = "nn", epochs: int = 100,
                  uploaded: "UploadedData | None" = None) -> str:
    """Python source that rebuilds and trains the network of ``config``.

    Args:
        config: the playground configuration.
        api: ``"nn"`` (``netgrad.nn`` + ``Trainer``) or ``"keras"`` (``netgrad.keras``).
        epochs: the script's default number of epochs (its ``--epochs`` option overrides it).
        uploaded: the uploaded points, required when ``config.dataset`` is ``"upload"``.

    Returns:
        The script's text. It accepts ``--epochs N`` and ``--save PATH``; the ``nn`` script also
        ``--weights PATH`` to start from a model file downloaded from the playground.
    """
    if api not in APIS:
        raise ValueError(f"api must be one of {', '.join(map(repr, APIS))}; got {api!r}")
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
        raise ValueError(f"epochs must be a positive int; got {epochs!r}")
    if config.dataset == UPLOAD:
        if uploaded is None:
            raise ValueError("the configuration trains on uploaded data: pass it as uploaded=")
        data_source, description = _uploaded_arrays(config, uploaded)
        n_samples = len(uploaded.labels)
        n_classes = len(class_targets(uploaded.labels)[1]) if config.problem == "classification" else 0
        data_imports, data_function = [], '''def load_data():
    """The points uploaded to the playground."""
    return X, y'''
    else:
        dataset = DATASETS[config.dataset]
        generator, problem, n_samples, label = (dataset.generator.__name__, dataset.problem, dataset.n_samples,
                                                dataset.label)
        description = f"{label.lower()} data, {n_samples} points, noise {config.noise} %"
        data_source = ""
        data_imports = [generator]
        n_classes = 2 if problem == "classification" else 0
        data_function = f'''def load_data():
    """The playground's {label.lower()} data: {n_samples} points, noise {config.noise} %."""
    return {generator}({n_samples}, noise={config.noise / 100!r}, seed=SEED)'''
    context = {
        "summary": _summary(config, description),
        "config": config,
        "n_test": held_out_count(n_samples, config.train_ratio),
        "n_classes": n_classes,
        "data_imports": data_imports,
        "data_source": data_source,
        "data_function": data_function,
        "epochs": epochs,
    }
    return _nn_script(**context) if api == "nn" else _keras_script(**context)


def _header(summary: str, api_line: str, options: str) -> str:
    return f'''#!/usr/bin/env python3
"""A network from the netgrad playground, trained with {api_line}.

{summary}.

Run:  python this_script.py {options}
"""'''


def _prepare_data(config: PlaygroundConfig, n_test: int) -> str:
    return f'''    X, y = load_data()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size={n_test}, random_state=SEED)
    inputs_train = playground_features(X_train, FEATURES)
    inputs_test = playground_features(X_test, FEATURES)'''


def _nn_script(summary: str, config: PlaygroundConfig, n_test: int, n_classes: int, data_imports: list[str],
               data_source: str, data_function: str, epochs: int) -> str:
    widths = [len(config.features), *config.hidden]
    n_outputs = n_classes if n_classes > 2 else 1
    activation = ACTIVATION_MODULES[config.activation].__name__
    layers = [f"nn.Linear({a}, {b}), nn.{activation}()," for a, b in zip(widths, widths[1:])]
    layers.append(f"nn.Linear({widths[-1]}, {n_outputs}),")
    if config.problem == "regression":
        loss, targets = "nn.MSELoss()", "y_train.reshape(-1, 1), y_test.reshape(-1, 1)  # MSELoss compares columns"
        output_note = "one linear output"
    elif n_classes > 2:
        loss, targets = "nn.CrossEntropyLoss()", "y_train, y_test  # class indices for CrossEntropyLoss"
        output_note = f"{n_classes} outputs, softmax inside CrossEntropyLoss"
    else:
        loss = "nn.BCEWithLogitsLoss()"
        targets = ("y_train.astype(np.float32).reshape(-1, 1), y_test.astype(np.float32).reshape(-1, 1)"
                   "  # a column of 0/1")
        output_note = "one output, sigmoid inside BCEWithLogitsLoss"
    base, extra = PRESETS[config.optimizer]
    class_name = OPTIMIZER_CLASSES[base].__name__
    if config.regularization != "none" and config.regularization_rate:
        penalty_function = f'''

def penalty(model):
    """{config.regularization.upper()} penalty on the weights (not the biases), added to the loss."""
    return nn.utils.{config.regularization}_penalty(model, {config.regularization_rate!r})
'''
        penalty_argument = ", penalty=penalty"
    else:
        penalty_function, penalty_argument = "", ""
    imports = ", ".join(["DataLoader", "TensorDataset", *data_imports, "playground_features", "train_test_split"])
    layer_lines = "\n        ".join(layers)
    source = f'''{_header(summary, "netgrad.nn and netgrad.training.Trainer",
                          "[--epochs N] [--weights model.netgrad] [--save trained.netgrad]")}
import argparse

import numpy as np

import netgrad
import netgrad.io
from netgrad import nn, optim
from netgrad.data import {imports}
from netgrad.training import Trainer

SEED = {config.seed}  # data, split, initial weights and shuffling all come from it, as in the playground
FEATURES = {list(config.features)!r}
EPOCHS = {epochs}
{data_source}

{data_function}


def build_model():
    """{len(config.hidden)} hidden layer(s) of {config.activation}, {output_note}."""
    netgrad.manual_seed(SEED)  # the playground's initial weights
    return nn.Sequential(
        {layer_lines}
    )
{penalty_function}

def main(argv=None):
    parser = argparse.ArgumentParser(description="Train the network built in the netgrad playground.")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="epochs to train (default %(default)s)")
    parser.add_argument("--weights", help="start from a model file downloaded from the playground")
    parser.add_argument("--save", help="write the trained model to this file")
    args = parser.parse_args(argv)

{_prepare_data(config, n_test)}
    targets_train, targets_test = {targets}

    model = build_model()
    if args.weights:
        model.load_state_dict(netgrad.io.load(args.weights)["state_dict"])
    loss = {loss}
    optimizer = optim.{class_name}(model.parameters(), lr={config.learning_rate!r}{_keywords(extra)})
    trainer = Trainer(model, loss, optimizer{penalty_argument})
    loader = DataLoader(TensorDataset(inputs_train, targets_train), batch_size={config.batch_size}, shuffle=True,
                        seed=SEED)
    trainer.fit(loader, epochs=args.epochs, verbose=0)

    with netgrad.no_grad():  # the losses the playground shows: the data's loss, without the penalty
        train_loss = loss(model(netgrad.from_numpy(inputs_train)), netgrad.from_numpy(targets_train)).item()
        test_loss = loss(model(netgrad.from_numpy(inputs_test)), netgrad.from_numpy(targets_test)).item()
    print(f"epoch {{args.epochs}}: training loss {{train_loss:.6f}}, test loss {{test_loss:.6f}}")
    if args.save:
        netgrad.io.save({{"state_dict": model.state_dict()}}, args.save)
        print(f"saved the model to {{args.save}}")


if __name__ == "__main__":
    main()
'''
    return _tidy(source)


def _keras_script(summary: str, config: PlaygroundConfig, n_test: int, n_classes: int, data_imports: list[str],
                  data_source: str, data_function: str, epochs: int) -> str:
    if config.regularization != "none" and config.regularization_rate:
        regularizer = (f', kernel_regularizer=keras.regularizers.{config.regularization.upper()}'
                       f'({config.regularization_rate!r})')
    else:
        regularizer = ""
    activation = config.activation
    layers = [f"keras.Input(shape=({len(config.features)},)),"]
    layers += [f'keras.layers.Dense({width}, activation="{activation}"{regularizer}),' for width in config.hidden]
    if config.problem == "regression":
        layers.append(f"keras.layers.Dense(1{regularizer}),")
        loss, targets = '"mean_squared_error"', "y_train.reshape(-1, 1), y_test.reshape(-1, 1)"
    elif n_classes > 2:
        layers.append(f'keras.layers.Dense({n_classes}, activation="softmax"{regularizer}),')
        loss, targets = '"sparse_categorical_crossentropy"', "y_train, y_test  # class indices"
    else:
        layers.append(f'keras.layers.Dense(1, activation="sigmoid"{regularizer}),')
        loss = '"binary_crossentropy"'
        targets = "y_train.astype(np.float32).reshape(-1, 1), y_test.astype(np.float32).reshape(-1, 1)"
    base, extra = PRESETS[config.optimizer]
    class_name = KERAS_NAMES[base]
    imports = ", ".join([*data_imports, "playground_features", "train_test_split"])
    layer_lines = "\n        ".join(layers)
    source = f'''{_header(summary, "netgrad.keras", "[--epochs N] [--save trained.netgrad]")}
import argparse

import numpy as np

import netgrad
from netgrad import keras
from netgrad.data import {imports}

SEED = {config.seed}
FEATURES = {list(config.features)!r}
EPOCHS = {epochs}
{data_source}

{data_function}


def build_model():
    netgrad.manual_seed(SEED)
    model = keras.Sequential([
        {layer_lines}
    ])
    model.compile(optimizer=keras.optimizers.{class_name}(learning_rate={config.learning_rate!r}{_keywords(extra)}),
                  loss={loss})
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train the network built in the netgrad playground.")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="epochs to train (default %(default)s)")
    parser.add_argument("--save", help="write the trained model to this file")
    args = parser.parse_args(argv)

{_prepare_data(config, n_test)}
    targets_train, targets_test = {targets}

    model = build_model()
    history = model.fit(inputs_train, targets_train, batch_size={config.batch_size}, epochs=args.epochs,
                        validation_data=(inputs_test, targets_test), verbose=0)
    train_loss = model.evaluate(inputs_train, targets_train, verbose=0)
    test_loss = model.evaluate(inputs_test, targets_test, verbose=0)
    print(f"epoch {{len(history.epoch)}}: training loss {{float(train_loss):.6f}}, test loss {{float(test_loss):.6f}}")
    if args.save:
        model.save(args.save)
        print(f"saved the model to {{args.save}}")


if __name__ == "__main__":
    main()
'''
    return _tidy(source)


def _tidy(source: str) -> str:
    """Collapse the blank lines an empty template part leaves (at most two in a row)."""
    lines, blanks = [], 0
    for line in source.splitlines():
        blanks = blanks + 1 if not line.strip() else 0
        if blanks <= 2:
            lines.append(line.rstrip())
    return "\n".join(lines).rstrip() + "\n"
