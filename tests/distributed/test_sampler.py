"""DistributedSampler splits like PyTorch's: the same index lists without shuffling, the same rules with it."""
import itertools

import numpy as np
import pytest

from netgrad.utils.data import DistributedSampler
from netgrad.utils.data.distributed import DistributedSampler as FromModule

torch_data = pytest.importorskip("torch.utils.data")

CASES = list(itertools.product([1, 2, 3, 7, 10, 16, 17], [1, 2, 3, 4, 8], [False, True]))


@pytest.mark.parametrize("n, replicas, drop_last", CASES)
def test_unshuffled_lists_equal_pytorchs(n, replicas, drop_last):
    for rank in range(replicas):
        ours = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        theirs = torch_data.DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs)
        assert len(ours) == len(theirs) and ours.total_size == theirs.total_size


def reference_split(order, replicas, rank, drop_last):
    """PyTorch's rules written out: pad by repeating the list from its start, or cut; then every replicas-th."""
    n = len(order)
    per_rank = -(-(n - replicas) // replicas) if drop_last and n % replicas else -(-n // replicas)
    total = per_rank * replicas
    padded = list(order)
    while len(padded) < total:
        padded += list(order)[:total - len(padded)]
    return padded[:total][rank:total:replicas]


@pytest.mark.parametrize("n, replicas, drop_last", CASES)
def test_shuffled_split_follows_the_same_rules_on_one_permutation(n, replicas, drop_last):
    samplers = [DistributedSampler(range(n), replicas, r, shuffle=True, seed=3, drop_last=drop_last)
                for r in range(replicas)]
    permutation = np.random.Generator(np.random.PCG64(3 + 5)).permutation(n)
    for rank, sampler in enumerate(samplers):
        sampler.set_epoch(5)
        assert list(sampler) == reference_split(permutation, replicas, rank, drop_last)
    shares = [set(s) for s in samplers]
    if drop_last or n % replicas == 0:  # disjoint shares, as in PyTorch
        assert sum(len(s) for s in shares) == len(set().union(*shares))


def test_epochs_give_new_orders_and_the_same_epoch_the_same_one():
    sampler = DistributedSampler(range(100), 2, 0)
    first = list(sampler)
    assert list(sampler) == first
    sampler.set_epoch(1)
    assert list(sampler) != first and sorted(first) != first


def test_bad_arguments_are_pytorchs_errors():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(range(4), 2, 2)
    with pytest.raises(ValueError, match="Invalid rank -1"):
        DistributedSampler(range(4), 2, -1)
    with pytest.raises(RuntimeError, match="init_process_group"):
        DistributedSampler(range(4))
    assert FromModule is DistributedSampler


def test_a_dataloader_batches_this_ranks_share_as_pytorchs_does():
    from netgrad.utils.data import DataLoader, Sampler, TensorDataset

    sampler = DistributedSampler(range(10), num_replicas=3, rank=1, shuffle=False)
    assert isinstance(sampler, Sampler)
    batches = [b[0].tolist() for b in DataLoader(TensorDataset(np.arange(10) * 10), batch_size=2, sampler=sampler)]
    theirs = torch_data.DistributedSampler(range(10), num_replicas=3, rank=1, shuffle=False)
    assert batches == [[10 * i for i in pair] for pair in [list(theirs)[:2], list(theirs)[2:]]]
