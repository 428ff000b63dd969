"""Run every benchmark for netgrad, PyTorch (when installed) and hand-written NumPy; print a table.

    python benchmarks/run.py [--quick] [--rounds 3] [--only mlp_epoch_128,xor_step] [--impls netgrad,numpy]
                             [--threads 1,2,4,16] [--device cuda] [--samples N] [--json F]

Each row is printed as soon as it is measured, with a progress bar on stderr. Three rounds by default (a run
of a few minutes; ``--rounds 7`` for figures to report); ``--quick`` takes 10 000 samples per MLP epoch instead
of 60 000 (a first look, not a figure to report). ``--threads 1,4,16``
measures the MLP at batch 128 and 1024 once per thread count instead of the default rows (add them back
with ``--only``): every process gets ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``
(and numexpr's and numba's) set to the count, and PyTorch ``torch.set_num_threads``. ``--device cuda``
times netgrad and PyTorch on that device for the MLP rows (the NumPy loop stays on the CPU, so its column is
empty). The other benchmark scripts listed in ``EXTRA`` (``cnn.py``, ``distributed.py``, ``busy.py``), when
present beside this file, run after the table on CPU runs without ``--only`` or ``--threads``, sized to keep
``make bench`` short (their own defaults measure more; run them alone for that); their output is printed as
it comes, each under its own heading.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

HERE = Path(__file__).resolve().parent
IMPLS = ("netgrad", "torch", "numpy")
PAUSE = 0.2  # seconds between timings: lets the previous process's spinning thread pools go idle

# workload -> (metric key, unit, implementations, target text)
TABLE = {
    "per_op": ("total_us", "us", IMPLS, "netgrad < PyTorch"),
    "mlp_epoch_128": ("seconds", "s", IMPLS, "<= 0.80 x PyTorch, <= 1.15 x NumPy"),
    "mlp_epoch_32": ("seconds", "s", IMPLS, "<= 0.70 x PyTorch"),
    "mlp_epoch_1024": ("seconds", "s", IMPLS, "<= 1.0 x PyTorch"),
    "step_overhead": ("step_us", "us", IMPLS, "(no target: the batch-32 step's overhead)"),
    "xor_step": ("step_us", "us", IMPLS, "<= 0.30 x PyTorch"),
    "memory": ("extra_mb", "MB", IMPLS, "<= data + 50 MB"),
    "front_ends": (None, "s", ("netgrad",), "each <= 1.10 x raw loop"),
}
DEFAULT_ROWS = ("per_op", "mlp_epoch_128", "mlp_epoch_32", "step_overhead", "xor_step", "memory", "front_ends")
THREAD_ROWS = ("mlp_epoch_128", "mlp_epoch_1024")  # measured once per --threads count
DEVICE_ROWS = ("mlp_epoch_128", "mlp_epoch_1024")  # what --device cuda measures
FRONT_ENDS = ("trainer_fit", "keras_fit", "estimator_fit")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                    "NUMBA_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
# other benchmark scripts beside this one, run after the table when they exist, each printing its own rows:
# script -> (its arguments in a full run, with --quick)
EXTRA = {
    "cnn.py": (["--samples", "512", "--rounds", "2"], ["--samples", "256", "--rounds", "1"]),
    "distributed.py": (["--samples", "3000", "--rounds", "1"], ["--samples", "1024", "--rounds", "1"]),
    "busy.py": (["--rounds", "1", "--max-iter", "100"], ["--quick"]),
}


class Server:
    """One ``workloads.py --serve`` process: ``time()`` asks it for one timing."""

    def __init__(self, workload: str, impl: str, options: list[str], env: dict[str, str]) -> None:
        env = dict(os.environ, **env,
                   PYTHONPATH=str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.errors = tempfile.TemporaryFile("w+")
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "workloads.py"), workload, impl, "--serve", *options],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors, text=True, env=env)

    def time(self) -> dict:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            self.errors.seek(0)
            lines = self.errors.read().strip().splitlines()
            raise RuntimeError(lines[-1] if lines else f"exit {self.process.wait()}")
        return json.loads(line)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait()
        self.errors.close()


def measure(workload: str, impls: list[str], rounds: int, progress: tqdm, options: list[str],
            env: dict[str, str]) -> dict:
    """impl -> key -> the timings of each round (None where that implementation failed)."""
    servers = {impl: Server(workload, impl, options, env) for impl in impls}
    samples: dict = {impl: {} for impl in impls}
    try:
        for round_index in range(-1, rounds):  # round -1: a warm-up, not kept
            order = impls if round_index % 2 == 0 else impls[::-1]
            for impl in order:
                progress.update()
                if impl not in servers:
                    continue
                time.sleep(PAUSE)
                try:
                    result = servers[impl].time()
                except RuntimeError as error:
                    progress.write(f"  {workload} {impl}: error: {error}", file=sys.stderr)
                    samples[impl]["error"] = str(error)
                    servers.pop(impl).close()
                    continue
                if round_index >= 0:
                    for key, value in result.items():
                        samples[impl].setdefault(key, []).append(value)
    finally:
        for server in servers.values():
            server.close()
    return samples


def summary(values: list) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def paired_ratio(ours: list, theirs: list) -> float:
    """The median over rounds of ours / theirs, both timed in the same round."""
    return statistics.median(a / b for a, b in zip(ours, theirs) if b > 0)


def row(workload: str, label: str, samples: dict, results: dict, target: str | None = None) -> list[str]:
    """The table's lines for one measured workload (front_ends gives one per front end)."""
    key, unit, _, default_target = TABLE[workload]
    target = target or default_target
    if workload == "front_ends":
        lines = []
        runs = samples.get("netgrad", {})
        for name in FRONT_ENDS:
            raw = runs.get(f"{name}_raw_loop")
            if raw and runs.get(name):
                s, ratio = summary(runs[name]), paired_ratio(runs[name], raw)
                results[name] = {**s, "raw_loop": summary(raw), "ratio": ratio}
                lines.append(f"| {name} (1 epoch, batch 128) | {s['median']:.3f} {unit} | — | — | — | "
                             f"{ratio:.2f} x raw loop ({statistics.median(raw):.3f} {unit}) | {target} |")
        return lines
    cells = []
    for impl in IMPLS:
        values = samples.get(impl, {}).get(key)
        if values:
            s = results[impl] = summary(values)
            cells.append(f"{s['median']:.3g} {unit} ({s['min']:.3g}–{s['max']:.3g})")
        else:
            cells.append("error" if "error" in samples.get(impl, {}) else "—")
    ratios = []
    for other in ("torch", "numpy"):
        ours, theirs = samples.get("netgrad", {}).get(key), samples.get(other, {}).get(key)
        if workload == "per_op" and other == "numpy":  # the floor is a bare add, with no backward
            ratios.append("—")
        elif ours and theirs and len(ours) == len(theirs) and any(theirs):
            ratio = results[f"netgrad/{other}"] = paired_ratio(ours, theirs)
            ratios.append(f"{ratio:.2f}")
        else:
            ratios.append("—")
    if workload == "memory" and results:
        results["data_mb"] = samples.get("netgrad", samples.get("numpy", {})).get("data_mb", [0])[0]
    return [f"| {label} | {' | '.join(cells)} | {' | '.join(ratios)} | {target} |"]


