"""The ``netgrad`` command line: argument types, the parser of every command, and :func:`main`."""
from __future__ import annotations

import argparse
import math
import sys
from typing import Callable, Sequence

from netgrad import __version__

from ..run import main as run_script_main
from .commands import MIN_UPDATES, cmd_evaluate, cmd_playground, cmd_predict, cmd_train
from .datasets import BUILTIN_DATASETS
from .demo import DEMO_RECIPE, cmd_demo
from .errors import CLIError, one_line
from .training import ACTIVATION_NAMES, OPTIMIZER_NAMES, SCHEDULE_NAMES

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line that points to ``--help``."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {value}")
    return value


def _hidden_sizes(text: str) -> list[int]:
    text = text.strip()
    if text in ("", "0", "none"):
        return []
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected layer sizes like 300,100, got {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got {text!r}")
    return sizes


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hidden", type=_hidden_sizes, default=[300, 100], metavar="SIZES",
                        help="hidden layer sizes, comma-separated (default: 300,100; 0 for none)")
    parser.add_argument("--activation", choices=ACTIVATION_NAMES, default="relu",
                        help="hidden activation (default: relu)")
    parser.add_argument("--dropout", type=_fraction, default=0.0, help="dropout after each hidden layer (default: 0)")
    parser.add_argument("--batch-norm", action="store_true", help="batch normalisation after each hidden Linear")
    parser.add_argument("--optimizer", choices=OPTIMIZER_NAMES, default="adam", help="optimizer (default: adam)")
    parser.add_argument("--lr", type=_positive_float, default=1e-3, help="learning rate (default: 1e-3)")
    parser.add_argument("--momentum", type=_fraction, default=0.0, help="momentum for sgd and rmsprop (default: 0)")
    parser.add_argument("--weight-decay", type=_fraction, default=0.0, help="L2 weight decay (default: 0)")
    parser.add_argument("--schedule", choices=SCHEDULE_NAMES, default="none",
                        help="learning-rate schedule (default: none; onecycle peaks at --lr)")
    parser.add_argument("--label-smoothing", type=_fraction, default=0.0,
                        help="label smoothing of the cross-entropy, classification only (default: 0)")
    parser.add_argument("--epochs", type=_positive_int, default=None,
                        help=f"training epochs (default: 20, or more on small data so that training makes at "
                        f"least {MIN_UPDATES} updates: 400 on the 2-D toy sets xor, circle and spiral)")
    parser.add_argument("--batch-size", type=_positive_int, default=64, help="mini-batch size (default: 64)")


_DEVICE_HELP = "where to train: cpu (default), cuda, cuda:N or auto (the GPU when there is one)"


