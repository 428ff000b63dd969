"""The ``netgrad`` command on hostile or unusual input: unwritable destinations (refused before training),
numbers beyond float32, CSV files from spreadsheets (byte-order mark, ';' with a decimal comma), bad ports,
model files whose configuration asks for more than they store; and the defaults on the toy sets."""
import subprocess
import sys
import time

import numpy as np
import pytest

import netgrad
from netgrad import cli

pytest.importorskip("sklearn")


def run(capsys, *argv):
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def run_error(capsys, *argv):
    try:
        status = cli.main(list(argv))
    except SystemExit as exit_:
        status = exit_.code
    captured = capsys.readouterr()
    assert status == 2, captured
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    return lines[0], captured.out


@pytest.fixture()
def xor_model(capsys, tmp_path):
    path = tmp_path / "xor.netgrad"
    status, _, _ = run(capsys, "train", "--data", "xor", "--hidden", "4", "--epochs", "2", "--quiet", "--save",
                       str(path))
    assert status == 0
    return path


# ----------------------------------------------------------------------------- unwritable destinations


@pytest.mark.parametrize("option, value, message", [
    ("--save", "/nonexistent_dir/m.netgrad", "the folder /nonexistent_dir does not exist"),
    ("--out", "{tmp}/a_file/pictures", "is a file, so the folder cannot be created"),
    ("--save", "{tmp}", "is a folder; give a file name"),
])
def test_unwritable_destinations_are_refused_before_training(capsys, tmp_path, option, value, message):
    (tmp_path / "a_file").write_text("not a folder")
    start = time.perf_counter()
    line, out = run_error(capsys, "train", "--data", "spiral", "--epochs", "500", option,
                          value.format(tmp=tmp_path))
    assert message in line and line.startswith(f"netgrad: error: {option}")
    assert "data:" not in out and "training:" not in out  # nothing was loaded or trained
    assert time.perf_counter() - start < 30  # 500 epochs would take minutes


def test_predictions_to_an_unwritable_file_are_refused(capsys, tmp_path, xor_model):
    table = tmp_path / "in.csv"
    table.write_text("x1,x2\n0,1\n")
    line, _ = run_error(capsys, "predict", "--model", str(xor_model), "--input", str(table), "--output",
                        "/nonexistent_dir/p.csv")
    assert "--output /nonexistent_dir/p.csv: the folder /nonexistent_dir does not exist" in line


# ------------------------------------------------------------------------------------------ numbers


def test_predict_refuses_values_beyond_float32(capsys, tmp_path, xor_model):
    assert 1e308 > float(np.finfo(np.float32).max)  # finite in float64, inf in float32
    table = tmp_path / "huge.csv"
    table.write_text("x1,x2\n0,1\n0.5,1e308\n")
    line, out = run_error(capsys, "predict", "--model", str(xor_model), "--input", str(table))
    assert f"{table}, line 3: '1e308' in column 'x2' is beyond the range of float32" in line
    assert out == ""  # no 'nan' predictions written


# ------------------------------------------------------------------------------------- spreadsheet CSV


def _points(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (n, 2))
    return X, np.where(X[:, 0] > X[:, 1], "up", "down")


def test_csv_with_a_byte_order_mark(capsys, tmp_path):
    X, labels = _points()
    path = tmp_path / "bom.csv"
    rows = "".join(f"{a:.4f},{b:.4f},{label}\n" for (a, b), label in zip(X, labels))
    path.write_bytes(("\ufeffa,b,kind\n" + rows).encode("utf-8"))
    model = tmp_path / "bom.netgrad"
    status, out, _ = run(capsys, "train", "--data", str(path), "--hidden", "8", "--epochs", "30", "--lr", "0.03",
                         "--quiet", "--save", str(model))
    assert status == 0
    assert cli.load_model(str(model)).feature_names == ["a", "b"]  # not '\ufeffa'
    plain = tmp_path / "plain.csv"
    plain.write_text("a,b\n1,-1\n-1,1\n")
    status, out, _ = run(capsys, "predict", "--model", str(model), "--input", str(plain))
    assert status == 0 and [line.split(",")[0] for line in out.splitlines()[1:]] == ["up", "down"]


def test_csv_with_semicolons_and_decimal_commas(capsys, tmp_path):
    X, labels = _points()
    path = tmp_path / "european.csv"
    rows = "".join(f"{a:.4f};{b:.4f};{label}\n".replace(".", ",") for (a, b), label in zip(X, labels))
    path.write_text("a;b;kind\n" + rows)
    data = cli.load_csv(str(path), None, test_size=0)
    assert data.feature_names == ["a", "b"] and data.class_names == ["down", "up"]
    np.testing.assert_allclose(data.X_train, np.round(X, 4), atol=1e-6)  # 1,2345 read as 1.2345
    regression = tmp_path / "prices.csv"
    regression.write_text("size;price\n" + "".join(f"{i};{i * 2.5:.1f}\n".replace(".", ",") for i in range(30)))
    data = cli.load_csv(str(regression), None, test_size=0)
    assert data.task == "regression"
    np.testing.assert_allclose(data.y_train, np.arange(30) * 2.5)


# --------------------------------------------------------------------------------------- playground


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_playground_port_is_validated(capsys, port):
    line, _ = run_error(capsys, "playground", "--port", port, "--no-browser")
    assert line == (f"netgrad: error: argument --port: expected a port number from 0 to 65535 (0 picks a free "
                    f"one), got '{port}'")


def test_playground_bad_port_in_a_real_process():
    result = subprocess.run([sys.executable, "-m", "netgrad", "playground", "--port=99999"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "netgrad: error: argument --port: expected a port number from 0 to 65535 (0 picks a free one), got '99999'"]


# ------------------------------------------------------------------------------------- model files


@pytest.mark.parametrize("hidden, message", [
    ([3e7], "must be an integer"),
    ([30_000_000], "must be between 1 and 1,048,576"),
    ([5], "needs Linear weights of shapes [(5, 2), (2, 5)], but the file stores [(4, 2), (2, 4)]"),
    ("4", "hidden must be a list"),
])
def test_model_file_sizes_are_checked_before_anything_is_built(capsys, tmp_path, xor_model, hidden, message):
    stored = netgrad.load(xor_model)
    stored["architecture"]["hidden"] = hidden
    bad = tmp_path / "bad.netgrad"
    netgrad.save(stored, bad)
    line, _ = run_error(capsys, "evaluate", "--model", str(bad), "--data", "xor")
    assert "is damaged" in line and message in line


# ------------------------------------------------------------------------------------ toy-set defaults


def test_demo_says_which_data_and_network_it_uses(capsys):
    with pytest.raises(SystemExit):
        cli.main(["demo", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "784-300-100-10 on Fashion-MNIST" in shown and "64-300-100-10 on scikit-learn's 8x8 digits" in shown


@pytest.mark.slow
def test_train_defaults_learn_the_spiral(capsys):
    """The defaults (300,100 ReLU, Adam 1e-3, batch 64) run 400 epochs on the toy sets: 2000 updates."""
    status, out, _ = run(capsys, "train", "--data", "spiral", "--quiet")
    assert status == 0 and "400 epochs of batch 64" in out
    test = next(line for line in out.splitlines() if line.startswith("test:"))
    assert float(test.split("accuracy ")[1].split()[0]) >= 95.0  # 20 epochs gave 62.5 %
