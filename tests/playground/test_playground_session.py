"""The playground session: configuration, data, features, network, training, and what the page is sent.

Every figure is compared with an independent computation: scikit-learn's split, hand-written feature maps,
a NumPy reference of an epoch of mini-batch SGD, the losses' formulas, and the network evaluated by hand.
"""
from __future__ import annotations

import base64
import math
import threading

import numpy as np
import pytest

import netgrad
from netgrad import nn
from netgrad.data import make_circle, make_gaussians, make_plane
from netgrad.playground.session import (DATASETS, FEATURES, PlaygroundConfig, PlaygroundSession, UploadedData,
                                        infer_problem, parse_csv, held_out_count)

# -------------------------------------------------------------------------------------- helpers


def decode(channel: str, low: float, high: float) -> np.ndarray:
    """The documented grid encoding: bytes 0..255 spread over low..high."""
    codes = np.frombuffer(base64.b64decode(channel), dtype=np.uint8)
    return low + codes / 255 * (high - low)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def blobs_csv(n_per_class: int = 20, centres=((-3, -3), (3, -3), (0, 3)), names=("red", "green", "blue"),
              seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    lines = ["a,b,colour"]
    for (cx, cy), name in zip(centres, names):
        for x, y in rng.normal((cx, cy), 0.7, (n_per_class, 2)):
            lines.append(f"{x:.4f},{y:.4f},{name}")
    return "\n".join(lines) + "\n"


def weights(session: PlaygroundSession) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(linear.weight.detach().numpy().copy(), linear.bias.detach().numpy().copy())
            for linear in session.linears]


# -------------------------------------------------------------------------------------- configuration


def test_config_defaults_are_tensorflow_playgrounds():
    config = PlaygroundConfig()
    assert config.to_dict() == {
        "dataset": "circle", "problem": "classification", "noise": 0, "train_ratio": 50, "batch_size": 10,
        "seed": 1, "features": ["x1", "x2"], "hidden": [4, 2], "activation": "tanh", "learning_rate": 0.03,
        "regularization": "none", "regularization_rate": 0.0, "optimizer": "sgd",
    }


@pytest.mark.parametrize("changes, words", [
    ({"dataset": "moons"}, "dataset"),
    ({"dataset": "reg-plane"}, "regression set"),
    ({"problem": "clustering"}, "problem"),
    ({"noise": 60}, "noise"),
    ({"noise": 1.5}, "noise"),
    ({"train_ratio": 5}, "train_ratio"),
    ({"batch_size": 0}, "batch_size"),
    ({"seed": -1}, "seed"),
    ({"features": []}, "at least one feature"),
    ({"features": ["x3"]}, "feature"),
    ({"features": ["x1", "x1"]}, "repeat"),
    ({"features": "x1"}, "list"),
    ({"hidden": [4] * 7}, "at most 6 hidden layers"),
    ({"hidden": [9]}, "neurons"),
    ({"hidden": [0]}, "neurons"),
    ({"activation": "softsign"}, "activation"),
    ({"learning_rate": 0}, "learning_rate"),
    ({"learning_rate": float("nan")}, "learning_rate"),
    ({"learning_rate": "fast"}, "learning_rate"),
    ({"regularization": "l3"}, "regularization"),
    ({"regularization_rate": -0.1}, "regularization_rate"),
    ({"optimizer": "lbfgs"}, "optimizer"),
    ({"colour": "red"}, "unknown configuration field"),
])
def test_config_refuses_bad_values_naming_them(changes, words):
    with pytest.raises(ValueError, match=words):
        PlaygroundConfig.from_dict(changes)


def test_config_from_dict_fills_in_from_base_and_accepts_integer_rates():
    base = PlaygroundConfig(hidden=(3,), activation="relu")
    config = PlaygroundConfig.from_dict({"learning_rate": 1, "features": ["x1^2", "x2^2"]}, base=base)
    assert config.learning_rate == 1.0 and isinstance(config.learning_rate, float)
    assert config.features == ("x1^2", "x2^2") and config.hidden == (3,) and config.activation == "relu"


def test_test_count_keeps_at_least_one_point_on_each_side():
    assert held_out_count(500, 50) == 250
    assert held_out_count(500, 70) == 150  # not 151, as 1 - 0.7 in floating point would give
    assert held_out_count(10, 90) == 1 and held_out_count(10, 10) == 9


# -------------------------------------------------------------------------------------- CSV upload


