"""Run under mpiexec -n N: each collective against the same reduction done with NumPy on every rank's data."""
import numpy as np

import netgrad
import netgrad.distributed as dist
from netgrad.utils.data import DistributedSampler

assert not dist.is_initialized()
dist.init_process_group(backend="mpi", init_method="env://")
assert dist.is_initialized() and dist.get_backend() == "mpi"
rank, world = dist.get_rank(), dist.get_world_size()


def data(r, dtype=np.float64, shape=(3, 4)):
    """What rank r contributes: known to every rank, so each can compute the expected result itself."""
    return np.random.default_rng(r).normal(size=shape).astype(dtype)


everyone = np.stack([data(r) for r in range(world)])
for op, reference in [(dist.ReduceOp.SUM, everyone.sum(0)), (dist.ReduceOp.AVG, everyone.mean(0)),
                      (dist.ReduceOp.MAX, everyone.max(0)), (dist.ReduceOp.MIN, everyone.min(0)),
                      (dist.ReduceOp.PRODUCT, everyone.prod(0))]:
    t = netgrad.tensor(data(rank))
    assert dist.all_reduce(t, op=op) is None
    np.testing.assert_allclose(t.numpy(), reference, rtol=1e-14, err_msg=str(op))
    t = netgrad.tensor(data(rank))
    work = dist.all_reduce(t, op, async_op=True)
    assert work.wait() is True
    np.testing.assert_allclose(t.numpy(), reference, rtol=1e-14, err_msg=f"async {op}")
    t = netgrad.tensor(data(rank))
    dist.reduce(t, dst=world - 1, op=op)
    np.testing.assert_allclose(t.numpy(), reference if rank == world - 1 else data(rank), rtol=1e-14)

# integer, float32 and float16 tensors, and a non-contiguous view written in place
ints = netgrad.tensor(np.arange(6) * (rank + 1))
dist.all_reduce(ints)
assert ints.dtype == netgrad.int64 and ints.tolist() == (np.arange(6) * sum(range(1, world + 1))).tolist()
for dtype in (np.float32, np.float16):
    t = netgrad.tensor(data(rank, dtype))
    dist.all_reduce(t)
    assert t.numpy().dtype == dtype
    np.testing.assert_allclose(t.numpy(), np.stack([data(r, dtype) for r in range(world)]).astype(np.float32).sum(0)
                               .astype(dtype), rtol=1e-3 if dtype == np.float16 else 1e-6)
base = netgrad.tensor(data(rank))
view = base.t()  # a transposed view of base: the result must land in base
dist.all_reduce(view)
np.testing.assert_allclose(base.numpy(), everyone.sum(0), rtol=1e-14)

# broadcast from the last rank, all_gather
t = netgrad.tensor(data(rank))
dist.broadcast(t, src=world - 1)
assert np.array_equal(t.numpy(), data(world - 1))
outputs = [netgrad.zeros(3, 4, dtype=netgrad.float64) for _ in range(world)]
dist.all_gather(outputs, netgrad.tensor(data(rank)))
assert all(np.array_equal(o.numpy(), data(r)) for r, o in enumerate(outputs))

# errors are raised on every rank alike, before any communication
for call, error in [(lambda: dist.broadcast(netgrad.ones(2), src=world), RuntimeError),
                    (lambda: dist.all_gather([netgrad.ones(2)] * (world + 1), netgrad.ones(2)), RuntimeError),
                    (lambda: dist.all_reduce(netgrad.ones(2, dtype=netgrad.int64), dist.ReduceOp.AVG), ValueError),
                    (lambda: dist.all_reduce([1.0, 2.0]), TypeError),
                    (lambda: dist.init_process_group("mpi"), ValueError),
                    (lambda: dist.init_process_group("gloo"), ValueError)]:
    try:
        call()
    except error as caught:
        print(f"rank {rank}: {type(caught).__name__}: {caught}", flush=True)
    else:
        raise AssertionError("no error")

# the sampler reads the group: the ranks' shares cover the dataset, padded to equal lengths
sampler = DistributedSampler(range(11))
shares = [netgrad.zeros(len(sampler), dtype=netgrad.int64) for _ in range(world)]
dist.all_gather(shares, netgrad.tensor(sampler.indices()))
merged = np.stack([s.numpy() for s in shares], axis=1).ravel()  # rank r took every world-th index from r
assert sorted(set(merged.tolist())) == list(range(11)) and len(merged) == world * -(-11 // world)

dist.barrier()
dist.destroy_process_group()
assert not dist.is_initialized()
print(f"rank {rank}: collectives agree with NumPy", flush=True)
