"""The lecture notes' step-by-step models in plain NumPy: a teaching reference, not the engine.

Two models are written out by hand, with every intermediate of the computational graph kept in a
``forward_info`` dict and every local derivative of the chain rule spelled out in the notes' names:

* linear regression::

      X --ν--> N = X W --α--> P = N + B --Λ--> L = mean((y - P)²)

* a two-layer network with a sigmoid hidden layer::

      X --ν--> M1 = X W1 --α--> N1 = M1 + B1 --σ--> O1 = σ(N1)
        --ν--> M2 = O1 W2 --α--> P = M2 + B2 --Λ--> L = mean((y - P)²)

The backward passes follow the notes term by term, with one correction where mathematics wins: the
notes' code drops the constant factors of dL/dP (it uses ``-2 (y - P)`` for linear regression and
``-(y - P)`` for the network, folding 2/batch_size into the learning rate). Here dL/dP = -2 (y - P) / n,
the exact derivative of the mean squared error, so every gradient passes a central-difference check and
equals what ``netgrad`` autograd computes for the same loss. Gradients also keep their weights' shapes
(the notes' extra ``.sum(axis=0)`` on the bias gradients would collapse ``B1`` to a scalar).

Functions whose names the two models share in the notes carry a suffix: ``_linear`` for linear
regression and ``_nn`` for the network (``init_weights_linear`` / ``init_weights_nn``,
``loss_gradients_linear`` / ``loss_gradients_nn``, ``train_*``, ``predict_*``); the forward passes keep
the notes' own names, ``forward_linear_regression`` and ``forward_loss``.

Example:
    >>> weights = init_weights_linear(3, seed=0)
    >>> forward_info, loss = forward_linear_regression(X_batch, y_batch, weights)
    >>> loss_grads = loss_gradients_linear(forward_info, weights)
    >>> for key in weights:
    ...     weights[key] -= learning_rate * loss_grads[key]
"""
from __future__ import annotations

from typing import Dict, List, Tuple

import numpy as np
from numpy import ndarray

from netgrad.random import get_generator

__all__ = [
    "forward_linear_regression",
    "forward_loss",
    "init_weights_linear",
    "init_weights_nn",
    "loss_gradients_linear",
    "loss_gradients_nn",
    "predict_linear",
    "predict_nn",
    "sigmoid",
    "train_linear",
    "train_nn",
]

Seed = int | np.random.Generator | None


def sigmoid(x: ndarray) -> ndarray:
    """σ(x) = 1 / (1 + e^(-x)), whose derivative is σ(x) (1 - σ(x)).

    Computed as exp(-log(1 + e^(-x))) so that large negative inputs do not overflow ``exp``.
    """
    return np.exp(-np.logaddexp(0.0, -x))


def _rng(seed: Seed) -> np.random.Generator:
    """An explicit seed or generator, else netgrad's global generator (``netgrad.manual_seed``)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return get_generator() if seed is None else np.random.default_rng(seed)


def _check_batch(X: ndarray, y: ndarray, n_in: int) -> Tuple[ndarray, ndarray]:
    """X as (batch_size, n_in) and y as a column (batch_size, 1), or a ValueError saying what is wrong."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != n_in:
        raise ValueError(f"X must have shape (batch_size, {n_in}) to match the weights, got {X.shape}")
    if y.ndim == 1:
        y = y.reshape(-1, 1)  # a (n,) target minus an (n, 1) prediction would broadcast to (n, n)
    if y.shape != (X.shape[0], 1):
        raise ValueError(f"y must have shape ({X.shape[0]},) or ({X.shape[0]}, 1) to match X {X.shape}, "
                         f"got {y.shape}")
    return X, y


def _check_training(X: ndarray, epochs: int, batch_size: int, learning_rate: float) -> None:
    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}")
    if np.asarray(X).ndim != 2:
        raise ValueError(f"X must be a 2-D array (n_samples, n_features), got shape {np.shape(X)}")


def _batches(n: int, batch_size: int, rng: np.random.Generator):
    """Index arrays of the shuffled mini-batches of one epoch (the last one may be smaller)."""
    order = rng.permutation(n)
    return (order[start:start + batch_size] for start in range(0, n, batch_size))


# --------------------------------------------------------------------------------------------------
# Linear regression
# --------------------------------------------------------------------------------------------------

def init_weights_linear(n_in: int, seed: Seed = None) -> Dict[str, ndarray]:
    """W of shape (n_in, 1) and B of shape (1, 1), drawn from a standard normal as in the notes."""
    rng = _rng(seed)
    return {"W": rng.standard_normal((n_in, 1)), "B": rng.standard_normal((1, 1))}


