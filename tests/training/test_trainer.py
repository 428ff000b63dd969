"""The Trainer: the loop against hand-written reference loops, data checks, metrics, reproducibility,
checkpoint/resume, non-finite losses, Ctrl-C, progress output, schedulers, clipping and penalties."""
from __future__ import annotations

import io
import math
import os
import signal
import sys

import numpy as np
import pytest
from sklearn import metrics as skm

import netgrad
from netgrad import nn, optim
from netgrad.data import DataLoader, TensorDataset
from netgrad.training import (Callback, LambdaCallback, ModelCheckpoint, NonFiniteLossError, TerminateOnNaN,
                              Trainer)


def regression_data(n=12, features=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, features)).astype(np.float32)
    y = (X @ np.arange(1, features + 1, dtype=np.float32) + 0.5).astype(np.float32)
    return X, y


def linear_model(in_features=2, out_features=1, seed=0):
    netgrad.manual_seed(seed)
    return nn.Linear(in_features, out_features)


def weights(model):
    return {name: value.numpy().copy() for name, value in model.state_dict().items()}


def numpy_minibatch_gd(W, b, X, y, lr, batch_size, epochs, orders=None):
    """The notes' mini-batch gradient descent for y ~ X W^T + b with the mean squared error, in NumPy."""
    W, b = W.astype(np.float64), b.astype(np.float64)
    updates = 0
    for epoch in range(epochs):
        order = np.arange(len(X)) if orders is None else orders[epoch]
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            xb, yb = X[rows].astype(np.float64), y[rows].astype(np.float64).reshape(-1, 1)
            error = xb @ W.T + b - yb                      # (m, 1)
            grad_W = 2 * error.T @ xb / error.size         # d mean(error^2) / dW
            grad_b = 2 * error.sum(axis=0) / error.size
            W, b = W - lr * grad_W, b - lr * grad_b
            updates += 1
    return W, b, updates


# ------------------------------------------------------------------------------ the loop itself


@pytest.mark.parametrize("batch_size, updates_per_epoch", [(3, 4), (12, 1), (1, 12), (5, 3)])
def test_notes_minibatch_arithmetic_and_updates_match_numpy(batch_size, updates_per_epoch):
    """12 samples in batches of 3 make 4 updates an epoch, batch GD one; the weights match NumPy's loop."""
    X, y = regression_data()
    model = linear_model()
    W0, b0 = model.weight.detach().numpy().copy(), model.bias.detach().numpy().copy()
    steps = []
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05),
                      callbacks=[LambdaCallback(on_train_batch_end=lambda batch, logs: steps.append(batch))])
    trainer.fit((X, y), epochs=2, batch_size=batch_size, shuffle=False, verbose=0)
    assert steps == list(range(updates_per_epoch)) * 2
    W, b, updates = numpy_minibatch_gd(W0, b0, X, y, 0.05, batch_size, epochs=2)
    assert updates == 2 * updates_per_epoch
    np.testing.assert_allclose(model.weight.detach().numpy(), W, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.bias.detach().numpy(), b, rtol=1e-5, atol=1e-6)
    assert trainer.epoch == 2


def test_shuffled_epochs_follow_the_global_generator():
    """With shuffle, each epoch's order is a fresh permutation drawn from netgrad's global generator."""
    X, y = regression_data(n=10)
    model = linear_model()
    W0, b0 = model.weight.detach().numpy().copy(), model.bias.detach().numpy().copy()
    netgrad.manual_seed(7)
    Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05)).fit((X, y), epochs=3, batch_size=4,
                                                                               verbose=0)
    rng = np.random.Generator(np.random.PCG64(7))
    orders = [rng.permutation(10) for _ in range(3)]
    W, b, _ = numpy_minibatch_gd(W0, b0, X, y, 0.05, 4, epochs=3, orders=orders)
    np.testing.assert_allclose(model.weight.detach().numpy(), W, rtol=1e-5, atol=1e-6)


