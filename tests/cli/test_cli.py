"""The ``netgrad`` command end to end on small data: train -> save -> evaluate -> predict, CSV files,
the demo on digits, and one-line errors (exit status 2, never a traceback)."""
import csv
import os
import subprocess
import sys

import numpy as np
import pytest

import netgrad
from netgrad import cli
from netgrad.data import load_iris

pytest.importorskip("sklearn")


def run(capsys, *argv):
    """``main(argv)`` in this process: (exit status, stdout, stderr)."""
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def run_error(capsys, *argv):
    """A command that must fail with one line on stderr and status 2 (argparse's own errors included)."""
    try:
        status = cli.main(list(argv))
    except SystemExit as exit_:
        status = exit_.code
    captured = capsys.readouterr()
    assert status == 2, captured
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def _score(out, where, name="accuracy"):
    line = next(line for line in out.splitlines() if line.startswith(where))
    value = line.split(f"{name} ")[1].split()[0].rstrip(",")
    return float(value)


# ------------------------------------------------------------------------------------------- help


def test_help_for_every_command(capsys):
    for command in ([], ["demo"], ["train"], ["evaluate"], ["predict"]):
        with pytest.raises(SystemExit) as exit_:
            cli.main([*command, "--help"])
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("usage: netgrad")
    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    out = capsys.readouterr().out
    for option in ("--data", "--target", "--hidden", "--activation", "--optimizer", "--lr", "--epochs",
                   "--batch-size", "--save"):
        assert option in out


def test_no_command_prints_help(capsys):
    status, out, _ = run(capsys)
    assert status == 2 and "COMMAND" in out


