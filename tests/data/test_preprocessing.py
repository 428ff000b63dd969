"""Scalers, one-hot and feature maps, compared with scikit-learn, PyTorch's definition and closed forms."""
import numpy as np
import pytest

import netgrad
from netgrad.data import (
    PLAYGROUND_FEATURES,
    MinMaxScaler,
    NotFittedError,
    StandardScaler,
    one_hot,
    playground_features,
    polynomial_features,
)

preprocessing = pytest.importorskip("sklearn.preprocessing")


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal([3.0, -20.0, 0.5, 7.0], [1.0, 50.0, 0.01, 0.0], size=(40, 4))  # last column constant
    return X, rng.normal(0, 10, size=(9, 4))


@pytest.mark.parametrize("with_mean, with_std", [(True, True), (False, True), (True, False), (False, False)])
def test_standard_scaler_matches_scikit_learn(data, with_mean, with_std):
    X_train, X_new = data
    ours = StandardScaler(with_mean=with_mean, with_std=with_std).fit(X_train)
    ref = preprocessing.StandardScaler(with_mean=with_mean, with_std=with_std).fit(X_train)
    for name in ("mean_", "var_", "scale_"):
        if getattr(ref, name) is None:
            assert getattr(ours, name) is None, name
        else:
            np.testing.assert_allclose(getattr(ours, name), getattr(ref, name), rtol=1e-12, err_msg=name)
    assert (ours.n_features_in_, ours.n_samples_seen_) == (4, 40)
    np.testing.assert_allclose(ours.transform(X_new), ref.transform(X_new), rtol=1e-12)
    np.testing.assert_allclose(ours.fit_transform(X_train), ref.transform(X_train), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(X_new), ref.inverse_transform(X_new), rtol=1e-12)


def test_standard_scaler_closed_form_and_constant_feature():
    Z = StandardScaler().fit_transform(np.array([[0.0, 5.0], [2.0, 5.0], [4.0, 5.0]]))
    # mean 2, population std sqrt(8/3); the constant column maps to 0 instead of 0/0
    np.testing.assert_allclose(Z, [[-np.sqrt(1.5), 0], [0, 0], [np.sqrt(1.5), 0]])


def test_float32_stays_float32_and_ints_become_float32(data):
    X = data[0].astype(np.float32)
    scaler = StandardScaler().fit(X)
    assert scaler.transform(X).dtype == np.float32 and scaler.inverse_transform(X).dtype == np.float32
    ref = preprocessing.StandardScaler().fit(X)
    np.testing.assert_allclose(scaler.transform(X), ref.transform(X), rtol=1e-5, atol=1e-5)
    assert MinMaxScaler().fit_transform(np.array([[1], [3]])).dtype == np.float32


def test_tensor_in_tensor_out(data):
    t = netgrad.tensor(data[0].astype(np.float32))
    out = StandardScaler().fit(t).transform(t)
    assert isinstance(out, netgrad.Tensor) and out.dtype == netgrad.float32
    np.testing.assert_allclose(out.numpy().mean(axis=0), 0, atol=1e-5)


@pytest.mark.parametrize("feature_range", [(0, 1), (-1, 1), (2.5, 10)])
def test_min_max_scaler_matches_scikit_learn(data, feature_range):
    X_train, X_new = data
    ours = MinMaxScaler(feature_range).fit(X_train)
    ref = preprocessing.MinMaxScaler(feature_range=feature_range).fit(X_train)
    for name in ("data_min_", "data_max_", "data_range_", "scale_", "min_"):
        np.testing.assert_allclose(getattr(ours, name), getattr(ref, name), rtol=1e-12, err_msg=name)
    np.testing.assert_allclose(ours.transform(X_new), ref.transform(X_new), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(X_new), ref.inverse_transform(X_new), rtol=1e-12)


def test_min_max_scaler_clip_keeps_new_data_in_range(data):
    X_train, X_new = data
    out = MinMaxScaler((-1, 1), clip=True).fit(X_train).transform(X_new)
    ref = preprocessing.MinMaxScaler(feature_range=(-1, 1), clip=True).fit(X_train).transform(X_new)
    np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-12)
    assert out.min() >= -1 and out.max() <= 1


def test_scaler_errors():
    with pytest.raises(ValueError,
                       match=r"Minimum of desired feature range must be smaller than maximum. Got \(1, 0\)"):
        MinMaxScaler((1, 0))
    with pytest.raises(ValueError, match="feature_range must be a pair"):
        MinMaxScaler(1)
    with pytest.raises(NotFittedError, match="This StandardScaler instance is not fitted yet"):
        StandardScaler().transform(np.zeros((2, 2)))
    scaler = MinMaxScaler().fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="X has 3 features, but MinMaxScaler is expecting 2 features as input."):
        scaler.transform(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="NaN"):
        StandardScaler().fit(np.array([[1.0], [np.nan]]))


