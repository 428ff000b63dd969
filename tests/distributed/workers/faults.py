"""Run under mpiexec -n 2: ``raise`` makes rank 1 fail while rank 0 waits in a collective; ``interrupt`` has
both ranks waiting until the launcher passes on a Ctrl-C."""
import sys
import time

import netgrad
import netgrad.distributed as dist

dist.init_process_group("mpi")
rank = dist.get_rank()
print(f"rank {rank} ready", flush=True)
if sys.argv[1] == "raise":
    if rank == 1:
        time.sleep(0.5)
        raise ValueError("boom on rank 1")
    dist.all_reduce(netgrad.ones(3))  # rank 1 never joins: without the abort this waits for ever
else:
    if rank == 1:
        time.sleep(600)
    dist.barrier()
print(f"rank {rank} should not get here", flush=True)
