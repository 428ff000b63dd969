"""The Trainer when things go wrong: divergence first seen on the validation data, and Ctrl-C handling that
does not depend on the SIGINT disposition the process inherited."""
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import netgrad
from netgrad import nn, optim
from netgrad.training import LambdaCallback, NonFiniteLossError, Trainer

POSIX = pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32", reason="POSIX signals")


def diverging_setup(metrics):
    """One full batch per epoch and a huge learning rate: epoch 1's batch loss is finite, its update is not."""
    netgrad.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 3)).astype(np.float32)
    y = X.sum(axis=1, keepdims=True)
    model = nn.Linear(3, 1)
    trainer = Trainer(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=1e25), metrics=metrics)
    return trainer, X, y


@pytest.mark.parametrize("metrics", [["mae"], []])
def test_divergence_first_seen_in_validation_raises_and_keeps_the_history(metrics):
    trainer, X, y = diverging_setup(metrics)
    first_loss = float(np.mean((X @ trainer.model.weight.detach().numpy().T + trainer.model.bias.detach().numpy()
                                - y) ** 2))
    with pytest.raises(NonFiniteLossError, match="the validation loss is inf after epoch 1/3") as caught:
        trainer.fit((X, y), epochs=3, batch_size=16, validation_data=(X, y), verbose=0)
    assert caught.value.validation and caught.value.epoch == 0 and caught.value.batch is None
    history = trainer.history.history
    assert trainer.history.epoch == [0] and trainer.epoch == 1
    assert history["loss"] == [pytest.approx(first_loss, rel=1e-5)]  # the epoch's finite training loss
    assert history["val_loss"] == [np.inf]
    assert "val_mae" not in history  # no metric saw the overflowed outputs


def test_training_divergence_still_names_the_batch():
    trainer, X, y = diverging_setup([])
    with pytest.raises(NonFiniteLossError, match="at epoch 2/3, batch 1/1") as caught:
        trainer.fit((X, y), epochs=3, batch_size=16, verbose=0)
    assert not caught.value.validation and caught.value.batch == 0


@POSIX
def test_ignored_sigint_stays_ignored_and_is_restored():
    """A process that ignores SIGINT keeps ignoring it: training runs to the end."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        trainer, X, y = diverging_setup([])
        trainer.optimizer.param_groups[0]["lr"] = 0.01
        sent = []

        def press_ctrl_c(batch, logs):
            sent.append(batch)
            os.kill(os.getpid(), signal.SIGINT)

        trainer.fit((X, y), epochs=3, batch_size=4, verbose=0,
                    callbacks=[LambdaCallback(on_train_batch_end=press_ctrl_c)])
        assert len(sent) == 12 and not trainer.interrupted
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


@POSIX
def test_ctrl_c_tests_pass_when_sigint_is_ignored_by_the_parent():
    """The Ctrl-C tests started as a shell's background job starts them: with SIGINT ignored (inherited)."""
    root = Path(__file__).resolve().parents[2]

    def ignore_sigint():
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    result = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-k", "ctrl_c",
                             str(root / "tests" / "training" / "test_trainer.py")], capture_output=True, text=True,
                            timeout=300, cwd=root, preexec_fn=ignore_sigint)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "1 passed" in result.stdout and " failed" not in result.stdout, result.stdout[-2000:]
