"""A busy machine: scikit-learn's and netgrad's ``MLPClassifier((64,))`` on the digits, with another process
keeping one core busy.

    python benchmarks/busy.py [--rounds 3] [--max-iter 200] [--no-load] [--quick] [--json F]

Configurations, each fit in a fresh process (so that environment variables reach BLAS at import):

- ``sklearn``: scikit-learn's MLPClassifier;
- ``netgrad``: netgrad's, as installed (with threadpoolctl, BLAS runs on one thread while every product of
  the fit is small; see ``netgrad.engine.blas``);
- ``netgrad-all-threads``: the same with that switched off, every product on all of OpenBLAS's threads;
- ``netgrad-1-thread``: ``OPENBLAS_NUM_THREADS=1`` for the whole process.

The load is one process spinning on the last core (``os.sched_setaffinity`` where there is one), started
before and stopped after every fit; the fits are not pinned, so BLAS threads compete with it as they would
with any other program. Rounds alternate the order of the configurations; the table gives the median and the
range of the fit times, and of the time per epoch (the configurations may stop after different numbers of
epochs), with the test accuracy as a check that each one learned. Run it on a machine nobody else is using:
figures taken on a shared machine are not comparable from one run to the next.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIGS = {
    "sklearn": {},
    "netgrad": {},
    "netgrad-all-threads": {},
    "netgrad-1-thread": {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
}


def spin() -> None:
    """The load: one core at 100 %, on the last core where the platform lets us choose."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    while True:
        pass


def fit_once(config: str, max_iter: int) -> dict:
    """One fit of ``config`` in this process: seconds, epochs and test accuracy."""
    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    if config == "sklearn":
        from sklearn.neural_network import MLPClassifier
    else:
        from netgrad.estimators import MLPClassifier
        if config == "netgrad-all-threads":
            from netgrad.engine import blas
            blas.SMALL_PRODUCT = 0
    model = MLPClassifier((64,), max_iter=max_iter, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "epochs": int(model.n_iter_), "accuracy": float(model.score(X_test, y_test))}


def run_in_process(config: str, max_iter: int) -> dict:
    env = dict(os.environ, **CONFIGS[config])
    env["PYTHONPATH"] = str(HERE.parent) + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, str(Path(__file__).resolve()), "--one", config, "--max-iter", str(max_iter)]
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{config} failed: {proc.stderr.strip().splitlines()[-1:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--no-load", action="store_true", help="no spinning process (the quiet baseline)")
    parser.add_argument("--quick", action="store_true", help="one round of 5 epochs: checks that it runs")
    parser.add_argument("--json", help="also write every fit's figures to this file")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(fit_once(args.one, args.max_iter)))
        return
    if args.quick:
        args.rounds, args.max_iter = 1, 5
    configs = args.configs.split(",")
    unknown = sorted(set(configs) - set(CONFIGS))
    if unknown:
        parser.error(f"unknown configuration(s) {', '.join(unknown)}; choose from {', '.join(CONFIGS)}")

    results: dict[str, list[dict]] = {config: [] for config in configs}
    print(f"{os.cpu_count()} cores; load: {'none' if args.no_load else 'one spinning process'}; "
          f"max_iter {args.max_iter}; {args.rounds} round(s)", flush=True)
    for round_ in range(args.rounds):
        for config in configs if round_ % 2 == 0 else configs[::-1]:
            load = None if args.no_load else multiprocessing.Process(target=spin, daemon=True)
            if load is not None:
                load.start()
            try:
                result = run_in_process(config, args.max_iter)
            finally:
                if load is not None:
                    load.terminate()
                    load.join()
            results[config].append(result)
            print(f"  round {round_ + 1}: {config:20s} {result['seconds']:8.3f} s  {result['epochs']:4d} epochs  "
                  f"accuracy {result['accuracy']:.3f}", flush=True)

    print(f"\n{'configuration':20s} {'fit s (median, min-max)':>26s} {'ms per epoch':>14s} {'accuracy':>9s}")
    for config, runs in results.items():
        seconds = [r["seconds"] for r in runs]
        per_epoch = statistics.median(1000 * r["seconds"] / r["epochs"] for r in runs)
        print(f"{config:20s} {statistics.median(seconds):10.3f} ({min(seconds):.3f}-{max(seconds):.3f}) "
              f"{per_epoch:14.2f} {statistics.median(r['accuracy'] for r in runs):9.3f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"load": not args.no_load, "max_iter": args.max_iter,
                                               "results": results}, indent=1))


if __name__ == "__main__":
    main()
