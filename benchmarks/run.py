"""Run every benchmark for netgrad, PyTorch (when installed) and hand-written NumPy; print a table.

    python benchmarks/run.py [--rounds 3] [--repeats 3] [--only mlp_epoch_128,xor_step] [--json results.json]

Each (workload, implementation) runs in its own process, implementations alternating round by round, so
that NumPy's and PyTorch's thread pools never fight inside one process and slow drifts of the machine hit
every implementation alike. The table shows medians with min-max and the ratios to PyTorch and NumPy.
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
from pathlib import Path

HERE = Path(__file__).resolve().parent

# workload -> (metric key, unit, implementations, target text)
TABLE = {
    "per_op": ("total_us", "us", ("netgrad", "torch", "numpy"), "netgrad < PyTorch"),
    "mlp_epoch_128": ("seconds", "s", ("netgrad", "torch", "numpy"), "<= 0.80 x PyTorch, <= 1.15 x NumPy"),
    "mlp_epoch_32": ("seconds", "s", ("netgrad", "torch", "numpy"), "<= 0.70 x PyTorch"),
    "xor_step": ("step_us", "us", ("netgrad", "torch", "numpy"), "<= 0.30 x PyTorch"),
    "memory": ("extra_mb", "MB", ("netgrad", "torch", "numpy"), "<= data + 50 MB"),
    "front_ends": (None, "s", ("netgrad",), "each <= 1.10 x raw loop"),
}


def run_one(workload: str, impl: str, repeats: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, str(HERE / "workloads.py"), workload, impl, "--repeats", str(repeats)],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if workload == "per_op":
        result["total_us"] = [f + b for f, b in zip(result["forward_us"], result["backward_us"])]
    return result


def summary(values: list) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="processes per implementation, alternating")
    parser.add_argument("--repeats", type=int, default=3, help="timings per process")
    parser.add_argument("--only", default="", help="comma-separated workloads")
    parser.add_argument("--json", default=str(HERE / "results.json"))
    args = parser.parse_args()

    have_torch = importlib.util.find_spec("torch") is not None
    workloads = [w for w in TABLE if not args.only or w in args.only.split(",")]
    samples: dict = {}
    for workload in workloads:
        _, _, impls, _ = TABLE[workload]
        impls = [i for i in impls if i != "torch" or have_torch]
        for round_index in range(args.rounds if workload != "memory" else 1):
            for impl in impls if round_index % 2 == 0 else list(reversed(impls)):
                result = run_one(workload, impl, args.repeats)
                print(f"  {workload:14s} {impl:8s} round {round_index + 1}: "
                      f"{'error: ' + result['error'] if 'error' in result else 'ok'}", file=sys.stderr)
                store = samples.setdefault(workload, {}).setdefault(impl, {})
                for key, value in result.items():
                    if isinstance(value, list):
                        store.setdefault(key, []).extend(value)
                    elif key == "error" or isinstance(value, str):
                        store.setdefault("errors", []).append(value)

    report = {"machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                          "cpus": os.cpu_count(), "python": platform.python_version()},
              "results": {}}
    lines = [f"| workload | netgrad | PyTorch | NumPy floor | netgrad / PyTorch | netgrad / NumPy | target |",
             "|---|---|---|---|---|---|---|"]
    for workload in workloads:
        key, unit, _, target = TABLE[workload]
        per_impl = samples.get(workload, {})
        if workload == "front_ends":
            runs = per_impl.get("netgrad", {})
            raw = runs.get("raw_loop")
            for name in ("trainer_fit", "keras_fit", "estimator_fit"):
                if raw and runs.get(name):
                    s, r = summary(runs[name]), summary(raw)
                    report["results"][f"front_ends.{name}"] = {"netgrad": s, "raw_loop": r}
                    lines.append(f"| {name} (1 epoch, batch 128) | {s['median']:.3f} {unit} | — | — | — | "
                                 f"{s['median'] / r['median']:.2f} x raw loop ({r['median']:.3f} {unit}) | {target} |")
            continue
        cells, medians = [], {}
        for impl in ("netgrad", "torch", "numpy"):
            values = per_impl.get(impl, {}).get(key)
            if values:
                s = summary(values)
                medians[impl] = s["median"]
                report["results"].setdefault(workload, {})[impl] = s
                cells.append(f"{s['median']:.3g} {unit} ({s['min']:.3g}–{s['max']:.3g})")
            else:
                errors = per_impl.get(impl, {}).get("errors")
                cells.append("error" if errors else "—")
        if workload == "memory" and "netgrad" in per_impl:
            data_mb = per_impl["netgrad"].get("data_mb", [0])[0]
            report["results"]["memory"]["data_mb"] = data_mb
        ratio_torch = f"{medians['netgrad'] / medians['torch']:.2f}" if {"netgrad", "torch"} <= medians.keys() else "—"
        ratio_numpy = (f"{medians['netgrad'] / medians['numpy']:.2f}"
                       if {"netgrad", "numpy"} <= medians.keys() and medians["numpy"] > 0 else "—")
        lines.append(f"| {workload} | {' | '.join(cells)} | {ratio_torch} | {ratio_numpy} | {target} |")
    print("\n".join(lines))
    print(f"\nmachine: {report['machine']}")
    Path(args.json).write_text(json.dumps({**report, "samples": samples}, indent=2))
    print(f"raw timings: {args.json}")


if __name__ == "__main__":
    main()
