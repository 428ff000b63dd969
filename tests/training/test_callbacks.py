"""Callbacks against hand-computed expectations from Keras's documented algorithms.

A scripted value (``score``) is written into the epoch logs by a callback that runs first, so each
expectation below can be traced by hand, epoch by epoch.
"""
from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest

import netgrad
import netgrad.io
from netgrad import nn, optim
from netgrad.training import (
    Callback,
    CSVLogger,
    EarlyStopping,
    History,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ProgressBar,
    ReduceLROnPlateau,
    TerminateOnNaN,
    Trainer,
)
from netgrad.training.callbacks import CallbackList


def data(n=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)).astype(np.float32)
    return X, (X @ np.array([1.0, -2.0], np.float32) + 0.5).astype(np.float32)


def snapshot(model):
    return {name: value.numpy().copy() for name, value in model.state_dict().items()}


class Script(Callback):
    """Logs ``score = values[epoch]`` and records the weights at every epoch end."""

    def __init__(self, values):
        super().__init__()
        self.values, self.weights = list(values), []

    def on_epoch_end(self, epoch, logs=None):
        logs["score"] = self.values[epoch]
        self.weights.append(snapshot(self.model))


def run(callbacks, epochs, lr=0.05, validation=False, seed=0):
    netgrad.manual_seed(seed)
    model = nn.Linear(2, 1)
    X, y = data()
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=lr), callbacks=callbacks)
    history = trainer.fit((X, y), epochs=epochs, batch_size=4, verbose=0,
                          validation_data=(X[:6], y[:6]) if validation else None)
    return trainer, history


# ------------------------------------------------------------------------------ EarlyStopping


@pytest.mark.parametrize("values, options, stopped_epoch", [
    # best 5 -> 4 (epoch 1); 4.5 and 4.2 are not better: the second miss (epoch 3) reaches patience 2
    ([5, 4, 4.5, 4.2, 3.9, 3.0], dict(patience=2), 3),
    # with min_delta 0.5, 4.6 is no improvement on 5: patience 1 stops at epoch 1
    ([5, 4.6, 4.2, 3.4, 3.0, 2.0], dict(patience=1, min_delta=0.5), 1),
    # the same values without min_delta improve every epoch: no early stop
    ([5, 4.6, 4.2, 3.4, 3.0, 2.0], dict(patience=1), 0),
    # monitoring starts at epoch 2 (best 3); epoch 3 is worse: stop there
    ([1, 2, 3, 4, 5, 6], dict(patience=1, start_from_epoch=2), 3),
    ([1, 2, 3, 4, 5, 6], dict(patience=1), 1),
])
def test_early_stopping_stops_where_keras_would(values, options, stopped_epoch):
    stopper = EarlyStopping(monitor="score", mode="min", **options)
    _, history = run([Script(values), stopper], epochs=6)
    assert stopper.stopped_epoch == stopped_epoch
    assert history.epoch == list(range(stopped_epoch + 1 if stopped_epoch else 6))


def test_early_stopping_baseline_keeps_counting_until_the_baseline_is_beaten():
    values = [0.5, 0.6, 0.7, 0.65, 0.66, 0.64]
    # without a baseline the count restarts at each improvement: misses at epochs 3 and 4 stop at 4
    plain = EarlyStopping(monitor="score", mode="max", patience=2)
    run([Script(values), plain], epochs=6)
    assert plain.stopped_epoch == 4
    # below the baseline 0.9 improvements do not reset it: 4 epochs counted by epoch 3, the first miss
    with_baseline = EarlyStopping(monitor="score", mode="max", patience=2, baseline=0.9)
    run([Script(values), with_baseline], epochs=6)
    assert with_baseline.stopped_epoch == 3


def test_early_stopping_restores_the_weights_of_the_best_epoch():
    script = Script([3, 1, 2, 2.5, 4, 5])
    stopper = EarlyStopping(monitor="score", mode="min", patience=2, restore_best_weights=True)
    trainer, history = run([script, stopper], epochs=6)
    assert history.epoch == [0, 1, 2, 3] and stopper.best_epoch == 1 and stopper.best == 1
    final = snapshot(trainer.model)
    for name, value in script.weights[1].items():
        np.testing.assert_array_equal(final[name], value)
    assert not np.array_equal(script.weights[3]["weight"], script.weights[1]["weight"])


def test_early_stopping_restores_best_weights_even_without_stopping_early():
    script = Script([3, 1, 2])
    stopper = EarlyStopping(monitor="score", mode="min", patience=5, restore_best_weights=True)
    trainer, history = run([script, stopper], epochs=3)
    assert history.epoch == [0, 1, 2] and stopper.stopped_epoch == 0
    np.testing.assert_array_equal(snapshot(trainer.model)["weight"], script.weights[1]["weight"])


