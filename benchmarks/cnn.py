"""A LeNet-style CNN epoch, netgrad against PyTorch (CPU), and the matrix products its convolutions reduce to.

    python benchmarks/cnn.py                      # 60 000 samples, batch 64, 3 rounds
    python benchmarks/cnn.py --quick              # 10 000 samples, 2 rounds: a first look
    python benchmarks/cnn.py --samples 512 --rounds 1   # a smoke run
    python benchmarks/cnn.py --device cuda        # the two epochs on the GPU (netgrad through CuPy)

The network: conv 1->32 3x3, ReLU, max-pool 2, conv 32->64 3x3, ReLU, max-pool 2, flatten, dense 1600->128,
ReLU, dense 128->10; softmax cross-entropy, SGD(lr=0.01), batch 64, on random 28x28 images (the arithmetic is
what is timed). The netgrad and PyTorch versions are the same code (``lib`` is the library). Each row runs in
its own process, the processes taking turns round by round, so NumPy's and PyTorch's thread pools never share
one. Rows:

- ``netgrad`` / ``torch``: one training epoch (seconds);
- ``netgrad conv``: the two convolutions alone, forward and backward over one epoch's batches (what the
  im2col kernel costs: the copies, the GEMMs, col2im);
- ``GEMM floor``: only the matrix products those convolutions reduce to, on NumPy arrays of the same shapes
  (forward w @ cols, then dw = g @ cols^T and, for the second convolution, dcols = w^T @ g).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROWS = ("netgrad", "torch", "netgrad_conv", "gemm_floor")
LABELS = {"netgrad": "netgrad epoch", "torch": "PyTorch epoch", "netgrad_conv": "netgrad conv fwd+bwd",
          "gemm_floor": "GEMM floor of the convs"}


def images(samples: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((samples, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, samples)


def lenet(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))


def epoch(impl: str, samples: int, batch: int, device: str = "cpu") -> float:
    lib = __import__(impl)
    X, y = images(samples)
    lib.manual_seed(0)
    model = lenet(lib)
    X_t, y_t = lib.from_numpy(X), lib.from_numpy(y.astype(np.int64))
    if device != "cpu":
        model, X_t, y_t = model.to(device), X_t.to(device), y_t.to(device)
    loss_fn = lib.nn.CrossEntropyLoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
    start = time.perf_counter()
    perm = lib.randperm(samples)
    if device != "cpu":
        perm = perm.to(device)
    for i in range(0, samples, batch):
        idx = perm[i:i + batch]
        optimizer.zero_grad()
        loss = loss_fn(model(X_t[idx]), y_t[idx])
        loss.backward()
        optimizer.step()
    float(loss.item())  # waits for a GPU to finish
    return time.perf_counter() - start


# (in channels, out channels, input side) of the two convolutions, 3x3 kernels
CONVS = ((1, 32, 28), (32, 64, 13))


def conv_only(samples: int, batch: int) -> float:
    """The two convolutions, forward and backward, over an epoch's batches (inputs and upstream fixed)."""
    import netgrad
    import netgrad.nn.functional as F
    rng = np.random.default_rng(0)
    total = 0.0
    for cin, cout, side in CONVS:
        x = netgrad.tensor(rng.standard_normal((batch, cin, side, side), dtype=np.float32), requires_grad=cin > 1)
        w = netgrad.tensor(rng.standard_normal((cout, cin, 3, 3), dtype=np.float32), requires_grad=True)
        b = netgrad.tensor(np.zeros(cout, np.float32), requires_grad=True)
        # the upstream gradient in the layout of the convolution's output, as a ReLU or pooling after it sends it
        upstream = rng.standard_normal((side - 2, side - 2, batch, cout), dtype=np.float32).transpose(2, 3, 0, 1)
        upstream = netgrad.from_numpy(upstream)
        start = time.perf_counter()
        for _ in range(0, samples, batch):
            x.grad = None  # as zero_grad(set_to_none=True): the input gradient is handed over, not added up
            F.conv2d(x, w, b).backward(upstream)
        total += time.perf_counter() - start
    return total


