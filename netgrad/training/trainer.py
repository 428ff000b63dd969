"""The one training loop. Keras ``fit``, the scikit-learn estimators, the playground and the command line
all train through :class:`Trainer`; none has a loop of its own.

One epoch, as in the notes' training loop::

    for each batch (x, y[, w]) of the training data:        # model in train mode
        predictions = model(x)
        loss = loss_fn(predictions, y) (+ penalty(model))     # weighted per sample when w is given
        loss.backward(); clip gradients; optimizer.step(); per-batch schedule
    validation: the same without gradients, model in eval mode
    metrics from the epoch's predictions; per-epoch schedule; callbacks; history

Predictions and metrics. A model outputs whatever its loss expects; the metrics are computed from
*predictions*, which the loss defines (its inverse link):

===========================  =======================  =============================================
loss                         model outputs            predicted class / probability
===========================  =======================  =============================================
``CrossEntropyLoss``         logits ``(n, C)``        ``argmax`` / ``softmax``
``NLLLoss``                  log-probabilities        ``argmax`` / ``exp``
``BCEWithLogitsLoss``        logits                   ``sigmoid(z) > 0.5`` / ``sigmoid``
``BCELoss``                  probabilities            ``p > 0.5`` / ``p`` as it is
anything else (MSE, ...)     values                   the values as they are (regression); for
                                                      ``'accuracy'``: ``> 0.5`` for one column,
                                                      ``argmax`` for several (a sigmoid or softmax
                                                      output layer trained with MSE)
===========================  =======================  =============================================

Classification metrics (``'accuracy'``, ``'precision'``, ``'recall'``, ``'f1'``) compare predicted and
true classes (macro-averaged over classes when there are more than two, or over labels for multi-label
``BCE`` outputs); ``'log_loss'`` uses the probabilities; regression metrics (``'mae'``, ``'mse'``,
``'rmse'``, ``'r2'``) the values (probabilities, against one-hot targets, for classification losses).
A metric given as a function ``f(y_true, y_pred)`` receives what scikit-learn's ``predict`` would return:
predicted classes for classification losses, values otherwise. Metrics are computed once per epoch over
all its samples (each sample counts once; like Keras's ``metrics``, they ignore sample weights, which
weight the loss only).

The reported ``loss`` is the mean over the epoch's samples of the batch losses (each batch weighted by its
size); like Keras, it includes the ``penalty`` (regularisation), and so does ``val_loss``.
"""
from __future__ import annotations

import contextlib
import inspect
import math
import sys
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from netgrad import io
from netgrad.data import DataLoader, Dataset
from netgrad.data.validation import check_array, to_numpy
from netgrad.distributed import data_parallel
from netgrad.engine import Tensor, blas
from netgrad.engine.autograd import no_grad
from netgrad.engine.backend import to_host
from netgrad.engine.device import choose_device
from netgrad.nn.module import training_mode
from netgrad.nn.parallel import DistributedDataParallel
from netgrad.nn.utils import clip_grad_norm_

from .callbacks import Callback, CallbackList, CSVLogger, ModelCheckpoint, ProgressBar
from .data_checks import DEFAULT_BATCH_SIZE, DataChecks, concatenate, length
from .errors import NonFiniteLossError
from .history import History
from .interrupt import GracefulInterrupt
from .links import Predictions, link_of
from .metric_table import Metric

__all__ = ["Trainer", "NonFiniteLossError"]


