"""python -m netgrad.run: `import torch` resolves to netgrad for one run; missing things fail in one line."""
import subprocess
import sys
import textwrap

import pytest

import netgrad
from netgrad.run import main, run_script

SCRIPT = """
import sys
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim
from torch.utils.data import DataLoader, TensorDataset
result = (torch, nn, F, optim, DataLoader, sys.argv[1:], __name__)
if "fft" in sys.argv:
    torch.fft.rfft(torch.ones(4))
if "import" in sys.argv:
    import torch.sparse
if "from" in sys.argv:
    from torch.nn import Gizmo
if "keyword" in sys.argv:
    torch.zeros(3, pin_me=True)
if "method" in sys.argv:
    torch.ones(2).frobnicate()
if "bug" in sys.argv:
    raise KeyError("the script's own bug")
"""


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(SCRIPT))
    return path


def test_torch_names_are_netgrads_modules_during_the_run_only(script):
    modules_before = {name for name in sys.modules if name == "torch" or name.startswith("torch.")}
    argv = sys.argv
    torch_, nn, F, optim, DataLoader, args, name = run_script(str(script), ["--epochs", "2"])["result"]
    assert (torch_, nn, F, optim) == (netgrad, netgrad.nn, netgrad.nn.functional, netgrad.optim)
    assert DataLoader is netgrad.utils.data.DataLoader is netgrad.data.DataLoader
    assert args == ["--epochs", "2"] and name == "__main__" and sys.argv is argv
    assert {name for name in sys.modules if name == "torch" or name.startswith("torch.")} == modules_before


@pytest.mark.parametrize("arg, line, message", [
    ("fft", 10, "netgrad has no complex tensors, which fft.rfft works on; use numpy.fft.rfft on "
                "tensor.detach().numpy() meanwhile (no gradient)"),
    ("import", 12, "netgrad has no torch.sparse"),
    ("from", 14, "netgrad has no torch.nn.Gizmo"), ("keyword", 16, "netgrad's zeros() has no argument 'pin_me'"),
    ("method", 18, "netgrad has no Tensor.frobnicate")])
def test_what_netgrad_lacks_is_one_line(script, capsys, arg, line, message):
    assert main([str(script), arg]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"train.py:{line}: {message} (see docs/pytorch.md")


def test_the_scripts_own_errors_keep_their_traceback_and_a_real_torch_stays_importable(script, capsys):
    assert main([str(script), "bug"]) == 1
    err = capsys.readouterr().err
    assert "KeyError: \"the script's own bug\"" in err and 'File "' + str(script) in err and "runpy" not in err
    pytest.importorskip("torch")
    import torch
    assert torch is not netgrad and hasattr(torch, "fft")


def test_module_entry_point_runs_the_script(script):
    done = subprocess.run([sys.executable, "-m", "netgrad.run", str(script), "fft"], capture_output=True, text=True)
    assert done.returncode == 1 and done.stderr.startswith("train.py:10: netgrad has no complex tensors")
    assert main([]) == 2 and main(["/no/such/script.py"]) == 2


def test_netgrad_run_command_is_the_same_runner(script, capsys):
    from netgrad.cli import main as netgrad_command

    assert netgrad_command(["run", str(script), "fft"]) == 1
    assert capsys.readouterr().err.startswith("train.py:10: netgrad has no complex tensors")
    assert netgrad_command(["run", str(script)]) == 0