def test_one_hot_matches_torch_definition():
    labels = np.array([[0, 2], [1, 0]])
    expected = np.zeros((2, 2, 3), np.int64)
    for idx in np.ndindex(labels.shape):  # out[..., k] = 1 exactly where labels[...] == k
        expected[idx + (labels[idx],)] = 1
    out = one_hot(labels)
    assert out.dtype == np.int64 and out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out, expected)
    assert one_hot(np.array([1]), num_classes=4).tolist() == [[0, 1, 0, 0]]
    assert one_hot(np.array([1]), -1).tolist() == [[0, 1]]
    t = one_hot(netgrad.tensor([2, 0]), 3)
    assert isinstance(t, netgrad.Tensor) and t.tolist() == [[0, 0, 1], [1, 0, 0]]


def test_one_hot_refuses_bad_labels():
    with pytest.raises(ValueError, match=r"labels \[3\] out of range for 3 classes"):
        one_hot(np.array([0, 3]), 3)
    with pytest.raises(ValueError, match=r"negative labels \[-1\]"):
        one_hot(np.array([-1, 1]))
    with pytest.raises(ValueError, match="one_hot expects integer class labels, got dtype float64"):
        one_hot(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="cannot infer num_classes from empty labels"):
        one_hot(np.array([], dtype=np.int64))


@pytest.mark.parametrize("degree, include_bias, interaction_only", [(2, True, False), (3, False, False),
                                                                    (3, True, True), (1, False, False)])
def test_polynomial_features_match_scikit_learn(degree, include_bias, interaction_only):
    X = np.random.default_rng(1).normal(size=(6, 3))
    ref = preprocessing.PolynomialFeatures(degree, include_bias=include_bias,
                                           interaction_only=interaction_only).fit_transform(X)
    ours = polynomial_features(X, degree, include_bias=include_bias, interaction_only=interaction_only)
    np.testing.assert_allclose(ours, ref, rtol=1e-12)


def test_polynomial_features_errors():
    with pytest.raises(ValueError, match="degree must be a non-negative int"):
        polynomial_features(np.zeros((2, 2)), -1)
    with pytest.raises(ValueError, match="would produce no columns"):
        polynomial_features(np.zeros((2, 2)), 0, include_bias=False)


def test_playground_features_closed_form_in_the_order_asked():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]], dtype=np.float32)
    x1, x2 = X[:, 0], X[:, 1]
    out = playground_features(X)
    expected = np.stack([x1, x2, x1 ** 2, x2 ** 2, x1 * x2, np.sin(x1), np.sin(x2)], axis=1)
    assert out.dtype == np.float32 and list(PLAYGROUND_FEATURES) == ["x1", "x2", "x1^2", "x2^2", "x1*x2",
                                                                     "sin(x1)", "sin(x2)"]
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    np.testing.assert_allclose(playground_features(X, ["sin(x2)", "x1²", "x1·x2"]),
                               np.stack([np.sin(x2), x1 ** 2, x1 * x2], axis=1), rtol=1e-6)
    np.testing.assert_allclose(playground_features(X, "x2"), X[:, 1:])


def test_playground_features_errors_list_the_valid_names():
    with pytest.raises(ValueError, match=r"unknown feature 'cos\(x1\)'; valid features are: x1, x2, x1\^2, "
                                         r"x2\^2, x1\*x2, sin\(x1\), sin\(x2\)"):
        playground_features(np.zeros((2, 2)), ["x1", "cos(x1)"])
    with pytest.raises(ValueError, match=r"expects points of shape \(n_samples, 2\), got \(2, 3\)"):
        playground_features(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="choose at least one feature"):
        playground_features(np.zeros((2, 2)), [])


def test_scaling_pixels_in_0_1_by_1_over_255_again_warns_once_with_the_fix():
    import warnings

    from netgrad.data.preprocessing import warn_if_scaled_twice

    pixels = np.arange(256, dtype=np.float32).reshape(16, 16)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # raw pixels 0-255 and other factors pass silently
        assert warn_if_scaled_twice(pixels, 1 / 255, "Rescaling")
        assert warn_if_scaled_twice(pixels / 255, 0.5, "Rescaling")
        assert not warn_if_scaled_twice(np.zeros((2, 3)), 1 / 255, "Rescaling")  # all zeros: nothing to judge
        assert not warn_if_scaled_twice(object(), 1 / 255, "Rescaling")  # no numbers yet
    with pytest.warns(UserWarning, match=r"Rescaling multiplies by 1/255 data that already lies in \[0, 1\].*"
                                         r"normalize=False"):
        assert warn_if_scaled_twice(netgrad.tensor(pixels / 255), 1 / 255, "Rescaling")
