"""Data-parallel training on MPI with PyTorch's ``torch.distributed`` names: ``import netgrad.distributed as dist``.

Start N processes with ``mpiexec -n N python train.py``; in the script::

    dist.init_process_group("mpi")             # rank and world size from MPI
    model = nn.parallel.DistributedDataParallel(model)   # same start, averaged gradients
    sampler = utils.data.distributed.DistributedSampler(dataset)   # each rank its share of the data

Needs ``pip install 'netgrad[distributed]'`` (mpi4py and MPICH, whose wheel brings ``mpiexec``).
"""
from .collectives import ReduceOp, Work, all_gather, all_reduce, barrier, broadcast, reduce
from .process_group import (
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    group,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_launched,
)

__all__ = [
    "init_process_group", "destroy_process_group", "is_available", "is_initialized", "is_mpi_launched",
    "get_rank", "get_world_size", "get_backend", "barrier", "group",
    "ReduceOp", "Work", "all_reduce", "reduce", "broadcast", "all_gather",
]
