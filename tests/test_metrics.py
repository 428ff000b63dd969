"""Metrics, checked against scikit-learn's values (edge cases included) and small closed forms."""
import warnings

import numpy as np
import pytest

import netgrad
from netgrad import metrics

skm = pytest.importorskip("sklearn.metrics")

AVERAGES = [None, "micro", "macro", "weighted"]
PRF = [(metrics.precision, skm.precision_score), (metrics.recall, skm.recall_score), (metrics.f1_score, skm.f1_score)]


def assert_same(ours, ref):
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-15)


@pytest.fixture
def multiclass():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, 60)
    y_pred = np.where(rng.random(60) < 0.6, y_true, rng.integers(0, 4, 60))
    return y_true, y_pred


@pytest.mark.parametrize("ours, ref", PRF)
@pytest.mark.parametrize("average", AVERAGES)
def test_multiclass_precision_recall_f1(multiclass, ours, ref, average):
    y_true, y_pred = multiclass
    assert_same(ours(y_true, y_pred, average=average), ref(y_true, y_pred, average=average))


@pytest.mark.parametrize("ours, ref", PRF)
def test_binary_from_labels_and_from_probabilities(ours, ref):
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 2, 50)
    proba = np.clip(y_true * 0.6 + rng.random(50) * 0.5, 0, 1).astype(np.float32)
    hard = (proba > 0.5).astype(int)
    assert_same(ours(y_true, hard), ref(y_true, hard))
    assert_same(ours(y_true, proba), ref(y_true, hard))
    assert_same(ours(y_true, proba[:, None]), ref(y_true, hard))  # a (n, 1) output column
    assert_same(ours(y_true, hard, pos_label=0), ref(y_true, hard, pos_label=0))
    logits = np.log(proba + 1e-6) - np.log1p(-proba + 1e-6)
    assert_same(ours(y_true, logits, threshold=0.0), ref(y_true, logits > 0))


@pytest.mark.parametrize("ours, ref", PRF)
@pytest.mark.parametrize("average", ["binary", "macro", "weighted", "micro"])
@pytest.mark.parametrize("zero_division", [0.0, 1.0, np.nan])
def test_zero_division_edge_cases(ours, ref, average, zero_division):
    cases = [([0, 0, 0, 0], [0, 0, 0, 0]),  # no positives anywhere
             ([1, 1, 0, 0], [0, 0, 0, 0]),  # nothing predicted positive
             ([0, 0, 0, 0], [1, 0, 1, 0])]  # nothing actually positive
    for y_true, y_pred in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # ours never warns
            value = ours(y_true, y_pred, average=average, zero_division=zero_division)
        assert_same(value, ref(y_true, y_pred, average=average, zero_division=zero_division))


@pytest.mark.parametrize("ours, ref", PRF)
def test_default_zero_division_is_scikit_learns_value_without_its_warning(ours, ref):
    y_true, y_pred, labels = [0, 1, 2, 2], [0, 3, 2, 2], [0, 1, 2, 3, 4]  # class 4 is nowhere
    with pytest.warns(Warning):
        expected = ref(y_true, y_pred, average="macro", labels=labels)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same(ours(y_true, y_pred, average="macro", labels=labels), expected)


@pytest.mark.parametrize("ours, ref", PRF)
def test_labels_argument_and_string_labels(multiclass, ours, ref):
    y_true, y_pred = multiclass
    for labels in ([2, 0], [3, 1, 0, 5]):
        for average in ("macro", None, "micro"):
            assert_same(ours(y_true, y_pred, labels=labels, average=average),
                        ref(y_true, y_pred, labels=labels, average=average, zero_division=0))
    names = np.array(["cat", "dog", "hen", "owl"])
    assert_same(ours(names[y_true], names[y_pred], average="weighted"),
                ref(names[y_true], names[y_pred], average="weighted"))


@pytest.mark.parametrize("ours, ref", PRF)
@pytest.mark.parametrize("average", AVERAGES)
def test_multilabel_indicators(ours, ref, average):
    rng = np.random.default_rng(2)
    y_true = rng.integers(0, 2, (30, 3))
    scores = np.clip(y_true * 0.5 + rng.random((30, 3)) * 0.6, 0, 1)
    hard = (scores > 0.5).astype(int)
    assert_same(ours(y_true, scores, average=average, multilabel=True),
                ref(y_true, hard, average=average, zero_division=0))