def test_parse_csv_reads_header_delimiters_and_values():
    data = parse_csv("x,y,label\n" + "\n".join(f"{i}.5,{-i},{i % 2}" for i in range(12)))
    assert data.columns == ("x", "y", "label")
    np.testing.assert_array_equal(data.X, np.array([[i + 0.5, -i] for i in range(12)], dtype=np.float32))
    assert data.labels == tuple(str(i % 2) for i in range(12))
    semicolons = parse_csv("\n".join(f"{i};{i * 2};cat" for i in range(10)) + "\n\n")
    assert semicolons.columns == ("x1", "x2", "label") and semicolons.X[3].tolist() == [3.0, 6.0]
    tabs = parse_csv("\n".join(f"{i}\t{i}\tdog" for i in range(10)))
    assert tabs.labels == ("dog",) * 10


@pytest.mark.parametrize("text, words", [
    ("", "empty"),
    ("1,2,0\n" * 5, "10 to 10000 data rows"),
    ("1,2,0\n" * 9 + "1,2\n", "line 10: 2 values, but the header has 3 columns"),
    ("1,2,0\n" * 9 + "1,abc,0\n", "line 10: the non-numeric value 'abc' in feature column 'x2'"),
    ("1,2\n" * 12, "line 1: expected 3 columns"),
    ("1,2,0\n" * 9 + "1,inf,0\n", "finite"),
    ("1,2,0\n" * 9 + "1,2,\n", "label is empty"),
    ("1,2,0\n" * 9 + "1e9,2,0\n", "rescale"),
])
def test_parse_csv_errors_name_the_line(text, words):
    with pytest.raises(ValueError, match=words):
        parse_csv(text)


@pytest.mark.parametrize("labels, problem", [
    (["0", "1", "1", "0"], "classification"),
    (["cat", "dog", "cat"], "classification"),
    (["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"], "classification"),
    ([str(i) for i in range(11)], "regression"),
    (["0.5", "1.25", "3"], "regression"),
])
def test_infer_problem(labels, problem):
    assert infer_problem(labels) == problem


# -------------------------------------------------------------------------------------- data and features


def test_builtin_data_and_split_match_the_generator_and_scikit_learn():
    sklearn_split = pytest.importorskip("sklearn.model_selection").train_test_split
    session = PlaygroundSession({"dataset": "gauss", "noise": 20, "seed": 7, "train_ratio": 70})
    X, y = make_gaussians(500, noise=0.2, seed=7)
    X_train, X_test, y_train, y_test = sklearn_split(X, y, test_size=150, random_state=7)
    np.testing.assert_array_equal(session.X_train, X_train)
    np.testing.assert_array_equal(session.X_test, X_test)
    np.testing.assert_array_equal(session.y_train, y_train)
    np.testing.assert_array_equal(session.y_test, y_test)
    assert session.domain == (-6.0, 6.0, -6.0, 6.0)


def test_features_are_the_playgrounds_maps_in_the_chosen_order():
    session = PlaygroundSession({"features": list(FEATURES)})
    x1, x2 = session.X_train[:, 0].astype(np.float64), session.X_train[:, 1].astype(np.float64)
    expected = np.stack([x1, x2, x1 ** 2, x2 ** 2, x1 * x2, np.sin(x1), np.sin(x2)], axis=1)
    np.testing.assert_allclose(session.inputs_train, expected, rtol=1e-6, atol=1e-6)
    assert session.inputs_train.dtype == np.float32


def test_network_shape_and_initial_weights_come_from_the_seed():
    session = PlaygroundSession({"features": ["x1", "x2", "x1*x2"], "hidden": [5, 3], "activation": "relu",
                                 "seed": 42})
    assert [type(m).__name__ for m in session.model] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    netgrad.manual_seed(42)
    reference = [nn.Linear(3, 5), nn.Linear(5, 3), nn.Linear(3, 1)]
    for (weight, bias), linear in zip(weights(session), reference):
        np.testing.assert_array_equal(weight, linear.weight.detach().numpy())
        np.testing.assert_array_equal(bias, linear.bias.detach().numpy())
    before = weights(session)
    session.step(2)
    session.reset()
    assert session.epoch == 0
    for (weight, bias), (weight0, bias0) in zip(weights(session), before):
        np.testing.assert_array_equal(weight, weight0)
        np.testing.assert_array_equal(bias, bias0)


# -------------------------------------------------------------------------------------- training