# -------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("argv, message", [
    (["train"], "required: --data"),
    (["train", "--data", "nope"], "unknown dataset 'nope'"),
    (["train", "--data", "xor", "--hidden", "3,x"], "expected layer sizes"),
    (["train", "--data", "xor", "--epochs", "0"], "expected a positive integer"),
    (["train", "--data", "xor", "--lr", "-1"], "expected a positive number"),
    (["train", "--data", "xor", "--activation", "swish3"], "invalid choice: 'swish3'"),
    (["train", "--data", "xor", "--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
    (["train", "--data", "xor", "--dropout", "1.5"], "number in [0, 1)"),
    (["train", "--data", "xor", "--target", "y"], "--target is for CSV files"),
    (["train", "--data", "missing.csv"], "no such file: missing.csv"),
    (["evaluate", "--model", "missing.netgrad", "--data", "xor"], "no such model file"),
    (["predict", "--model", "missing.netgrad", "--input", "x.csv"], "no such model file"),
    (["demo", "--data", "mnist"], "invalid choice: 'mnist'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_bad_arguments_give_one_line(capsys, argv, message):
    line = run_error(capsys, *argv)
    assert message in line
    assert line.startswith("netgrad")


def test_bad_files_give_one_line(capsys, tmp_path):
    not_a_model = tmp_path / "notes.netgrad"
    not_a_model.write_text("hello")
    assert "not a netgrad model file" in run_error(capsys, "evaluate", "--model", str(not_a_model), "--data", "xor")
    other = tmp_path / "weights.safetensors"
    netgrad.save({"w": np.ones(2, np.float32)}, other)
    assert "not a model saved by 'netgrad train'" in run_error(capsys, "evaluate", "--model", str(other),
                                                               "--data", "xor")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b,label\n1,2,x\n3,4\n")
    assert "line 3: 2 values" in run_error(capsys, "train", "--data", str(ragged))
    text = tmp_path / "text.csv"
    text.write_text("a,b,label\n1,oops,x\n" + "3,4,y\n" * 12)
    assert "line 2: the non-numeric value 'oops' in feature column 'b'" in run_error(capsys, "train", "--data",
                                                                                     str(text))
    assert "has no column 'price'" in run_error(capsys, "train", "--data", str(text), "--target", "price")
    gaps = tmp_path / "gaps.csv"  # blank lines are skipped, but errors still name the file's own line
    gaps.write_text("a,b,label\n\n1,2,x\n\n3,inf,y\n" + "3,4,y\n" * 12)
    assert "line 5: 'inf' in column 'b' is not a finite number" in run_error(capsys, "train", "--data", str(gaps))
    missing = tmp_path / "missing_target.csv"
    missing.write_text("a,b,label\n1,2,\n" + "3,4,y\n" * 12)
    assert "line 2: missing value in the target column 'label'" in run_error(capsys, "train", "--data",
                                                                            str(missing))


def test_csv_without_header_gets_column_names(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("".join(f"{i % 7},{(i * 3) % 5},{i % 2}\n" for i in range(40)))
    data = cli.load_csv(str(path), None, test_size=0.25)
    assert data.feature_names == ["x1", "x2"] and data.target_name == "x3"
    assert data.task == "classification" and data.class_names == ["0", "1"]
    assert len(data.X_train) + len(data.X_test) == 40


def test_console_script_errors_without_traceback(tmp_path):
    """The real process: status 2, one line on stderr (what a user sees)."""
    result = subprocess.run([sys.executable, "-m", "netgrad.cli", "train", "--data", "xor", "--batch-size", "x"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "netgrad train: error: argument --batch-size: expected a positive integer, got 'x' "
        "(see 'netgrad train --help')"]


# ---------------------------------------------------------------------------- train / evaluate / predict


def test_xor_train_save_evaluate_predict(capsys, tmp_path):
    model_path = tmp_path / "xor.netgrad"
    status, out, _ = run(capsys, "train", "--data", "xor", "--hidden", "8", "--activation", "tanh", "--lr", "0.05",
                         "--epochs", "30", "--quiet", "--save", str(model_path), "--out", str(tmp_path / "pics"))
    assert status == 0
    assert "2-8-2 MLP" in out
    assert _score(out, "test") == 100.0  # noisy corners of the unit square: a hidden layer separates them
    for name in ("curves.png", "network.png", "decision_boundary.png"):
        assert (tmp_path / "pics" / name).stat().st_size > 1000
    status, out, _ = run(capsys, "evaluate", "--model", str(model_path), "--data", "xor")
    assert status == 0 and _score(out, "test (80 samples)") == 100.0
    assert "confusion matrix" in out
    # predict on the notes' truth table: 0, 1, 1, 0
    table = tmp_path / "corners.csv"
    table.write_text("x1,x2\n0,0\n0,1\n1,0\n1,1\n")
    predictions = tmp_path / "predictions.csv"
    status, out, _ = run(capsys, "predict", "--model", str(model_path), "--input", str(table), "--output",
                         str(predictions))
    assert status == 0 and "wrote 4 predictions" in out
    rows = list(csv.DictReader(predictions.open()))
    assert [row["predicted_label"] for row in rows] == ["0", "1", "1", "0"]
    for row in rows:
        assert float(row["p_0"]) + float(row["p_1"]) == pytest.approx(1.0, abs=1e-5)


def test_saved_model_reproduces_the_trained_network(capsys, tmp_path):
    model_path = tmp_path / "iris.netgrad"
    status, out, _ = run(capsys, "train", "--data", "iris", "--hidden", "16", "--epochs", "60", "--lr", "0.01",
                         "--quiet", "--save", str(model_path))
    assert status == 0
    assert _score(out, "test") >= 90.0
    saved = cli.load_model(str(model_path))
    assert saved.class_names == ["setosa", "versicolor", "virginica"]
    assert saved.feature_names[0] == "sepal length (cm)"
    # the stored scaler is the training part's: recompute it from the same split
    data = cli.load_builtin("iris", test_size=0.2, seed=0)
    np.testing.assert_allclose(saved.mean, data.X_train.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(saved.scale, data.X_train.std(axis=0), rtol=1e-5)
    # evaluate reports exactly the test accuracy that training printed
    status, evaluated, _ = run(capsys, "evaluate", "--model", str(model_path), "--data", "iris")
    assert _score(evaluated, "test (30 samples)") == _score(out, "test")
    # and its predictions are the argmax of the logits computed by hand from the stored weights
    X, _ = load_iris()
    (W1, b1), (W2, b2) = [(m.weight.detach().numpy(), m.bias.detach().numpy())
                          for m in (saved.model[0], saved.model[2])]
    h = np.maximum(((X - saved.mean) / saved.scale) @ W1.T + b1, 0)
    logits = h @ W2.T + b2
    np.testing.assert_array_equal(saved.predict(X), logits.argmax(axis=1))


def _write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def test_csv_classification_with_text_labels(capsys, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 3))
    labels = np.where(X[:, 0] + X[:, 1] > 0, "spam", "ham")
    path = tmp_path / "mail.csv"
    _write_csv(path, ["links", "caps", "length", "kind"], [[*map(str, x), label] for x, label in zip(X, labels)])
    model_path = tmp_path / "mail.netgrad"
    status, out, _ = run(capsys, "train", "--data", str(path), "--target", "kind", "--hidden", "8", "--epochs", "40",
                         "--lr", "0.01", "--quiet", "--save", str(model_path))
    assert status == 0 and "classification (2 classes)" in out
    assert _score(out, "test") >= 90.0
    saved = cli.load_model(str(model_path))
    assert saved.class_names == ["ham", "spam"] and saved.feature_names == ["links", "caps", "length"]
    # evaluate on the training file: the rows held out in training, exactly the test score training printed
    status, evaluated, _ = run(capsys, "evaluate", "--model", str(model_path), "--data", str(path))
    assert status == 0 and _score(evaluated, "test part of mail.csv (24 samples)") == _score(out, "test")
    assert "scoring the rows held out in training (split seed 0, test size 0.2)" in evaluated
    # every row when asked, and any other file as given, with its text labels
    status, out, _ = run(capsys, "evaluate", "--model", str(model_path), "--data", str(path), "--all-rows")
    assert status == 0 and _score(out, "mail.csv (120 samples)") >= 90.0
    assert "scored as given, every row (including the rows the model was trained on)" in out
    other = tmp_path / "more_mail.csv"
    other.write_text(path.read_text() + path.read_text().splitlines()[-1] + "\n")  # one more row
    status, out, _ = run(capsys, "evaluate", "--model", str(model_path), "--data", str(other))
    assert status == 0 and _score(out, "more_mail.csv (121 samples)") >= 90.0
    assert "more_mail.csv is scored as given, every row" in out
    # predict: columns in another order plus an extra one are fine; the output names the classes
    new = tmp_path / "new.csv"
    _write_csv(new, ["length", "id", "caps", "links"], [["0", "a", "2", "2"], ["0", "b", "-2", "-2"]])
    status, out, _ = run(capsys, "predict", "--model", str(model_path), "--input", str(new))
    lines = out.strip().splitlines()
    assert lines[0] == "predicted_kind,p_ham,p_spam"
    assert [line.split(",")[0] for line in lines[1:]] == ["spam", "ham"]
    missing = tmp_path / "missing.csv"
    _write_csv(missing, ["links", "caps"], [["1", "2"]])
    assert "lacks the model's feature column(s) length" in run_error(capsys, "predict", "--model", str(model_path),
                                                                     "--input", str(missing))


def test_csv_regression(capsys, tmp_path):
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (200, 2))
    y = 3 * X[:, 0] - 2 * X[:, 1] + 10  # a plane: learnable exactly
    path = tmp_path / "plane.csv"
    _write_csv(path, ["a", "b", "y"], [[f"{a:.5f}", f"{b:.5f}", f"{t:.5f}"] for (a, b), t in zip(X, y)])
    model_path = tmp_path / "plane.netgrad"
    status, out, _ = run(capsys, "train", "--data", str(path), "--hidden", "0", "--epochs", "100", "--lr", "0.05",
                         "--batch-size", "32", "--quiet", "--save", str(model_path))
    assert status == 0 and "regression (target 'y')" in out
    assert _score(out, "test", "r2") > 0.999
    saved = cli.load_model(str(model_path))
    np.testing.assert_allclose(saved.predict(np.array([[0.5, -0.5]], np.float32)), [12.5], atol=0.05)
    inputs = tmp_path / "in.csv"
    _write_csv(inputs, ["a", "b"], [["0", "0"], ["1", "1"]])
    status, out, _ = run(capsys, "predict", "--model", str(model_path), "--input", str(inputs))
    values = [float(v) for v in out.strip().splitlines()[1:]]
    np.testing.assert_allclose(values, [10.0, 11.0], atol=0.05)


# -------------------------------------------------------------------------------------------- demo


def test_demo_on_digits(tmp_path):
    """The main job on a small budget: prints an accuracy and leaves the pictures it names."""
    out = tmp_path / "demo"
    result = subprocess.run([sys.executable, "-m", "netgrad.cli", "demo", "--data", "digits", "--epochs", "3",
                             "--out", str(out)], capture_output=True, text=True, timeout=300,
                            env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("test accuracy:"))
    assert float(line.split()[2]) > 85.0  # 64-300-100-10 on 8x8 digits, three epochs
    assert "confusion matrix" in result.stdout
    for name in ("curves.png", "predictions.png", "network.png", "confusion_matrix.png"):
        path = out / name
        assert path.stat().st_size > 1000 and str(path) in result.stdout
    assert cli.load_model(str(out / "model.netgrad")).class_names == [str(d) for d in range(10)]


def test_playground_without_the_web_extra(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "netgrad.playground.server", None)  # as if starlette were missing
    monkeypatch.delitem(sys.modules, "netgrad.playground", raising=False)
    line = run_error(capsys, "playground")
    assert 'pip install "netgrad[web]"' in line


def test_confusion_matrix_table():
    table = cli.format_confusion_matrix(np.array([[5, 1], [0, 4]]), ["cat", "dog"])
    lines = table.splitlines()
    assert lines[1].split() == ["cat", "dog"]
    assert lines[2].split() == ["cat", "5", "1"] and lines[3].split() == ["dog", "0", "4"]


def test_damaged_model_files(capsys, tmp_path):
    status, _, _ = run(capsys, "train", "--data", "xor", "--hidden", "4", "--epochs", "1", "--quiet", "--save",
                       str(tmp_path / "xor.netgrad"))
    stored = netgrad.load(tmp_path / "xor.netgrad")
    del stored["preprocessing"]
    netgrad.save(stored, tmp_path / "no_preprocessing.netgrad")
    assert "has no 'preprocessing' entry" in run_error(capsys, "predict", "--model",
                                                       str(tmp_path / "no_preprocessing.netgrad"), "--input", "x.csv")
    stored = netgrad.load(tmp_path / "xor.netgrad")
    stored["architecture"]["hidden"] = [5]  # the stored weights are for 4 hidden units
    netgrad.save(stored, tmp_path / "wrong_shape.netgrad")
    assert "do not fit together" in run_error(capsys, "evaluate", "--model", str(tmp_path / "wrong_shape.netgrad"),
                                              "--data", "xor")


# --device: the same training on the 'standin' device (arrays that refuse to meet NumPy's, as a GPU's do) prints
# the CPU's figures and saves the same weights; a GPU that cannot be used is one line, before any data is read
def test_train_on_the_standin_device_prints_and_saves_what_the_cpu_does(capsys, tmp_path):
    outputs, weights = [], []
    for device in ("cpu", "standin"):
        path = tmp_path / f"{device}.netgrad"
        status, out, _ = run(capsys, "train", "--data", "xor", "--hidden", "8", "--epochs", "3", "--quiet",
                             "--dropout", "0.1", "--batch-norm", "--device", device, "--save", str(path))
        assert status == 0
        outputs.append([line for line in out.splitlines() if line.startswith(("training", "test"))])
        weights.append({k: v.numpy() for k, v in cli.load_model(str(path)).model.state_dict().items()})
    assert outputs[0] == outputs[1] and len(outputs[0]) == 2
    assert weights[0].keys() == weights[1].keys()
    for name in weights[0]:
        np.testing.assert_array_equal(weights[0][name], weights[1][name])


def test_the_cnn_demo_trains_on_the_standin_device_as_on_the_cpu():
    from netgrad.cli.demo_cnn import train_cnn

    rng = np.random.default_rng(0)
    images, labels = rng.normal(size=(24, 8, 8)).astype(np.float32), np.arange(24) % 3
    results = [train_cnn(images, labels, images[:8], labels[:8], epochs=1, verbose=0, device=device)
               for device in (None, "standin")]
    (cpu_model, cpu_history, cpu_accuracy), (model, history, accuracy) = results
    assert model[0].weight.device == "cpu"  # back on the host for pictures and saving
    assert history.history == cpu_history.history and accuracy == cpu_accuracy
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), cpu_model[0].weight.detach().numpy())


@pytest.mark.parametrize("command", [["train", "--data", "xor"], ["demo", "--data", "digits"]])
def test_a_device_that_cannot_be_used_is_one_line(capsys, command):
    message = run_error(capsys, *command, "--device", "tpu")
    assert message.startswith("netgrad: error: --device tpu is not a device: use 'cpu', 'cuda', 'cuda:N' or 'auto'")
    if not netgrad.cuda.is_available():
        message = run_error(capsys, *command, "--device", "cuda:1")
        assert message.startswith("netgrad: error: --device cuda:1: device 'cuda' needs ")
        assert message.endswith("or use 'cpu' or 'auto'")
