"""The ``netgrad`` commands that work on any data: ``train``, ``evaluate``, ``predict`` and ``playground``."""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import sys
import tempfile
import time
from typing import Any, Sequence

import numpy as np

import netgrad
from netgrad.data.csv_files import read_csv
from netgrad.engine.device import choose_device

from .datasets import BUILTIN_DATASETS, Data, load_data
from .errors import CLIError
from .model_file import SavedModel, load_model, save_model
from .training import fit, prepare, print_confusion, print_scores, scores

__all__ = ["cmd_train", "cmd_evaluate", "cmd_predict", "cmd_playground", "check_writable_file",
           "check_writable_folder", "MIN_UPDATES", "default_epochs"]

#: With no --epochs, training runs 20 epochs, or more on small data so that it makes at least this many
#: updates (the 2-D toy sets have 320 training points: 5 batches an epoch).
MIN_UPDATES = 2000


def default_epochs(n_train: int, batch_size: int) -> int:
    """20 epochs, or as many as make :data:`MIN_UPDATES` updates of ``batch_size`` samples."""
    steps = -(-n_train // batch_size)
    return max(20, -(-MIN_UPDATES // steps))


def check_writable_file(path: str, option: str) -> None:
    """Refuse, before any training, a ``path`` that cannot be written (no such folder, not writable, a folder)."""
    if os.path.isdir(path):
        raise CLIError(f"{option} {path} is a folder; give a file name such as {os.path.join(path, 'model.netgrad')}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CLIError(f"{option} {path}: the folder {folder} does not exist; create it first")
    _check_folder_writable(folder, f"{option} {path}")


def check_writable_folder(path: str, option: str) -> None:
    """Refuse, before any training, a folder that cannot be created or written."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise CLIError(f"{option} {path} is a file, not a folder")
    existing = os.path.abspath(path)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise CLIError(f"{option} {path}: {existing} is a file, so the folder cannot be created")
    _check_folder_writable(existing, f"{option} {path}")


def _check_folder_writable(folder: str, what: str) -> None:
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise CLIError(f"{what}: cannot write in {folder} ({error.strerror or error})") from None


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def training_device(args: argparse.Namespace) -> Any:
    """``--device`` checked before anything is loaded: a GPU that cannot be used is one line (CuPy or the GPU
    missing); the playground has no such option and always runs on the CPU."""
    device = choose_device(getattr(args, "device", "cpu"), "--device")
    if device is not None and device.type != "cpu":
        print(f"device: {device}")
    return device


def cmd_train(args: argparse.Namespace) -> int:
    device = training_device(args)
    if args.save:
        check_writable_file(args.save, "--save")
    if args.out:
        check_writable_folder(args.out, "--out")
    netgrad.manual_seed(args.seed)
    data = load_data(args.data, args.target, args.task, test_size=args.test_size, seed=args.seed)
    saved, X_train, y_train = prepare(data, args.hidden, args.activation, args.dropout, args.batch_norm)
    epochs = args.epochs or default_epochs(len(X_train), args.batch_size)
    shape = "-".join(str(n) for n in [saved.architecture["inputs"], *args.hidden, saved.architecture["outputs"]])
    n_test = 0 if data.X_test is None else len(data.X_test)
    kind = f"{len(data.class_names)} classes" if data.task == "classification" else f"target {data.target_name!r}"
    print(f"data: {data.name}, {data.task} ({kind}), {len(X_train)} training / {n_test} test samples")
    print(f"model: {shape} MLP, {args.activation}, {args.optimizer} lr={args.lr:g}, {epochs} epochs of "
          f"batch {args.batch_size}")
    start = time.perf_counter()
    history = fit(saved, data, X_train, y_train, optimizer=args.optimizer, lr=args.lr, momentum=args.momentum,
                  weight_decay=args.weight_decay, schedule=args.schedule, epochs=epochs,
                  batch_size=args.batch_size, verbose=0 if args.quiet else 1, label_smoothing=args.label_smoothing,
                  device=device)
    seconds = time.perf_counter() - start
    train_scores = scores(saved, data.X_train, data.y_train)
    print_scores(train_scores, "training")
    saved.info = {"data": data.name, "epochs": epochs, "optimizer": args.optimizer, "lr": args.lr,
                  "batch_size": args.batch_size, "seed": args.seed, "test_size": args.test_size,
                  "seconds": round(seconds, 2), "train": train_scores}
    if args.data not in BUILTIN_DATASETS:  # evaluate recognises the file and scores its held-out rows
        saved.info["data_sha256"] = _file_digest(args.data)
    if data.X_test is not None:
        test_scores = scores(saved, data.X_test, data.y_test)
        print_scores(test_scores, "test")
        saved.info["test"] = test_scores
    if args.save:
        save_model(saved, args.save)
        print(f"saved the model to {args.save}")
    if args.out:
        try:
            paths = _save_training_pictures(args.out, saved, data, history)
        except ImportError as err:
            print(f"pictures skipped: {err}")
        else:
            print("pictures: " + ", ".join(paths))
    return 0


def _save_training_pictures(out: str, saved: SavedModel, data: Data, history: Any) -> list[str]:
    """Curves, network diagram and (for 2-D classification) the decision boundary, saved under ``out``."""
    from netgrad import viz  # matplotlib is optional

    os.makedirs(out, exist_ok=True)
    paths = [os.path.join(out, "curves.png"), os.path.join(out, "network.png")]
    viz.plot_history(history, path=paths[0], title=f"{data.name}: training")
    viz.plot_network(saved.model, path=paths[1], input_names=saved.feature_names if len(saved.feature_names) <= 12
                     else None, output_names=saved.class_names or [saved.target_name])
    if saved.task == "classification" and len(saved.feature_names) == 2:
        paths.append(os.path.join(out, "decision_boundary.png"))
        X = np.concatenate([data.X_train] + ([data.X_test] if data.X_test is not None else []))
        y = np.concatenate([data.y_train] + ([data.y_test] if data.y_test is not None else []))
        viz.plot_decision_boundary(saved.predict_proba, X, y, path=paths[-1], title=f"{data.name}: decision boundary",
                                   feature_names=data.feature_names, class_names=data.class_names)
    import matplotlib.pyplot as plt

    plt.close("all")
    return paths


def _evaluation_data(args: argparse.Namespace, saved: SavedModel) -> tuple[np.ndarray, np.ndarray, str]:
    """(X, y, description): the held-out split the model was trained with when ``--data`` is its own
    training data, else every row of ``--data`` as given."""
    info = saved.info
    test_size, seed = float(info.get("test_size", 0.2)), int(info.get("seed", 0))
    if args.data in BUILTIN_DATASETS:
        if args.data != info.get("data"):
            print(f"note: the model was trained on {info.get('data')!r}; evaluating on {args.data!r}")
        # the same split as in training: evaluate on the part the model has not seen
        data = load_data(args.data, test_size=test_size, seed=seed)
        if data.X_test is not None and not args.all_rows:
            return data.X_test, data.y_test, "test"
        X = np.concatenate([data.X_train] + ([data.X_test] if data.X_test is not None else []))
        y = np.concatenate([data.y_train] + ([data.y_test] if data.y_test is not None else []))
        return X, y, f"{args.data}, every sample"
    same_file = info.get("data_sha256") is not None and os.path.isfile(args.data) and \
        _file_digest(args.data) == info["data_sha256"]
    held_out = same_file and test_size > 0 and not args.all_rows
    data = load_data(args.data, args.target or saved.target_name, saved.task, test_size=test_size if held_out else 0,
                     seed=seed)
    X, y = (data.X_test, data.y_test) if held_out else (data.X_train, data.y_train)
    name = os.path.basename(args.data)
    if held_out:
        where = f"test part of {name}"
        print(f"note: {name} is the model's training file: scoring the rows held out in training "
              f"(split seed {seed}, test size {test_size:g}); --all-rows scores every row")
    else:
        where = name
        print(f"note: {name} is scored as given, every row" +
              (" (including the rows the model was trained on)" if same_file else ""))
    missing = [feature for feature in saved.feature_names if feature not in data.feature_names]
    if missing:
        raise CLIError(f"{args.data} lacks the model's feature column(s) {', '.join(missing[:5])}")
    X = X[:, [data.feature_names.index(feature) for feature in saved.feature_names]]
    if saved.task == "classification":
        y = _class_indices(saved, [data.class_names[i] for i in y], args.data)
    return X, y, where


def cmd_evaluate(args: argparse.Namespace) -> int:
    saved = load_model(args.model)
    X, y, where = _evaluation_data(args, saved)
    if X.shape[1] != saved.architecture["inputs"]:
        raise CLIError(f"the model expects {saved.architecture['inputs']} features but {args.data} has {X.shape[1]}")
    print_scores(scores(saved, X, y), f"{where} ({len(X)} samples)")
    if saved.task == "classification":
        print_confusion(saved, X, y)
    return 0


def _class_indices(saved: SavedModel, labels: Sequence[str], path: str) -> np.ndarray:
    lookup = {name: i for i, name in enumerate(saved.class_names)}
    unknown = sorted({v for v in labels if v not in lookup})
    if unknown:
        raise CLIError(f"{path} has class(es) {', '.join(map(repr, unknown[:5]))} that the model does not know; "
                       f"its classes are {', '.join(saved.class_names)}")
    return np.array([lookup[v] for v in labels], dtype=np.int64)


def cmd_predict(args: argparse.Namespace) -> int:
    saved = load_model(args.model)
    if args.output:
        check_writable_file(args.output, "--output")
    table = read_csv(args.input)
    missing = [name for name in saved.feature_names if name not in table.header]
    if missing:
        extra = f" (and {len(missing) - 5} more)" if len(missing) > 5 else ""
        raise CLIError(f"{args.input} lacks the model's feature column(s) {', '.join(missing[:5])}{extra}")
    X = table.numbers(saved.feature_names)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if saved.task == "classification":
        proba = saved.predict_proba(X)
        writer.writerow([f"predicted_{saved.target_name}"] + [f"p_{name}" for name in saved.class_names])
        for p in proba:
            writer.writerow([saved.class_names[int(p.argmax())]] + [f"{v:.6f}" for v in p])
    else:
        writer.writerow([f"predicted_{saved.target_name}"])
        for value in saved.predict(X):
            writer.writerow([f"{value:.6g}"])
    if args.output:
        with open(args.output, "w", newline="") as f:
            f.write(out.getvalue())
        print(f"wrote {len(X)} predictions to {args.output}")
    else:
        sys.stdout.write(out.getvalue())
    return 0


def _check_port(rest: list[str]) -> None:
    """``--port`` must be an integer from 0 to 65535 (0 picks a free one), checked before the server starts."""
    for i, word in enumerate(rest):
        if word == "--port" and i + 1 < len(rest):
            text = rest[i + 1]
        elif word.startswith("--port="):
            text = word.split("=", 1)[1]
        else:
            continue
        try:
            port = int(text)
        except ValueError:
            port = -1
        if not 0 <= port <= 65535:
            raise CLIError(f"argument --port: expected a port number from 0 to 65535 (0 picks a free one), "
                           f"got {text!r}")


def cmd_playground(rest: list[str]) -> int:
    _check_port(rest)
    web_extra = 'install it with: pip install "netgrad[web]"'
    try:
        from netgrad.playground import server  # the web extra is optional
    except ImportError as err:
        raise CLIError(f"the playground needs the 'web' extra ({err}); {web_extra}") from None
    try:
        result = server.main(rest)
    except ImportError as err:  # a server dependency imported on first use
        raise CLIError(f"the playground needs the 'web' extra ({err}); {web_extra}") from None
    return int(result or 0)