def test_history_losses_are_sample_weighted_epoch_means():
    """'loss' is the mean of batch losses weighted by batch size; 'val_loss' the loss after the epoch."""
    X, y = regression_data(n=10)
    X_val, y_val = regression_data(n=7, seed=1)
    model = linear_model()
    batch_losses, sizes = [], []
    recorder = LambdaCallback(on_train_batch_end=lambda b, logs: (batch_losses.append(logs["batch_loss"]),
                                                                  sizes.append(logs["size"])))
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.01), callbacks=[recorder])
    history = trainer.fit((X, y), epochs=1, batch_size=4, shuffle=False, validation_data=(X_val, y_val), verbose=0)
    assert sizes == [4, 4, 2]
    assert history.history["loss"][0] == pytest.approx(np.dot(batch_losses, sizes) / 10, rel=1e-6)
    W, b = model.weight.detach().numpy().astype(np.float64), model.bias.detach().numpy().astype(np.float64)
    expected_val = np.mean((X_val @ W.T + b - y_val.reshape(-1, 1)) ** 2)
    assert history.history["val_loss"][0] == pytest.approx(expected_val, rel=1e-5)
    assert history.epoch == [0]
    assert trainer.history is history


def test_sample_weights_weight_the_loss_like_keras():
    """loss = sum_i w_i l_i / batch_size; weights of 2 double the gradient (= SGD with twice the lr)."""
    X, y = regression_data()
    w = np.linspace(0.0, 2.0, len(X)).astype(np.float32)
    model = linear_model()
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05))
    W, b = model.weight.detach().numpy().astype(np.float64), model.bias.detach().numpy().astype(np.float64)
    per_sample = ((X @ W.T + b).ravel() - y) ** 2
    assert trainer.evaluate((X, y, w), batch_size=5)["loss"] == pytest.approx(np.sum(w * per_sample) / len(X),
                                                                              rel=1e-5)

    weighted, plain = linear_model(), linear_model()
    Trainer(weighted, nn.MSELoss(), optim.SGD(weighted.parameters(), lr=0.05)).fit(
        (X, y, np.full(len(X), 2.0, np.float32)), epochs=2, batch_size=4, shuffle=False, verbose=0)
    Trainer(plain, nn.MSELoss(), optim.SGD(plain.parameters(), lr=0.1)).fit(
        (X, y), epochs=2, batch_size=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(weighted.weight.detach().numpy(), plain.weight.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_sample_weights_with_a_functional_loss():
    X, y = regression_data()
    model = linear_model()
    trainer = Trainer(model, nn.functional.mse_loss, optim.SGD(model.parameters(), lr=0.05))
    ones = trainer.evaluate((X, y, np.ones(len(X), np.float32)))["loss"]
    assert ones == pytest.approx(trainer.evaluate((X, y))["loss"], rel=1e-6)


def test_fit_takes_a_dataloader_and_a_dataset():
    X, y = regression_data()
    first, second = linear_model(), linear_model()
    Trainer(first, nn.MSELoss(), optim.SGD(first.parameters(), lr=0.05)).fit(
        DataLoader(TensorDataset(X, y.reshape(-1, 1)), batch_size=3), epochs=2, verbose=0)
    Trainer(second, nn.MSELoss(), optim.SGD(second.parameters(), lr=0.05)).fit(
        TensorDataset(X, y.reshape(-1, 1)), epochs=2, batch_size=3, shuffle=False, verbose=0)
    start = linear_model()
    W, b, _ = numpy_minibatch_gd(start.weight.detach().numpy(), start.bias.detach().numpy(), X, y, 0.05, 3, 2)
    np.testing.assert_allclose(first.weight.detach().numpy(), W, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(second.weight.detach().numpy(), W, rtol=1e-5, atol=1e-6)


def test_predict_is_the_model_output_in_eval_mode():
    netgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Dropout(0.5), nn.Linear(5, 2))
    X = np.random.default_rng(0).normal(size=(70, 3)).astype(np.float32)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1))
    model.train()
    predicted = trainer.predict(X, batch_size=16)
    assert model.training  # the mode is restored
    first, second = model[0], model[3]
    W1, b1 = first.weight.detach().numpy(), first.bias.detach().numpy()
    W2, b2 = second.weight.detach().numpy(), second.bias.detach().numpy()
    hidden = np.maximum(X @ W1.T + b1, 0)  # dropout is off in eval mode
    np.testing.assert_allclose(predicted, hidden @ W2.T + b2, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(trainer.predict(DataLoader(TensorDataset(X), batch_size=7)), predicted)
    assert predicted.dtype == np.float32 and predicted.shape == (70, 2)


def test_train_epoch_steps_like_fit():
    X, y = regression_data()
    stepped, fitted = linear_model(), linear_model()
    trainer = Trainer(stepped, nn.MSELoss(), optim.SGD(stepped.parameters(), lr=0.05))
    netgrad.manual_seed(3)
    logs = [trainer.train_epoch((X, y), batch_size=4) for _ in range(3)]
    netgrad.manual_seed(3)
    history = Trainer(fitted, nn.MSELoss(), optim.SGD(fitted.parameters(), lr=0.05)).fit(
        (X, y), epochs=3, batch_size=4, verbose=0)
    np.testing.assert_array_equal(stepped.weight.detach().numpy(), fitted.weight.detach().numpy())
    assert [entry["loss"] for entry in logs] == history.history["loss"]
    assert trainer.epoch == 3 and trainer.history.epoch == [0, 1, 2]


# ------------------------------------------------------------------------------ metrics


def fixed_classifier(out_features, seed=1):
    netgrad.manual_seed(seed)
    return nn.Linear(4, out_features)


def classification_data(n=60, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)).astype(np.float32), rng.integers(0, classes, n)