def forward_linear_regression(X_batch: ndarray, y_batch: ndarray,
                              weights: Dict[str, ndarray]) -> Tuple[Dict[str, ndarray], float]:
    """Forward pass and loss of linear regression.

    N = ν(X, W) = X W,   P = α(N, B) = N + B,   L = Λ(P, y) = mean((y - P)²).

    Args:
        X_batch: Inputs, shape (batch_size, n_in).
        y_batch: Targets, shape (batch_size,) or (batch_size, 1).
        weights: ``{"W": (n_in, 1), "B": (1, 1)}``.

    Returns:
        ``forward_info`` with ``X``, ``N``, ``P``, ``y`` (a column), and the loss L.
    """
    X_batch, y_batch = _check_batch(X_batch, y_batch, weights["W"].shape[0])
    N = np.dot(X_batch, weights["W"])
    P = N + weights["B"]
    loss = float(np.mean(np.power(y_batch - P, 2)))
    forward_info = {"X": X_batch, "N": N, "P": P, "y": y_batch}
    return forward_info, loss


def loss_gradients_linear(forward_info: Dict[str, ndarray],
                          weights: Dict[str, ndarray]) -> Dict[str, ndarray]:
    """dL/dW and dL/dB of linear regression by the chain rule.

    dL/dW = ∂Λ/∂P · ∂α/∂N · ∂ν/∂W  and  dL/dB = ∂Λ/∂P · ∂α/∂B, with

    * ∂Λ/∂P = -2 (y - P) / batch_size   (the mean's 1/batch_size included)
    * ∂α/∂N = ones,  ∂α/∂B = ones       (P = N + B)
    * ∂ν/∂W = Xᵀ, multiplied on the left: dL/dW = Xᵀ dL/dN
    * dL/dB sums over the batch, because B was broadcast to every row.
    """
    batch_size = forward_info["X"].shape[0]
    dLdP = -2 * (forward_info["y"] - forward_info["P"]) / batch_size
    dPdN = np.ones_like(forward_info["N"])
    dPdB = np.ones_like(weights["B"])
    dLdN = dLdP * dPdN
    dNdW = np.transpose(forward_info["X"], (1, 0))
    dLdW = np.dot(dNdW, dLdN)
    dLdB = (dLdP * dPdB).sum(axis=0, keepdims=True)
    return {"W": dLdW, "B": dLdB}


def train_linear(X: ndarray, y: ndarray, *, epochs: int = 100, batch_size: int = 32,
                 learning_rate: float = 0.01, seed: Seed = None) -> Tuple[List[float], Dict[str, ndarray]]:
    """Mini-batch gradient descent on linear regression, the notes' loop.

    Each epoch shuffles the rows, then for every batch: forward pass, backward pass,
    w ← w - learning_rate · dL/dw.

    Args:
        X: Inputs, shape (n_samples, n_in).
        y: Targets, shape (n_samples,) or (n_samples, 1).
        epochs: Passes over the data.
        batch_size: Rows per update (n_samples for batch gradient descent, 1 for SGD).
        learning_rate: Step size.
        seed: Seed or generator for initialisation and shuffling (default: netgrad's global generator).

    Returns:
        The loss of every batch before its update, and the trained weights.
    """
    _check_training(X, epochs, batch_size, learning_rate)
    rng = _rng(seed)
    X, y = _check_batch(X, y, np.shape(X)[1])
    weights = init_weights_linear(X.shape[1], seed=rng)
    losses = []
    for _ in range(epochs):
        for batch in _batches(len(X), batch_size, rng):
            forward_info, loss = forward_linear_regression(X[batch], y[batch], weights)
            loss_grads = loss_gradients_linear(forward_info, weights)
            for key in weights:
                weights[key] -= learning_rate * loss_grads[key]
            losses.append(loss)
    return losses, weights


def predict_linear(X: ndarray, weights: Dict[str, ndarray]) -> ndarray:
    """P = X W + B, shape (n_samples, 1)."""
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != weights["W"].shape[0]:
        raise ValueError(f"X must have shape (n_samples, {weights['W'].shape[0]}), got {X.shape}")
    return np.dot(X, weights["W"]) + weights["B"]


# --------------------------------------------------------------------------------------------------
# The two-layer sigmoid network
# --------------------------------------------------------------------------------------------------

def init_weights_nn(input_size: int, hidden_size: int, seed: Seed = None) -> Dict[str, ndarray]:
    """W1 (input_size, hidden_size), B1 (1, hidden_size), W2 (hidden_size, 1), B2 (1, 1), standard normal."""
    rng = _rng(seed)
    return {
        "W1": rng.standard_normal((input_size, hidden_size)),
        "B1": rng.standard_normal((1, hidden_size)),
        "W2": rng.standard_normal((hidden_size, 1)),
        "B2": rng.standard_normal((1, 1)),
    }


def forward_loss(X: ndarray, y: ndarray, weights: Dict[str, ndarray]) -> Tuple[Dict[str, ndarray], float]:
    """Forward pass and loss of the two-layer network.

    M1 = X W1,  N1 = M1 + B1,  O1 = σ(N1),  M2 = O1 W2,  P = M2 + B2,  L = mean((y - P)²).

    Args:
        X: Inputs, shape (batch_size, input_size).
        y: Targets, shape (batch_size,) or (batch_size, 1).
        weights: From :func:`init_weights_nn`.

    Returns:
        ``forward_info`` with ``X``, ``M1``, ``N1``, ``O1``, ``M2``, ``P``, ``y`` (a column), and the loss L.
    """
    X, y = _check_batch(X, y, weights["W1"].shape[0])
    M1 = np.dot(X, weights["W1"])
    N1 = M1 + weights["B1"]
    O1 = sigmoid(N1)
    M2 = np.dot(O1, weights["W2"])
    P = M2 + weights["B2"]
    loss = float(np.mean(np.power(y - P, 2)))
    forward_info = {"X": X, "M1": M1, "N1": N1, "O1": O1, "M2": M2, "P": P, "y": y}
    return forward_info, loss


