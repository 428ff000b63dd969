"""The faces on a real GPU: Keras compile(device=) and keras.device, the estimators' device, the command's
--device, and detach's version counter on GPU tensors. Marked ``gpu``: skipped without CuPy or a CUDA device;
``make test-gpu`` runs them. Each figure is compared with the same run on the CPU (to float32 rounding: the
GPU sums in another order, and its dropout masks come from its own generator, so no dropout here)."""
import numpy as np
import pytest

import netgrad
from netgrad import cli, keras, nn
from netgrad.estimators import MLPClassifier, NeuralNetClassifier

pytestmark = pytest.mark.gpu
if not netgrad.cuda.is_available():
    pytest.skip("no CUDA GPU (or no CuPy)", allow_module_level=True)

rng = np.random.default_rng(0)
X = rng.normal(size=(256, 8)).astype(np.float32)
Y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)


def test_keras_on_the_gpu_matches_the_cpu():
    def run(device=None, scope=None):
        netgrad.manual_seed(0)
        model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                                  keras.layers.BatchNormalization(), keras.layers.Dense(3, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], device=device)
        if scope is None:
            return model.fit(X, Y, epochs=3, verbose=0).history, model.predict(X, verbose=0), model
        with keras.device(scope):
            return model.fit(X, Y, epochs=3, verbose=0).history, model.predict(X, verbose=0), model

    cpu = run()
    for gpu in (run(device="gpu"), run(scope="gpu:0"), run(device="auto")):
        assert {w.device.type for w in gpu[2].weights} == {"cuda"} and type(gpu[1]) is np.ndarray
        np.testing.assert_allclose(gpu[0]["loss"], cpu[0]["loss"], rtol=1e-4)
        np.testing.assert_allclose(gpu[1], cpu[1], rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("make", [lambda d: MLPClassifier((16,), max_iter=20, random_state=0, device=d),
                                  lambda d: NeuralNetClassifier(nn.Linear, module__in_features=8,
                                                                module__out_features=3, max_epochs=5, lr=0.1,
                                                                random_state=0, device=d)])
def test_estimators_on_the_gpu_predict_numpy_like_the_cpu(make):
    gpu, cpu = make("cuda").fit(X, Y), make("cpu").fit(X, Y)
    assert type(gpu.predict(X)) is np.ndarray and type(gpu.predict_proba(X)) is np.ndarray
    np.testing.assert_allclose(gpu.predict_proba(X), cpu.predict_proba(X), rtol=1e-3, atol=1e-5)


def test_train_with_device_cuda(capsys, tmp_path):
    assert cli.main(["train", "--data", "xor", "--hidden", "8", "--epochs", "20", "--quiet", "--device", "cuda",
                     "--save", str(tmp_path / "m.netgrad")]) == 0
    out = capsys.readouterr().out
    assert "device: cuda" in out and "test: accuracy" in out


def test_detach_shares_the_version_counter_on_the_gpu():
    a = netgrad.ones(3, device="cuda", requires_grad=True)
    y = (a * a).sum()
    view = a.detach()
    view.add_(1)
    assert a._version == view._version == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