def test_binary_average_refuses_multiclass_and_multilabel_targets():
    with pytest.raises(ValueError, match="Target is multiclass but average='binary'"):
        metrics.f1_score([0, 1, 2], [0, 1, 1])
    with pytest.raises(ValueError, match="Target is multilabel-indicator but average='binary'"):
        metrics.precision(np.eye(3, dtype=int), np.eye(3, dtype=int), multilabel=True)
    with pytest.raises(ValueError, match=r"pos_label=1 is not a valid label. It should be one of \[-1, 2\]"):
        metrics.recall([-1, 2], [2, 2])
    with pytest.raises(ValueError, match="average has to be one of"):
        metrics.recall([0, 1], [0, 1], average="samples")


def test_accuracy_multiclass_from_labels_scores_and_one_hot(multiclass):
    y_true, y_pred = multiclass
    expected = skm.accuracy_score(y_true, y_pred)
    scores = np.eye(4)[y_pred] * 0.7 + 0.05  # argmax is y_pred
    assert metrics.accuracy(y_true, y_pred) == expected
    assert metrics.accuracy(y_true, scores) == expected
    assert metrics.accuracy(np.eye(4)[y_true], scores) == expected  # one-hot targets read as labels
    assert metrics.accuracy(y_true[:, None], y_pred) == expected
    assert metrics.accuracy(y_true, y_pred, normalize=False) == skm.accuracy_score(y_true, y_pred, normalize=False)
    assert metrics.accuracy(netgrad.tensor(y_true), netgrad.tensor(scores)) == expected
    assert metrics.accuracy_score is metrics.accuracy


def test_accuracy_binary_threshold_and_multilabel_subset():
    y_true = np.array([0, 1, 1, 0, 1])
    proba = np.array([0.2, 0.6, 0.5, 0.7, 0.9])
    assert metrics.accuracy(y_true, proba) == 0.6  # 0.5 is not above the threshold
    assert metrics.accuracy(y_true, proba, threshold=0.4) == 0.8
    Y = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0]])
    P = np.array([[0.9, 0.2, 0.8], [0.1, 0.7, 0.6], [0.8, 0.9, 0.1]])
    assert metrics.accuracy(Y, P, multilabel=True) == skm.accuracy_score(Y, (P > 0.5).astype(int))
    assert metrics.accuracy(Y, P, multilabel=True, threshold=0.65) == 1.0


def test_accuracy_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match=r"y_true of shape \(2, 3\) is not one-hot.*multilabel=True"):
        metrics.accuracy([[1, 0, 1], [0, 1, 0]], [[0.2, 0.3, 0.5], [0.1, 0.8, 0.1]])
    with pytest.raises(ValueError, match="one float score per sample .* y_true has labels up to 2"):
        metrics.accuracy([0, 1, 2], [0.1, 0.7, 0.4])
    with pytest.raises(ValueError, match=r"y_true has labels \[3\] out of range for 3 classes"):
        metrics.accuracy([0, 3], np.eye(3)[:2])
    with pytest.raises(ValueError, match="different numbers of samples: 3 and 2"):
        metrics.accuracy([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="y_pred contains 1 NaN"):
        metrics.accuracy([0, 1], [0.3, np.nan])
    with pytest.raises(ValueError, match=r"same shape \(n_samples, n_labels\)"):
        metrics.accuracy([0, 1], [0, 1], multilabel=True)
    assert metrics.accuracy([0.0, 2.0, 1.0], np.array([0.0, 2.0, 2.0])) == pytest.approx(2 / 3)  # float labels


def test_confusion_matrix(multiclass):
    y_true, y_pred = multiclass
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred))
    for labels in ([3, 0, 1], [2, 1, 0, 3, 7]):
        for normalize in (None, "true", "pred", "all"):
            assert_same(metrics.confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize),
                        skm.confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize))
    # rows are true classes, columns predictions; a binary score is thresholded
    np.testing.assert_array_equal(metrics.confusion_matrix([0, 1, 1, 1], [0.9, 0.8, 0.1, 0.7]), [[0, 1], [1, 2]])
    with pytest.raises(ValueError, match="normalize must be one of"):
        metrics.confusion_matrix([0], [0], normalize="rows")


@pytest.fixture
def regression():
    rng = np.random.default_rng(3)
    y_true = rng.normal(size=(25, 3))
    return y_true, y_true + rng.normal(scale=0.5, size=(25, 3))


REGRESSION = [(metrics.mean_absolute_error, skm.mean_absolute_error),
              (metrics.mean_squared_error, skm.mean_squared_error),
              (metrics.root_mean_squared_error, skm.root_mean_squared_error),
              (metrics.r2_score, skm.r2_score)]