def test_metrics_of_a_cross_entropy_model_are_computed_from_softmax_predictions():
    X, y = classification_data()
    model = fixed_classifier(3)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
                      metrics=["accuracy", "precision", "recall", "f1", "log_loss"])
    logs = trainer.evaluate((X, y), batch_size=16)
    logits = X.astype(np.float64) @ model.weight.detach().numpy().T + model.bias.detach().numpy()
    proba = np.exp(logits - logits.max(1, keepdims=True))
    proba /= proba.sum(1, keepdims=True)
    predicted = logits.argmax(1)
    assert logs["loss"] == pytest.approx(skm.log_loss(y, proba, labels=[0, 1, 2]), rel=1e-5)
    assert logs["log_loss"] == pytest.approx(skm.log_loss(y, proba, labels=[0, 1, 2]), rel=1e-5)
    assert logs["accuracy"] == pytest.approx(skm.accuracy_score(y, predicted))
    assert logs["precision"] == pytest.approx(skm.precision_score(y, predicted, average="macro", zero_division=0))
    assert logs["recall"] == pytest.approx(skm.recall_score(y, predicted, average="macro", zero_division=0))
    assert logs["f1"] == pytest.approx(skm.f1_score(y, predicted, average="macro", zero_division=0))


def test_metrics_of_a_logistic_model_threshold_the_sigmoid_at_one_half():
    X, y = classification_data(classes=2)
    model = fixed_classifier(1)
    seen = []

    def positives(y_true, y_pred):  # a user metric gets predicted classes, as from sklearn's predict
        seen.append(y_pred)
        return float(np.mean(y_pred))

    trainer = Trainer(model, nn.BCEWithLogitsLoss(), optim.SGD(model.parameters(), lr=0.1),
                      metrics=["accuracy", "f1", positives])
    logs = trainer.evaluate((X, y.astype(np.float32)))
    z = (X.astype(np.float64) @ model.weight.detach().numpy().T + model.bias.detach().numpy()).ravel()
    predicted = (1 / (1 + np.exp(-z)) > 0.5).astype(int)
    assert logs["accuracy"] == pytest.approx(skm.accuracy_score(y, predicted))
    assert logs["f1"] == pytest.approx(skm.f1_score(y, predicted))
    assert logs["positives"] == pytest.approx(predicted.mean())
    np.testing.assert_array_equal(seen[-1], predicted)


