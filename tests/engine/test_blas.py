"""netgrad.engine.blas: BLAS on one thread for training runs whose products are all small.

The thread counts are read back with threadpoolctl's ``threadpool_info``, which asks each BLAS library
itself; without threadpoolctl, or where BLAS runs one thread anyway, the switch cannot be seen and those
tests are skipped."""
from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

from netgrad import nn, optim
from netgrad.engine import blas
from netgrad.training import Callback, Trainer


def blas_threads() -> list[int]:
    threadpoolctl = pytest.importorskip("threadpoolctl")
    return [info["num_threads"] for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"]


@pytest.fixture()
def several_threads():
    """BLAS's own thread counts, when some library runs more than one (else the switch cannot be seen)."""
    threads = blas_threads()
    if not threads or max(threads) == 1:
        pytest.skip(f"BLAS runs {threads or 'no'} thread(s) here, so one thread cannot be told apart")
    return threads


def test_largest_product_is_batch_times_the_biggest_weight_matrix():
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    assert blas.largest_product(model, 200) == 200 * 64 * 64
    assert blas.largest_product(model, None) is None
    assert blas.largest_product(nn.Sequential(nn.Linear(3, 2)), 1) == 6


def test_single_threaded_limits_blas_inside_and_restores_it_after(several_threads):
    with blas.single_threaded() as limited:
        assert limited and set(blas_threads()) == {1}
    assert blas_threads() == several_threads
    with blas.single_threaded(active=False) as limited:
        assert not limited and blas_threads() == several_threads


def test_overlapping_runs_never_leave_blas_on_one_thread(several_threads):
    """The first run holds the count and restores it when it ends; a run that overlaps changes nothing."""
    started, first_done = threading.Event(), threading.Event()
    seen = {}

    def second():
        with blas.single_threaded() as holding:
            seen["holding"] = holding
            started.set()
            first_done.wait(10)
            seen["after the first ended"] = blas_threads()

    with blas.single_threaded() as holding:
        assert holding and set(blas_threads()) == {1}
        worker = threading.Thread(target=second)
        worker.start()
        started.wait(10)
        with blas.single_threaded() as nested:
            assert not nested and set(blas_threads()) == {1}
        assert set(blas_threads()) == {1}
    first_done.set()
    worker.join(10)
    assert seen == {"holding": False, "after the first ended": several_threads}
    assert blas_threads() == several_threads


class RecordThreads(Callback):
    def on_train_batch_begin(self, batch, logs=None):
        self.threads = blas_threads()


@pytest.mark.parametrize("hidden, batch_size, small", [(64, 200, True), (2048, 1024, False)])
def test_training_runs_small_products_on_one_thread(several_threads, hidden, batch_size, small):
    model = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 2))
    assert (blas.largest_product(model, batch_size) < blas.SMALL_PRODUCT) == small
    X = np.random.default_rng(0).standard_normal((batch_size, hidden)).astype(np.float32)
    y = np.arange(batch_size) % 2
    record = RecordThreads()
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.01), callbacks=[record])
    trainer.fit((X, y), epochs=1, batch_size=batch_size, verbose=0)
    assert record.threads == ([1] * len(several_threads) if small else several_threads)
    assert blas_threads() == several_threads


def test_without_threadpoolctl_nothing_changes(monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import threadpoolctl now fails
    with blas.single_threaded() as limited:
        assert limited is False
