"""The benchmark workloads, each timed in this process for one implementation; prints JSON lines.

    python benchmarks/workloads.py WORKLOAD IMPL [--repeats N]   # N timings, one JSON line
    python benchmarks/workloads.py WORKLOAD IMPL --serve         # one timing per line read from stdin
    ... [--samples N] [--threads T] [--device cuda]

IMPL is ``netgrad``, ``torch`` or ``numpy`` (a hand-written loop with no graph: the floor). The
netgrad and torch versions of a workload are the same code with ``lib`` standing for the library,
which is what ``import netgrad as torch`` promises. Each workload is a generator: it sets up once, then
yields one timing (a dict of numbers) each time it is asked. ``run.py`` keeps one ``--serve`` process per
implementation, so NumPy's and PyTorch's thread pools never share a process, and asks them in turn.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from typing import Callable, Iterator

import numpy as np

N_SAMPLES, N_FEATURES, N_CLASSES = 60_000, 784, 10  # N_SAMPLES: set by --samples
HIDDEN = (300, 100)
DEVICE = "cpu"  # set by --device; the library versions move their model and data there


def to_device(lib, *items):
    """``items`` (modules, tensors) moved to ``DEVICE``; on the CPU, as they are."""
    return items if DEVICE == "cpu" else tuple(item.to(DEVICE) for item in items)


def synchronize(lib) -> None:
    """Wait for the device to finish queued work, so a timing covers it (nothing to wait for on the CPU)."""
    if DEVICE != "cpu" and hasattr(lib, "cuda") and hasattr(lib.cuda, "synchronize"):
        lib.cuda.synchronize()


def load_library(name: str):
    if name == "torch":
        import torch
        return torch
    import netgrad
    return netgrad


def mnist_like(seed: int = 0):
    """Random data shaped like MNIST (the arithmetic is what is timed, not what is learned)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N_SAMPLES, N_FEATURES), dtype=np.float32)
    y = rng.integers(0, N_CLASSES, N_SAMPLES).astype(np.int64)
    return X, y


# ---------------------------------------------------------------------------------------- per-op cost


def per_op(impl: str) -> Iterator[dict]:
    """A 4x4 add with requires_grad: forward with graph recording, then its backward (microseconds)."""
    n = 20_000
    if impl == "numpy":
        a, b = np.ones((4, 4), np.float32), np.ones((4, 4), np.float32)
        while True:
            start = time.perf_counter()
            for _ in range(n):
                a + b
            forward = (time.perf_counter() - start) / n * 1e6
            yield {"forward_us": forward, "backward_us": 0.0, "total_us": forward}
    lib = load_library(impl)
    a = lib.ones(4, 4, requires_grad=True)
    b = lib.ones(4, 4, requires_grad=True)
    g = lib.ones(4, 4)
    while True:
        outs = [None] * n
        start = time.perf_counter()
        for i in range(n):
            outs[i] = a + b
        forward = (time.perf_counter() - start) / n * 1e6
        start = time.perf_counter()
        for out in outs:
            out.backward(g)
        backward = (time.perf_counter() - start) / n * 1e6
        yield {"forward_us": forward, "backward_us": backward, "total_us": forward + backward}


# ----------------------------------------------------------------------------------------------- MLP


def mlp_epoch(impl: str, batch_size: int, data: tuple | None = None,
              sizes: tuple = (N_FEATURES,) + HIDDEN + (N_CLASSES,)) -> Iterator[dict]:
    """One epoch of a 784-300-100-10 (or ``sizes``) ReLU MLP, SGD(lr=0.01), softmax cross-entropy (seconds)."""
    X, y = mnist_like() if data is None else data
    if impl == "numpy":
        seed = 0
        while True:
            yield {"seconds": _numpy_mlp_epoch(X, y, batch_size, seed, sizes)}
            seed += 1
    lib = load_library(impl)
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(sizes[0], sizes[1]), nn.ReLU(), nn.Linear(sizes[1], sizes[2]), nn.ReLU(),
                          nn.Linear(sizes[2], sizes[3]))
    loss_fn = nn.CrossEntropyLoss()
    X_t, y_t = lib.from_numpy(X), lib.from_numpy(y)
    model, X_t, y_t = to_device(lib, model, X_t, y_t)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
    n = len(X)
    while True:
        synchronize(lib)
        start = time.perf_counter()
        perm = lib.randperm(n)
        if DEVICE != "cpu":
            (perm,) = to_device(lib, perm)
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            xb, yb = X_t[idx], y_t[idx]
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        synchronize(lib)
        yield {"seconds": time.perf_counter() - start}


