"""Data-parallel training on several processes: the notes' digit network under ``mpiexec``, PyTorch's recipe.

Every process (rank) builds the same model; ``DistributedDataParallel`` copies rank 0's weights to all of
them and averages the gradients after each ``backward()``; ``DistributedSampler`` gives each rank its share
of every epoch. Each rank takes ``batch / world size`` samples of every global batch, so one step on N ranks
is the step one process would take on the whole batch. Rank 0 alone prints, writes the checkpoint (atomically,
every epoch) and draws the curves. Run it with::

    mpiexec -n 2 python examples/distributed_mnist.py --out netgrad-examples/ [--data fashion-mnist]
    python examples/distributed_mnist.py --out netgrad-examples/        # the same script on one process

(``pip install 'netgrad[distributed]'`` brings mpi4py and MPICH's ``mpiexec``.) With ``--data digits`` (the
default: scikit-learn's 8x8 digits) it trains a 64-300-100-10 network in seconds; ``--data fashion-mnist``
(the Debian package ``dataset-fashion-mnist``) the full 784-300-100-10 one. Writes ``<out>/distributed.ckpt``
and ``<out>/distributed_curves.png``.
"""
from __future__ import annotations

import argparse
import os

import numpy as np

import netgrad
import netgrad.distributed as dist
from netgrad import nn, optim
from netgrad.data import StandardScaler, fashion_mnist_available, load_digits, load_fashion_mnist, train_test_split
from netgrad.nn.parallel import DistributedDataParallel
from netgrad.utils.data.distributed import DistributedSampler


def load(name: str, train_size: int, seed: int):
    if name == "fashion-mnist":
        X_train, y_train = load_fashion_mnist(kind="train")
        X_test, y_test = load_fashion_mnist(kind="test")
        X_train, y_train = X_train[:train_size], y_train[:train_size]
    else:
        X, y = load_digits()
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    X_train, X_test = X_train.reshape(len(X_train), -1), X_test.reshape(len(X_test), -1)
    scaler = StandardScaler().fit(X_train)
    return (scaler.transform(X_train).astype(np.float32), y_train.astype(np.int64),
            scaler.transform(X_test).astype(np.float32), y_test.astype(np.int64))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the checkpoint and the picture")
    parser.add_argument("--data", choices=("digits", "fashion-mnist"), default="digits")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=128, help="the global batch, shared by the ranks")
    parser.add_argument("--train-size", type=int, default=60000, help="Fashion-MNIST training images used")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.data == "fashion-mnist" and not fashion_mnist_available():
        parser.error("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); use --data digits")

    # one process without mpiexec (or without mpi4py); under mpiexec -n N, N ranks
    distributed = dist.is_available() or dist.is_mpi_launched()
    if distributed:
        dist.init_process_group("mpi")
    rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
    if args.batch_size % world:
        parser.error(f"--batch-size {args.batch_size} must be a multiple of the {world} processes")

    X_train, y_train, X_test, y_test = load(args.data, args.train_size, args.seed)
    netgrad.manual_seed(args.seed + rank)  # different starts on purpose: the wrapper copies rank 0's weights
    model = nn.Sequential(nn.Linear(X_train.shape[1], 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(),
                          nn.Linear(100, 10))
    if distributed:
        model = DistributedDataParallel(model)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    sampler = DistributedSampler(range(len(X_train)), num_replicas=world, rank=rank, seed=args.seed)
    local_batch = args.batch_size // world
    checkpoint = os.path.join(args.out, "distributed.ckpt")
    if rank == 0:
        os.makedirs(args.out, exist_ok=True)
        print(f"{world} process(es), {len(sampler)} of {len(X_train)} samples and {local_batch} of every "
              f"{args.batch_size} per process")

    history = {"loss": [], "accuracy": []}
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)  # a new shuffle, the same on every rank
        model.train()
        rows = sampler.indices()
        totals = netgrad.zeros(3, dtype=netgrad.float64)  # loss sum, correct, samples: added up over the ranks
        for start in range(0, len(rows), local_batch):
            batch = rows[start:start + local_batch]
            logits = model(netgrad.from_numpy(X_train[batch]))
            loss = nn.functional.cross_entropy(logits, netgrad.from_numpy(y_train[batch]))
            optimizer.zero_grad()
            loss.backward()  # the gradients are now the mean over the ranks
            optimizer.step()
            totals += netgrad.tensor([loss.item() * len(batch), float((logits.detach().numpy().argmax(1)
                                                                       == y_train[batch]).sum()), len(batch)])
        if distributed:
            dist.all_reduce(totals)
        loss_sum, correct, seen = totals.tolist()
        history["loss"].append(loss_sum / seen)
        history["accuracy"].append(correct / seen)
        if rank == 0:  # one printer, one writer: netgrad.save writes a temporary file and renames it
            netgrad.save({"model": model.module.state_dict() if distributed else model.state_dict(),
                          "optimizer": optimizer.state_dict(), "epoch": epoch + 1}, checkpoint)
            print(f"epoch {epoch + 1:2d}: loss {loss_sum / seen:.4f}, accuracy {correct / seen * 100:.2f} %")

    network = model.module if distributed else model
    weights = np.concatenate([p.detach().numpy().ravel() for p in network.parameters()])
    if distributed:  # every rank ends with the same weights
        gathered = [netgrad.zeros(weights.size) for _ in range(world)]
        dist.all_gather(gathered, netgrad.from_numpy(weights))
        assert all(np.array_equal(g.numpy(), weights) for g in gathered), "ranks disagree"
    if rank == 0:
        network.eval()
        with netgrad.no_grad():
            accuracy = float((network(netgrad.from_numpy(X_test)).numpy().argmax(1) == y_test).mean())
        print(f"{args.data}: test accuracy {accuracy * 100:.2f} % after {args.epochs} epochs on {world} process(es); "
              f"checkpoint {checkpoint}")
        if args.data == "digits":
            assert accuracy >= 0.95, accuracy
        try:
            import matplotlib.pyplot as plt

            from netgrad import viz
        except ImportError as err:
            print(f"picture skipped: {err}")
        else:
            path = os.path.join(args.out, "distributed_curves.png")
            viz.plot_history(history, path=path, title=f"{world} process(es), global batch {args.batch_size}")
            plt.close("all")
            print(f"wrote {path}")
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