def test_regression_metrics_and_accuracy_of_a_sigmoid_output_trained_with_mse():
    X, y = classification_data(classes=2)
    netgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1),
                      metrics=["accuracy", "mae", "mse", "rmse", "r2"])
    target = y.astype(np.float32)
    logs = trainer.evaluate((X, target))
    p = trainer.predict(X).ravel()
    assert logs["accuracy"] == pytest.approx(skm.accuracy_score(y, (p > 0.5).astype(int)))
    assert logs["mae"] == pytest.approx(skm.mean_absolute_error(target, p), rel=1e-5)
    assert logs["mse"] == pytest.approx(skm.mean_squared_error(target, p), rel=1e-5)
    assert logs["rmse"] == pytest.approx(math.sqrt(skm.mean_squared_error(target, p)), rel=1e-5)
    assert logs["r2"] == pytest.approx(skm.r2_score(target, p), rel=1e-5)


def test_epoch_metrics_cover_every_training_sample_once():
    """Training metrics are computed over all the epoch's predictions, not averaged per batch."""
    X, y = classification_data(n=50)
    model = fixed_classifier(3)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.0),
                      metrics=["accuracy", "f1"])
    history = trainer.fit((X, y), epochs=1, batch_size=16, verbose=0).history  # lr 0: the model never changes
    predicted = trainer.predict(X).argmax(1)
    assert history["accuracy"][0] == pytest.approx(skm.accuracy_score(y, predicted))
    # the macro F1 of the whole epoch, which no average of per-batch F1 values gives in general
    assert history["f1"][0] == pytest.approx(skm.f1_score(y, predicted, average="macro", zero_division=0))


def test_one_hot_targets_give_the_same_loss_and_metrics_as_labels():
    X, y = classification_data()
    model = fixed_classifier(3)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), metrics=["accuracy"])
    with_labels = trainer.evaluate((X, y))
    with_one_hot = trainer.evaluate((X, np.eye(3, dtype=np.int64)[y]))
    assert with_one_hot == pytest.approx(with_labels, rel=1e-6)
    with pytest.raises(ValueError, match="class probabilities"):
        trainer.evaluate((X, 2 * np.eye(3)[y]))


def test_validation_loader_keeps_its_own_batch_size():
    X, y = regression_data()
    model = linear_model()
    sizes = []

    class Sizes(Callback):
        def on_test_batch_end(self, batch, logs=None):
            sizes.append(logs["size"])

    Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05), callbacks=[Sizes()]).fit(
        (X, y), batch_size=6, validation_data=DataLoader(TensorDataset(X, y.reshape(-1, 1)), batch_size=5),
        verbose=0)
    assert sizes == [5, 5, 2]


def test_bad_metric_names_and_hyper_parameters_are_refused():
    model = linear_model()
    sgd = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="unknown metric 'acuracy'.*accuracy"):
        Trainer(model, nn.MSELoss(), sgd, metrics=["acuracy"])
    with pytest.raises(ValueError, match="clip_grad_norm"):
        Trainer(model, nn.MSELoss(), sgd, clip_grad_norm=-1)
    with pytest.raises(ValueError, match="scheduler_interval"):
        Trainer(model, nn.MSELoss(), sgd, scheduler_interval="step")
    with pytest.raises(TypeError, match="Callback"):
        Trainer(model, nn.MSELoss(), sgd, callbacks=[print])
    trainer = Trainer(model, nn.MSELoss(), sgd)
    X, y = regression_data()
    with pytest.raises(ValueError, match="verbose"):
        trainer.fit((X, y), verbose=3)
    with pytest.raises(ValueError, match="epochs"):
        trainer.fit((X, y), epochs=-1)
    with pytest.raises(ValueError, match="batch_size"):
        trainer.fit((X, y), batch_size=0)