def test_early_stopping_on_val_loss_by_default_and_clear_errors():
    stopper = EarlyStopping(patience=0)
    run([stopper], epochs=3, validation=True)
    assert stopper.best is not None  # it watched val_loss
    with pytest.warns(UserWarning, match="not available"):
        run([EarlyStopping(monitor="val_accuracy")], epochs=1)
    with pytest.raises(ValueError, match="mode='max' or mode='min'"):
        run([Script([1.0]), EarlyStopping(monitor="score")], epochs=1)
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="lowest")
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=-1)


# ------------------------------------------------------------------------------ ModelCheckpoint


def test_model_checkpoint_saves_only_improvements_with_formatted_names(tmp_path):
    script = Script([3.0, 1.0, 2.0, 0.5])
    checkpoint = ModelCheckpoint(tmp_path / "m-{epoch:02d}-{score:.2f}.safetensors", monitor="score",
                                 save_best_only=True, save_weights_only=True)
    run([script, checkpoint], epochs=4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-01-3.00.safetensors", "m-02-1.00.safetensors",
                                                          "m-04-0.50.safetensors"]
    saved = netgrad.io.load(tmp_path / "m-02-1.00.safetensors")
    for name, value in script.weights[1].items():
        np.testing.assert_array_equal(saved[name], value)
    assert checkpoint.best == 0.5 and checkpoint.last_path.endswith("m-04-0.50.safetensors")


def test_model_checkpoint_full_checkpoint_and_threshold(tmp_path):
    script = Script([3.0, 2.0, 4.0])
    checkpoint = ModelCheckpoint(str(tmp_path / "best.safetensors"), monitor="score", save_best_only=True,
                                 initial_value_threshold=2.5)
    trainer, _ = run([script, checkpoint], epochs=3)
    netgrad.manual_seed(42)
    model = nn.Linear(2, 1)
    sgd = optim.SGD(model.parameters(), lr=0.05)
    info = netgrad.io.load_checkpoint(tmp_path / "best.safetensors", model=model, optimizer=sgd)
    assert info["epoch"] == 2 and info["extra"]["logs"]["score"] == 2.0  # epoch index 1 was the only save
    np.testing.assert_array_equal(snapshot(model)["weight"], script.weights[1]["weight"])


def test_model_checkpoint_every_epoch_and_max_mode(tmp_path):
    run([Script([0.1, 0.3, 0.2]),
         ModelCheckpoint(tmp_path / "acc-{epoch}.safetensors", monitor="score", mode="max", save_best_only=True)],
        epochs=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acc-1.safetensors", "acc-2.safetensors"]
    run([ModelCheckpoint(tmp_path / "all" / "e{epoch}.safetensors", save_weights_only=True)], epochs=2)
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == ["e1.safetensors", "e2.safetensors"]
    with pytest.raises(KeyError, match="val_accuracy"):
        run([ModelCheckpoint(tmp_path / "{val_accuracy}.safetensors")], epochs=1)


# ------------------------------------------------------------------------------ learning rates


def test_learning_rate_scheduler_sets_the_rate_each_epoch():
    used = []

    class Used(Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == 0:
                used.append(self.trainer.optimizer.param_groups[0]["lr"])

    _, history = run([LearningRateScheduler(lambda epoch, lr: lr if epoch < 2 else lr * 0.5), Used()],
                     epochs=4, lr=0.1)
    assert used == pytest.approx([0.1, 0.1, 0.05, 0.025])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.05, 0.025])

    _, history = run([LearningRateScheduler(lambda epoch: 0.1 * 0.9 ** epoch)], epochs=3, lr=1.0)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.09, 0.081])
    with pytest.raises(ValueError, match="should be a non-negative float"):
        run([LearningRateScheduler(lambda epoch, lr: "fast")], epochs=1)


def test_reduce_lr_on_plateau_follows_keras():
    # no improvement after epoch 0; patience 1, factor 0.5, cooldown 2, min_lr 0.02 (traced in the comments)
    reducer = ReduceLROnPlateau(monitor="score", factor=0.5, patience=1, cooldown=2, min_lr=0.02, min_delta=0)
    trainer, history = run([Script([5, 6, 7, 8, 9, 10, 11]), reducer], epochs=7, lr=0.1)
    # e0 best 5 | e1 miss -> 0.05, cooldown 2 | e2 cooling | e3 cooled, miss -> 0.025 | e4 cooling
    # e5 miss -> max(0.0125, 0.02) = 0.02 | e6 cooling; each epoch logs the rate it trained with
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02])
    assert trainer.optimizer.param_groups[0]["lr"] == pytest.approx(0.02)


def test_reduce_lr_on_plateau_waits_for_patience_and_resets_on_improvement():
    reducer = ReduceLROnPlateau(monitor="score", factor=0.1, patience=2, min_delta=0)
    _, history = run([Script([5, 6, 4, 6, 7, 8]), reducer], epochs=6, lr=1.0)
    # e0 best 5 | e1 wait 1 | e2 best 4 | e3 wait 1 | e4 wait 2 -> 0.1 | e5 wait 1
    assert history.history["learning_rate"] == pytest.approx([1.0, 1.0, 1.0, 1.0, 1.0, 0.1])
    with pytest.raises(ValueError, match="factor >= 1.0"):
        ReduceLROnPlateau(factor=1.5)


