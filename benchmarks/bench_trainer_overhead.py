"""What the Trainer adds to a raw netgrad training loop: one epoch of 784-300-100-10, SGD, softmax cross-entropy.

Three ways to train the same epoch, in one process, taking turns (so that machine noise hits all alike):

- ``raw``: ``for xb, yb in loader: zero_grad; loss_fn(model(xb), yb).backward(); step``;
- ``fit_loader``: ``Trainer.fit(loader, verbose=0)`` on the same DataLoader;
- ``fit_arrays``: ``Trainer.fit((X, y), batch_size=128, verbose=0)``, which also checks the arrays first.

All three are netgrad, so sharing a process is fair. Prints the medians and the overhead ratios; the target
(issue "Speed") is at most 1.10.

    python benchmarks/bench_trainer_overhead.py [--repeats 5] [--batch-size 128] [--samples 60000]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import netgrad
from netgrad import nn, optim
from netgrad.data import DataLoader, TensorDataset
from netgrad.training import Trainer


def build() -> tuple[nn.Module, nn.Module, optim.Optimizer]:
    netgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10))
    return model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.01)


def raw(X: np.ndarray, y: np.ndarray, batch_size: int) -> float:
    model, loss_fn, optimizer = build()
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
    start = time.perf_counter()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def fit_loader(X: np.ndarray, y: np.ndarray, batch_size: int) -> float:
    model, loss_fn, optimizer = build()
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
    trainer = Trainer(model, loss_fn, optimizer)
    start = time.perf_counter()
    trainer.fit(loader, epochs=1, verbose=0)
    return time.perf_counter() - start


def fit_arrays(X: np.ndarray, y: np.ndarray, batch_size: int) -> float:
    model, loss_fn, optimizer = build()
    trainer = Trainer(model, loss_fn, optimizer)
    start = time.perf_counter()
    trainer.fit((X, y), epochs=1, batch_size=batch_size, verbose=0)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--samples", type=int, default=60_000)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.samples, 784), dtype=np.float32)
    y = rng.integers(0, 10, args.samples)
    runs = {"raw": raw, "fit_loader": fit_loader, "fit_arrays": fit_arrays}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for function in runs.values():  # warm-up: caches, allocator, imports
        function(X[:2048], y[:2048], args.batch_size)
    for repeat in range(args.repeats):
        order = list(runs) if repeat % 2 == 0 else list(reversed(runs))  # alternate who goes first
        for name in order:
            times[name].append(runs[name](X, y, args.batch_size))

    base, base_min = statistics.median(times["raw"]), min(times["raw"])
    batches = -(-args.samples // args.batch_size)
    print(f"one epoch of 784-300-100-10 on {args.samples} x 784 float32, batch {args.batch_size} ({batches} batches), "
          f"{args.repeats} repeats")
    print(f"{'loop':<12}{'median s':>10}{'min s':>10}{'max s':>10}{'median/raw':>12}{'min/raw':>10}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<12}{median:>10.3f}{min(values):>10.3f}{max(values):>10.3f}{median / base:>12.3f}"
              f"{min(values) / base_min:>10.3f}")
    # On a busy machine the minimum is the steadier estimate of what each loop costs.
    per_batch = (min(times["fit_loader"]) - base_min) / batches * 1e6
    print(f"Trainer cost per batch (fastest runs): {per_batch:+.1f} us; target: ratios at most 1.10")

if __name__ == "__main__":
    main()
