"""Instructions per XOR step, counted by callgrind: repeatable to the last digit, where timings are not.

    python benchmarks/instructions.py [--impls netgrad,torch,numpy]

Each implementation runs its XOR step (``workloads.xor_steps``) 200 and then 1200 times, in two processes
under ``valgrind --tool=callgrind`` with BLAS on one thread and a fixed hash seed; the difference of the two
totals over 1000 is what one step costs, set-up and import excluded. Instructions are not seconds (a cache
miss costs more than an addition), but they tell whether a change to the engine made it do less.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FEW, MANY = 200, 1200


def count(impl: str, steps: int) -> int:
    code = (f"import sys; sys.path.insert(0, {str(HERE)!r}); import workloads; "
            f"workloads.xor_steps({impl!r})({steps})")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONHASHSEED="0",
               PYTHONPATH=str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", code]
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or not found:
        raise RuntimeError(f"callgrind failed for {impl}: {proc.stderr.strip().splitlines()[-1:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impls", default="netgrad,torch,numpy")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (Debian: apt-get install valgrind)")
    for impl in args.impls.split(","):
        if impl == "torch" and importlib.util.find_spec("torch") is None:
            print("torch    not installed")
            continue
        per_step = (count(impl, MANY) - count(impl, FEW)) // (MANY - FEW)
        print(f"{impl:8s} {per_step:>9,d} instructions per XOR step")


if __name__ == "__main__":
    main()
