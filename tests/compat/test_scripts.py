"""Tutorial-style PyTorch scripts (tests/compat/scripts/) run unchanged through ``python -m netgrad.run``
and end with PyTorch's final loss, to 1e-6 relative, from the same starting numbers."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

SCRIPTS = sorted((pathlib.Path(__file__).parent / "scripts").glob("*.py"))
ENV = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")


def final_loss(command):
    done = subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.findall(r"^final loss: (\S+)$", done.stdout, re.M)
    assert found, done.stdout[-2000:]
    return float(found[-1])


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_script_runs_on_netgrad_and_matches_pytorch(script):
    ours = final_loss([sys.executable, "-m", "netgrad.run", str(script)])
    pytest.importorskip("torch")
    theirs = final_loss([sys.executable, str(script)])
    assert ours == pytest.approx(theirs, rel=1e-6, abs=1e-12)
