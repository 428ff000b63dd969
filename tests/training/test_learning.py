"""Learning through the Trainer: the notes' XOR lesson, least squares, and handwritten digits."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score

import netgrad
from netgrad import nn, optim
from netgrad.data import load_digits, make_xor, train_test_split
from netgrad.training import EarlyStopping, Trainer


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_2_8_1_network_learns_xor(seed):
    X, y = make_xor()
    netgrad.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    trainer = Trainer(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=0.05), metrics=["accuracy"])
    history = trainer.fit((X, y), epochs=300, batch_size=4, verbose=0)
    predicted = (trainer.predict(X).ravel() > 0).astype(int)  # logit > 0 <=> probability > 0.5
    assert accuracy_score(y, predicted) == 1.0
    assert history.history["accuracy"][-1] == 1.0


def test_a_linear_model_cannot_exceed_75_percent_on_xor():
    """No line separates XOR: the best any linear classifier does is 3 of the 4 points."""
    X, y = make_xor()
    # every linear boundary sign(w.x + b), sampled densely: never all four right
    rng = np.random.default_rng(0)
    w, b = rng.normal(size=(100_000, 2)), rng.normal(size=100_000)
    best = ((X @ w.T + b > 0) == y[:, None]).mean(axis=0).max()
    assert best == 0.75
    netgrad.manual_seed(0)
    model = nn.Linear(2, 1)
    trainer = Trainer(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=0.05), metrics=["accuracy"])
    history = trainer.fit((X, y), epochs=300, batch_size=4, verbose=0)
    assert max(history.history["accuracy"]) <= 0.75
    assert accuracy_score(y, (trainer.predict(X).ravel() > 0).astype(int)) <= 0.75


def test_linear_regression_reaches_the_least_squares_solution():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)).astype(np.float32)
    y = (X @ np.array([1.5, -2.0, 0.5]) + 0.3 + 0.1 * rng.normal(size=200)).astype(np.float32)
    A = np.hstack([X, np.ones((200, 1))]).astype(np.float64)
    solution = np.linalg.lstsq(A, y.astype(np.float64), rcond=None)[0]
    netgrad.manual_seed(0)
    model = nn.Linear(3, 1)
    Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1)).fit((X, y), epochs=200, batch_size=200,
                                                                            verbose=0)
    learned = np.append(model.weight.detach().numpy().ravel(), model.bias.detach().numpy())
    np.testing.assert_allclose(learned, solution, atol=1e-4)


def test_digits_reach_95_percent_and_early_stopping_keeps_the_best_epoch():
    X, y = load_digits()
    X = (X / 16.0).astype(np.float32)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    netgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    stopper = EarlyStopping(monitor="val_accuracy", patience=4, restore_best_weights=True)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=3e-3), metrics=["accuracy"],
                      callbacks=[stopper])
    history = trainer.fit((X_train, y_train), epochs=40, batch_size=32, validation_data=(X_test, y_test), verbose=0)
    test_accuracy = accuracy_score(y_test, trainer.predict(X_test).argmax(axis=1))
    assert test_accuracy >= 0.95
    # the restored weights are those of the best epoch
    assert test_accuracy == pytest.approx(max(history.history["val_accuracy"]))
    assert trainer.evaluate((X_test, y_test))["accuracy"] == pytest.approx(test_accuracy)