def loss_gradients_nn(forward_info: Dict[str, ndarray], weights: Dict[str, ndarray]) -> Dict[str, ndarray]:
    """dL/dW1, dL/dB1, dL/dW2, dL/dB2 of the two-layer network, one chain-rule factor at a time.

    Backwards from the loss:

    * ∂Λ/∂P = -2 (y - P) / batch_size
    * ∂α/∂M2 = ones, ∂α/∂B2 = ones                      (P = M2 + B2)
    * ∂ν/∂W2 = O1ᵀ (on the left),  ∂ν/∂O1 = W2ᵀ (on the right)   (M2 = O1 W2)
    * ∂σ/∂N1 = σ(N1) (1 - σ(N1))                         (O1 = σ(N1))
    * ∂α/∂M1 = ones, ∂α/∂B1 = ones                      (N1 = M1 + B1)
    * ∂ν/∂W1 = Xᵀ (on the left)                          (M1 = X W1)

    Bias gradients sum over the batch, because each bias was broadcast to every row.
    """
    batch_size = forward_info["X"].shape[0]
    dLdP = -2 * (forward_info["y"] - forward_info["P"]) / batch_size

    dPdM2 = np.ones_like(forward_info["M2"])
    dLdM2 = dLdP * dPdM2
    dPdB2 = np.ones_like(weights["B2"])
    dLdB2 = (dLdP * dPdB2).sum(axis=0, keepdims=True)

    dM2dW2 = np.transpose(forward_info["O1"], (1, 0))
    dLdW2 = np.dot(dM2dW2, dLdM2)
    dM2dO1 = np.transpose(weights["W2"], (1, 0))
    dLdO1 = np.dot(dLdM2, dM2dO1)

    dO1dN1 = sigmoid(forward_info["N1"]) * (1 - sigmoid(forward_info["N1"]))
    dLdN1 = dLdO1 * dO1dN1

    dN1dB1 = np.ones_like(weights["B1"])
    dN1dM1 = np.ones_like(forward_info["M1"])
    dLdB1 = (dLdN1 * dN1dB1).sum(axis=0, keepdims=True)
    dLdM1 = dLdN1 * dN1dM1

    dM1dW1 = np.transpose(forward_info["X"], (1, 0))
    dLdW1 = np.dot(dM1dW1, dLdM1)

    return {"W2": dLdW2, "B2": dLdB2, "W1": dLdW1, "B1": dLdB1}


def train_nn(X: ndarray, y: ndarray, *, hidden_size: int = 13, epochs: int = 100, batch_size: int = 32,
             learning_rate: float = 0.01, seed: Seed = None) -> Tuple[List[float], Dict[str, ndarray]]:
    """Mini-batch gradient descent on the two-layer network, the same loop as :func:`train_linear`.

    Args:
        X: Inputs, shape (n_samples, input_size).
        y: Targets, shape (n_samples,) or (n_samples, 1).
        hidden_size: Number of sigmoid units (the notes use 13 for 13 input features).
        epochs: Passes over the data.
        batch_size: Rows per update.
        learning_rate: Step size.
        seed: Seed or generator for initialisation and shuffling (default: netgrad's global generator).

    Returns:
        The loss of every batch before its update, and the trained weights.
    """
    _check_training(X, epochs, batch_size, learning_rate)
    if not isinstance(hidden_size, (int, np.integer)) or hidden_size < 1:
        raise ValueError(f"hidden_size must be a positive integer, got {hidden_size!r}")
    rng = _rng(seed)
    X, y = _check_batch(X, y, np.shape(X)[1])
    weights = init_weights_nn(X.shape[1], hidden_size, seed=rng)
    losses = []
    for _ in range(epochs):
        for batch in _batches(len(X), batch_size, rng):
            forward_info, loss = forward_loss(X[batch], y[batch], weights)
            loss_grads = loss_gradients_nn(forward_info, weights)
            for key in weights:
                weights[key] -= learning_rate * loss_grads[key]
            losses.append(loss)
    return losses, weights


def predict_nn(X: ndarray, weights: Dict[str, ndarray]) -> ndarray:
    """P = σ(X W1 + B1) W2 + B2, shape (n_samples, 1)."""
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != weights["W1"].shape[0]:
        raise ValueError(f"X must have shape (n_samples, {weights['W1'].shape[0]}), got {X.shape}")
    O1 = sigmoid(np.dot(X, weights["W1"]) + weights["B1"])
    return np.dot(O1, weights["W2"]) + weights["B2"]