# ------------------------------------------------------------------------------ bad data, refused up front


def test_bad_training_data_is_refused_before_training():
    X, y = classification_data(n=20)
    model = fixed_classifier(3)
    before = weights(model)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1))
    bad_X = X.copy()
    bad_X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        trainer.fit((bad_X, y), verbose=0)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        trainer.fit((X, y[:-1]), verbose=0)
    with pytest.raises(ValueError, match="out of range for 3 classes"):
        trainer.fit((X, np.where(y == 2, 3, y)), verbose=0)
    with pytest.raises(ValueError, match="negative"):
        trainer.fit((X, y - 1), verbose=0)
    with pytest.raises(ValueError, match="non-integer"):
        trainer.fit((X, y + 0.5), verbose=0)
    with pytest.raises(ValueError, match="validation y has labels"):
        trainer.fit((X, y), validation_data=(X, y + 3), verbose=0)
    with pytest.raises(ValueError, match="sample_weight"):
        trainer.fit((X, y, np.ones(5)), verbose=0)
    with pytest.raises(ValueError, match="out of range"):
        trainer.fit(DataLoader(TensorDataset(X, y + 1), batch_size=4), verbose=0)
    for name, value in before.items():  # nothing was trained
        np.testing.assert_array_equal(model.state_dict()[name].numpy(), value)


def test_targets_that_do_not_fit_the_output_are_refused():
    X, y = regression_data()
    model = linear_model(out_features=2)
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1))
    with pytest.raises(ValueError, match=r"y has shape \(12,\) but the model outputs \(2,\)"):
        trainer.fit((X, y), verbose=0)
    binary = linear_model()
    trainer = Trainer(binary, nn.BCEWithLogitsLoss(), optim.SGD(binary.parameters(), lr=0.1))
    with pytest.raises(ValueError, match="0/1 labels"):
        trainer.fit((X, y), verbose=0)
    single = linear_model()
    trainer = Trainer(single, nn.CrossEntropyLoss(), optim.SGD(single.parameters(), lr=0.1))
    with pytest.raises(ValueError, match="out of range for 1 classes"):
        trainer.fit((X, (y > 0).astype(np.int64)), verbose=0)


def test_one_column_targets_and_float64_data_are_adapted():
    """(n,) targets meet a one-output model as (n, 1); float64 data is converted once to the model's float32."""
    X, y = regression_data()
    model = linear_model()
    Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05)).fit(
        (X.astype(np.float64), y.astype(np.float64)), epochs=1, batch_size=12, verbose=0)
    start = linear_model()
    W, _, _ = numpy_minibatch_gd(start.weight.detach().numpy(), start.bias.detach().numpy(), X, y, 0.05, 12, 1)
    assert model.weight.dtype == netgrad.float32
    np.testing.assert_allclose(model.weight.detach().numpy(), W, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------------------ reproducibility


def dropout_run(seed, epochs=3):
    netgrad.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    X, y = classification_data(n=40)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01))
    history = trainer.fit((X, y), epochs=epochs, batch_size=8, verbose=0)
    return weights(model), history.history["loss"]


def test_same_seed_gives_bit_identical_training_with_dropout_and_shuffling():
    first, losses_first = dropout_run(11)
    second, losses_second = dropout_run(11)
    other, _ = dropout_run(12)
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])
    assert losses_first == losses_second
    assert any(not np.array_equal(first[name], other[name]) for name in first)


def resumable_setup():
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.25), nn.Linear(16, 3))
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    return model, optimizer, scheduler


