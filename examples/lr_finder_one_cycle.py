"""The learning-rate finder and the one-cycle schedule (the notes' "optimal learning rate").

1. The LR range test (``netgrad.training.find_lr``): train for 100 mini-batches while the learning rate
   grows exponentially from 1e-5 to 10, and record the (smoothed) loss. It barely moves while the rate is
   too small, falls steeply over the good rates and blows up past them; the suggestion is where it falls
   fastest. The model and optimizer are restored afterwards, so the test changes nothing.
2. One-cycle (``lr_scheduler.OneCycleLR``, which the notes call the state of the art): the rate warms up
   from max_lr / 25 to max_lr over the first 30 % of the steps, then anneals (cosine) to almost 0, while
   SGD's momentum moves the other way (0.95 -> 0.85 -> 0.95). Compared with the same SGD at a constant
   rate, for the same number of epochs.

Pictures: ``<out>/lr_finder.png`` and ``<out>/one_cycle.png`` (the schedule and the validation accuracy).

Run it with::

    python examples/lr_finder_one_cycle.py --out netgrad-examples/
"""
from __future__ import annotations

import argparse
import math
import os

import numpy as np

import netgrad
from netgrad import nn, optim
from netgrad.data import StandardScaler, load_digits, train_test_split
from netgrad.optim.lr_scheduler import OneCycleLR
from netgrad.training import Callback, Trainer, find_lr


class RecordLR(Callback):
    """The learning rate of every training step."""

    def on_train_begin(self, logs=None):
        self.lrs = []

    def on_train_batch_begin(self, batch, logs=None):
        self.lrs.append(self.trainer.optimizer.param_groups[0]["lr"])


def network() -> nn.Sequential:
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the pictures")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    X, y = load_digits()
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.3, random_state=args.seed, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train, X_val = scaler.transform(X_train).astype(np.float32), scaler.transform(X_val).astype(np.float32)
    loss = nn.CrossEntropyLoss()

    netgrad.manual_seed(args.seed)
    model = network()
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    before = [p.detach().numpy().copy() for p in model.parameters()]
    result = find_lr(model, loss, optimizer, (X_train, y_train), start_lr=1e-5, end_lr=10.0, num_iter=100,
                     batch_size=args.batch_size)
    assert all(np.array_equal(b, p.detach().numpy()) for b, p in zip(before, model.parameters()))
    suggestion = result.suggestion
    lowest = float(result.lrs[int(np.argmin(result.losses))])
    print(f"LR range test: {len(result.lrs)} steps from {result.lrs[0]:.0e} to {result.lrs[-1]:.2g}; the loss "
          f"falls fastest at lr = {suggestion:.3g} and is lowest at lr = {lowest:.3g} (model left unchanged)")

    steps_per_epoch = math.ceil(len(X_train) / args.batch_size)
    max_lr = lowest / 10  # one-cycle's peak: Smith's rule, a tenth of where the loss stops falling
    runs = {}
    for name in ("constant lr", "one-cycle"):
        netgrad.manual_seed(args.seed)
        model = network()
        lr = suggestion if name == "constant lr" else max_lr
        optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        scheduler = None if name == "constant lr" else \
            OneCycleLR(optimizer, max_lr=max_lr, total_steps=args.epochs * steps_per_epoch)
        recorder = RecordLR()
        trainer = Trainer(model, loss, optimizer, metrics=["accuracy"], scheduler=scheduler, callbacks=[recorder])
        history = trainer.fit((X_train, y_train), epochs=args.epochs, batch_size=args.batch_size,
                              validation_data=(X_val, y_val), verbose=0)
        runs[name] = (recorder.lrs, history)
        detail = f"lr = {suggestion:.3g}" if name == "constant lr" else f"max_lr = {max_lr:.3g}"
        print(f"{name:12s} ({detail}): validation accuracy {history.history['val_accuracy'][-1] * 100:.1f} % after "
              f"{args.epochs} epochs, validation loss {history.history['val_loss'][-1]:.4f}")

    try:
        from netgrad import viz
        from netgrad.viz._backend import CLASS_COLORS, integer_ticks, pyplot
        plt = pyplot()
    except ImportError as err:
        print(f"pictures skipped: {err}")
        return
    os.makedirs(args.out, exist_ok=True)
    paths = [os.path.join(args.out, "lr_finder.png"), os.path.join(args.out, "one_cycle.png")]
    viz.plot_lr_finder(result, paths[0], title="LR range test: 64-128-10 on the digits, SGD with momentum")
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
    for (name, (lrs, history)), color in zip(runs.items(), CLASS_COLORS[1:]):
        left.plot(np.arange(len(lrs)), lrs, color=color, label=name)
        accuracy = np.array(history.history["val_accuracy"]) * 100
        right.plot(np.arange(1, len(accuracy) + 1), accuracy, marker="o", color=color, label=name)
    left.set_xlabel("step")
    left.set_ylabel("learning rate")
    left.set_title("schedules")
    left.legend()
    right.set_xlabel("epoch")
    integer_ticks(right)
    right.set_ylabel("validation accuracy (%)")
    right.set_title("same SGD, same epochs")
    right.legend()
    fig.tight_layout()
    fig.savefig(paths[1], dpi=110, bbox_inches="tight")
    plt.close("all")
    print("wrote " + ", ".join(paths))


if __name__ == "__main__":
    main()
