"""Run under mpiexec -n 2: data-parallel SGD equals one process on the whole batch (see test_mpi.py)."""
import numpy as np

import netgrad
import netgrad.distributed as dist
from netgrad import nn, optim
from netgrad.nn.parallel import DistributedDataParallel

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
netgrad.set_default_dtype(netgrad.float64)


def make_model(seed):
    netgrad.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 3))


def weights(model):
    return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])


def gathered(vector):
    table = [netgrad.zeros(vector.size, dtype=netgrad.float64) for _ in range(world)]
    dist.all_gather(table, netgrad.tensor(vector))
    return [t.numpy() for t in table]


data = np.random.default_rng(7)
X = data.normal(size=(20, 64, 5))  # 20 global batches of 64
y = data.integers(0, 3, size=(20, 64))

# one process, whole batches, from rank 0's initial weights
reference = make_model(seed=100)
opt = optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
for xb, yb in zip(X, y):
    opt.zero_grad()
    nn.functional.cross_entropy(reference(netgrad.tensor(xb)), netgrad.tensor(yb)).backward()
    opt.step()

# every rank starts elsewhere; the wrapper copies rank 0's weights, each rank trains on its half of each batch
model = make_model(seed=100 + rank)
start = weights(model)
ddp = DistributedDataParallel(model, bucket_cap_mb=0.0005)  # 500-byte buckets: several all-reduces per step
assert len(ddp.reducer.buckets) > 2
assert not np.array_equal(start, weights(model)) or rank == 0
opt = optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
launched_during_backward = []
launch = ddp.reducer._launch
ddp.reducer._launch = lambda bucket: (launched_during_backward.append(ddp.reducer.armed), launch(bucket))
share = slice(rank * 64 // world, (rank + 1) * 64 // world)
for xb, yb in zip(X, y):
    opt.zero_grad()
    nn.functional.cross_entropy(ddp(netgrad.tensor(xb[share])), netgrad.tensor(yb[share])).backward()
    opt.step()
final = weights(model)
# the first pass learns when each gradient is complete; later ones start all-reduces during backward
buckets = len(ddp.reducer.buckets)
assert not any(launched_during_backward[:buckets]) and all(launched_during_backward[buckets:]), \
    launched_during_backward
np.testing.assert_allclose(final, weights(reference), rtol=1e-12, atol=1e-14)
tables = gathered(final)
assert all(np.array_equal(tables[0], t) for t in tables), "ranks differ"
print(f"rank {rank}: equivalent, max |difference| {np.abs(final - weights(reference)).max():.1e}", flush=True)

# no_sync: two local backward passes, then one synchronised: the mean over ranks of the summed gradients
netgrad.manual_seed(1)
shared = nn.Linear(4, 2)
wrapped = DistributedDataParallel(shared)
x1, x2 = (netgrad.tensor(np.random.default_rng(10 + rank + 5 * k).normal(size=(3, 4))) for k in range(2))
with wrapped.no_sync():
    wrapped(x1).sum().backward()
local = shared.weight.grad.numpy().copy()
assert np.array_equal(local, x1.numpy().sum(0)[None].repeat(2, 0)), "no_sync must leave the local gradient"
wrapped(x2).sum().backward()
expected = sum(np.random.default_rng(10 + r).normal(size=(3, 4)).sum(0) + np.random.default_rng(15 + r).normal(
    size=(3, 4)).sum(0) for r in range(world)) / world
np.testing.assert_allclose(shared.weight.grad.numpy(), np.tile(expected, (2, 1)), rtol=1e-12)
print(f"rank {rank}: no_sync accumulates", flush=True)


# a parameter used twice, and one only rank 0 uses: each gets the mean of the ranks' gradients
class Twice(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(netgrad.ones(3))
        self.extra = nn.Parameter(netgrad.ones(3))
        self.unused = nn.Parameter(netgrad.ones(3))

    def forward(self, x, use_extra):
        out = (x * self.w * self.w).sum()
        return out + (self.extra * x).sum() if use_extra else out


twice = DistributedDataParallel(Twice())
for step in range(3):
    for p in twice.parameters():
        p.grad = None
    x = netgrad.tensor(np.full(3, rank + 1.0 + step))
    twice(x, use_extra=rank == 0).backward()
    mean_x = np.mean([r + 1.0 + step for r in range(world)])
    np.testing.assert_allclose(twice.module.w.grad.numpy(), 2 * mean_x * np.ones(3))  # d(x w^2)/dw = 2 x w
    np.testing.assert_allclose(twice.module.extra.grad.numpy(), np.full(3, (1.0 + step) / world))
    assert twice.module.unused.grad is None
print(f"rank {rank}: shared and unused parameters", flush=True)
assert list(twice.state_dict()) == ["module.w", "module.extra", "module.unused"]
del twice  # a model can be wrapped again once its wrapper is gone

# buffers: every forward starts from rank 0's (BatchNorm's running statistics)
netgrad.manual_seed(rank)
normed = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
wrapped = DistributedDataParallel(normed)
wrapped(netgrad.tensor(np.random.default_rng(rank).normal(size=(8, 3)))).sum().backward()
means = gathered(normed[1].running_mean.numpy())
assert not np.array_equal(means[0], means[1])  # each rank updated them from its own batch
wrapped.eval()
with netgrad.no_grad():
    wrapped(netgrad.ones(2, 3))
means = gathered(normed[1].running_mean.numpy())
assert all(np.array_equal(means[0], m) for m in means)
try:
    DistributedDataParallel(normed)
except RuntimeError as error:
    assert "already wrapped" in str(error)
else:
    raise AssertionError("wrapped twice")
del wrapped
again = DistributedDataParallel(normed)
print(f"rank {rank}: buffers from rank 0", flush=True)
dist.destroy_process_group()
