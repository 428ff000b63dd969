"""Run every benchmark for netgrad, PyTorch (when installed) and hand-written NumPy; print a table.

    python benchmarks/run.py [--rounds 7] [--only mlp_epoch_128,xor_step] [--impls netgrad,numpy] [--json F]

Each implementation of a workload runs in its own process (``workloads.py --serve``), so NumPy's and
PyTorch's thread pools never share one. The processes stay alive and are asked for one timing at a time,
in turn: a round times every implementation once, back to back, the order alternating between rounds.
A shared machine's speed drifts (by up to 2x on the machine in README.md, in phases of seconds), so the
ratios are paired: "netgrad / PyTorch" is the median over the rounds of netgrad's timing divided by
PyTorch's timing of the same round, which a drift between rounds does not bias. The table also shows each
implementation's median with min-max; the JSON file keeps every timing.
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

HERE = Path(__file__).resolve().parent
IMPLS = ("netgrad", "torch", "numpy")
PAUSE = 0.2  # seconds between timings: lets the previous process's spinning thread pools go idle

# workload -> (metric key, unit, implementations, target text)
TABLE = {
    "per_op": ("total_us", "us", IMPLS, "netgrad < PyTorch"),
    "mlp_epoch_128": ("seconds", "s", IMPLS, "<= 0.80 x PyTorch, <= 1.15 x NumPy"),
    "mlp_epoch_32": ("seconds", "s", IMPLS, "<= 0.70 x PyTorch"),
    "step_overhead": ("step_us", "us", IMPLS, "(no target: the batch-32 step's overhead)"),
    "xor_step": ("step_us", "us", IMPLS, "<= 0.30 x PyTorch"),
    "memory": ("extra_mb", "MB", IMPLS, "<= data + 50 MB"),
    "front_ends": (None, "s", ("netgrad",), "each <= 1.10 x raw loop"),
}
FRONT_ENDS = ("trainer_fit", "keras_fit", "estimator_fit")


class Server:
    """One ``workloads.py --serve`` process: ``time()`` asks it for one timing."""

    def __init__(self, workload: str, impl: str) -> None:
        env = dict(os.environ, PYTHONPATH=str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.errors = tempfile.TemporaryFile("w+")
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "workloads.py"), workload, impl, "--serve"],
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


def measure(workload: str, impls: list[str], rounds: int) -> dict:
    """impl -> key -> the timings of each round (None where that implementation failed)."""
    servers = {impl: Server(workload, impl) for impl in impls}
    samples: dict = {impl: {} for impl in impls}
    try:
        for round_index in range(-1, rounds):  # round -1: a warm-up, not kept
            order = impls if round_index % 2 == 0 else impls[::-1]
            for impl in order:
                if impl not in servers:
                    continue
                time.sleep(PAUSE)
                try:
                    result = servers[impl].time()
                except RuntimeError as error:
                    print(f"  {workload:14s} {impl:8s} error: {error}", file=sys.stderr)
                    samples[impl]["error"] = str(error)
                    servers.pop(impl).close()
                    continue
                if round_index >= 0:
                    for key, value in result.items():
                        samples[impl].setdefault(key, []).append(value)
            if round_index >= 0:
                print(f"  {workload:14s} round {round_index + 1}/{rounds}", file=sys.stderr)
    finally:
        for server in servers.values():
            server.close()
    return samples


def summary(values: list) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def paired_ratio(ours: list, theirs: list) -> float:
    """The median over rounds of ours / theirs, both timed in the same round."""
    return statistics.median(a / b for a, b in zip(ours, theirs) if b > 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="timings per implementation, taken in turn")
    parser.add_argument("--only", default="", help="comma-separated workloads")
    parser.add_argument("--impls", default=",".join(IMPLS), help="comma-separated implementations")
    parser.add_argument("--json", default=str(HERE / "results.json"))
    args = parser.parse_args()

    wanted = args.impls.split(",")
    if "torch" in wanted and importlib.util.find_spec("torch") is None:
        wanted.remove("torch")
        print("PyTorch is not installed: its column stays empty", file=sys.stderr)
    workloads = [w for w in TABLE if not args.only or w in args.only.split(",")]
    report = {"machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                          "cpus": os.cpu_count(), "python": platform.python_version()},
              "rounds": args.rounds, "results": {}, "samples": {}}
    lines = ["| workload | netgrad | PyTorch | NumPy floor | netgrad / PyTorch | netgrad / NumPy | target |",
             "|---|---|---|---|---|---|---|"]
    for workload in workloads:
        key, unit, impls, target = TABLE[workload]
        impls = [i for i in impls if i in wanted]
        samples = measure(workload, impls, 1 if workload == "memory" else args.rounds)
        report["samples"][workload] = samples
        results = report["results"][workload] = {}
        if workload == "front_ends":
            runs = samples.get("netgrad", {})
            for name in FRONT_ENDS:
                raw = runs.get(f"{name}_raw_loop")
                if raw and runs.get(name):
                    s, ratio = summary(runs[name]), paired_ratio(runs[name], raw)
                    results[name] = {**s, "raw_loop": summary(raw), "ratio": ratio}
                    lines.append(f"| {name} (1 epoch, batch 128) | {s['median']:.3f} {unit} | — | — | — | "
                                 f"{ratio:.2f} x raw loop ({statistics.median(raw):.3f} {unit}) | {target} |")
            continue
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
        lines.append(f"| {workload} | {' | '.join(cells)} | {' | '.join(ratios)} | {target} |")
    print("\n".join(lines))
    print(f"\nmachine: {report['machine']}; {args.rounds} rounds; ratios are medians of per-round ratios")
    Path(args.json).write_text(json.dumps(report, indent=2))
    print(f"raw timings: {args.json}")


if __name__ == "__main__":
    main()
