"""Synthetic datasets: truth tables, the geometry each generator promises, scikit-learn's moons, the notes'
traffic network, seeding."""
import math

import numpy as np
import pytest

import netgrad
from netgrad.data import (PLAYGROUND_DATASETS, TRAFFIC_NETWORK, make_and, make_circle, make_gaussians, make_moons,
                          make_multi_gaussian, make_or, make_plane, make_playground_xor, make_spiral, make_traffic,
                          make_xor, traffic_volume)

CLASSIFIERS = [make_and, make_or, make_xor, make_circle, make_gaussians, make_spiral, make_playground_xor, make_moons]
REGRESSIONS = [make_plane, make_multi_gaussian, make_traffic]


@pytest.mark.parametrize("make, truth", [(make_and, [0, 0, 0, 1]), (make_or, [0, 1, 1, 1]), (make_xor, [0, 1, 1, 0])])
def test_logic_gates_are_the_notes_truth_tables(make, truth):
    for n in (None, 4):
        X, y = make(n)
        np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
        np.testing.assert_array_equal(y, truth)
        assert X.dtype == np.float32 and y.dtype == np.int64


def test_noisy_xor_is_clouds_around_the_corners():
    X, y = make_xor(400, noise=0.1, seed=0)
    assert X.shape == (400, 2) and np.bincount(y).tolist() == [200, 200]
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    for k, corner in enumerate(corners):
        cloud = X[k::4]  # corners repeat in truth-table order
        assert (y[k::4] == (corner[0] ^ corner[1])).all()
        np.testing.assert_allclose(cloud.mean(axis=0), corner, atol=0.05)
        np.testing.assert_allclose(cloud.std(axis=0), 0.1, rtol=0.25)


def test_no_linear_classifier_gets_more_than_three_xor_points():
    # the notes' decision-boundary lesson: sweep lines w.x + b = 0 over directions and offsets
    X, y = make_xor()
    best = 0.0
    for angle in np.linspace(0, 2 * np.pi, 360, endpoint=False):
        w = np.array([np.cos(angle), np.sin(angle)])
        for b in np.linspace(-2, 2, 81):
            best = max(best, np.mean((X @ w + b > 0) == y))
    assert best == 0.75
    X_and, y_and = make_and()
    assert np.all((X_and @ [1, 1] - 1.5 > 0) == y_and)  # AND is separable: x1 + x2 = 1.5


def test_circle_geometry_without_noise():
    X, y = make_circle(500, seed=1)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_array_equal(y, r < 2.5)
    assert np.bincount(y).tolist() == [250, 250]
    assert r[y == 1].max() <= 2.5 and 3.5 <= r[y == 0].min() and r.max() <= 5


def test_circle_noise_flips_labels_near_the_boundary_but_not_the_points():
    X, y = make_circle(2000, noise=0.5, seed=2)
    r = np.hypot(X[:, 0], X[:, 1])
    flipped = np.mean(y != (r < 2.5))
    assert 0.05 < flipped < 0.5
    assert r.max() <= 5


@pytest.mark.parametrize("noise, variance", [(0.0, 0.5), (0.5, 4.0)])
def test_two_gaussians_means_and_playground_variance(noise, variance):
    X, y = make_gaussians(8000, noise=noise, seed=3)
    for label, centre in ((1, 2.0), (0, -2.0)):
        cloud = X[y == label]
        assert len(cloud) == 4000
        np.testing.assert_allclose(cloud.mean(axis=0), centre, atol=0.1)
        np.testing.assert_allclose(cloud.var(axis=0), variance, rtol=0.08)


def test_spiral_points_lie_on_the_two_spirals():
    X, y = make_spiral(300, seed=4)
    r = np.hypot(X[:, 0], X[:, 1])
    # r = 5 i / n and t = 1.75 * 2 pi * i / n, so t = 0.7 pi r, plus pi on the second spiral
    t = 0.7 * np.pi * r + np.where(y == 1, 0.0, np.pi)
    np.testing.assert_allclose(X[:, 0], r * np.sin(t), atol=1e-5)
    np.testing.assert_allclose(X[:, 1], r * np.cos(t), atol=1e-5)
    assert np.bincount(y).tolist() == [150, 150] and r.max() < 5
    noisy, _ = make_spiral(300, noise=0.5, seed=4)
    assert 0 < np.abs(noisy - X).max() <= 0.5 + 1e-6  # uniform(-1, 1) * noise per coordinate


def test_playground_xor_quadrants():
    X, y = make_playground_xor(1000, seed=5)
    np.testing.assert_array_equal(y, X[:, 0] * X[:, 1] >= 0)
    assert np.abs(X).min() >= 0.3 - 1e-6 and np.abs(X).max() <= 5.3 + 1e-6