def _numpy_mlp_epoch(X, y, batch_size, seed, sizes) -> float:
    """The floor: the same network and update written by hand, no graph, no framework."""
    rng = np.random.default_rng(seed)
    Ws = [(rng.uniform(-1, 1, (o, i)) / np.sqrt(i)).astype(np.float32) for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(o, np.float32) for o in sizes[1:]]
    lr = np.float32(0.01)
    start = time.perf_counter()
    perm = rng.permutation(len(X))
    for i in range(0, len(X), batch_size):
        idx = perm[i:i + batch_size]
        xb, yb = X[idx], y[idx]
        n = len(idx)
        h1 = np.maximum(xb @ Ws[0].T + bs[0], 0)
        h2 = np.maximum(h1 @ Ws[1].T + bs[1], 0)
        logits = h2 @ Ws[2].T + bs[2]
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(1, keepdims=True)
        p[np.arange(n), yb] -= 1
        g3 = p / n
        g2 = (g3 @ Ws[2]) * (h2 > 0)
        g1 = (g2 @ Ws[1]) * (h1 > 0)
        for W, b, g, a in ((Ws[2], bs[2], g3, h2), (Ws[1], bs[1], g2, h1), (Ws[0], bs[0], g1, xb)):
            W -= lr * (g.T @ a)
            b -= lr * g.sum(0)
    assert all(W.dtype == np.float32 for W in Ws)
    return time.perf_counter() - start