def gemm_floor(samples: int, batch: int) -> float:
    """Only the convolutions' matrix products, each in the faster of its two orientations here:
    y^T = cols^T (M x K) @ w^T (K x O), dw^T = cols (K x M) @ dy^T (M x O), dcols = w^T (K x O) @ dy (O x M)."""
    rng = np.random.default_rng(0)
    total = 0.0
    for cin, cout, side in CONVS:
        k, m = cin * 9, batch * (side - 2) ** 2
        w = rng.standard_normal((cout, k), dtype=np.float32)
        cols = rng.standard_normal((k, m), dtype=np.float32)
        g_t = rng.standard_normal((m, cout), dtype=np.float32)
        start = time.perf_counter()
        for _ in range(0, samples, batch):
            cols.T @ w.T
            cols @ g_t
            if cin > 1:  # the first convolution needs no input gradient
                w.T @ g_t.T
        total += time.perf_counter() - start
    return total


def worker(row: str, samples: int, batch: int, device: str) -> None:
    """Serve timings of one row: one JSON number per line read from stdin."""
    run = {"netgrad": lambda: epoch("netgrad", samples, batch, device),
           "torch": lambda: epoch("torch", samples, batch, device),
           "netgrad_conv": lambda: conv_only(samples, batch), "gemm_floor": lambda: gemm_floor(samples, batch)}[row]
    for _ in sys.stdin:
        print(json.dumps(run()), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=None, help="samples per epoch (default 60000)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=None, help="timings per row, taken in turn (default 3)")
    parser.add_argument("--quick", action="store_true", help="2 rounds on 10 000 samples: a first look")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda for the two epochs on the GPU")
    parser.add_argument("--rows", default=",".join(ROWS), help="comma-separated subset of " + ", ".join(ROWS))
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.samples = args.samples or (10_000 if args.quick else 60_000)
    args.rounds = args.rounds or (2 if args.quick else 3)
    if args.worker:
        worker(args.worker, args.samples, args.batch, args.device)
        return
    rows = [r for r in args.rows.split(",") if r]
    if args.device != "cpu":  # the convolution and GEMM-floor rows measure the CPU kernels
        rows = [r for r in rows if r in ("netgrad", "torch")]
    if "torch" in rows:
        try:
            __import__("torch")
        except ImportError:
            print("PyTorch is not installed: its row is left out", file=sys.stderr)
            rows.remove("torch")
    env = dict(os.environ, PYTHONPATH=str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    command = [sys.executable, __file__, "--samples", str(args.samples), "--batch", str(args.batch), "--device",
               args.device, "--worker"]
    servers = {row: subprocess.Popen(command + [row], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env=env) for row in rows}
    times: dict = {row: [] for row in rows}
    try:
        for round_index in range(-1, args.rounds):  # round -1 warms up and is not kept
            for row in rows if round_index % 2 == 0 else rows[::-1]:
                servers[row].stdin.write("go\n")
                servers[row].stdin.flush()
                seconds = json.loads(servers[row].stdout.readline())
                if round_index >= 0:
                    times[row].append(seconds)
    finally:
        for server in servers.values():
            server.stdin.close()
            server.wait()
    median = {row: statistics.median(values) for row, values in times.items()}
    print(f"LeNet-style CNN, {args.samples} samples, batch {args.batch}, {args.rounds} rounds on {args.device} "
          "(median, min-max)")
    print(f"| {'row':26s} | {'seconds':>8s} | {'min-max':>15s} | ratio |")
    print(f"|{'-' * 28}|{'-' * 10}|{'-' * 17}|-------|")
    base = {"netgrad": "torch", "netgrad_conv": "gemm_floor"}
    for row in rows:
        ratio = ""
        if row in base and base[row] in median:
            ratio = f"{statistics.median(a / b for a, b in zip(times[row], times[base[row]])):.2f}"
        spread = f"{min(times[row]):.3f}-{max(times[row]):.3f}"
        print(f"| {LABELS[row]:26s} | {median[row]:8.3f} | {spread:>15s} | {ratio:>5s} |")
    print("ratios: netgrad / PyTorch and netgrad conv / GEMM floor, medians of the per-round ratios")


if __name__ == "__main__":
    main()
