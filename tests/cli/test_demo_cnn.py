"""``netgrad demo --model cnn``: the network's shapes and parameter count, and the command end to end on the
8x8 digits (the Fashion-MNIST figure is checked by tests/training/test_cnn_fashion_mnist.py)."""
import pytest

from netgrad.cli import main
from netgrad.cli.demo_cnn import build_cnn


def test_build_cnn_has_the_documented_parameter_count():
    model = build_cnn(28, 10)
    # conv 1*9*32 + 32, BN 2*32, conv 32*9*64 + 64, BN 2*64, dense 3136*128 + 128, 128*10 + 10
    assert sum(p.numel() for p in model.parameters()) == 320 + 64 + 18_496 + 128 + 401_536 + 1_290
    assert build_cnn(8, 10)[-1].out_features == 10


def test_demo_cnn_runs_on_the_digits(tmp_path, capsys):
    pytest.importorskip("sklearn")
    assert main(["demo", "--model", "cnn", "--data", "digits", "--epochs", "2", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "convolutional network" in out and "test accuracy" in out
    assert (tmp_path / "cnn.safetensors").stat().st_size > 0
