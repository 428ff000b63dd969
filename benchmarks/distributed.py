"""Data-parallel scaling: one epoch of the 784-300-100-10 MLP on 60 000 samples, 1 process against N.

    python benchmarks/distributed.py [--procs 2 4 8 16] [--batch 128 1024] [--rounds 3] [--impls netgrad,numpy,torch]

For each global batch size and implementation it times one epoch (median of ``--rounds``) with 1 process
(the plain single-process loop, all cores as BLAS threads) and with N processes under ``mpiexec -n N``
(each rank takes an equal share of every global batch, BLAS threads = cores / N):

- ``netgrad``: ``DistributedDataParallel`` over MPI, ``SGD(lr=0.01)``, softmax cross-entropy;
- ``numpy``: the hand-written NumPy + mpi4py loop: gradients written into one flat buffer, one ``Allreduce``
  per step (the floor for data-parallel training on MPI);
- ``torch``: PyTorch's ``DistributedDataParallel`` with its ``gloo`` backend (``mpiexec`` only starts the
  processes; they meet through a file store).

Random data shaped like MNIST (the arithmetic is timed, not what is learned). Prints a table of seconds per
epoch and the speed-up over 1 process. The process counts default to 2, 4, 8, ... up to the number of cores;
``--quick`` times one epoch of 10 000 samples (a first look); ``--device`` is accepted for ``run.py``, but
these rows always run on the CPU. ``--worker`` is the per-process entry point ``mpiexec`` runs.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
SIZES = (784, 300, 100, 10)


# ------------------------------------------------------------------------------------------------ workers


def _rank_and_size() -> tuple[int, int]:
    """From the launcher's environment (MPICH / Intel MPI: PMI_*, Open MPI: OMPI_COMM_WORLD_*)."""
    for rank, size in (("PMI_RANK", "PMI_SIZE"), ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE")):
        if rank in os.environ:
            return int(os.environ[rank]), int(os.environ[size])
    return 0, 1


def _epochs(args, rank: int, size: int, run_epoch, barrier) -> list:
    """Time ``--rounds`` epochs (after one warm-up epoch); every epoch starts and ends together on all ranks."""
    import numpy as np

    times = []
    for epoch in range(args.rounds + 1):
        order = np.random.default_rng(epoch).permutation(args.samples)
        barrier()
        start = time.perf_counter()
        run_epoch(order)
        barrier()
        if epoch:
            times.append(time.perf_counter() - start)
    return times


def _shares(order, batch: int, rank: int, size: int):
    """Each global batch's rows for this rank: an equal contiguous share."""
    share = batch // size
    for i in range(0, len(order) - batch + 1, batch):
        yield order[i + rank * share:i + (rank + 1) * share]


def worker_netgrad(args, X, y) -> list:
    import netgrad
    from netgrad import nn, optim

    rank, size = _rank_and_size()
    netgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10))
    if size > 1:
        import netgrad.distributed as dist

        dist.init_process_group("mpi")
        model = nn.parallel.DistributedDataParallel(model)
        barrier = dist.barrier
    else:
        def barrier():
            return None
    optimizer = optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    X_t, y_t = netgrad.from_numpy(X), netgrad.from_numpy(y)

    def run_epoch(order):
        for rows in _shares(order, args.batch, rank, size):
            optimizer.zero_grad()
            loss_fn(model(X_t[rows]), y_t[rows]).backward()
            optimizer.step()

    return _epochs(args, rank, size, run_epoch, barrier)


def worker_numpy(args, X, y) -> list:
    import numpy as np

    rank, size = _rank_and_size()
    comm = None
    if size > 1:
        from mpi4py import MPI

        comm = MPI.COMM_WORLD
    rng = np.random.default_rng(0)
    shapes = [(o, i) for i, o in zip(SIZES[:-1], SIZES[1:])]
    count = sum(o * i + o for o, i in shapes)
    params, grads = np.empty(count, np.float32), np.empty(count, np.float32)  # one flat buffer each
    Ws, bs, gWs, gbs, offset = [], [], [], [], 0
    for o, i in shapes:
        W, gW = params[offset:offset + o * i].reshape(o, i), grads[offset:offset + o * i].reshape(o, i)
        offset += o * i
        b, gb = params[offset:offset + o], grads[offset:offset + o]
        offset += o
        W[...] = rng.uniform(-1, 1, (o, i)) / np.sqrt(i)
        b[...] = 0
        Ws.append(W), bs.append(b), gWs.append(gW), gbs.append(gb)
    lr = np.float32(0.01)

    def run_epoch(order):
        for rows in _shares(order, args.batch, rank, size):
            xb, yb = X[rows], y[rows]
            h1 = np.maximum(xb @ Ws[0].T + bs[0], 0)
            h2 = np.maximum(h1 @ Ws[1].T + bs[1], 0)
            logits = h2 @ Ws[2].T + bs[2]
            logits -= logits.max(1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(1, keepdims=True)
            p[np.arange(len(rows)), yb] -= 1
            g3 = p / np.float32(args.batch)  # the global batch: the sum over ranks is the mean gradient
            g2 = (g3 @ Ws[2]) * (h2 > 0)
            g1 = (g2 @ Ws[1]) * (h1 > 0)
            for k, (g, a) in enumerate(((g1, xb), (g2, h1), (g3, h2))):
                np.matmul(g.T, a, out=gWs[k])
                np.add.reduce(g, axis=0, out=gbs[k])
            if comm is not None:
                comm.Allreduce(MPI.IN_PLACE, grads, MPI.SUM)
            np.subtract(params, lr * grads, out=params)

    barrier = comm.Barrier if comm is not None else (lambda: None)
    return _epochs(args, rank, size, run_epoch, barrier)


def worker_torch(args, X, y) -> list:
    import torch
    import torch.distributed as dist
    from torch import nn

    rank, size = _rank_and_size()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10))
    if size > 1:
        dist.init_process_group("gloo", store=dist.FileStore(args.store, size), rank=rank, world_size=size)
        model = nn.parallel.DistributedDataParallel(model)
        barrier = dist.barrier
    else:
        def barrier():
            return None
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)

    def run_epoch(order):
        for rows in _shares(torch.from_numpy(order), args.batch, rank, size):
            optimizer.zero_grad()
            loss_fn(model(X_t[rows]), y_t[rows]).backward()
            optimizer.step()

    times = _epochs(args, rank, size, run_epoch, barrier)
    if size > 1:
        dist.destroy_process_group()
    return times