def run_extra(script: Path, arguments: list[str]) -> None:
    """Run one of the other benchmark scripts, printing its output as it comes."""
    print(f"\n### {script.name} {' '.join(arguments)}\n", flush=True)
    command = [sys.executable, str(script), *arguments]
    env = dict(os.environ, PYTHONPATH=str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as process:
        for line in process.stdout:
            print(line, end="", flush=True)
    if process.returncode:
        print(f"{script.name} failed (exit {process.returncode})", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 000 samples per MLP epoch: a first look")
    parser.add_argument("--rounds", type=int, help="timings per implementation, taken in turn (default 3)")
    parser.add_argument("--samples", type=int, help="samples per MLP epoch (default 60000)")
    parser.add_argument("--only", default="", help="comma-separated workloads: " + ", ".join(TABLE))
    parser.add_argument("--impls", default=",".join(IMPLS), help="comma-separated implementations")
    parser.add_argument("--threads", default="", help="comma-separated thread counts for the MLP rows, e.g. 1,4,16")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda for the MLP rows on the GPU")
    parser.add_argument("--json", default=str(HERE / "results.json"))
    args = parser.parse_args(argv)
    rounds = args.rounds or 3
    n_samples = args.samples or (10_000 if args.quick else 60_000)

    wanted = args.impls.split(",")
    if "torch" in wanted and importlib.util.find_spec("torch") is None:
        wanted.remove("torch")
        print("PyTorch is not installed: its column stays empty", file=sys.stderr)
    if args.device != "cpu" and "numpy" in wanted:
        wanted.remove("numpy")
    only = [w for w in args.only.split(",") if w]
    unknown = [w for w in only if w not in TABLE]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(TABLE)}")
    threads = [int(t) for t in args.threads.split(",") if t]
    # (workload, label, thread count or None)
    plan = [(w, w, None) for w in (only or ([] if threads else DEVICE_ROWS if args.device != "cpu"
                                            else DEFAULT_ROWS))]
    plan += [(w, f"{w} @ {t} thread{'s' if t > 1 else ''}", t) for t in threads for w in THREAD_ROWS]
    if args.device != "cpu":
        plan = [(w, f"{label} ({args.device})", t) for w, label, t in plan if w in DEVICE_ROWS]
    report = {"machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                          "cpus": os.cpu_count(), "python": platform.python_version()},
              "rounds": rounds, "samples_per_epoch": n_samples, "device": args.device, "results": {}, "samples": {}}

    def impls_of(workload: str) -> list[str]:
        return [i for i in TABLE[workload][2] if i in wanted]

    def rounds_of(workload: str) -> int:
        return 1 if workload == "memory" else rounds

    total = sum((rounds_of(w) + 1) * len(impls_of(w)) for w, _, _ in plan)
    print(f"{len(plan)} rows, {rounds} rounds, {n_samples} samples per MLP epoch, on {args.device}"
          + (" (--quick: a first look)" if args.quick else ""), flush=True)
    print("| workload | netgrad | PyTorch | NumPy floor | netgrad / PyTorch | netgrad / NumPy | target |\n"
          "|---|---|---|---|---|---|---|", flush=True)
    with tqdm(total=total, unit="timing", file=sys.stderr, dynamic_ncols=True) as progress:
        for workload, label, count in plan:
            progress.set_description(label)
            options = ["--samples", str(n_samples), "--device", args.device]
            env = {}
            if count is not None:
                options += ["--threads", str(count)]
                env = {name: str(count) for name in THREAD_VARIABLES}
            samples = measure(workload, impls_of(workload), rounds_of(workload), progress, options, env)
            report["samples"][label] = samples
            target = "<= 1.0 x PyTorch" if count is not None else "—" if args.device != "cpu" else None
            for line in row(workload, label, samples, report["results"].setdefault(label, {}), target):
                progress.write(line, file=sys.stdout)
            sys.stdout.flush()
    print(f"\nmachine: {report['machine']}; {rounds} rounds; ratios are medians of per-round ratios")
    Path(args.json).write_text(json.dumps(report, indent=2))
    print(f"raw timings: {args.json}", flush=True)
    if only or threads or args.device != "cpu":
        return
    for name, (full, quick) in EXTRA.items():
        if (HERE / name).exists():
            run_extra(HERE / name, quick if args.quick else full)


if __name__ == "__main__":
    main()