# ------------------------------------------------------------------------------ CSVLogger


def read_csv(path, separator=","):
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=separator))


def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    _, history = run([CSVLogger(path)], epochs=3, validation=True)
    rows = read_csv(path)
    assert rows[0] == ["epoch", "loss", "val_loss"]
    assert [int(r[0]) for r in rows[1:]] == [0, 1, 2]
    assert [float(r[1]) for r in rows[1:]] == history.history["loss"]
    assert [float(r[2]) for r in rows[1:]] == history.history["val_loss"]


def test_csv_logger_adds_val_columns_and_appends(tmp_path):
    path = tmp_path / "log.csv"
    run([CSVLogger(path, separator=";")], epochs=2)
    rows = read_csv(path, ";")
    assert rows[0] == ["epoch", "loss", "val_loss"] and rows[1][2] == "NA"  # Keras keeps a val_ column
    run([CSVLogger(path, separator=";", append=True)], epochs=1)
    rows = read_csv(path, ";")
    assert len(rows) == 4 and rows[0][0] == "epoch" and rows[3][0] == "0"
    run([CSVLogger(path)], epochs=1)  # without append the file starts afresh
    assert len(read_csv(path)) == 2


# ------------------------------------------------------------------------------ the rest


class HookRecorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(f"epoch_begin {epoch}")

    def on_batch_begin(self, batch, logs=None):  # Keras's older name still works
        self.calls.append(f"batch_begin {batch}")

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(f"batch_end {batch}")

    def on_test_begin(self, logs=None):
        self.calls.append("test_begin")

    def on_test_end(self, logs=None):
        self.calls.append("test_end")

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(f"epoch_end {epoch}: {sorted(logs)}")

    def on_train_end(self, logs=None):
        self.calls.append("train_end")


def test_hooks_are_called_in_keras_order_with_the_run_parameters():
    recorder = HookRecorder()
    trainer, _ = run([recorder], epochs=2, validation=True)
    epoch = ["batch_begin 0", "batch_end 0", "batch_begin 1", "batch_end 1", "batch_begin 2", "batch_end 2",
             "test_begin", "test_end"]
    assert recorder.calls == ["train_begin", "epoch_begin 0", *epoch, "epoch_end 0: ['loss', 'val_loss']",
                              "epoch_begin 1", *epoch, "epoch_end 1: ['loss', 'val_loss']", "train_end"]
    assert recorder.model is trainer.model and recorder.trainer is trainer
    assert recorder.params == {"epochs": 2, "steps": 3, "verbose": 0}


def test_only_overridden_hooks_are_called():
    class EpochOnly(Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

    listening = CallbackList([EpochOnly(), LambdaCallback(on_train_begin=print)], trainer=run([], 0)[0],
                             params={})
    assert listening.wants["on_epoch_end"] and listening.wants["on_train_begin"]
    assert not listening.wants["on_train_batch_end"] and not listening.wants["on_train_batch_begin"]
    with pytest.raises(ValueError, match="unknown hook"):
        LambdaCallback(on_epoch_finish=print)


def test_lambda_callback_and_history():
    seen = []
    callback = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, logs["loss"])),
                              on_batch_end=lambda batch, logs: seen.append(batch))
    _, history = run([callback], epochs=2)
    assert seen == [0, 1, 2, (0, history.history["loss"][0]), 0, 1, 2, (1, history.history["loss"][1])]
    assert isinstance(history, History) and history.to_dict()["epoch"] == [0, 1]
    assert history["loss"] == history.history["loss"]


def test_terminate_on_nan_reads_the_batch_loss(capsys):
    class FakeTrainer:
        stop_training = False
        model = None

    callback = TerminateOnNaN()
    callback.set_trainer(FakeTrainer())
    callback.on_train_batch_end(4, {"loss": 1.0, "batch_loss": 2.0})
    assert not callback.trainer.stop_training
    callback.on_train_batch_end(5, {"loss": math.nan, "batch_loss": math.nan})
    assert callback.trainer.stop_training
    assert capsys.readouterr().out == "Batch 5: Invalid loss, terminating training\n"


def test_progress_bar_refreshes_at_most_every_interval():
    quiet, busy = io.StringIO(), io.StringIO()
    run([ProgressBar(1, file=quiet, refresh_interval=3600)], epochs=1)
    run([ProgressBar(1, file=busy, refresh_interval=0)], epochs=1)
    # the quiet bar is drawn when created and when the epoch ends; the busy one after every batch too
    assert quiet.getvalue().count("Epoch 1/1") < busy.getvalue().count("Epoch 1/1")
    assert "3/3" in quiet.getvalue() and "loss: " in quiet.getvalue()
    with pytest.raises(ValueError, match="verbose"):
        ProgressBar(0)
