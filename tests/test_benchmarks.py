"""The benchmark runner works end to end (its timings are not checked here: `make bench` is for that)."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_runner_times_each_implementation_in_its_own_process_and_pairs_the_ratios(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--only", "xor_step",
                           "--impls", "netgrad,numpy", "--rounds", "2", "--json", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    row = next(line for line in proc.stdout.splitlines() if line.startswith("| xor_step"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1].endswith(")") and cells[2] == "—" and cells[3].endswith(")")  # no PyTorch column asked for
    report = json.loads(out.read_text())
    netgrad, numpy = (report["samples"]["xor_step"][impl]["step_us"] for impl in ("netgrad", "numpy"))
    assert len(netgrad) == len(numpy) == 2
    expected = sorted(a / b for a, b in zip(netgrad, numpy))
    assert report["results"]["xor_step"]["netgrad/numpy"] == sum(expected) / 2  # the median of the paired ratios
    assert float(cells[5]) == round(sum(expected) / 2, 2)


def test_thread_table_gives_one_row_per_count_and_batch_and_streams_rows(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--threads", "1,2", "--impls", "numpy",
                           "--samples", "256", "--rounds", "1", "--json", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split("|")[1].strip() for line in proc.stdout.splitlines() if line.startswith("| mlp")]
    assert rows == ["mlp_epoch_128 @ 1 thread", "mlp_epoch_1024 @ 1 thread", "mlp_epoch_128 @ 2 threads",
                    "mlp_epoch_1024 @ 2 threads"]
    report = json.loads(out.read_text())
    assert report["samples_per_epoch"] == 256
    assert len(report["samples"]["mlp_epoch_1024 @ 2 threads"]["numpy"]["seconds"]) == 1
    assert "timing" in proc.stderr  # the progress bar


def test_other_benchmark_scripts_are_run_and_their_output_relayed(tmp_path, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    assert list(run.EXTRA) == ["cnn.py", "distributed.py", "busy.py"]
    script = tmp_path / "cnn.py"
    script.write_text("import sys\nprint('| conv row |', ' '.join(sys.argv[1:]))\n")
    run.run_extra(script, run.EXTRA["cnn.py"][1])
    assert capsys.readouterr().out.splitlines()[-1] == "| conv row | --samples 256 --rounds 1"


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="needs valgrind")
def test_instruction_counter_reports_the_cost_of_one_step():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "instructions.py"), "--impls", "numpy"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    words = proc.stdout.split()
    assert words[0] == "numpy" and words[2:] == ["instructions", "per", "XOR", "step"]
    # a dozen NumPy calls of a few thousand instructions each, set-up excluded
    assert 50_000 < int(words[1].replace(",", "")) < 2_000_000