def test_plane_target_is_the_playground_plane():
    X, y = make_plane(100, seed=6)
    assert y.dtype == np.float32 and y.shape == (100,)
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 10, atol=1e-6)
    assert np.abs(X).max() <= 6
    _, y_noisy = make_plane(100, noise=0.3, seed=6)
    assert np.abs(y_noisy - y).max() > 0.01


def _multi_gaussian_label(x, y):
    # TensorFlow Playground's getLabel, point by point
    label = 0.0
    for cx, cy, sign in [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]:
        d = math.hypot(x - cx, y - cy)
        new = sign * min(max(1 - d / 2, 0.0), 1.0)
        if abs(new) > abs(label):
            label = new
    return label


def test_multi_gaussian_matches_a_pointwise_reference():
    X, y = make_multi_gaussian(300, seed=7)
    expected = [_multi_gaussian_label(float(a), float(b)) for a, b in X.astype(np.float64)]
    np.testing.assert_allclose(y, expected, atol=1e-5)
    assert y.min() < -0.5 and y.max() > 0.5


def test_moons_are_scikit_learns_moons():
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = make_moons(101, shuffle=False)
    X_ref, y_ref = datasets.make_moons(101, shuffle=False)
    np.testing.assert_allclose(X, X_ref, atol=1e-7)
    np.testing.assert_array_equal(y, y_ref)
    X_shuffled, y_shuffled = make_moons(101, seed=0)
    order = np.lexsort((X_shuffled[:, 1], X_shuffled[:, 0]))
    ref_order = np.lexsort((X[:, 1], X[:, 0]))
    np.testing.assert_array_equal(X_shuffled[order], X[ref_order])
    np.testing.assert_array_equal(y_shuffled[order], y[ref_order])
    noisy, _ = make_moons(2000, noise=0.2, seed=1, shuffle=False)
    clean, _ = make_moons(2000, shuffle=False)
    np.testing.assert_allclose((noisy - clean).std(), 0.2, rtol=0.05)


def test_traffic_curve_is_the_notes_three_neuron_network():
    p = TRAFFIC_NETWORK
    hours = np.array([0.5, 4.0, 8.0, 12.0, 18.0, 23.5])
    relu = lambda z: np.maximum(z, 0)  # noqa: E731
    network = p["b21"] + p["w21"] * relu(p["w11"] * hours + p["b11"]) + p["w22"] * relu(p["w12"] * hours + p["b12"])
    np.testing.assert_allclose(traffic_volume(hours), network)
    assert traffic_volume(8.0) == pytest.approx(4.7)  # the notes' "prediction 8 am"
    assert traffic_volume(12.0) == pytest.approx(5.1) and traffic_volume(0.0) == 0.0  # floored at 0


def test_make_traffic_shapes_and_noise():
    X, y = make_traffic(2000, noise=0.0, seed=8)
    assert X.shape == (2000, 1) and X.dtype == np.float32 and y.shape == (2000,) and y.dtype == np.float32
    assert 0 <= X.min() and X.max() < 24
    np.testing.assert_allclose(y, traffic_volume(X[:, 0]), atol=1e-5)
    _, y_noisy = make_traffic(2000, noise=0.3, seed=8)
    interior = y > 1  # away from the floor at 0 the noise is plain Gaussian
    np.testing.assert_allclose((y_noisy - y)[interior].std(), 0.3, rtol=0.1)
    assert y_noisy.min() >= 0


@pytest.mark.parametrize("make", CLASSIFIERS + REGRESSIONS)
def test_shapes_dtypes_and_seeding(make):
    X, y = make(64, noise=0.1, seed=11)
    assert X.dtype == np.float32 and X.ndim == 2 and len(X) == len(y) == 64
    assert y.dtype == (np.float32 if make in REGRESSIONS else np.int64)
    X_again, y_again = make(64, noise=0.1, seed=11)
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(y, y_again)
    assert not np.array_equal(X, make(64, noise=0.1, seed=12)[0])
    netgrad.manual_seed(3)
    first = make(64, noise=0.1)
    netgrad.manual_seed(3)
    second = make(64, noise=0.1)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


@pytest.mark.parametrize("make", CLASSIFIERS + REGRESSIONS)
def test_bad_arguments(make):
    with pytest.raises(ValueError, match="n_samples must be an int"):
        make(-5)
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        make(8, noise=-0.1)
    with pytest.raises(ValueError, match="seed must be None, an int or a numpy Generator"):
        make(8, noise=0.1, seed="abc")


def test_playground_registry_names_the_playground_sets():
    assert set(PLAYGROUND_DATASETS) == {"circle", "xor", "gauss", "spiral", "reg-plane", "reg-gauss"}
    assert PLAYGROUND_DATASETS["xor"].generator is make_playground_xor
    assert PLAYGROUND_DATASETS["reg-plane"].problem == "regression" and PLAYGROUND_DATASETS["circle"].n_samples == 500