class Trainer(DataChecks):
    """Trains a model with a loss and an optimizer: ``fit``, ``evaluate``, ``predict``.

    Args:
        model: A ``netgrad.nn.Module`` (anything callable on a Tensor with ``parameters()``, ``train()``,
            ``eval()``, ``state_dict()`` and ``load_state_dict()``).
        loss: ``loss(output, target) -> scalar Tensor``: an ``nn`` loss module or function. With sample
            weights it is called with ``reduction='none'`` and weighted as Keras does:
            ``sum_i w_i l_i / batch_size``.
        optimizer: A ``netgrad.optim`` optimizer over the model's parameters.
        metrics: Names (``'accuracy'``, ``'precision'``, ``'recall'``, ``'f1'``, ``'mae'``, ``'mse'``,
            ``'rmse'``, ``'r2'``, ``'log_loss'``) or functions ``f(y_true, y_pred) -> float`` (see the
            module docstring for what they are given).
        scheduler: A ``netgrad.optim.lr_scheduler`` scheduler, stepped once per epoch after validation
            (``ReduceLROnPlateau`` gets the monitored value), or once per batch (see
            ``scheduler_interval``).
        clip_grad_norm: Clip the gradients' global L2 norm to this before each step
            (``netgrad.nn.utils.clip_grad_norm_``).
        callbacks: :class:`~netgrad.training.Callback` objects used by every ``fit``.
        penalty: ``penalty(model) -> scalar Tensor or None`` added to the loss of every batch
            (L1 / L2 regularisation, e.g. ``lambda m: netgrad.nn.utils.l2_penalty(m, 1e-4)``).
        scheduler_interval: ``'epoch'`` or ``'batch'``; by default the scheduler's ``interval`` attribute
            if it has one, ``'batch'`` for ``OneCycleLR`` and ``CyclicLR`` (built to be stepped every
            batch, as in PyTorch), else ``'epoch'``.
        scheduler_monitor: The logged value a ``ReduceLROnPlateau``-style scheduler is given
            (``'val_loss'`` by default; ``'loss'`` when there is no validation data).
        device: Where the model and every batch go: ``'cpu'``, ``'cuda'``, ``'cuda:N'``, ``'auto'`` (the GPU when
            there is one) or None (nothing moves); metrics and ``predict`` come back as NumPy on the host. A
            device that cannot be used is a ValueError saying what is missing (CuPy, a GPU).
        distributed: Train data-parallel on the ranks of the MPI process group (``netgrad.distributed``):
            ``None`` when a group of several ranks is open, ``True`` opening one if needed, ``False`` never.
            Then ``fit`` wraps the model in ``DistributedDataParallel``, each rank takes its part of every
            global batch of ``batch_size``, the logged loss and metrics cover every rank's samples,
            validation runs whole on every rank, and only rank 0 prints progress and writes checkpoints
            and CSV logs.

    Attributes:
        history: The :class:`History` of the last ``fit`` (``train_epoch`` appends to it).
        epoch: The number of epochs completed (the index of the next one).
        stop_training: Set it to True (e.g. in a callback) to stop after the current batch.
        interrupted: Whether the last ``fit`` was ended with Ctrl-C.

    Example:
        >>> trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters()), metrics=["accuracy"])
        >>> history = trainer.fit((X, y), epochs=10, validation_data=(X_val, y_val), batch_size=64)
        >>> best = max(history.history["val_accuracy"])
    """

    def __init__(self, model: Any, loss: Callable, optimizer: Any, metrics: Sequence[str | Callable] | None = None,
                 scheduler: Any = None, clip_grad_norm: float | None = None,
                 callbacks: Sequence[Callback] | None = None, penalty: Callable | None = None, *,
                 scheduler_interval: str | None = None, scheduler_monitor: str = "val_loss",
                 device: Any = None, distributed: bool | None = None) -> None:
        if not callable(model):
            raise TypeError(f"model must be callable on a Tensor (an nn.Module), got {type(model).__name__}")
        if not callable(loss):
            raise TypeError(f"loss must be a function loss(output, target) -> Tensor (an nn loss), got {loss!r}")
        if not (hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad")):
            raise TypeError(f"optimizer must have step() and zero_grad() (a netgrad.optim optimizer), "
                            f"got {optimizer!r}")
        if clip_grad_norm is not None and not (isinstance(clip_grad_norm, (int, float)) and clip_grad_norm > 0):
            raise ValueError(f"clip_grad_norm must be a positive number or None, got {clip_grad_norm!r}")
        if penalty is not None and not callable(penalty):
            raise TypeError(f"penalty must be a function penalty(model) -> Tensor, got {penalty!r}")
        if scheduler_interval not in (None, "epoch", "batch"):
            raise ValueError(f"scheduler_interval must be 'epoch', 'batch' or None, got {scheduler_interval!r}")
        if scheduler is not None and not hasattr(scheduler, "step"):
            raise TypeError(f"scheduler must have a step() method, got {scheduler!r}")
        # device: where the model and every batch go ('cpu', 'cuda', 'cuda:1', 'auto' = the GPU when there is one)
        self.device = choose_device(device)
        if self.device is not None and hasattr(model, "to"):
            model.to(self.device)
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.clip_grad_norm = None if clip_grad_norm is None else float(clip_grad_norm)
        self.penalty = penalty
        self.callbacks = self._checked_callbacks(callbacks)
        self.metrics = list(metrics or [])
        self._metrics = [Metric(m) for m in self.metrics]
        names = [m.name for m in self._metrics]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated or "loss" in names:
            raise ValueError(f"metric names must be unique and not 'loss'; got {names}")
        self.metrics_names = ["loss", *names]
        # the epoch's outputs are kept only for metrics computed from them (not for those keeping their own state)
        self._collect = any(metric.kind != "state" for metric in self._metrics)
        self.scheduler_monitor = scheduler_monitor
        if scheduler is None:
            self.scheduler_interval = None
        elif scheduler_interval is not None:
            self.scheduler_interval = scheduler_interval
        else:
            default = "batch" if type(scheduler).__name__ in ("OneCycleLR", "CyclicLR") else "epoch"
            self.scheduler_interval = getattr(scheduler, "interval", default)
        self._scheduler_wants_metric = scheduler is not None and _step_needs_value(scheduler)
        self._link = link_of(loss)
        self.history = History()
        self.epoch = 0
        self.stop_training = False
        self.interrupted = False
        self._interrupt_requested = False
        self._interrupted_at: tuple | None = None  # (epoch, batch, mid-update) of a Ctrl-C
        self._stopped_early = False
        self._last_batch = -1
        self._session: CallbackList | None = None  # train_epoch's callbacks, between calls
        self._epoch_outputs: list[np.ndarray] = []
        self._epoch_targets: list[np.ndarray] = []
        self.distributed = distributed
        self._parallel_model: Any = None  # the DistributedDataParallel wrapper, while fit trains data-parallel

    @staticmethod
    def _checked_callbacks(callbacks: Iterable[Callback] | None) -> list[Callback]:
        callbacks = list(callbacks or [])
        for callback in callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"callbacks must be netgrad.training.Callback objects, got {callback!r}")
        return callbacks

    # -------------------------------------------------------------------------------------- fit

    def fit(self, train_data: Any, epochs: int = 1, validation_data: Any = None, verbose: int | str = 1,
            batch_size: int | None = None, shuffle: bool = True, initial_epoch: int = 0,
            callbacks: Sequence[Callback] | None = None) -> History:
        """Train for epochs ``initial_epoch`` to ``epochs - 1`` (Keras's numbering) and return the History.

        Args:
            train_data: A DataLoader, a Dataset, or ``(X, y)`` / ``(X, y, sample_weight)`` arrays (checked
                first: NaN / infinite values, mismatched lengths, class labels that are not integers from 0
                or exceed the model's outputs, targets whose shape does not fit the model's output).
            epochs: The index of the epoch to stop before (so ``epochs - initial_epoch`` epochs run).
            validation_data: The same kinds of data, evaluated after every epoch (``val_`` logs).
            verbose: 0 silent, 1 a progress bar per epoch, 2 one line per epoch, ``'auto'`` 1 on a terminal
                and 2 otherwise.
            batch_size: For arrays and Datasets (default 32); a DataLoader has its own.
            shuffle: Reshuffle array data every epoch (from netgrad's global generator).
            initial_epoch: The epoch to start from, when resuming training (e.g. from a checkpoint).
            callbacks: Further callbacks for this run only.

        Returns:
            The run's :class:`History` (also ``self.history``). Training ends early when a callback sets
            ``stop_training`` or at Ctrl-C, which stops cleanly between batches: the model keeps its last
            update, the history holds the completed epochs, and a message says so.

        Raises:
            NonFiniteLossError: A batch's loss was NaN or infinite (unless ``TerminateOnNaN`` is used).
        """
        verbose = _resolve_verbose(verbose)
        for name, value in (("epochs", epochs), ("initial_epoch", initial_epoch)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{name} must be a non-negative int, got {value!r}")
        loader = self._loader(train_data, batch_size, shuffle, "training")
        val_loader = self._validation_loader(validation_data, batch_size)
        parallel = data_parallel.enabled(self.distributed)
        if parallel:
            loader, verbose = self._data_parallel(loader, verbose)
        steps = length(loader)
        if steps == 0:
            raise ValueError("the training data gives no batches (is it empty, or smaller than the batch size "
                             "with drop_last=True?)")

        self.history = History()
        run_callbacks = [*self.callbacks, *self._checked_callbacks(callbacks), self.history]
        if verbose:
            run_callbacks.append(ProgressBar(verbose))
        if parallel and not data_parallel.is_main_process():  # rank 0 alone writes files
            run_callbacks = [c for c in run_callbacks if not isinstance(c, (ModelCheckpoint, CSVLogger))]
        cbs = CallbackList(run_callbacks, self, {"epochs": int(epochs), "steps": steps, "verbose": verbose})
        self._session = None
        self.epoch = int(initial_epoch)
        self.stop_training = False
        self.interrupted = False
        self._interrupt_requested = False
        self._interrupted_at = None
        was_training = getattr(self.model, "training", True)
        logs: dict = {}
        error: NonFiniteLossError | None = None
        try:
            # on several ranks Ctrl-C ends the whole job (netgrad.distributed): no rank may stop on its own
            with contextlib.nullcontext() if parallel else GracefulInterrupt(self), \
                    blas.for_training(self.model, getattr(loader, "batch_size", None)):
                cbs.call("on_train_begin", {})
                try:
                    for epoch in range(initial_epoch, epochs):
                        logs = self._run_epoch(epoch, loader, val_loader, cbs, int(epochs))
                        if self.stop_training:
                            break
                except KeyboardInterrupt:
                    if parallel:
                        raise
                    self._report_interrupt(int(epochs))
                except NonFiniteLossError as caught:
                    error = caught
                if self._interrupt_requested and not self.interrupted:
                    self._report_interrupt(int(epochs))
                cbs.call("on_train_end", logs)
        finally:
            for callback in cbs:
                if isinstance(callback, ProgressBar):
                    callback.on_train_end()  # never leave a half-drawn bar behind
            self._epoch_outputs, self._epoch_targets = [], []
            self._parallel_model = None
            if hasattr(self.model, "train"):
                self.model.train(bool(was_training))
        if error is not None:
            raise error
        return self.history

    def _data_parallel(self, loader: Any, verbose: int) -> tuple[Any, int]:
        """Set ``fit`` up to train on every rank: the wrapped model, this rank's part of each batch."""
        self._parallel_model = DistributedDataParallel(self.model)
        return data_parallel.ShardedBatches(loader), verbose if data_parallel.is_main_process() else 0

    def _report_interrupt(self, epochs: int) -> None:
        self.interrupted = True
        where = self._interrupted_at
        if where is not None:
            epoch, batch, stepping = where
            state = ("during the update of that batch, so some parameters may be updated and others not"
                     if stepping else "the model keeps the weights of its last completed update")
            place = f"epoch {epoch + 1}/{epochs} at batch {batch + 1}: {state}"
        else:
            place = f"after epoch {self.epoch}/{epochs}: the model keeps the weights of its last update"
        print(f"\nTraining interrupted (Ctrl-C) in {place}; the history holds the {len(self.history.epoch)} "
              "completed epoch(s).", file=sys.stderr, flush=True)
        self._interrupted_at = None

    def _run_epoch(self, epoch: int, loader: Any, val_loader: Any, cbs: CallbackList, epochs: int) -> dict:
        """One epoch: training batches, validation, per-epoch schedule, callbacks (History included)."""
        if hasattr(self.model, "train"):
            self.model.train()
        cbs.call("on_epoch_begin", epoch, {})
        logs = self._train_batches(epoch, loader, cbs, epochs)
        if self._interrupt_requested and self._stopped_early:  # Ctrl-C between batches: the epoch is incomplete
            self._interrupted_at = (epoch, self._last_batch, False)
            raise KeyboardInterrupt
        if val_loader is not None:
            try:
                val_logs = self._evaluate_loader(val_loader, cbs, epoch=epoch, epochs=epochs)
            except NonFiniteLossError as error:  # the epoch's record is kept, with its val_loss, as Keras logs it
                self.epoch = epoch + 1
                cbs.call("on_epoch_end", epoch, {**logs, "val_loss": error.loss})
                raise
            logs.update(("val_" + name, value) for name, value in val_logs.items())
            if hasattr(self.model, "train"):
                self.model.train()
        if self.scheduler is not None and self.scheduler_interval == "epoch":
            self._step_scheduler(logs)
        self.epoch = epoch + 1
        cbs.call("on_epoch_end", epoch, logs)
        return logs

    def _train_batches(self, epoch: int, loader: Any, cbs: CallbackList, epochs: int) -> dict:
        """The hot loop: per batch one forward, one backward, one step, one float() of the loss."""
        model, optimizer, loss_fn, penalty = self.model, self.optimizer, self.loss, self.penalty
        parallel = self._parallel_model
        forward = model if parallel is None else parallel  # the wrapper averages the gradients over the ranks
        clip, parameters = self.clip_grad_norm, None
        if clip is not None:
            parameters = [p for p in model.parameters() if p.requires_grad]
        batch_scheduler = self.scheduler if self.scheduler_interval == "batch" else None
        want_begin, want_end = cbs.wants["on_train_batch_begin"], cbs.wants["on_train_batch_end"]
        call = cbs.call
        collect = self._collect
        outputs, targets = self._epoch_outputs, self._epoch_targets = [], []
        isfinite, place = math.isfinite, self.device
        total, seen, batch, stepping = 0.0, 0, -1, False
        self._stopped_early = False
        try:
            for batch, data in enumerate(loader):
                x, y = data[0], data[1]
                if type(x) is not Tensor:
                    x = _tensors(x)
                if type(y) is not Tensor:
                    y = _tensors(y)
                if place is not None:
                    x, y = _moved(x, place), _moved(y, place)
                if want_begin:
                    call("on_train_batch_begin", batch, {})
                optimizer.zero_grad()
                output = forward(x)
                loss = loss_fn(output, y) if len(data) == 2 else self._weighted_loss(output, y, data[2])
                if penalty is not None:
                    extra = penalty(model)
                    if extra is not None:
                        loss = loss + extra
                value = float(loss._data)
                n = len(x) if type(x) is Tensor else _batch_length(x)
                total += value * n
                seen += n
                finite = isfinite(value)
                if finite:  # a non-finite loss must not reach the weights
                    loss.backward()
                    if clip is not None:
                        clip_grad_norm_(parameters, clip)
                    stepping = True
                    optimizer.step()
                    stepping = False
                    if batch_scheduler is not None:
                        batch_scheduler.step()
                if collect:
                    outputs.append(output._data if place is None else to_host(output._data))
                    targets.append(y._data if place is None else to_host(y._data))
                if want_end:
                    call("on_train_batch_end", batch, {"loss": total / seen, "batch_loss": value, "size": n})
                if self.stop_training:
                    self._stopped_early = True
                    break
                if not finite:
                    raise NonFiniteLossError(value, epoch, batch, epochs, length(loader))
        except KeyboardInterrupt:
            self._interrupted_at = (epoch, batch, stepping)
            raise
        self._last_batch = batch
        if parallel is not None:  # the epoch over every rank's samples, the same figures on every rank
            epoch_loss, outputs, targets = data_parallel.epoch_results(total, seen, outputs, targets)
        else:
            epoch_loss = total / seen if seen else math.nan
        logs = {"loss": epoch_loss}
        logs.update(self._compute_metrics(outputs, targets))
        self._epoch_outputs, self._epoch_targets = [], []
        return logs

    def _placed(self, x: Any) -> Any:
        """``x`` (a Tensor, or a tuple / list / dict of them) on the trainer's device (itself without one)."""
        device = getattr(self, "device", None)
        return x if device is None else _moved(x, device)

    def _weighted_loss(self, output: Tensor, target: Tensor, weight: Any) -> Tensor:
        """Keras's weighting: ``sum_i w_i l_i / batch_size``, with ``l_i`` the mean loss of sample ``i``."""
        per_element = self._unreduced_loss(output, target)
        n = len(per_element)
        per_sample = per_element.reshape(n, -1).mean(1) if per_element.ndim > 1 else per_element
        w = weight if isinstance(weight, Tensor) else self._placed(Tensor._wrap(np.asarray(weight)))
        return (per_sample * w.reshape(n)).sum() / n

    def _unreduced_loss(self, output: Tensor, target: Tensor) -> Tensor:
        loss = self.loss
        if hasattr(loss, "reduction"):  # an nn loss module
            previous = loss.reduction
            loss.reduction = "none"
            try:
                return loss(output, target)
            finally:
                loss.reduction = previous
        try:
            accepts = "reduction" in inspect.signature(loss).parameters
        except (TypeError, ValueError):
            accepts = False
        if not accepts:
            raise TypeError("sample weights need per-sample losses: use an nn loss module or a loss function "
                            "that accepts reduction='none'")
        return loss(output, target, reduction="none")

    def _step_scheduler(self, logs: dict) -> None:
        if not self._scheduler_wants_metric:
            self.scheduler.step()
            return
        monitor = self.scheduler_monitor
        if monitor not in logs and monitor == "val_loss":
            monitor = "loss"  # no validation data: the training loss
        if monitor not in logs:
            raise ValueError(f"the scheduler monitors {self.scheduler_monitor!r}, which is not logged; "
                             f"available: {', '.join(logs)}")
        self.scheduler.step(logs[monitor])

    # -------------------------------------------------------------------------------------- metrics

    def _compute_metrics(self, outputs: list[np.ndarray], targets: list[np.ndarray]) -> dict[str, float]:
        if not self._metrics or (self._collect and not outputs):
            return {}
        predictions = Predictions(self._link, concatenate(outputs), concatenate(targets)) if self._collect else None
        return {metric.name: metric(predictions) for metric in self._metrics}

    def running_metrics(self) -> dict[str, float]:
        """The metrics over the current epoch's batches so far (what the progress bar shows)."""
        try:
            return self._compute_metrics(list(self._epoch_outputs), list(self._epoch_targets))
        except ValueError:  # e.g. too few samples yet for a metric; the epoch's value will tell
            return {}

    # -------------------------------------------------------------------------------------- steps

    def train_epoch(self, train_data: Any, validation_data: Any = None, batch_size: int | None = None,
                    shuffle: bool = True) -> dict:
        """Train one more epoch (epoch ``self.epoch``) and return its logs: for step-by-step front ends.

        The Trainer's callbacks get ``on_train_begin`` before the first such epoch and the epoch and batch
        hooks every time; the logs are appended to ``self.history``. Ctrl-C is not intercepted here.
        """
        loader = self._loader(train_data, batch_size, shuffle, "training")
        val_loader = self._validation_loader(validation_data, batch_size)
        if self._session is None:
            self._session = CallbackList([*self.callbacks, self.history], self,
                                         {"epochs": None, "steps": length(loader), "verbose": 0})
            self._session.call("on_train_begin", {})
        self.stop_training = False
        self._interrupt_requested = False
        try:
            return self._run_epoch(self.epoch, loader, val_loader, self._session, self.epoch + 1)
        finally:
            self._epoch_outputs, self._epoch_targets = [], []

    def evaluate(self, data: Any, batch_size: int | None = None,
                 callbacks: Sequence[Callback] | None = None) -> dict[str, float]:
        """The loss and metrics on `data` (model in eval mode, no gradients): ``{'loss': ..., metric: ...}``."""
        loader = self._loader(data, batch_size, False, "evaluation")
        cbs = CallbackList(self._checked_callbacks(callbacks), self, {"epochs": None, "steps": length(loader),
                                                                      "verbose": 0})
        return self._evaluate_loader(loader, cbs)

    def _evaluate_loader(self, loader: Any, cbs: CallbackList, epoch: int | None = None,
                         epochs: int | None = None) -> dict[str, float]:
        """The loss and metrics over ``loader``; during ``fit`` (``epoch`` given) a non-finite validation loss
        raises :class:`NonFiniteLossError` before any metric sees the NaN outputs."""
        model, loss_fn = self.model, self.loss
        want_begin, want_end = cbs.wants["on_test_batch_begin"], cbs.wants["on_test_batch_end"]
        cbs.call("on_test_begin", {})
        outputs, targets = [], []
        total, seen = 0.0, 0
        with training_mode(model, False), no_grad():
            for batch, data in enumerate(loader):
                x, y = (self._placed(_tensors(d)) for d in data[:2])
                if want_begin:
                    cbs.call("on_test_batch_begin", batch, {})
                output = model(x)
                loss = loss_fn(output, y) if len(data) == 2 else self._weighted_loss(output, y, data[2])
                n = _batch_length(x)
                total += float(loss._data) * n
                seen += n
                if self._collect:
                    outputs.append(to_host(output._data))
                    targets.append(to_host(y._data))
                if want_end:
                    cbs.call("on_test_batch_end", batch, {"loss": total / seen, "size": n})
            extra = self.penalty(model) if self.penalty is not None else None
        loss_value = total / seen if seen else math.nan
        if extra is not None:
            loss_value += float(to_numpy(extra))
        if epoch is not None and not math.isfinite(loss_value):
            raise NonFiniteLossError(loss_value, epoch, None, epochs, None, validation=True)
        logs = {"loss": loss_value, **self._compute_metrics(outputs, targets)}
        cbs.call("on_test_end", logs)
        return logs

    def predict(self, X: Any, batch_size: int | None = None) -> np.ndarray:
        """The model's outputs for `X` (arrays, a Tensor, a Dataset or a DataLoader), in eval mode, no grad.

        The raw outputs, as ``model(x)`` gives them (logits for a model trained with ``CrossEntropyLoss``).
        """
        if isinstance(X, (DataLoader, Dataset)):
            loader = X if isinstance(X, DataLoader) else DataLoader(X, batch_size=batch_size or DEFAULT_BATCH_SIZE)
            batches = (b[0] if isinstance(b, (tuple, list)) else b for b in loader)
        else:
            if batch_size is not None and (not isinstance(batch_size, (int, np.integer)) or batch_size < 1):
                raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
            X = check_array(X, allow_nd=True)
            dtype = self._float_dtype()
            X = X.astype(dtype) if X.dtype != dtype else X
            size = batch_size or DEFAULT_BATCH_SIZE
            batches = (X[start:start + size] for start in range(0, len(X), size))
        with training_mode(self.model, False), no_grad():
            outputs = [np.asarray(to_numpy(self.model(self._placed(b if isinstance(b, Tensor)
                                                                   else Tensor._wrap(np.asarray(b))))))
                       for b in batches]
        return concatenate(outputs)

    # -------------------------------------------------------------------------------------- checkpoints

    def save_checkpoint(self, path: Any) -> None:
        """Save model, optimizer, scheduler, ``self.epoch``, the RNG state and the history (netgrad.io);
        on rank 0 only while a process group is open."""
        if not data_parallel.is_main_process():
            return
        io.save_checkpoint(path, model=self.model, optimizer=self.optimizer, scheduler=self.scheduler,
                           epoch=self.epoch, extra={"history": self.history.to_dict()})

    def load_checkpoint(self, path: Any) -> dict:
        """Restore a checkpoint (model, optimizer, scheduler, RNG state) and set ``self.epoch`` from it.

        Resume with ``fit(..., initial_epoch=trainer.epoch, epochs=N)``: the weights at epoch N are
        bit-identical to those of an uninterrupted run. Returns ``{"epoch": ..., "extra": ...}``.
        """
        info = io.load_checkpoint(path, model=self.model, optimizer=self.optimizer, scheduler=self.scheduler)
        self.epoch = int(info.get("epoch") or 0)
        return info

    def __repr__(self) -> str:
        return (f"Trainer(model={type(self.model).__name__}, loss={type(self.loss).__name__}, "
                f"optimizer={type(self.optimizer).__name__}, metrics={self.metrics_names[1:]}, epoch={self.epoch})")
# ------------------------------------------------------------------------------------------ helpers


def _tensors(data: Any) -> Any:
    """A batch's ``x`` or ``y`` as Tensors: a Tensor, an array, or a tuple / list / dict of them (a model of
    several inputs or outputs)."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (tuple, list)):
        return type(data)(_tensors(item) for item in data)
    if isinstance(data, dict):
        return {key: _tensors(item) for key, item in data.items()}
    return Tensor._wrap(np.asarray(data))


def _moved(data: Any, device: Any) -> Any:
    if isinstance(data, (tuple, list)):
        return type(data)(_moved(item, device) for item in data)
    if isinstance(data, dict):
        return {key: _moved(item, device) for key, item in data.items()}
    return data.to(device)


def _batch_length(x: Any) -> int:
    """The number of samples in a batch's ``x``: its first tensor's length for several inputs."""
    while isinstance(x, (tuple, list, dict)):
        x = next(iter(x.values())) if isinstance(x, dict) else x[0]
    return len(x)


def _resolve_verbose(verbose: Any) -> int:
    if verbose == "auto":
        stream = sys.stderr
        return 1 if hasattr(stream, "isatty") and stream.isatty() else 2
    if isinstance(verbose, bool) or verbose in (0, 1, 2):
        return int(verbose)
    raise ValueError(f"verbose must be 0 (silent), 1 (progress bar), 2 (one line per epoch) or 'auto', got {verbose!r}")




def _step_needs_value(scheduler: Any) -> bool:
    """Whether ``scheduler.step`` takes a required value (``ReduceLROnPlateau.step(metrics)``)."""
    try:
        parameters = inspect.signature(scheduler.step).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)