def worker(args) -> None:
    sys.path.insert(0, str(HERE))
    from workloads import mnist_like

    X, y = mnist_like()
    X, y = X[:args.samples], y[:args.samples]
    times = {"netgrad": worker_netgrad, "numpy": worker_numpy, "torch": worker_torch}[args.worker](args, X, y)
    if _rank_and_size()[0] == 0:
        print(json.dumps({"seconds": sorted(times)[len(times) // 2], "all": times}), flush=True)


# ------------------------------------------------------------------------------------------------- driver


def run_one(impl: str, procs: int, batch: int, args) -> float | None:
    threads = str(max(1, args.cores // procs))
    env = {**os.environ, **{name: threads for name in THREAD_VARIABLES}}
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", impl, "--batch", str(batch),
                   "--samples", str(args.samples), "--rounds", str(args.rounds), "--store", f"{folder}/store"]
        if procs > 1:
            command = [args.mpiexec, "-n", str(procs)] + command
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=args.timeout)
    if result.returncode != 0:
        print(f"{impl} with {procs} process(es), batch {batch} failed:\n{result.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    cores = os.cpu_count() or 1
    parser.add_argument("--procs", type=int, nargs="+", help="process counts besides 1 (default 2, 4, ... cores)")
    parser.add_argument("--batch", type=int, nargs="+", default=[128, 1024], help="global batch sizes")
    parser.add_argument("--samples", type=int, help="samples per epoch (default 60000; 10000 with --quick)")
    parser.add_argument("--rounds", type=int, help="timed epochs per configuration, median shown (default 3)")
    parser.add_argument("--quick", action="store_true", help="one epoch of 10 000 samples")
    parser.add_argument("--device", default="cpu", help="accepted for run.py; data-parallel rows use the CPU")
    parser.add_argument("--impls", default="netgrad,numpy,torch")
    parser.add_argument("--cores", type=int, default=cores, help="BLAS threads of 1 process")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per configuration")
    parser.add_argument("--worker", choices=["netgrad", "numpy", "torch"], help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.samples = args.samples or (10_000 if args.quick else 60_000)
    args.rounds = args.rounds or (1 if args.quick else 3)
    if args.worker:
        args.batch = args.batch[0]
        worker(args)
        return
    args.mpiexec = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
    if args.mpiexec is None:
        sys.exit("no mpiexec: pip install 'netgrad[distributed]'")
    args.procs = args.procs or [p for p in (2, 4, 8, 16, 32, 64) if p <= max(args.cores, 2)]
    for batch in args.batch:
        if any(batch % p for p in args.procs):
            sys.exit(f"global batch {batch} must divide evenly among {args.procs} processes")
    impls = args.impls.split(",")
    if "torch" in impls and importlib.util.find_spec("torch") is None:
        impls.remove("torch")
        print("PyTorch is not installed: no PyTorch DDP rows", file=sys.stderr)
    counts = [1] + args.procs
    print(f"one epoch of {args.samples} samples, 784-300-100-10 MLP, SGD; {args.cores} cores, BLAS threads = "
          f"cores / processes; median of {args.rounds}")
    print("| implementation | global batch | " + " | ".join(f"{p} proc." for p in counts) + " |")
    print("|---|---|" + "---|" * len(counts))
    for batch in args.batch:
        for impl in impls:
            seconds = [run_one(impl, p, batch, args) for p in counts]
            cells = []
            for s in seconds:
                if s is None:
                    cells.append("failed")
                else:
                    speedup = f" ({seconds[0] / s:.2f}x)" if seconds[0] and s is not seconds[0] else ""
                    cells.append(f"{s:.3f} s{speedup}")
            name = {"netgrad": "netgrad DDP (MPI)", "numpy": "NumPy + mpi4py", "torch": "PyTorch DDP (gloo)"}[impl]
            print(f"| {name} | {batch} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