@pytest.mark.parametrize("ours, ref", REGRESSION)
def test_regression_metrics(regression, ours, ref):
    y_true, y_pred = regression
    assert_same(ours(y_true[:, 0], y_pred[:, 0]), ref(y_true[:, 0], y_pred[:, 0]))
    for multioutput in ("raw_values", "uniform_average", [0.2, 0.5, 0.3]):
        assert_same(ours(y_true, y_pred, multioutput=multioutput), ref(y_true, y_pred, multioutput=multioutput))
    # a model's (n, 1) output against (n,) targets pairs up; it never broadcasts to (n, n)
    assert_same(ours(y_true[:, 0], y_pred[:, :1]), ref(y_true[:, 0], y_pred[:, 0]))
    t32 = netgrad.tensor(y_true[:, 0].astype(np.float32))
    assert ours(t32, y_pred[:, 0].astype(np.float32)) == pytest.approx(ref(y_true[:, 0], y_pred[:, 0]), rel=1e-5)


def test_regression_closed_forms():
    assert metrics.mean_absolute_error([1, 2, 3], [2, 2, 5]) == 1.0
    assert metrics.mean_squared_error([1, 2, 3], [2, 2, 5]) == 5 / 3
    assert metrics.root_mean_squared_error([0, 0], [3, 4]) == pytest.approx(np.sqrt(12.5))
    assert metrics.r2_score([1, 2, 3], [1, 2, 3]) == 1.0
    assert metrics.r2_score([1, 2, 3], [2, 2, 2]) == 0.0  # predicting the mean


def test_r2_edge_cases_follow_scikit_learn():
    assert metrics.r2_score([2, 2, 2], [2, 2, 2]) == skm.r2_score([2, 2, 2], [2, 2, 2]) == 1.0
    assert metrics.r2_score([2, 2, 2], [1, 2, 3]) == skm.r2_score([2, 2, 2], [1, 2, 3]) == 0.0
    with pytest.warns(Warning):
        assert np.isnan(skm.r2_score([1.0], [2.0]))
    assert np.isnan(metrics.r2_score([1.0], [2.0]))


def test_regression_shape_errors():
    with pytest.raises(ValueError, match=r"different number of output \(1!=2\)"):
        metrics.mean_squared_error(np.zeros(4), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="different numbers of samples: 4 and 3"):
        metrics.mean_squared_error(np.zeros(4), np.zeros(3))
    with pytest.raises(ValueError, match="y_true contains 1 NaN"):
        metrics.mean_absolute_error([np.nan, 1.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="multioutput must be"):
        metrics.r2_score(np.zeros((3, 2)), np.zeros((3, 2)), multioutput="variance")


def test_log_loss(multiclass):
    rng = np.random.default_rng(4)
    y_true = multiclass[0]
    logits = rng.normal(size=(60, 4))
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert_same(metrics.log_loss(y_true, proba), skm.log_loss(y_true, proba))
    assert_same(metrics.log_loss(np.eye(4)[y_true], proba), skm.log_loss(y_true, proba))
    assert_same(metrics.log_loss(y_true, proba, normalize=False), skm.log_loss(y_true, proba, normalize=False))
    p32 = proba.astype(np.float32)
    p32 /= p32.sum(axis=1, keepdims=True)
    assert metrics.log_loss(y_true, p32) == pytest.approx(skm.log_loss(y_true, p32), rel=1e-6)
    # binary: probability of class 1, certain (clipped) mistakes included
    y_bin = np.array([0, 1, 1, 0, 1])
    p_bin = np.array([0.1, 0.8, 0.0, 1.0, 0.55])
    assert_same(metrics.log_loss(y_bin, p_bin), skm.log_loss(y_bin, p_bin))
    # the notes' value: p = 0.75 for a label of 0 costs -ln(0.25)
    assert metrics.log_loss([0], [0.75]) == pytest.approx(1.3862943611198906)


def test_log_loss_without_every_class_in_y_true():
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
    assert_same(metrics.log_loss([0, 1], proba), skm.log_loss([0, 1], proba, labels=[0, 1, 2]))


def test_log_loss_errors():
    with pytest.raises(ValueError, match="probabilities in \\[0, 1\\].*apply softmax \\(or sigmoid\\)"):
        metrics.log_loss([0, 1], [[2.0, -1.0], [0.5, 0.5]])
    with pytest.raises(ValueError, match="each row of y_pred must sum to 1"):
        metrics.log_loss([0, 1], [[0.2, 0.2], [0.5, 0.5]])
    with pytest.raises(ValueError, match=r"labels \[2\] out of range for 2 classes"):
        metrics.log_loss([0, 2], [0.3, 0.6])
