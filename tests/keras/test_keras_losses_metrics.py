"""netgrad.keras.losses and metrics against the notes' worked examples, NumPy formulas and scikit-learn."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as sk

import netgrad
from netgrad.keras import activations, losses, metrics


def value(t):
    return np.asarray(t.detach().numpy() if isinstance(t, netgrad.Tensor) else t, dtype=np.float64)


# ------------------------------------------------------------------------------- the notes' examples


def test_notes_three_emails_binary_cross_entropy():
    y_true, p = np.array([1.0, 0.0, 1.0]), np.array([0.9, 0.3, 0.6])
    expected = -(np.log(0.9) + np.log(1 - 0.3) + np.log(0.6)) / 3  # 0.3243
    np.testing.assert_allclose(value(losses.BinaryCrossentropy()(y_true[:, None], p[:, None])), expected, rtol=1e-6)
    np.testing.assert_allclose(value(losses.BinaryCrossentropy()(y_true, p)), expected, rtol=1e-6)


def test_notes_single_email_loss_from_its_logit():
    # w = (0.2, 0.5, -0.3), b = -0.1, x = (1, 2, 0): z = 1.1, p = 0.7503; "not spam" (y = 0): -log(1 - p)
    z = 0.2 * 1 + 0.5 * 2 - 0.3 * 0 - 0.1
    p = activations.sigmoid(netgrad.tensor([[z]]))
    np.testing.assert_allclose(value(p), [[0.7503]], atol=1e-4)
    loss = losses.binary_crossentropy(np.array([[0.0]]), p)  # finds the logit behind p
    # = 1.3873 (the slide's 0.2877 is -log p)
    np.testing.assert_allclose(value(loss), [np.log1p(np.exp(1.1))], rtol=1e-6)
    np.testing.assert_allclose(value(loss), [1.3873], atol=1e-4)


def test_notes_three_posts_cross_entropy_sparse_and_one_hot_agree():
    p = np.array([[0.2, 0.7, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    labels = np.array([0, 1, 2])  # C, Java, Python
    expected = -(np.log(0.2) + np.log(0.8) + np.log(0.6)) / 3
    np.testing.assert_allclose(value(losses.SparseCategoricalCrossentropy()(labels, p)), expected, rtol=1e-6)
    np.testing.assert_allclose(value(losses.CategoricalCrossentropy()(np.eye(3)[labels], p)), expected, rtol=1e-6)


def test_notes_multi_label_posts_binary_cross_entropy_over_the_labels():
    logits = np.array([[2.0, -1.0, 0.5]])
    y = np.array([[1.0, 0.0, 1.0]])
    p = 1 / (1 + np.exp(-logits))
    expected = -(np.log(p[0, 0]) + np.log(1 - p[0, 1]) + np.log(p[0, 2])) / 3
    np.testing.assert_allclose(value(losses.BinaryCrossentropy(from_logits=True)(y, logits)), expected, rtol=1e-6)
    np.testing.assert_allclose(value(losses.binary_crossentropy(y, p)), [expected], rtol=1e-6)


# --------------------------------------------------------------------------------------- regression


@pytest.mark.parametrize("name, formula", [
    ("mse", lambda t, p: ((t - p) ** 2).mean(-1)),
    ("mae", lambda t, p: np.abs(t - p).mean(-1)),
    ("mape", lambda t, p: 100 * np.abs((t - p) / t).mean(-1)),
    ("msle", lambda t, p: ((np.log1p(p) - np.log1p(t)) ** 2).mean(-1)),
    ("huber", lambda t, p: np.where(np.abs(p - t) <= 1, 0.5 * (p - t) ** 2, np.abs(p - t) - 0.5).mean(-1)),
    ("log_cosh", lambda t, p: np.log(np.cosh(p - t)).mean(-1)),
    ("poisson", lambda t, p: (p - t * np.log(p + 1e-7)).mean(-1)),
    ("kl_divergence", lambda t, p: (t * np.log(t / p)).sum(-1)),
    ("hinge", lambda t, p: np.maximum(1 - (2 * t - 1) * p, 0).mean(-1)),
    ("squared_hinge", lambda t, p: (np.maximum(1 - (2 * t - 1) * p, 0) ** 2).mean(-1)),
])
def test_per_sample_losses_match_their_formulas(name, formula):
    rng = np.random.default_rng(0)
    if name in ("hinge", "squared_hinge"):
        t, p = rng.integers(0, 2, (5, 3)).astype(np.float64), rng.standard_normal((5, 3))
    else:
        t, p = rng.uniform(0.1, 3.0, (5, 3)), rng.uniform(0.1, 3.0, (5, 3))
        if name == "kl_divergence":
            t, p = t / t.sum(1, keepdims=True), p / p.sum(1, keepdims=True)
    prediction = netgrad.tensor(p)  # float64 tensors keep the check exact
    np.testing.assert_allclose(value(losses.get(name)(t, prediction)), formula(t, p), rtol=1e-6)


def test_reductions_and_sample_weights():
    t, p = np.array([[1.0], [2.0], [4.0]]), np.array([[0.0], [0.0], [0.0]])
    squared = np.array([1.0, 4.0, 16.0])
    w = np.array([1.0, 0.5, 0.0])
    np.testing.assert_allclose(value(losses.MeanSquaredError()(t, p)), squared.mean())
    np.testing.assert_allclose(value(losses.MeanSquaredError(reduction="sum")(t, p)), squared.sum())
    np.testing.assert_allclose(value(losses.MeanSquaredError(reduction="none")(t, p)), squared)
    np.testing.assert_allclose(value(losses.MeanSquaredError()(t, p, sample_weight=w)), (w * squared).sum() / 3)
    np.testing.assert_allclose(value(losses.MeanSquaredError(reduction="mean_with_sample_weight")(t, p, w)),
                               (w * squared).sum() / w.sum())
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="average")


def test_label_smoothing_and_from_logits():
    z = np.array([[1.0, -2.0, 0.5]])
    y = np.array([[0.0, 1.0, 0.0]])
    smoothed = y * 0.8 + 0.2 / 3
    expected = -(smoothed * (z - np.log(np.exp(z).sum()))).sum()
    loss = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2)
    np.testing.assert_allclose(value(loss(y, z)), expected, rtol=1e-6)
    binary = losses.BinaryCrossentropy(label_smoothing=0.5)(np.array([[1.0]]), np.array([[0.8]]))
    np.testing.assert_allclose(value(binary), -(0.75 * np.log(0.8) + 0.25 * np.log(0.2)), rtol=1e-6)


def test_probabilities_without_logits_are_clipped_like_keras():
    p = np.array([[0.0, 1.0]])  # a probability of exactly 0 for the true class
    np.testing.assert_allclose(value(losses.sparse_categorical_crossentropy(np.array([0]), p)), [-np.log(1e-7)],
                               rtol=1e-5)


def test_loss_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match=r"y_true has shape \(3,\) but y_pred has shape \(3, 4\).*sparse"):
        losses.categorical_crossentropy(np.array([0, 1, 2]), np.full((3, 4), 0.25))
    with pytest.raises(ValueError, match="class label 4 is outside the model's output size.*4 outputs.*\\[0, 3\\]"):
        losses.sparse_categorical_crossentropy(np.array([0, 4]), np.full((2, 4), 0.25))
    with pytest.raises(ValueError, match="targets must be 0/1"):
        losses.binary_crossentropy(np.array([[2.0]]), np.array([[0.5]]))
    with pytest.raises(ValueError, match=r"y_true has shape \(2, 3\) but y_pred has shape \(2, 1\)"):
        losses.mean_squared_error(np.zeros((2, 3)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="Unknown loss 'mean_error'.*mean_absolute_error"):
        losses.get("mean_error")


def test_losses_have_keras_names_and_configs():
    assert losses.MeanSquaredError().name == "mean_squared_error"
    assert losses.Huber().name == "huber_loss" and losses.get("mse") is losses.mean_squared_error
    loss = losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)
    clone = losses.deserialize(losses.serialize(loss))
    assert type(clone) is losses.BinaryCrossentropy and clone.get_config() == loss.get_config()


# ------------------------------------------------------------------------------------------ metrics


def test_accuracy_metrics():
    y_prob = np.array([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1], [0.2, 0.3, 0.5], [0.4, 0.5, 0.1]])
    labels = np.array([1, 0, 1, 0])
    np.testing.assert_allclose(metrics.SparseCategoricalAccuracy()(labels, y_prob), 0.5)
    np.testing.assert_allclose(metrics.CategoricalAccuracy()(np.eye(3)[labels], y_prob), 0.5)
    np.testing.assert_allclose(metrics.SparseTopKCategoricalAccuracy(k=2)(labels, y_prob), 1.0)
    np.testing.assert_allclose(metrics.TopKCategoricalAccuracy(k=1)(np.eye(3)[labels], y_prob), 0.5)
    binary = metrics.BinaryAccuracy()
    np.testing.assert_allclose(binary(np.array([1, 0, 1]), np.array([[0.7], [0.6], [0.4]])), 1 / 3)
    np.testing.assert_allclose(metrics.BinaryAccuracy(threshold=0.0)(np.array([1, 0]), np.array([[2.0], [-1.0]])), 1.0)


def test_metrics_accumulate_over_batches_and_weights():
    rng = np.random.default_rng(1)
    y, p = rng.standard_normal(100), rng.standard_normal(100)
    mae = metrics.MeanAbsoluteError()
    for start in range(0, 100, 30):
        mae.update_state(y[start:start + 30], p[start:start + 30])
    np.testing.assert_allclose(mae.result(), sk.mean_absolute_error(y, p), rtol=1e-6)
    w = rng.random(100)
    weighted = metrics.MeanSquaredError()
    weighted.update_state(y, p, sample_weight=w)
    np.testing.assert_allclose(weighted.result(), sk.mean_squared_error(y, p, sample_weight=w), rtol=1e-6)
    rmse = metrics.RootMeanSquaredError()
    rmse.update_state(y[:50], p[:50])
    rmse.update_state(y[50:], p[50:])
    np.testing.assert_allclose(rmse.result(), np.sqrt(sk.mean_squared_error(y, p)), rtol=1e-6)
    mae.reset_state()
    assert mae.result() == 0.0


def test_precision_recall_and_r2_against_scikit_learn():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 200)
    p = np.clip(y * 0.3 + rng.random(200) * 0.7, 0, 1)
    np.testing.assert_allclose(metrics.Precision()(y, p), sk.precision_score(y, p > 0.5))
    np.testing.assert_allclose(metrics.Recall()(y, p), sk.recall_score(y, p > 0.5))
    targets, predictions = rng.standard_normal((50, 2)), rng.standard_normal((50, 2))
    np.testing.assert_allclose(metrics.R2Score()(targets, predictions), sk.r2_score(targets, predictions), rtol=1e-6)
    np.testing.assert_allclose(metrics.R2Score(class_aggregation=None)(targets, predictions),
                               sk.r2_score(targets, predictions, multioutput="raw_values"), rtol=1e-6)


def test_metric_lookup():
    assert metrics.get("mae") is losses.mean_absolute_error
    assert isinstance(metrics.get("precision"), metrics.Precision)
    assert isinstance(metrics.get("Recall"), metrics.Recall)
    with pytest.raises(ValueError, match="Unknown metric 'f2'"):
        metrics.get("f2")