def reference_sgd_epoch(W, b, X, y, lr, batch_size, order, l2=0.0):
    """One epoch of mini-batch SGD on the mean binary cross-entropy of logits ``X W^T + b`` (float64),
    optionally with the penalty ``l2 * sum(W**2)``; returns the mean over batches of the gradient norm."""
    norms = []
    for start in range(0, len(X), batch_size):
        rows = order[start:start + batch_size]
        xb, yb = X[rows].astype(np.float64), y[rows].astype(np.float64)[:, None]
        dz = (sigmoid(xb @ W.T + b) - yb) / len(rows)
        grad_W, grad_b = dz.T @ xb + 2 * l2 * W, dz.sum(axis=0)
        norms.append(math.sqrt((grad_W ** 2).sum() + (grad_b ** 2).sum()))
        W, b = W - lr * grad_W, b - lr * grad_b
    return W, b, float(np.mean(norms))


def test_one_epoch_is_mini_batch_sgd_on_the_cross_entropy():
    config = {"features": ["x1^2", "x2^2"], "hidden": [], "learning_rate": 0.01, "batch_size": 7, "seed": 3}
    session = PlaygroundSession(config)
    (W, b), = weights(session)
    W, b = W.astype(np.float64), b.astype(np.float64)
    shuffles = np.random.default_rng(3)  # the documented shuffling stream
    for _ in range(2):
        W, b, norm = reference_sgd_epoch(W, b, session.inputs_train, session.y_train, 0.01, 7,
                                         shuffles.permutation(len(session.inputs_train)))
        session.step()
    (W_session, b_session), = weights(session)
    np.testing.assert_allclose(W_session, W, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(b_session, b, rtol=1e-4, atol=1e-5)
    assert session.epoch == 2
    np.testing.assert_allclose(session.gradient_history[0][-1], norm, rtol=1e-4)
    # the losses shown: the mean binary cross-entropy at the current weights, without the penalty
    for inputs, labels, shown in ((session.inputs_train, session.y_train, session.losses()["train"]),
                                  (session.inputs_test, session.y_test, session.losses()["test"])):
        z = inputs.astype(np.float64) @ W.T[:, 0] + b[0]
        expected = np.mean(np.logaddexp(0, z) - labels * z)
        assert shown == pytest.approx(expected, rel=1e-4)


def test_learning_rate_batch_size_and_regularization_apply_without_restarting():
    session = PlaygroundSession({"hidden": [3]})
    session.step(3)
    assert session.update({"learning_rate": 0.3, "batch_size": 25, "regularization": "l2",
                           "regularization_rate": 0.01}) == "live"
    assert session.epoch == 3
    assert [group["lr"] for group in session.optimizer.param_groups] == [0.3]
    assert session.loader.batch_size == 25
    assert session.update({"optimizer": "adam"}) == "optimizer"
    assert session.epoch == 3 and type(session.optimizer).__name__ == "Adam"
    assert session.update({"activation": "relu"}) == "network"
    assert session.epoch == 0
    version = session.data_version
    assert session.update({"noise": 10}) == "data"
    assert session.data_version == version + 1 and session.epoch == 0
    assert session.update({"noise": 10}) == "none"


def test_a_refused_update_leaves_the_session_as_it_was():
    session = PlaygroundSession()
    session.step()
    with pytest.raises(ValueError, match="hidden"):
        session.update({"hidden": [4, 20]})
    with pytest.raises(ValueError, match="no CSV"):
        session.update({"dataset": "upload"})
    assert session.config == PlaygroundConfig() and session.epoch == 1


def test_l2_regularization_adds_the_penalty_gradient():
    config = {"features": ["x1", "x2"], "hidden": [], "learning_rate": 0.03, "batch_size": 10, "seed": 5,
              "regularization": "l2", "regularization_rate": 0.1}
    session = PlaygroundSession(config)
    (W, b), = weights(session)
    W, b, _ = reference_sgd_epoch(W.astype(np.float64), b.astype(np.float64), session.inputs_train,
                                  session.y_train, 0.03, 10,
                                  np.random.default_rng(5).permutation(len(session.inputs_train)), l2=0.1)
    session.step()
    (W_session, b_session), = weights(session)
    np.testing.assert_allclose(W_session, W, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(b_session, b, rtol=1e-4, atol=1e-5)


def test_circle_with_squared_features_trains_below_a_tenth():
    session = PlaygroundSession({"features": ["x1^2", "x2^2"], "hidden": [], "learning_rate": 0.1})
    first = session.losses()["train"]
    session.step(15)
    assert session.losses()["train"] < 0.1 < first


def test_regression_uses_the_mean_squared_error():
    session = PlaygroundSession({"dataset": "reg-plane", "problem": "regression", "hidden": [], "seed": 2})
    X, y = make_plane(1200, seed=2)
    assert type(session.loss).__name__ == "MSELoss" and session.n_outputs == 1
    session.step(5)
    (W, b), = weights(session)
    predictions = session.inputs_test.astype(np.float64) @ W.T[:, 0] + b[0]
    assert session.losses()["test"] == pytest.approx(np.mean((predictions - session.y_test) ** 2), rel=1e-4)
    assert session.losses()["test"] < 0.01  # y = (x1 + x2) / 10 is linear in the inputs
    assert session.target_scale == pytest.approx(np.abs(y).max())


def test_uploaded_classes_train_a_softmax_output():
    session = PlaygroundSession()
    summary = session.upload(parse_csv(blobs_csv()))
    assert summary == {"problem": "classification", "n_samples": 60, "classes": ["blue", "green", "red"]}
    assert session.config.dataset == "upload" and session.n_outputs == 3
    assert type(session.loss).__name__ == "CrossEntropyLoss"
    session.update({"learning_rate": 0.1})
    first = session.losses()["train"]
    session.step(20)
    # the loss shown is the mean cross-entropy of the softmax
    logits = session.model(netgrad.from_numpy(session.inputs_train)).detach().numpy().astype(np.float64)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    expected = -log_p[np.arange(len(logits)), session.y_train].mean()
    assert session.losses()["train"] == pytest.approx(expected, rel=1e-4)
    assert session.losses()["train"] < first / 4
    lows, highs = session.X_train.min(axis=0), session.X_train.max(axis=0)
    assert session.domain[0] < min(lows[0], session.X_test[:, 0].min()) and session.domain[1] > highs[0]


def test_uploaded_numbers_can_be_classes_or_regression_targets():
    rng = np.random.default_rng(1)
    points = rng.uniform(-3, 3, (40, 2))
    text = "\n".join(f"{a},{b},{a + b:.3f}" for a, b in points)
    session = PlaygroundSession()
    assert session.upload(parse_csv(text))["problem"] == "regression"
    np.testing.assert_allclose(np.sort(np.concatenate([session.y_train, session.y_test])),
                               np.sort(np.round(points.sum(axis=1), 3)), atol=1e-6)
    with pytest.raises(ValueError, match="fractional"):
        session.update({"problem": "classification"})
    assert session.config.problem == "regression"
    with pytest.raises(ValueError, match="2 to 10 classes"):
        session.upload(parse_csv("\n".join(f"{i},{i},same" for i in range(12))))
    assert session.config.problem == "regression"  # unchanged by the refused upload


def test_upload_rejects_mismatched_arrays():
    with pytest.raises(ValueError, match="shape"):
        UploadedData(np.zeros((5, 3), np.float32), ("a",) * 5)


# -------------------------------------------------------------------------------------- what the page gets


def test_snapshot_heatmaps_are_the_network_evaluated_on_the_grid():
    session = PlaygroundSession({"features": ["x1", "x2", "x1^2"], "hidden": [3], "activation": "tanh"},
                                grid_size=30, neuron_grid_step=3)
    session.step()
    frame = session.snapshot()
    assert frame["layers"] == [3, 3, 1] and frame["epoch"] == 1
    assert frame["grid"] == {"size": 30, "neuron_size": 10}
    (W1, b1), (W2, b2) = weights(session)

    def network(x1, x2):
        inputs = np.stack([x1, x2, x1 ** 2], axis=1)
        hidden = np.tanh(inputs @ W1.T + b1)
        return inputs, hidden, sigmoid(hidden @ W2.T + b2)[:, 0]

    # the documented layout: row by row from the top (x2 = 6) down, each row left (x1 = -6) to right
    x2, x1 = np.meshgrid(np.linspace(6, -6, 30), np.linspace(-6, 6, 30), indexing="ij")
    _, _, probability = network(x1.ravel(), x2.ravel())
    output = frame["output"][0]
    assert (output["lo"], output["hi"]) == (0.0, 1.0)
    np.testing.assert_allclose(decode(output["values"], 0, 1), probability, atol=0.5 / 255 + 1e-6)
    small = np.s_[1::3, 1::3]
    inputs, hidden, _ = network(x1[small].ravel(), x2[small].ravel())
    for k in range(3):
        np.testing.assert_allclose(decode(frame["neurons"][0][k], -1, 1), hidden[:, k], atol=1 / 255 + 1e-6)
        scale = np.abs(inputs[:, k]).max()
        np.testing.assert_allclose(decode(frame["features"][k], -scale, scale), inputs[:, k],
                                   atol=scale / 255 + 1e-5)
    np.testing.assert_allclose(frame["weights"][0], W1, atol=5e-5)
    np.testing.assert_allclose(frame["biases"][1], b2, atol=5e-5)
    assert frame["history"]["epoch"] == [0, 1]
    assert frame["train_loss"] == pytest.approx(session.losses()["train"])
    assert len(frame["gradient_norms"]) == 2 and len(frame["gradient_norms"][0]) == 1


def test_snapshot_of_a_multiclass_output_holds_each_class_probability():
    session = PlaygroundSession(grid_size=12)
    session.upload(parse_csv(blobs_csv()))
    frame = session.snapshot()
    logits = session.model(netgrad.from_numpy(session.grid_inputs)).detach().numpy().astype(np.float64)
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert len(frame["output"]) == 3
    for k, channel in enumerate(frame["output"]):
        np.testing.assert_allclose(decode(channel["values"], 0, 1), probabilities[:, k], atol=0.5 / 255 + 1e-6)


def test_data_snapshot_lists_the_points():
    session = PlaygroundSession({"train_ratio": 80})
    data = session.data_snapshot()
    assert data["problem"] == "classification" and data["classes"] == ["0", "1"]
    assert len(data["train"]["x"]) == 400 and len(data["test"]["y"]) == 100
    X, y = make_circle(500, seed=1)
    everything = sorted(map(tuple, np.round(X, 4).tolist()))
    assert sorted(map(tuple, data["train"]["x"] + data["test"]["x"])) == everything


def test_history_sent_to_the_page_and_kept_is_bounded():
    session = PlaygroundSession({"hidden": [], "features": ["x1"], "train_ratio": 10, "batch_size": 30})
    session.HISTORY_POINTS, session.GRADIENT_POINTS, session.HISTORY_LIMIT = 5, 3, 12
    session.step(9)
    frame = session.snapshot()
    assert frame["history"]["epoch"] == [0, 2, 4, 7, 9]
    assert len(frame["gradient_norms"][0]) == 3
    assert frame["gradient_norms"][0] == pytest.approx(session.gradient_history[0][-3:])
    losses = dict(zip(session.history["epoch"], session.history["train_loss"]))
    session.step(40)
    # thinned, not cut: the first and the latest epoch stay, each with its own loss
    assert len(session.history["epoch"]) <= 13 and session.history["epoch"][0] == 0
    assert session.history["epoch"][-1] == 49 and session.history["train_loss"][0] == losses[0]
    assert session.history["epoch"] == sorted(session.history["epoch"])
    assert len(session.gradient_history[0]) <= 6 and len(session.trainer.history.epoch) <= 12


def test_model_bytes_load_back_with_netgrad_io(tmp_path):
    session = PlaygroundSession({"hidden": [2]})
    session.step(2)
    path = tmp_path / "model.netgrad"
    path.write_bytes(session.model_bytes())
    saved = netgrad.io.load(path)
    assert saved["playground"]["epoch"] == 2 and saved["playground"]["config"]["hidden"] == [2]
    state = session.model.state_dict()
    assert set(saved["state_dict"]) == set(state)
    for name, value in state.items():
        np.testing.assert_array_equal(np.asarray(saved["state_dict"][name]), value.detach().numpy())


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_builtin_dataset_steps(name):
    session = PlaygroundSession({"dataset": name, "problem": DATASETS[name].problem, "hidden": [2]})
    session.step()
    assert math.isfinite(session.losses()["train"]) and session.epoch == 1


def test_sessions_in_parallel_threads_train_exactly_as_alone():
    configs = [{"hidden": [3], "seed": seed, "optimizer": optimizer}
               for seed, optimizer in ((1, "sgd"), (2, "adam"), (3, "momentum"))]
    alone = []
    for config in configs:
        session = PlaygroundSession(config)
        session.step(8)
        alone.append(session.losses())
    together, errors = [None] * len(configs), []

    def train(index):
        try:
            session = PlaygroundSession(configs[index])
            for _ in range(8):
                session.step()
                session.snapshot()  # evaluates without gradients while the others train
            together[index] = session.losses()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=train, args=(i,)) for i in range(len(configs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert together == alone
