"""NeuralNetClassifier / NeuralNetRegressor: any netgrad module as a scikit-learn estimator."""
import numpy as np
import pytest

from netgrad import nn, optim
from netgrad.estimators import NeuralNetClassifier, NeuralNetRegressor
from netgrad.training import Callback


class TwoLayer(nn.Module):
    def __init__(self, in_features, out_features, hidden=8, log_probabilities=False):
        super().__init__()
        layers = [nn.Linear(in_features, hidden), nn.Tanh(), nn.Linear(hidden, out_features)]
        self.net = nn.Sequential(*layers, *([nn.LogSoftmax(dim=1)] if log_probabilities else []))

    def forward(self, x):
        return self.net(x)


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    centers = np.array([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.5]])
    X = np.concatenate([c + 0.6 * rng.normal(size=(30, 2)) for c in centers])
    return X, np.repeat(["a", "b", "c"], 30)


def test_classifier_builds_the_module_from_the_data(blobs):
    X, y = blobs
    clf = NeuralNetClassifier(TwoLayer, module__hidden=6, optimizer="adam", lr=0.05, max_epochs=40,
                              random_state=0).fit(X, y)
    first, last = clf.module_.net[0], clf.module_.net[2]
    assert (first.in_features, first.out_features, last.out_features) == (2, 6, 3)
    assert clf.score(X, y) > 0.95
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert len(clf.history_["loss"]) == clf.n_iter_ == 40
    assert clf.history_["loss"][-1] < clf.history_["loss"][0]


def test_nll_loss_on_log_probabilities_gives_the_probabilities(blobs):
    X, y = blobs
    clf = NeuralNetClassifier(TwoLayer, criterion=nn.NLLLoss, module__log_probabilities=True, optimizer="adam",
                              lr=0.05, max_epochs=30, random_state=0).fit(X, y)
    log_p = clf._forward(X)
    np.testing.assert_allclose(clf.predict_proba(X), np.exp(log_p), rtol=1e-6)
    assert clf.score(X, y) > 0.95


def test_regressor_with_a_linear_module_finds_least_squares():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.7 + 0.01 * rng.normal(size=100)
    reg = NeuralNetRegressor(nn.Linear, optimizer="sgd", lr=0.1, max_epochs=200, batch_size=100,
                             random_state=0).fit(X, y)
    X1 = np.column_stack([X, np.ones(100)])
    theta = np.linalg.lstsq(X1, y, rcond=None)[0]
    np.testing.assert_allclose(reg.module_.weight.detach().numpy()[0], theta[:3], atol=1e-6)
    np.testing.assert_allclose(reg.module_.bias.detach().numpy()[0], theta[3], atol=1e-6)
    assert reg.predict(X).shape == (100,)


def test_multi_output_regression():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 2))
    Y = np.column_stack([X.sum(axis=1), X[:, 0] - X[:, 1]])
    reg = NeuralNetRegressor(nn.Linear, optimizer="adam", lr=0.1, max_epochs=200, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (60, 2)
    assert reg.score(X, Y) > 0.999


def test_prefixed_parameters_are_hyper_parameters(blobs):
    X, y = blobs
    clf = NeuralNetClassifier(TwoLayer, module__hidden=4, optimizer=optim.SGD, optimizer__momentum=0.9)
    params = clf.get_params()
    assert params["module__hidden"] == 4 and params["optimizer__momentum"] == 0.9
    clf.set_params(module__hidden=5, lr=0.2)
    assert clf.get_params()["module__hidden"] == 5 and clf.lr == 0.2
    clf.fit(X, y)
    assert clf.module_.net[0].out_features == 5
    assert clf.optimizer_.param_groups[0]["momentum"] == 0.9 and clf.optimizer_.param_groups[0]["lr"] == 0.2
    with pytest.raises(ValueError, match="Invalid parameter"):
        clf.set_params(hiden=3)


def test_clone_and_grid_search_over_module_parameters(blobs):
    sklearn = pytest.importorskip("sklearn")
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV

    X, y = blobs
    clf = NeuralNetClassifier(TwoLayer, module__hidden=4, optimizer="adam", lr=0.05, max_epochs=10, random_state=0)
    copy = clone(clf)
    assert copy.get_params()["module__hidden"] == 4 and not hasattr(copy, "module_")
    search = GridSearchCV(clf, {"module__hidden": [2, 8]}, cv=3).fit(X, y)
    assert search.best_params_["module__hidden"] in (2, 8)
    assert search.best_estimator_.module_.net[0].out_features == search.best_params_["module__hidden"]
    assert sklearn is not None


def test_module_instance_is_copied_not_trained_in_place(blobs):
    X, y = blobs
    module = TwoLayer(2, 3)
    before = module.net[0].weight.detach().numpy().copy()
    clf = NeuralNetClassifier(module, optimizer="adam", lr=0.05, max_epochs=5).fit(X, y)
    np.testing.assert_array_equal(module.net[0].weight.detach().numpy(), before)
    assert clf.module_ is not module
    np.testing.assert_array_equal(NeuralNetClassifier(module, max_epochs=1, lr=1e-30).fit(X, y).module_.net[0]
                                  .weight.detach().numpy(), before)  # the instance's weights are the starting point


def test_callbacks_reach_the_trainer(blobs):
    X, y = blobs

    class CountEpochs(Callback):
        def __init__(self):
            super().__init__()
            self.epochs = 0

        def on_epoch_end(self, epoch, logs=None):
            self.epochs += 1

    counter = CountEpochs()
    NeuralNetClassifier(TwoLayer, max_epochs=7, callbacks=[counter]).fit(X, y)
    assert counter.epochs == 7


@pytest.mark.parametrize("estimator, error, message", [
    (NeuralNetClassifier(TwoLayer, module__out_features=2), ValueError, "2.*3 output"),
    (NeuralNetClassifier(TwoLayer, hidden=3), ValueError, r"unknown parameter.*\['hidden'\]"),
    (NeuralNetClassifier(TwoLayer(2, 3), module__hidden=4), ValueError, "need `module` to be a class"),
    (NeuralNetClassifier("TwoLayer"), ValueError, "module must be"),
    (NeuralNetClassifier(TwoLayer, optimizer="lbfgs"), ValueError, "optimizer must be"),
    (NeuralNetClassifier(TwoLayer, lr=-1.0), ValueError, "lr"),
    (NeuralNetClassifier(TwoLayer, max_epochs=0), ValueError, "max_epochs"),
])
def test_bad_parts_raise_clear_errors_in_fit(blobs, estimator, error, message):
    X, y = blobs
    with pytest.raises(error, match=message):
        estimator.fit(X, y)


def test_optimizer_may_be_a_class(blobs):
    X, y = blobs
    clf = NeuralNetClassifier(TwoLayer, optimizer=optim.RMSprop, lr=0.01, max_epochs=2).fit(X, y)
    assert isinstance(clf.optimizer_, optim.RMSprop)