def test_checkpoint_at_epoch_5_resumes_bit_identically(tmp_path):
    X, y = classification_data(n=40)
    netgrad.manual_seed(5)
    model, optimizer, scheduler = resumable_setup()
    checkpoint = ModelCheckpoint(str(tmp_path / "ckpt-{epoch}.safetensors"))
    Trainer(model, nn.CrossEntropyLoss(), optimizer, scheduler=scheduler, callbacks=[checkpoint]).fit(
        (X, y), epochs=10, batch_size=8, verbose=0)
    uninterrupted = weights(model)
    assert sorted(os.listdir(tmp_path)) == sorted(f"ckpt-{e}.safetensors" for e in range(1, 11))

    netgrad.manual_seed(99)  # a different start, all overwritten by the checkpoint
    model, optimizer, scheduler = resumable_setup()
    trainer = Trainer(model, nn.CrossEntropyLoss(), optimizer, scheduler=scheduler)
    trainer.load_checkpoint(tmp_path / "ckpt-5.safetensors")
    assert trainer.epoch == 5
    history = trainer.fit((X, y), epochs=10, initial_epoch=trainer.epoch, batch_size=8, verbose=0)
    assert history.epoch == [5, 6, 7, 8, 9]
    for name, value in uninterrupted.items():
        np.testing.assert_array_equal(weights(model)[name], value)


def test_trainer_save_checkpoint_round_trip(tmp_path):
    X, y = classification_data(n=40)
    netgrad.manual_seed(1)
    model, optimizer, scheduler = resumable_setup()
    trainer = Trainer(model, nn.CrossEntropyLoss(), optimizer, scheduler=scheduler)
    trainer.fit((X, y), epochs=2, batch_size=8, verbose=0)
    trainer.save_checkpoint(tmp_path / "run.safetensors")
    trainer.fit((X, y), epochs=4, initial_epoch=2, batch_size=8, verbose=0)
    expected = weights(model)
    netgrad.manual_seed(2)
    model, optimizer, scheduler = resumable_setup()
    resumed = Trainer(model, nn.CrossEntropyLoss(), optimizer, scheduler=scheduler)
    info = resumed.load_checkpoint(tmp_path / "run.safetensors")
    assert info["extra"]["history"]["epoch"] == [0, 1]
    resumed.fit((X, y), epochs=4, initial_epoch=resumed.epoch, batch_size=8, verbose=0)
    for name, value in expected.items():
        np.testing.assert_array_equal(weights(model)[name], value)


# ------------------------------------------------------------------------------ non-finite loss


class ExplodingLoss:
    """MSE that becomes infinite at one (epoch, batch), to stand for a diverging run."""

    def __init__(self, trainer_ref, epoch, batch):
        self.mse, self.trainer_ref, self.at, self.batch = nn.MSELoss(), trainer_ref, (epoch, batch), -1

    def __call__(self, output, target):
        loss = self.mse(output, target)
        return loss * math.inf if self.at == (self.trainer_ref[0].epoch, self.batch) else loss


def exploding_trainer(epoch, batch, callbacks=()):
    model = linear_model()
    ref = []
    loss = ExplodingLoss(ref, epoch, batch)
    counter = LambdaCallback(on_train_batch_begin=lambda b, logs: setattr(loss, "batch", b))
    snapshots = []
    recorder = LambdaCallback(on_train_batch_end=lambda b, logs: snapshots.append(weights(model)))
    trainer = Trainer(model, loss, optim.SGD(model.parameters(), lr=0.01), callbacks=[counter, recorder, *callbacks])
    ref.append(trainer)
    return trainer, snapshots


def test_non_finite_loss_names_epoch_and_batch_and_keeps_the_weights():
    X, y = regression_data()
    trainer, snapshots = exploding_trainer(epoch=1, batch=2)
    with pytest.raises(NonFiniteLossError, match=r"loss is inf at epoch 2/3, batch 3/4") as error:
        trainer.fit((X, y), epochs=3, batch_size=3, shuffle=False, verbose=0)
    assert isinstance(error.value, FloatingPointError)
    assert (error.value.epoch, error.value.batch) == (1, 2)
    # the bad batch did not update: the weights are those after the previous batch
    for name, value in snapshots[-2].items():
        np.testing.assert_array_equal(weights(trainer.model)[name], value)
    assert trainer.history.epoch == [0] and len(trainer.history.history["loss"]) == 1


