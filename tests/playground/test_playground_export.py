"""The exported training scripts: they compile, run, and the netgrad.nn one retraces the playground exactly."""
from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from netgrad.playground.export import export_script
from netgrad.playground.session import PlaygroundConfig, PlaygroundSession, parse_csv

LOSSES = re.compile(r"epoch (\d+): training loss ([0-9.e+-]+|nan), test loss ([0-9.e+-]+|nan)")


def run_script(tmp_path, source: str, *args: str) -> str:
    path = tmp_path / "playground_script.py"
    path.write_text(source)
    result = subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True, timeout=120,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_nn_script_reproduces_the_sessions_losses(tmp_path):
    config = {"features": ["x1", "x2", "x1*x2"], "hidden": [3], "activation": "relu", "optimizer": "adam",
              "learning_rate": 0.01, "batch_size": 16, "noise": 10, "seed": 11, "train_ratio": 60,
              "regularization": "l2", "regularization_rate": 0.001}
    session = PlaygroundSession(config)
    session.step(3)
    output = run_script(tmp_path, session.script("nn"), "--epochs", "3", "--save", "trained.netgrad")
    epoch, train, test = LOSSES.search(output).groups()
    assert int(epoch) == 3
    # same seed, same data, same initial weights, same shuffling: the same numbers
    assert float(train) == pytest.approx(session.losses()["train"], abs=2e-6)
    assert float(test) == pytest.approx(session.losses()["test"], abs=2e-6)
    import netgrad.io

    saved = netgrad.io.load(tmp_path / "trained.netgrad")["state_dict"]
    for name, value in session.model.state_dict().items():
        np.testing.assert_allclose(np.asarray(saved[name]), value.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_nn_script_starts_from_downloaded_weights(tmp_path):
    session = PlaygroundSession({"features": ["x1^2", "x2^2"], "hidden": [], "learning_rate": 0.1})
    session.step(10)
    (tmp_path / "model.netgrad").write_bytes(session.model_bytes())
    trained_loss = session.losses()["train"]
    output = run_script(tmp_path, session.script("nn"), "--epochs", "1", "--weights", "model.netgrad")
    _, train, _ = LOSSES.search(output).groups()
    fresh = PlaygroundSession(session.config)
    fresh.step(1)
    # one more epoch from the trained weights is far better than one epoch from the start
    assert float(train) < trained_loss * 1.5 < fresh.losses()["train"]


def test_uploaded_points_are_written_into_the_script(tmp_path):
    rng = np.random.default_rng(4)
    rows = [(a, b, "in" if a * a + b * b < 4 else "out") for a, b in rng.uniform(-4, 4, (30, 2))]
    data = parse_csv("\n".join(f"{a:.6f},{b:.6f},{label}" for a, b, label in rows))
    session = PlaygroundSession()
    session.upload(data)
    source = session.script("nn", epochs=2)
    namespace: dict = {"__name__": "exported"}
    exec(compile(source, "exported.py", "exec"), namespace)
    X, y = namespace["load_data"]()
    np.testing.assert_array_equal(X, data.X)
    assert namespace["CLASSES"] == ["in", "out"]
    np.testing.assert_array_equal(y, [0 if label == "in" else 1 for *_, label in rows])
    assert LOSSES.search(run_script(tmp_path, source))


@pytest.mark.parametrize("config", [
    {"dataset": "reg-gauss", "problem": "regression", "hidden": [4, 4], "regularization": "l1",
     "regularization_rate": 0.001, "optimizer": "momentum"},
    {"dataset": "spiral", "hidden": [], "features": ["sin(x1)", "sin(x2)"], "activation": "sigmoid",
     "optimizer": "rmsprop"},
])
def test_nn_script_runs_for_regression_and_other_optimizers(tmp_path, config):
    source = export_script(PlaygroundConfig.from_dict(config), epochs=1)
    assert "nn.utils.l1_penalty" in source or "regularization" not in config
    epoch, train, test = LOSSES.search(run_script(tmp_path, source)).groups()
    assert epoch == "1" and float(train) >= 0 and float(test) >= 0


def test_keras_script_runs(tmp_path):
    keras = pytest.importorskip("netgrad.keras")
    if not hasattr(keras, "Sequential"):
        pytest.skip("netgrad.keras has no Sequential yet")
    config = PlaygroundConfig(hidden=(3,), regularization="l2", regularization_rate=0.001, optimizer="adam")
    source = export_script(config, api="keras", epochs=2)
    assert "keras.layers.Dense(3, activation=\"tanh\"" in source
    epoch, train, test = LOSSES.search(run_script(tmp_path, source)).groups()
    assert epoch == "2" and 0 < float(train) < 1.5


def test_export_refuses_bad_arguments():
    with pytest.raises(ValueError, match="api"):
        export_script(PlaygroundConfig(), api="torch")
    with pytest.raises(ValueError, match="epochs"):
        export_script(PlaygroundConfig(), epochs=0)
    with pytest.raises(ValueError, match="uploaded"):
        export_script(PlaygroundConfig(dataset="upload"))