def step_overhead(impl: str) -> Iterator[dict]:
    """The batch-32 epoch's loop on an 8-8-8-4 network: what a training step costs beyond its arithmetic (µs)."""
    sizes = (8, 8, 8, 4)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N_SAMPLES, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], N_SAMPLES).astype(np.int64)
    steps = -(-len(X) // 32)
    for timing in mlp_epoch(impl, 32, (X, y), sizes):
        yield {"step_us": timing["seconds"] / steps * 1e6}


# ----------------------------------------------------------------------------------------------- XOR


def xor_steps(impl: str) -> Callable[[int], None]:
    """A function running n SGD steps of a 2-4-1 sigmoid network with MSE on the 4 XOR points."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    Y = np.array([[0], [1], [1], [0]], np.float32)
    if impl == "numpy":
        rng = np.random.default_rng(0)
        W1, b1 = rng.normal(size=(4, 2)).astype(np.float32), np.zeros(4, np.float32)
        W2, b2 = rng.normal(size=(1, 4)).astype(np.float32), np.zeros(1, np.float32)
        lr = np.float32(0.5)

        def run_numpy(steps: int) -> None:
            nonlocal W1, b1, W2, b2  # updated in place (-=), which Python counts as an assignment
            for _ in range(steps):
                h = 1 / (1 + np.exp(-(X @ W1.T + b1)))
                out = 1 / (1 + np.exp(-(h @ W2.T + b2)))
                g_out = 2 * (out - Y) / Y.size * out * (1 - out)
                g_h = (g_out @ W2) * h * (1 - h)
                W2 -= lr * (g_out.T @ h)
                b2 -= lr * g_out.sum(0)
                W1 -= lr * (g_h.T @ X)
                b1 -= lr * g_h.sum(0)

        return run_numpy
    lib = load_library(impl)
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid())
    loss_fn = nn.MSELoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.5)
    X_t, Y_t = lib.from_numpy(X), lib.from_numpy(Y)

    def run(steps: int) -> None:
        for _ in range(steps):
            optimizer.zero_grad()
            loss = loss_fn(model(X_t), Y_t)
            loss.backward()
            optimizer.step()

    return run


def xor_step(impl: str) -> Iterator[dict]:
    """One SGD step of the XOR network (microseconds)."""
    run, steps = xor_steps(impl), 2_000
    while True:
        start = time.perf_counter()
        run(steps)
        yield {"step_us": (time.perf_counter() - start) / steps * 1e6}


# ----------------------------------------------------------------------------------------- front ends


def front_ends(impl: str) -> Iterator[dict]:
    """One epoch (batch 128) of the MLP through Trainer.fit, keras fit and an estimator, each after the raw loop."""
    import netgrad
    from netgrad import nn
    from netgrad.training import Trainer

    X, y = mnist_like()
    X_t, y_t = netgrad.from_numpy(X), netgrad.from_numpy(y)

    def mlp():
        netgrad.manual_seed(0)
        return nn.Sequential(nn.Linear(N_FEATURES, HIDDEN[0]), nn.ReLU(), nn.Linear(HIDDEN[0], HIDDEN[1]), nn.ReLU(),
                             nn.Linear(HIDDEN[1], N_CLASSES))

    def raw():
        model = mlp()
        loss_fn, optimizer = nn.CrossEntropyLoss(), netgrad.optim.SGD(model.parameters(), lr=0.01)
        loader = netgrad.data.DataLoader(netgrad.data.TensorDataset(X_t, y_t), batch_size=128, shuffle=True)
        start = time.perf_counter()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
        return time.perf_counter() - start

    def trainer():
        model = mlp()
        t = Trainer(model, nn.CrossEntropyLoss(), netgrad.optim.SGD(model.parameters(), lr=0.01))
        start = time.perf_counter()
        t.fit((X, y), epochs=1, batch_size=128, verbose=0)
        return time.perf_counter() - start

    def keras_fit():
        from netgrad import keras
        netgrad.manual_seed(0)
        model = keras.Sequential([keras.Input((N_FEATURES,)), keras.layers.Dense(HIDDEN[0], "relu"),
                                  keras.layers.Dense(HIDDEN[1], "relu"), keras.layers.Dense(N_CLASSES)])
        model.compile(optimizer=keras.optimizers.SGD(0.01),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        start = time.perf_counter()
        model.fit(X, y, batch_size=128, epochs=1, verbose=0)
        return time.perf_counter() - start

    def estimator():
        from netgrad.estimators import MLPClassifier
        clf = MLPClassifier(hidden_layer_sizes=HIDDEN, solver="sgd", learning_rate_init=0.01, batch_size=128,
                            max_iter=1, alpha=0.0, momentum=0.0, random_state=0)  # the raw loop's plain SGD
        start = time.perf_counter()
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.fit(X, y)
        return time.perf_counter() - start

    runs = {"trainer_fit": trainer, "keras_fit": keras_fit, "estimator_fit": estimator}
    raw()  # warm-up
    for name, fn in list(runs.items()):
        try:
            fn()
        except Exception as error:  # a front end that is missing is reported, not fatal
            print(f"{name} unavailable: {type(error).__name__}: {error}", file=sys.stderr)
            del runs[name]
    while True:  # each front end right after a raw loop of its own, so that the pair sees the same machine
        timings = {}
        for name, fn in runs.items():
            timings[f"{name}_raw_loop"] = raw()
            timings[name] = fn()
        yield timings


# -------------------------------------------------------------------------------------------- memory


def memory(impl: str) -> Iterator[dict]:
    """Peak resident memory of one epoch of 784-300-100-10 on 60 000 samples, beyond the data (MB).

    Only the first value means anything: the peak of a process never goes down."""
    if impl != "numpy":
        load_library(impl)  # the library's own import is part of the baseline, not of training
    X, y = mnist_like()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    next(mlp_epoch(impl, 128, data=(X, y)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    data_mb = (X.nbytes + y.nbytes) / 2**20
    while True:
        yield {"peak_mb": peak, "baseline_mb": baseline, "data_mb": data_mb, "extra_mb": peak - baseline}


WORKLOADS = {
    "per_op": per_op,
    "mlp_epoch_128": lambda impl: mlp_epoch(impl, 128),
    "mlp_epoch_32": lambda impl: mlp_epoch(impl, 32),
    "mlp_epoch_1024": lambda impl: mlp_epoch(impl, 1024),
    "step_overhead": step_overhead,
    "xor_step": xor_step,
    "front_ends": front_ends,
    "memory": memory,
}


def main() -> None:
    global N_SAMPLES, DEVICE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=sorted(WORKLOADS))
    parser.add_argument("impl", choices=["netgrad", "torch", "numpy"])
    parser.add_argument("--repeats", type=int, default=3, help="timings to take (without --serve)")
    parser.add_argument("--serve", action="store_true", help="time once per line read from stdin, until EOF")
    parser.add_argument("--samples", type=int, default=N_SAMPLES, help="samples per epoch (default 60000)")
    parser.add_argument("--threads", type=int, default=0,
                        help="PyTorch's intra-op threads (the BLAS pools are set by run.py's environment)")
    parser.add_argument("--device", default="cpu", help="where the library versions run: cpu or cuda")
    args = parser.parse_args()
    N_SAMPLES, DEVICE = args.samples, args.device
    if DEVICE != "cpu" and args.impl == "numpy":
        sys.exit(f"the NumPy loop runs on the CPU only, not on {DEVICE}")
    if args.threads and args.impl == "torch":
        import torch
        torch.set_num_threads(args.threads)
    timings = WORKLOADS[args.workload](args.impl)
    if args.serve:
        for _ in sys.stdin:
            print(json.dumps(next(timings)), flush=True)
        return
    results = [next(timings) for _ in range(args.repeats)]
    print(json.dumps({"workload": args.workload, "impl": args.impl,
                      **{key: [r[key] for r in results] for key in results[0]}}), flush=True)


if __name__ == "__main__":
    main()