def test_terminate_on_nan_stops_quietly(capsys):
    X, y = regression_data()
    trainer, snapshots = exploding_trainer(epoch=1, batch=2, callbacks=[TerminateOnNaN()])
    history = trainer.fit((X, y), epochs=3, batch_size=3, shuffle=False, verbose=0)
    assert "Batch 2: Invalid loss, terminating training" in capsys.readouterr().out
    assert history.epoch == [0, 1]  # like Keras, the cut-short epoch still ends (and logs a non-finite loss)
    assert math.isinf(history.history["loss"][1])
    for name, value in snapshots[-2].items():
        np.testing.assert_array_equal(weights(trainer.model)[name], value)


# ------------------------------------------------------------------------------ Ctrl-C


def test_keyboard_interrupt_from_a_callback_stops_cleanly(capsys, tmp_path):
    X, y = regression_data()
    model = linear_model()
    after_update = []

    class Interrupt(Callback):
        def on_train_batch_end(self, batch, logs=None):
            after_update.append(weights(self.model))
            if self.trainer.epoch == 1 and batch == 1:
                raise KeyboardInterrupt

    ended = []
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05),
                      callbacks=[Interrupt(), LambdaCallback(on_train_end=lambda logs: ended.append(True))])
    history = trainer.fit((X, y), epochs=5, batch_size=3, shuffle=False, verbose=0)
    assert trainer.interrupted
    assert "interrupted (Ctrl-C) in epoch 2/5 at batch 2" in capsys.readouterr().err
    assert history.epoch == [0] and all(len(v) == 1 for v in history.history.values())
    assert trainer.epoch == 1 and ended == [True]
    for name, value in after_update[-1].items():  # the last completed update is kept
        np.testing.assert_array_equal(weights(model)[name], value)
    assert np.isfinite(trainer.predict(X)).all()  # still usable
    trainer.fit((X, y), epochs=1, verbose=0)  # and trainable
    assert not trainer.interrupted


@pytest.fixture()
def python_sigint_handler():
    """Python's own SIGINT handler for the test, whatever the disposition this process inherited (a shell's
    background job starts with SIGINT ignored); the inherited one is put back afterwards."""
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, inherited)


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_signal_stops_between_batches(capsys, python_sigint_handler):
    X, y = regression_data()
    model = linear_model()
    batches = []

    def press_ctrl_c(batch, logs):
        batches.append(batch)
        if len(batches) == 6:
            os.kill(os.getpid(), signal.SIGINT)

    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05),
                      callbacks=[LambdaCallback(on_train_batch_end=press_ctrl_c)])
    history = trainer.fit((X, y), epochs=5, batch_size=3, shuffle=False, verbose=0)
    assert trainer.interrupted and len(batches) == 6  # the loop stopped right after the batch in progress
    assert history.epoch == [0]  # epoch 2 (batches 4..7) was cut after its second batch
    assert "Ctrl-C" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# ------------------------------------------------------------------------------ progress output


def test_progress_bar_on_a_terminal_and_silence_with_verbose_0(capsys, monkeypatch):
    X, y = regression_data()
    model = linear_model()
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05), metrics=["mae"])

    trainer.fit((X, y), epochs=2, batch_size=4, verbose=0)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    trainer.fit((X, y), epochs=2, batch_size=4, verbose="auto")
    shown = terminal.getvalue()
    assert "Epoch 1/2" in shown and "Epoch 2/2" in shown and "3/3" in shown
    assert "loss: " in shown and "mae: " in shown