def build_parser() -> argparse.ArgumentParser:
    data_help = f"a built-in dataset ({', '.join(BUILTIN_DATASETS)}) or a CSV file with a header row"
    parser = _Parser(prog="netgrad", description="netgrad: neural networks from first principles on NumPy.",
                     epilog="Run 'netgrad COMMAND --help' for a command's options.")
    parser.add_argument("--version", action="version", version=f"netgrad {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = commands.add_parser(
        "demo", help="train the notes' digit network on real images (784-300-100-10 on Fashion-MNIST, or "
        "64-300-100-10 on the 8x8 digits), with pictures",
        description="Train the notes' digit network, two hidden layers of 300 and 100 units: 784-300-100-10 on "
        "Fashion-MNIST (28x28 images) when the Debian package dataset-fashion-mnist is installed, else "
        "64-300-100-10 on scikit-learn's 8x8 digits. Print the test accuracy and a confusion matrix; save the "
        "curves, a grid of test images with their predicted labels, the network diagram and the model.")
    demo.add_argument("--out", default="netgrad-demo",
                      help="folder for the pictures and the model (default: netgrad-demo)")
    demo.add_argument("--epochs", type=_positive_int, default=None,
                      help=f"training epochs (default: {DEMO_RECIPE['epochs']})")
    demo.add_argument("--data", choices=("auto", "fashion-mnist", "digits"), default="auto",
                      help="auto: Fashion-MNIST (784-300-100-10) if installed, else digits (64-300-100-10)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    demo.add_argument("--model", choices=("mlp", "cnn"), default="mlp",
                      help="mlp: the notes' digit network (default); cnn: a small convolutional network")
    demo.add_argument("--device", default="cpu", help=_DEVICE_HELP)

    train = commands.add_parser("train", help="train an MLP on a dataset or a CSV file and save it",
                                description="Train a multilayer perceptron; print training and test scores; "
                                "optionally save the model (--save) and pictures (--out). Both locations are "
                                "checked before training starts.")
    train.add_argument("--data", required=True, help=data_help)
    train.add_argument("--target", help="the CSV column to predict (default: the last column)")
    train.add_argument("--task", choices=("auto", "classification", "regression"), default="auto",
                       help="auto: classification for text labels or at most 10 distinct whole numbers, "
                       "else regression")
    _add_model_options(train)
    train.add_argument("--test-size", type=_fraction, default=0.2, help="fraction held out for testing (default: 0.2)")
    train.add_argument("--seed", type=int, default=0,
                       help="random seed for initialisation, shuffling, split (default: 0)")
    train.add_argument("--save", metavar="PATH", help="save the trained model here (e.g. model.netgrad)")
    train.add_argument("--out", metavar="DIR", help="save pictures here: curves, network, decision boundary")
    train.add_argument("--quiet", action="store_true", help="no progress bars")
    train.add_argument("--device", default="cpu", help=_DEVICE_HELP)

    evaluate = commands.add_parser(
        "evaluate", help="score a saved model on a dataset or a CSV file",
        description="Print the scores of a saved model and, for a classifier, its confusion matrix. On the data it "
        "was trained on (the same built-in dataset, or the same CSV file, byte for byte) the rows held out in "
        "training are scored: the model file stores the split's seed and size. Any other CSV file is scored as "
        "given, every row.")
    evaluate.add_argument("--model", required=True, help="a model saved by 'netgrad train --save'")
    evaluate.add_argument("--data", required=True, help=data_help)
    evaluate.add_argument("--target", help="the CSV column with the true values (default: the model's target name)")
    evaluate.add_argument("--all-rows", action="store_true",
                          help="score every row, also on the training data (training rows included)")

    predict = commands.add_parser("predict", help="predict with a saved model on the rows of a CSV file",
                                  description="Read a CSV file with the model's feature columns (other columns are "
                                  "ignored) and write one prediction per row, with class probabilities for a "
                                  "classifier.")
    predict.add_argument("--model", required=True, help="a model saved by 'netgrad train --save'")
    predict.add_argument("--input", required=True, help="CSV file with a header row naming the features")
    predict.add_argument("--output", help="where to write the predictions as CSV (default: standard output)")

    commands.add_parser("playground", help="the interactive playground in the browser (needs the 'web' extra)",
                        description="Start the playground server; options after 'playground' go to it "
                        "(see 'netgrad playground --help').", add_help=False)
    commands.add_parser("run", help="run a PyTorch script unchanged, with 'import torch' resolved to netgrad",
                        description="netgrad run SCRIPT.py [args ...]: the script runs as under python, with torch.* "
                        "resolved to netgrad.*; what netgrad lacks is named in one line.", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``netgrad`` command with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "run":
        return run_script_main(argv[1:])
    if argv and argv[0] == "playground":
        try:
            return cmd_playground(argv[1:])
        except CLIError as err:
            print(f"netgrad: error: {one_line(err)}", file=sys.stderr)
            return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "demo": cmd_demo, "train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict}
    try:
        return handlers[args.command](args)
    except (CLIError, ValueError, FileNotFoundError, IsADirectoryError, PermissionError) as err:
        # bad input, found here or by the library (a shape, a value, a file): its message is the explanation
        print(f"netgrad: error: {one_line(err)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nnetgrad: interrupted", file=sys.stderr)
        return 130
