"""Synthetic datasets of the notes and of TensorFlow Playground.

Every generator takes ``(n_samples, noise, seed)`` and returns ``(X, y)``: ``X`` float32 of shape
``(n_samples, n_features)``; ``y`` int64 class labels from 0 of shape ``(n_samples,)`` for classification,
float32 targets of shape ``(n_samples,)`` for regression. ``seed=None`` draws from netgrad's global
generator (so ``netgrad.manual_seed`` makes them reproducible); an int or a ``np.random.Generator`` gives
an independent stream.

What ``noise`` means follows each dataset's origin:

- logic gates (AND, OR, XOR) and the traffic example: standard deviation of Gaussian noise;
- moons: standard deviation of Gaussian noise, as in scikit-learn's ``make_moons``;
- TensorFlow Playground sets (circle, gaussians, spiral, playground XOR, plane, multi-Gaussian): the
  Playground's noise level, 0 to 0.5 (its slider's 0-50 % divided by 100). For circle, playground XOR,
  plane and multi-Gaussian it perturbs the point at which the label is read, not the point itself, so
  it flips labels near the boundary; for gaussians it widens the clouds; for spiral it jitters the points.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from netgrad.random import get_generator

__all__ = [
    "make_and",
    "make_or",
    "make_xor",
    "make_circle",
    "make_gaussians",
    "make_spiral",
    "make_playground_xor",
    "make_moons",
    "make_plane",
    "make_multi_gaussian",
    "make_traffic",
    "traffic_volume",
    "TRAFFIC_NETWORK",
    "PLAYGROUND_DATASETS",
    "PlaygroundDataset",
]

Dataset = tuple[np.ndarray, np.ndarray]


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    if seed is None:
        return get_generator()
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(int(seed))
    raise ValueError(f"seed must be None, an int or a numpy Generator, got {seed!r}")


def _check(n_samples: int, noise: float, minimum: int = 1) -> None:
    if not isinstance(n_samples, (int, np.integer)) or isinstance(n_samples, bool) or n_samples < minimum:
        raise ValueError(f"n_samples must be an int >= {minimum}, got {n_samples!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")


def _points(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    return np.stack([x1, x2], axis=1).astype(np.float32)


def _shuffled(X: np.ndarray, y: np.ndarray, shuffle: bool, rng: np.random.Generator) -> Dataset:
    if not shuffle:
        return X, y
    order = rng.permutation(len(y))
    return X[order], y[order]


# ---------------------------------------------------------------- logic gates (the notes' truth tables)

_CORNERS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)


def _logic_gate(truth: list[int], n_samples: int | None, noise: float, seed) -> Dataset:
    n_samples = 4 if n_samples is None else n_samples
    _check(n_samples, noise)
    corner = np.arange(n_samples) % 4  # truth-table order, repeated: every corner equally often
    X = _CORNERS[corner].copy()
    if noise > 0:
        X += _rng(seed).normal(0.0, noise, X.shape).astype(np.float32)
    return X, np.asarray(truth, dtype=np.int64)[corner]


def make_and(n_samples: int | None = None, noise: float = 0.0, seed=None) -> Dataset:
    """``x1 AND x2`` on the corners of the unit square.

    With ``n_samples`` None or 4 and ``noise=0`` this is the truth table
    ``(0,0)->0, (0,1)->0, (1,0)->0, (1,1)->1``; otherwise the corners repeat in that order (each
    ``n_samples/4`` times) with Gaussian noise of standard deviation ``noise`` added to the points.
    """
    return _logic_gate([0, 0, 0, 1], n_samples, noise, seed)


def make_or(n_samples: int | None = None, noise: float = 0.0, seed=None) -> Dataset:
    """``x1 OR x2`` on the corners of the unit square (labels 0, 1, 1, 1); see :func:`make_and`."""
    return _logic_gate([0, 1, 1, 1], n_samples, noise, seed)


def make_xor(n_samples: int | None = None, noise: float = 0.0, seed=None) -> Dataset:
    """``x1 XOR x2`` on the corners of the unit square (labels 0, 1, 1, 0); see :func:`make_and`.

    Not linearly separable: a linear model gets at most 3 of the 4 points right.
    """
    return _logic_gate([0, 1, 1, 0], n_samples, noise, seed)


# ---------------------------------------------------------------- TensorFlow Playground


def make_circle(n_samples: int = 200, noise: float = 0.0, seed=None, *, shuffle: bool = True) -> Dataset:
    """A disk inside a ring (Playground's "circle").

    Half the points lie at radius ``r < 2.5`` (label 1), half at ``3.5 < r < 5`` (label 0). The label is
    that of the point moved by ``uniform(-5, 5) * noise`` in each coordinate.
    """
    _check(n_samples, noise, minimum=2)
    rng = _rng(seed)
    n_inner = n_samples - n_samples // 2
    radius = np.concatenate([rng.uniform(0, 2.5, n_inner), rng.uniform(3.5, 5, n_samples // 2)])
    angle = rng.uniform(0, 2 * np.pi, n_samples)
    X = _points(radius * np.sin(angle), radius * np.cos(angle))
    moved = X + rng.uniform(-5, 5, X.shape) * noise
    y = (np.hypot(moved[:, 0], moved[:, 1]) < 2.5).astype(np.int64)
    return _shuffled(X, y, shuffle, rng)


def make_gaussians(n_samples: int = 200, noise: float = 0.0, seed=None, *, shuffle: bool = True) -> Dataset:
    """Two Gaussian clouds (Playground's "gauss"): around ``(2, 2)`` label 1, around ``(-2, -2)`` label 0.

    Each coordinate has variance ``0.5 + 7 * noise`` (0.5 at no noise, 4 at the Playground's 50 %).
    """
    _check(n_samples, noise, minimum=2)
    rng = _rng(seed)
    std = np.sqrt(0.5 + 7.0 * noise)
    n_pos = n_samples - n_samples // 2
    centre = np.where(np.arange(n_samples) < n_pos, 2.0, -2.0)
    X = _points(rng.normal(centre, std), rng.normal(centre, std))
    y = (centre > 0).astype(np.int64)
    return _shuffled(X, y, shuffle, rng)


def make_spiral(n_samples: int = 200, noise: float = 0.0, seed=None, *, shuffle: bool = True) -> Dataset:
    """Two interleaved spirals (Playground's "spiral"), labels 1 and 0.

    Point ``i`` of ``n`` on a spiral sits at radius ``r = 5 i / n`` and angle ``t = 3.5 pi i / n`` (plus
    ``pi`` for the second spiral), at ``(r sin t, r cos t)`` plus ``uniform(-1, 1) * noise`` per coordinate.
    """
    _check(n_samples, noise, minimum=2)
    rng = _rng(seed)
    x1, x2, y = [], [], []
    for label, offset, n in ((1, 0.0, n_samples - n_samples // 2), (0, np.pi, n_samples // 2)):
        step = np.arange(n) / n
        radius, angle = 5 * step, 1.75 * 2 * np.pi * step + offset
        x1.append(radius * np.sin(angle) + rng.uniform(-1, 1, n) * noise)
        x2.append(radius * np.cos(angle) + rng.uniform(-1, 1, n) * noise)
        y.append(np.full(n, label, dtype=np.int64))
    return _shuffled(_points(np.concatenate(x1), np.concatenate(x2)), np.concatenate(y), shuffle, rng)


def make_playground_xor(n_samples: int = 200, noise: float = 0.0, seed=None) -> Dataset:
    """Playground's "XOR": uniform points in the four quadrants, label 1 where ``x1 * x2 >= 0``.

    Coordinates are uniform on ``[-5, 5]`` pushed 0.3 away from the axes; the label is read at the point
    moved by ``uniform(-5, 5) * noise`` per coordinate.
    """
    _check(n_samples, noise)
    rng = _rng(seed)
    X = rng.uniform(-5, 5, (n_samples, 2))
    X += np.where(X > 0, 0.3, -0.3)
    moved = X + rng.uniform(-5, 5, X.shape) * noise
    return X.astype(np.float32), (moved[:, 0] * moved[:, 1] >= 0).astype(np.int64)


def make_plane(n_samples: int = 200, noise: float = 0.0, seed=None) -> Dataset:
    """Regression on a plane (Playground's "reg-plane"): ``y = (x1 + x2) / 10`` on ``[-6, 6]^2``.

    The target is read at the point moved by ``uniform(-6, 6) * noise`` per coordinate.
    """
    _check(n_samples, noise)
    rng = _rng(seed)
    X = rng.uniform(-6, 6, (n_samples, 2))
    moved = X + rng.uniform(-6, 6, X.shape) * noise
    return X.astype(np.float32), (moved.sum(axis=1) / 10).astype(np.float32)


_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]])


def make_multi_gaussian(n_samples: int = 200, noise: float = 0.0, seed=None) -> Dataset:
    """Regression on six bumps (Playground's "reg-gauss") on ``[-6, 6]^2``.

    Bumps of height +1 or -1 sit at ``x1 in {-4, 0, 4}``, ``x2 = +-2.5`` with alternating signs; each
    falls linearly to 0 at distance 2, ``sign * max(0, 1 - d / 2)``, and the target is the bump value of
    largest magnitude, read at the point moved by ``uniform(-6, 6) * noise`` per coordinate.
    """
    _check(n_samples, noise)
    rng = _rng(seed)
    X = rng.uniform(-6, 6, (n_samples, 2))
    moved = X + rng.uniform(-6, 6, X.shape) * noise
    distance = np.hypot(moved[:, :1] - _BUMPS[:, 0], moved[:, 1:] - _BUMPS[:, 1])  # (n, 6)
    bump = _BUMPS[:, 2] * np.clip(1 - distance / 2, 0, 1)
    strongest = np.abs(bump).argmax(axis=1)
    return X.astype(np.float32), bump[np.arange(n_samples), strongest].astype(np.float32)


@dataclass(frozen=True)
class PlaygroundDataset:
    """A TensorFlow Playground dataset: its generator, problem type, number of points and menu label."""

    generator: Callable[..., Dataset]
    problem: str
    n_samples: int
    label: str

    def __call__(self, noise: float = 0.0, seed=None) -> Dataset:
        """The Playground's points: ``generator(n_samples, noise=noise, seed=seed)``."""
        return self.generator(self.n_samples, noise=noise, seed=seed)


#: The one registry of the Playground's datasets (the playground's menu and its exported scripts read it).
#: The point counts are TensorFlow Playground's: 500 for classification, 1200 for regression.
PLAYGROUND_DATASETS: dict[str, PlaygroundDataset] = {
    "circle": PlaygroundDataset(make_circle, "classification", 500, "Circle"),
    "xor": PlaygroundDataset(make_playground_xor, "classification", 500, "Exclusive or"),
    "gauss": PlaygroundDataset(make_gaussians, "classification", 500, "Gaussian"),
    "spiral": PlaygroundDataset(make_spiral, "classification", 500, "Spiral"),
    "reg-plane": PlaygroundDataset(make_plane, "regression", 1200, "Plane"),
    "reg-gauss": PlaygroundDataset(make_multi_gaussian, "regression", 1200, "Multi Gaussian"),
}


# ---------------------------------------------------------------- scikit-learn's moons


def make_moons(n_samples: int = 100, noise: float = 0.0, seed=None, *, shuffle: bool = True) -> Dataset:
    """Two interleaving half circles, as scikit-learn's ``make_moons``.

    The upper moon (label 0) is ``(cos t, sin t)`` and the lower one (label 1) ``(1 - cos t, 0.5 - sin t)``
    for ``t`` evenly spaced on ``[0, pi]``, plus Gaussian noise of standard deviation ``noise``.
    """
    _check(n_samples, noise, minimum=2)
    rng = _rng(seed)
    n_upper = n_samples // 2
    upper, lower = np.linspace(0, np.pi, n_upper), np.linspace(0, np.pi, n_samples - n_upper)
    X = np.stack([np.concatenate([np.cos(upper), 1 - np.cos(lower)]),
                  np.concatenate([np.sin(upper), 0.5 - np.sin(lower)])], axis=1)
    y = (np.arange(n_samples) >= n_upper).astype(np.int64)
    X, y = _shuffled(X, y, shuffle, rng)
    if noise > 0:
        X = X + rng.normal(0.0, noise, X.shape)
    return X.astype(np.float32), y


# ---------------------------------------------------------------- the notes' traffic example

#: The three-neuron ReLU network the notes fit to traffic volume by hour of the day:
#: ``volume = b21 + w21 relu(w11 h + b11) + w22 relu(w12 h + b12)``.
TRAFFIC_NETWORK = {"w11": 0.4, "b11": -5.9, "w12": -0.6, "b12": 5.2, "w21": -1.0, "w22": -1.0, "b21": 5.1}


def traffic_volume(hour: np.ndarray | float) -> np.ndarray:
    """Noise-free traffic volume at ``hour`` (0-24): the notes' three-neuron network, floored at 0.

    It rises through the night and morning to 5.1 at about 8:40, stays there until about 14:45 and falls
    to 1.4 by midnight (the notes predict 4.7 at 8 am).
    """
    p = TRAFFIC_NETWORK
    h = np.asarray(hour, dtype=np.float64)
    volume = (p["b21"] + p["w21"] * np.maximum(p["w11"] * h + p["b11"], 0)
              + p["w22"] * np.maximum(p["w12"] * h + p["b12"], 0))
    return np.maximum(volume, 0.0)


def make_traffic(n_samples: int = 100, noise: float = 0.3, seed=None) -> Dataset:
    """Traffic volume by hour of the day, the notes' regression example for a three-neuron network.

    Hours are uniform on ``[0, 24)``; the volume is :func:`traffic_volume` plus Gaussian noise of standard
    deviation ``noise``, floored at 0 (a volume is never negative). A quadratic in the hour
    (``polynomial_features(X, 2)``) misses the flat midday plateau by up to 0.66; the notes' three-neuron
    ReLU network draws the curve itself.

    Returns:
        ``X`` hours, float32 ``(n_samples, 1)``; ``y`` volumes, float32 ``(n_samples,)``.
    """
    _check(n_samples, noise)
    rng = _rng(seed)
    hour = rng.uniform(0, 24, n_samples)
    volume = traffic_volume(hour) + (rng.normal(0.0, noise, n_samples) if noise > 0 else 0.0)
    return hour.astype(np.float32)[:, None], np.maximum(volume, 0.0).astype(np.float32)
