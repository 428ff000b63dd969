"""The estimators' ``device``: trained on the 'standin' device (whose arrays refuse to meet NumPy arrays, as a
GPU's do, so a batch or a weight left behind fails), they give the CPU's figures to the last bit (the stand-in
computes with NumPy), and predict returns NumPy arrays on the host."""
import warnings

import numpy as np
import pytest

import netgrad
from netgrad import nn
from netgrad.estimators import (
    LinearRegression,
    LogisticRegression,
    MLPClassifier,
    MLPRegressor,
    MultiLabelClassifier,
    NeuralNetClassifier,
    NeuralNetRegressor,
    SoftmaxRegression,
)

rng = np.random.default_rng(0)
X = rng.normal(size=(60, 4)).astype(np.float32)
LABELS = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
VALUES = X @ np.arange(4.0, dtype=np.float32)
MULTI = np.stack([X[:, 0] > 0, X[:, 2] > 0], 1).astype(int)

ESTIMATORS = {
    "MLPClassifier": (lambda d: MLPClassifier((8,), max_iter=5, random_state=0, device=d), LABELS),
    "MLPClassifier early stopping": (lambda d: MLPClassifier((8,), max_iter=5, early_stopping=True, random_state=0,
                                                             device=d), LABELS),
    "MLPRegressor": (lambda d: MLPRegressor((8,), max_iter=5, random_state=0, device=d), VALUES),
    "LogisticRegression": (lambda d: LogisticRegression(max_iter=5, random_state=0, device=d), LABELS),
    "SoftmaxRegression": (lambda d: SoftmaxRegression(max_iter=5, random_state=0, device=d), LABELS),
    "MultiLabelClassifier": (lambda d: MultiLabelClassifier(max_iter=5, random_state=0, device=d), MULTI),
    "LinearRegression sgd": (lambda d: LinearRegression(solver="sgd", max_iter=5, random_state=0, device=d), VALUES),
    "NeuralNetClassifier": (lambda d: NeuralNetClassifier(nn.Linear, module__in_features=4, module__out_features=3,
                                                          max_epochs=3, random_state=0, device=d), LABELS),
    "NeuralNetRegressor": (lambda d: NeuralNetRegressor(nn.Linear, module__in_features=4, module__out_features=1,
                                                        max_epochs=3, random_state=0, device=d), VALUES),
}


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_an_estimator_on_the_standin_device_matches_the_cpu_and_predicts_numpy(name):
    make, y = ESTIMATORS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # five epochs do not converge
        ours, reference = make("standin").fit(X, y), make("cpu").fit(X, y)
    for method in ("predict", "predict_proba", "decision_function"):
        if hasattr(reference, method):
            got, expected = getattr(ours, method)(X), getattr(reference, method)(X)
            assert type(got) is np.ndarray, (method, type(got))
            np.testing.assert_array_equal(got, expected)
    for attribute in ("coef_", "intercept_", "coefs_", "intercepts_"):
        if hasattr(reference, attribute):
            got, expected = getattr(ours, attribute), getattr(reference, attribute)
            pairs = zip(got, expected) if isinstance(expected, list) else [(got, expected)]
            for one, other in pairs:
                assert type(one) in (np.ndarray, float), (attribute, type(one))
                np.testing.assert_array_equal(one, other)
    module = getattr(ours, "module_", None)
    if module is not None:  # the network stays where it was trained, as skorch's does
        assert next(iter(module.parameters())).device == "standin"


def test_device_is_a_hyper_parameter_with_the_cpu_default():
    assert MLPClassifier().get_params()["device"] == "cpu"
    assert NeuralNetClassifier(nn.Linear).get_params()["device"] == "cpu"  # skorch's default
    assert LogisticRegression(device="auto").set_params(device="cpu").device == "cpu"


def test_auto_is_the_cpu_without_a_gpu_and_none_leaves_the_module_where_it_is():
    if netgrad.cuda.is_available():
        pytest.skip("a GPU is present: 'auto' picks it")
    clf = MLPClassifier((4,), max_iter=2, random_state=0, device="auto")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, LABELS)
    assert clf.module_[0].weight.device == "cpu"
    netgrad.manual_seed(0)
    placed = nn.Linear(4, 3).to("standin")
    net = NeuralNetClassifier(placed, max_epochs=1, device=None).fit(X, LABELS)
    assert next(iter(net.module_.parameters())).device == "standin" and type(net.predict(X)) is np.ndarray


@pytest.mark.parametrize("device, message", [
    ("gpu", r"device='gpu' is not a device: use 'cpu', 'cuda', 'cuda:N' or 'auto'"),
    ("cuda:x", r"device='cuda:x' is not a device"),
])
def test_a_bad_device_is_one_value_error_line(device, message):
    for estimator in (MLPClassifier(device=device), LogisticRegression(device=device),
                      NeuralNetRegressor(nn.Linear, device=device), LinearRegression(device=device)):
        with pytest.raises(ValueError, match=message):
            estimator.fit(X, VALUES if "Regress" in type(estimator).__name__ else LABELS)


@pytest.mark.skipif(netgrad.cuda.is_available(), reason="a GPU is present")
def test_cuda_without_a_gpu_says_what_is_missing():
    with pytest.raises(ValueError,
                       match=r"device='cuda': device 'cuda' needs (CuPy|an NVIDIA GPU).*or use 'cpu' or 'auto'"):
        MLPClassifier(device="cuda").fit(X, LABELS)
