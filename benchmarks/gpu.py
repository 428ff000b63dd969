"""One training epoch on the GPU: netgrad on cuda against PyTorch CUDA and a hand-written CuPy loop.

    python benchmarks/gpu.py                      # the table (needs a CUDA GPU, CuPy, and PyTorch for its row)
    python benchmarks/gpu.py --device cpu --samples 2048   # the same code on the CPU (NumPy), as a smoke run

Workloads (SGD, lr 0.01, float32, cross-entropy, synthetic 60k x 784 inputs and 10 classes): the notes'
784-300-100-10 MLP at batch 128 and 1024, and the wide 784-4096-4096-10 at batch 1024. Each cell is the best of
``--repeats`` epochs after one warm-up epoch, with the device synchronised before the clock stops.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import netgrad
from netgrad import nn, optim

WORKLOADS = [("784-300-100-10", (784, 300, 100, 10), 128), ("784-300-100-10", (784, 300, 100, 10), 1024),
             ("784-4096-4096-10", (784, 4096, 4096, 10), 1024)]
LR = 0.01


def _data(samples: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.normal(size=(samples, 784)).astype(np.float32), rng.integers(0, 10, samples).astype(np.int64)


def _timed(epoch, sync, repeats: int) -> float:
    epoch()
    sync()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        epoch()
        sync()
        best = min(best, time.perf_counter() - start)
    return best


def bench_netgrad(sizes, batch, X, y, device, repeats):
    netgrad.manual_seed(0)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    model = nn.Sequential(*layers[:-1]).to(device)
    opt = optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()
    X_d, y_d = netgrad.tensor(X, device=device), netgrad.tensor(y, device=device)
    batches = [(X_d[i:i + batch], y_d[i:i + batch]) for i in range(0, len(X), batch)]

    def epoch():
        for xb, yb in batches:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()

    sync = netgrad.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    return _timed(epoch, sync, repeats)


def bench_torch(sizes, batch, X, y, device, repeats):
    import torch  # optional: only this row needs it

    torch.manual_seed(0)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1]).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    X_d, y_d = torch.tensor(X, device=device), torch.tensor(y, device=device)
    batches = [(X_d[i:i + batch], y_d[i:i + batch]) for i in range(0, len(X), batch)]

    def epoch():
        for xb, yb in batches:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()

    sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    return _timed(epoch, sync, repeats)


def bench_hand(sizes, batch, X, y, device, repeats):
    """The same MLP written by hand on raw arrays (CuPy on cuda, NumPy on cpu): forward, backward, SGD."""
    xp = importlib.import_module("cupy") if device.startswith("cuda") else np
    rng = np.random.default_rng(0)
    weights = [xp.asarray(rng.uniform(-1, 1, (n_out, n_in)).astype(np.float32) / np.sqrt(n_in))
               for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    biases = [xp.zeros(n_out, np.float32) for n_out in sizes[1:]]
    X_d, y_d = xp.asarray(X), xp.asarray(y)
    batches = [(X_d[i:i + batch], y_d[i:i + batch]) for i in range(0, len(X), batch)]

    def epoch():
        for xb, yb in batches:
            activations = [xb]
            for i, (w, b) in enumerate(zip(weights, biases)):
                z = activations[-1] @ w.T + b
                activations.append(xp.maximum(z, 0) if i < len(weights) - 1 else z)
            logits = activations[-1]
            e = xp.exp(logits - logits.max(axis=1, keepdims=True))
            g = e / e.sum(axis=1, keepdims=True)
            g[xp.arange(len(yb)), yb] -= 1
            g /= len(yb)
            for i in range(len(weights) - 1, -1, -1):
                a = activations[i]
                grad_w, grad_b = g.T @ a, g.sum(axis=0)
                if i:
                    g = (g @ weights[i]) * (a > 0)
                weights[i] -= LR * grad_w
                biases[i] -= LR * grad_b

    sync = xp.cuda.Device().synchronize if xp is not np else (lambda: None)
    return _timed(epoch, sync, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--samples", type=int, default=60_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-wide", action="store_true", help="leave out the 784-4096-4096-10 row")
    args = parser.parse_args()
    if args.device.startswith("cuda") and not netgrad.cuda.is_available():
        sys.exit("no CUDA GPU or no CuPy: nothing to measure (python benchmarks/gpu.py --device cpu runs on NumPy)")
    X, y = _data(args.samples)
    has_torch = importlib.util.find_spec("torch") is not None
    hand = "CuPy by hand" if args.device.startswith("cuda") else "NumPy by hand"
    print(f"one epoch of {args.samples} samples, SGD, float32, on {args.device} (best of {args.repeats}, seconds)")
    print(f"{'network':<18} {'batch':>5} {'netgrad':>9} {'PyTorch':>9} {hand:>13} {'netgrad / PyTorch':>18}")
    for name, sizes, batch in WORKLOADS:
        if args.skip_wide and sizes[1] == 4096:
            continue
        ours = bench_netgrad(sizes, batch, X, y, args.device, args.repeats)
        theirs = bench_torch(sizes, batch, X, y, args.device, args.repeats) if has_torch else float("nan")
        by_hand = bench_hand(sizes, batch, X, y, args.device, args.repeats)
        print(f"{name:<18} {batch:>5} {ours:>9.3f} {theirs:>9.3f} {by_hand:>13.3f} {ours / theirs:>17.2f}x")


if __name__ == "__main__":
    main()
