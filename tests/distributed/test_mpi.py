"""Data-parallel training under ``mpiexec -n 2``: each worker script asserts its own figures, this file runs it.

The workers compare with independent references: one process on the whole batch (DDP equivalence), NumPy
on every rank's data (collectives), PyTorch's split rules (sampler). A failing rank must end the whole job.
"""
import importlib.util
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

WORKERS = Path(__file__).resolve().parent / "workers"
MPIEXEC = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
pytestmark = pytest.mark.skipif(
    MPIEXEC is None or importlib.util.find_spec("mpi4py") is None,
    reason="no MPI here: pip install 'netgrad[distributed]' brings mpi4py and MPICH's mpiexec")
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
       "MPLBACKEND": "Agg"}


def mpiexec(n, script, *args, timeout=240, cwd=None):
    command = [MPIEXEC, "-n", str(n), sys.executable, str(WORKERS / script), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=ENV, cwd=cwd)


def check(result):
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    return result.stdout


def test_two_ranks_on_half_batches_reach_the_weights_of_one_process_on_whole_batches():
    out = check(mpiexec(2, "ddp_equivalence.py"))
    for rank in (0, 1):
        for what in ("equivalent", "no_sync accumulates", "shared and unused parameters", "buffers from rank 0"):
            assert f"rank {rank}: {what}" in out


def test_collectives_agree_with_numpy_on_two_and_three_ranks():
    for n in (2, 3):
        out = check(mpiexec(n, "collectives.py"))
        assert out.count("collectives agree with NumPy") == n


def test_a_rank_that_raises_ends_the_job_with_its_error():
    start = time.monotonic()
    result = mpiexec(2, "faults.py", "raise", timeout=120)
    assert result.returncode != 0
    assert time.monotonic() - start < 60
    assert "ValueError: boom on rank 1" in result.stderr
    assert "should not get here" not in result.stdout


def test_ctrl_c_stops_every_rank():
    command = [MPIEXEC, "-n", "2", sys.executable, str(WORKERS / "faults.py"), "interrupt"]
    # the job must see Ctrl-C whatever this process inherited (a background job or nohup ignores SIGINT)
    default_sigint = lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)  # noqa: E731
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                          preexec_fn=default_sigint, start_new_session=True) as job:
        try:
            # read raw bytes against a deadline: the launcher may forward the two ranks' lines merged into one
            seen, deadline = b"", time.monotonic() + 120
            while seen.count(b"ready") < 2 and time.monotonic() < deadline:
                if select.select([job.stdout], [], [], 1.0)[0]:
                    chunk = os.read(job.stdout.fileno(), 4096)
                    if not chunk:
                        break
                    seen += chunk
            assert seen.count(b"ready") == 2, seen
            job.send_signal(signal.SIGINT)
            stdout, stderr = job.communicate(timeout=60)
        finally:
            if job.poll() is None:
                os.killpg(job.pid, signal.SIGKILL)  # the launcher and every rank it started
    assert job.returncode != 0
    assert "interrupted (KeyboardInterrupt)" in stderr
    assert "should not get here" not in stdout


def test_scaling_benchmark_runs_on_tiny_sizes():
    command = [sys.executable, str(WORKERS.parent.parent.parent / "benchmarks" / "distributed.py"), "--samples", "256",
               "--batch", "64", "--rounds", "1", "--procs", "2", "--impls", "netgrad,numpy"]
    out = check(subprocess.run(command, capture_output=True, text=True, timeout=300, env=ENV))
    rows = [line for line in out.splitlines() if line.startswith("| netgrad") or line.startswith("| NumPy")]
    assert len(rows) == 2 and not any("failed" in row for row in rows), out


def test_trainer_keras_fit_and_estimators_train_data_parallel_once_the_group_is_open(tmp_path):
    result = mpiexec(2, "faces.py", str(tmp_path), timeout=400)
    out = check(result)
    for rank in (0, 1):
        for what in ("sharded batches cover the data", "Trainer equals one process", "Keras fit learns the digits",
                     "estimator trains"):
            assert f"rank {rank}: {what}" in out
    assert out.count("Epoch 1/12") == 1  # progress from rank 0 only
    assert (tmp_path / "keras.ckpt").exists() and (tmp_path / "digits.keras").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left behind
