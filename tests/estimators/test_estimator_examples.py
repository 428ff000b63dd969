"""The estimator examples run, print what they show and write only under --out."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_example(name, cwd, out, *extra):
    """Run from ``cwd`` (a fresh folder), so that a file written anywhere but ``out`` would show up there."""
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run([sys.executable, os.path.join(ROOT, "examples", name), "--out", str(out), *extra],
                            capture_output=True, text=True, timeout=180, cwd=str(cwd), env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def written(out):
    return sorted(os.path.relpath(os.path.join(folder, f), out) for folder, _, files in os.walk(out) for f in files)


def test_perceptron_and_or_xor(tmp_path):
    pytest.importorskip("matplotlib")
    out = run_example("perceptron_and_or_xor.py", tmp_path, tmp_path / "figures", "--max-iter", "30")
    assert "AND: 5 epoch(s), accuracy 100%" in out and "OR: 3 epoch(s), accuracy 100%" in out
    assert "XOR: 30 epoch(s)" in out and "ConvergenceWarning" in out and "linearly separable" in out
    assert "XOR with MLPClassifier(hidden_layer_sizes=(4,)): accuracy 100%" in out
    assert written(tmp_path) == [os.path.join("figures", "perceptron_and_or_xor.png")]


def test_linear_regression_three_ways(tmp_path):
    pytest.importorskip("matplotlib")
    out = run_example("linear_regression_three_ways.py", tmp_path, tmp_path, "--epochs", "10")
    for theta, cost in (("-1", "9.33"), ("0", "2.33"), ("1", "0.00"), ("2", "2.33"), ("3", "9.33")):
        assert f"  {theta:>2}   {cost}" in out
    differences = [float(d) for d in re.findall(r"differ by (?:at most )?([0-9.e+-]+)", out)]
    assert len(differences) == 2 and max(differences) < 1e-12  # hand-written chain rule == autograd
    assert written(tmp_path) == ["linear_regression_three_ways.png"]


def test_feature_scaling(tmp_path):
    pytest.importorskip("matplotlib")
    out = run_example("feature_scaling.py", tmp_path, tmp_path)
    lines = {line.split("  ")[0]: line for line in out.splitlines()}
    assert "diverged" in lines["raw features, lr = 0.1"]
    assert float(lines["standardised, lr = 0.1"].split()[-1]) > 0.999
    assert float(lines["raw features, lr = 1e-7"].split()[-1]) < 0.95
    assert written(tmp_path) == ["feature_scaling.png"]


def test_sklearn_interop(tmp_path):
    pytest.importorskip("sklearn")
    out = run_example("sklearn_interop.py", tmp_path, tmp_path / "unused")
    assert "1. cross_val_score" in out and "3. GridSearchCV over NeuralNetClassifier" in out
    assert "fitted: False" in out
    assert written(tmp_path) == []