def test_verbose_2_prints_one_line_per_epoch(capsys):
    X, y = regression_data()
    model = linear_model()
    history = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05)).fit(
        (X, y), epochs=3, batch_size=4, verbose=2, validation_data=(X, y))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[2].startswith("Epoch 3/3 - ")
    assert f"loss: {history.history['loss'][2]:.4f}" in lines[2]
    assert f"val_loss: {history.history['val_loss'][2]:.4f}" in lines[2]
    # 'auto' off a terminal (here: captured) means one line per epoch too, and no bar
    Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05)).fit((X, y), epochs=2, verbose="auto")
    captured = capsys.readouterr()
    assert len(captured.out.strip().splitlines()) == 2 and captured.err == ""


# ------------------------------------------------------------------------------ schedules, clipping, penalty


def test_epoch_scheduler_is_stepped_once_per_epoch():
    X, y = regression_data()
    model = linear_model()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    lrs = []
    record = LambdaCallback(on_epoch_begin=lambda epoch, logs: lrs.append(optimizer.param_groups[0]["lr"]))
    trainer = Trainer(model, nn.MSELoss(), optimizer, scheduler=scheduler, callbacks=[record])
    trainer.fit((X, y), epochs=5, batch_size=4, verbose=0)
    assert lrs == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])


def test_one_cycle_scheduler_is_stepped_every_batch():
    X, y = regression_data()
    model = linear_model()
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, epochs=2, steps_per_epoch=3)
    trainer = Trainer(model, nn.MSELoss(), optimizer, scheduler=scheduler)
    assert trainer.scheduler_interval == "batch"
    trainer.fit((X, y), epochs=2, batch_size=4, verbose=0)
    assert scheduler.last_epoch == 6


def test_plateau_scheduler_gets_the_validation_loss():
    X, y = regression_data()
    model = linear_model()
    optimizer = optim.SGD(model.parameters(), lr=0.0)  # nothing improves
    scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=0)
    seen = []
    original = scheduler.step
    scheduler.step = lambda metrics: (seen.append(metrics), original(metrics))[1]
    trainer = Trainer(model, nn.MSELoss(), optimizer, scheduler=scheduler)
    history = trainer.fit((X, y), epochs=2, validation_data=(X[:5], y[:5]), verbose=0)
    assert seen == history.history["val_loss"]


def test_clip_grad_norm_limits_the_update():
    """With SGD and lr 1, the update is the clipped gradient: its global norm is max_norm."""
    X, y = regression_data()
    model = linear_model()
    before = np.concatenate([v.ravel() for v in weights(model).values()])
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=1.0), clip_grad_norm=1e-3)
    trainer.fit((X, y), epochs=1, batch_size=12, verbose=0)
    after = np.concatenate([v.ravel() for v in weights(model).values()])
    assert np.linalg.norm(after - before) == pytest.approx(1e-3, rel=1e-3)


def test_penalty_is_added_to_loss_and_gradient():
    """An L2 penalty lambda * ||W||^2 gives the notes' update W <- W - lr (dL/dW + 2 lambda W)."""
    X, y = regression_data()
    model = linear_model()
    W0, b0 = model.weight.detach().numpy().astype(np.float64), model.bias.detach().numpy().astype(np.float64)
    lam = 0.1
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.05),
                      penalty=lambda m: nn.utils.l2_penalty(m, lam))
    expected_loss = np.mean(((X @ W0.T + b0).ravel() - y) ** 2) + lam * np.sum(W0 ** 2)
    assert trainer.evaluate((X, y))["loss"] == pytest.approx(expected_loss, rel=1e-5)
    history = trainer.fit((X, y), epochs=1, batch_size=12, verbose=0)
    assert history.history["loss"][0] == pytest.approx(expected_loss, rel=1e-5)
    error = X @ W0.T + b0 - y.reshape(-1, 1)
    W = W0 - 0.05 * (2 * error.T @ X / len(X) + 2 * lam * W0)
    np.testing.assert_allclose(model.weight.detach().numpy(), W, rtol=1e-5)
