"""Keras's optimizers: Keras's argument names, defaults and update formulas, on netgrad's optimizer machinery.

A Keras optimizer is created without parameters (``Adam(learning_rate=1e-3)``) and bound to a model's
trainable weights when the model first trains (:meth:`Optimizer.build`). From then on it is an ordinary
``netgrad.optim`` optimizer (``param_groups``, ``state``, ``state_dict``), so learning-rate callbacks and
schedulers work on it; ``learning_rate`` reads and sets the group's ``lr``. A
``keras.optimizers.schedules`` schedule as ``learning_rate`` sets the rate to ``schedule(iterations)``
before each update.

Each class is a preset over the update rule ``netgrad.optim.rules`` shares with the PyTorch-style
optimizers, with Keras's conventions as its arguments: ε sits inside the square root for RMSprop, Adagrad
and Adadelta; Adam's ε is not bias-corrected; Adamax adds ε after the maximum; momentum accumulates
lr * g; Adagrad's accumulator starts at 0.1; Nadam's schedule is 0.96^t; the defaults are Keras's
(ε = 1e-7, learning rate 1e-3 except SGD's 0.01). Before every update, as in Keras, gradients are
clipped (``clipnorm`` per weight, ``global_clipnorm`` over all, or ``clipvalue`` elementwise) and
``weight_decay`` λ shrinks each weight, w <- w - λ lr w.
In the formulas below g is a weight's gradient, lr the learning rate, t the step number (from 1).
"""
from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Iterable

import numpy as np

from ..optim import rules
from ..optim.optimizer import Optimizer as _TorchStyleOptimizer
from . import schedules
from .backend import to_snake_case
from .names import Catalogue

__all__ = ["Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Nadam", "Optimizer", "RMSprop", "SGD", "deserialize",
           "get", "schedules", "serialize"]


def _number(value: Any, name: str, low: float = 0.0, high: float = math.inf, high_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"Argument `{name}` must be a float, received {name}={value!r}")
    value = float(value)
    if not math.isfinite(value) or value < low or (value >= high if high_open else value > high):
        closing = ")" if high_open else "]"
        raise ValueError(f"Argument `{name}` must be in [{low}, {high}{closing}, received {name}={value}")
    return value


class Optimizer(_TorchStyleOptimizer):
    """Base class of the Keras optimizers.

    Args:
        learning_rate: The step size.
        weight_decay: If set, every weight decays before the update: w <- w - weight_decay * lr * w.
        clipnorm: If set, each weight's gradient is rescaled to an L2 norm of at most this.
        clipvalue: If set, each gradient element is clipped to [-clipvalue, clipvalue].
        global_clipnorm: If set, all gradients together are rescaled to a global L2 norm of at most this.
        name: The optimizer's name (default: its class name in snake case).

    Subclasses pass their own hyper-parameters as keywords and implement ``_update(param, grad, state,
    group, t)``, which updates one weight in place.
    """

    def __init__(self, learning_rate: float, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, name: str | None = None,
                 **hyperparameters: Any) -> None:
        if isinstance(learning_rate, dict):
            learning_rate = schedules.deserialize(learning_rate)
        self._schedule = learning_rate if isinstance(learning_rate, schedules.LearningRateSchedule) else None
        learning_rate = self._schedule(0) if self._schedule else _number(learning_rate, "learning_rate")
        clips = {k: v for k, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                                   ("global_clipnorm", global_clipnorm)) if v is not None}
        if len(clips) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                             + ", ".join(f"{k}={v}" for k, v in clips.items()))
        for key, value in clips.items():
            _number(value, key)
        self.weight_decay = None if weight_decay is None else _number(weight_decay, "weight_decay")
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.name = name or to_snake_case(type(self).__name__)
        self.iterations = 0
        self.built = False
        # The state of an optimizer that is not bound to weights yet; build() sets up the rest.
        self.defaults = dict(lr=learning_rate, **hyperparameters)
        self.param_groups: list[dict[str, Any]] = []
        self.state = defaultdict(dict)
        self._scratch: dict[tuple, np.ndarray] = {}
        self._opt_called = False

    def build(self, variables: Iterable[Any]) -> None:
        """Bind the optimizer to the weights it will update (done by ``fit``; a second call does nothing)."""
        if self.built:
            return
        variables = list(variables)
        if not variables:
            raise ValueError(f"{type(self).__name__} has no weights to train: the model has no trainable weights "
                             "(are all its layers frozen with trainable=False?)")
        super().__init__(variables, dict(self.defaults))
        self.built = True

    @property
    def learning_rate(self) -> float:
        """The current learning rate (the ``lr`` of the first parameter group once built)."""
        return float(self.param_groups[0]["lr"] if self.param_groups else self.defaults["lr"])

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        self._schedule = value if isinstance(value, schedules.LearningRateSchedule) else None
        value = self._schedule(self.iterations) if self._schedule else _number(value, "learning_rate")
        self.defaults["lr"] = value
        for group in self.param_groups:
            group["lr"] = value

    # ----------------------------------------------------------------------------------------- stepping

    def step(self, closure: Any = None) -> Any:
        """One Keras update: clip the gradients, decay the weights, update, count the iteration."""
        if not self.built:
            raise RuntimeError(f"{type(self).__name__} is not built: call optimizer.build(model.trainable_weights) "
                               "first (model.fit does this)")
        if self._schedule is not None:
            rate = float(self._schedule(self.iterations))
            self.defaults["lr"] = rate
            for group in self.param_groups:
                group["lr"] = rate
        params = [p for group in self.param_groups for p in group["params"] if p._grad is not None]
        self._clip_gradients(params)
        if self.weight_decay:
            lr = self.learning_rate
            for p in params:
                p._data -= p._data * (self.weight_decay * lr)
        loss = super().step(closure)
        self.iterations += 1
        return loss

    def _clip_gradients(self, params: list) -> None:
        if self.clipnorm:
            for p in params:
                norm = math.sqrt(float(np.vdot(p._grad, p._grad)))
                if norm > self.clipnorm:
                    p._grad *= self.clipnorm / norm
        elif self.global_clipnorm:
            norm = math.sqrt(sum(float(np.vdot(p._grad, p._grad)) for p in params))
            if norm > self.global_clipnorm:
                for p in params:
                    p._grad *= self.global_clipnorm / norm
        elif self.clipvalue:
            for p in params:
                np.clip(p._grad, -self.clipvalue, self.clipvalue, out=p._grad)

    def _update_group(self, group: dict[str, Any]) -> None:
        t = self.iterations + 1
        for p in group["params"]:
            if p._grad is not None:
                self._update(p._data, p._grad, self.state[p], group, t)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict, t: int) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _update")

    # ----------------------------------------------------------------------------------------- state

    def state_dict(self) -> dict[str, Any]:
        """The netgrad.optim state dict plus Keras's ``iterations`` counter."""
        state = super().state_dict()
        state["iterations"] = self.iterations
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state_dict = dict(state_dict)
        self.iterations = int(state_dict.pop("iterations", 0))
        super().load_state_dict(state_dict)

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments (``from_config`` rebuilds an equal, unbuilt optimizer)."""
        rate = schedules.serialize(self._schedule) if self._schedule is not None else self.learning_rate
        config = {"name": self.name, "learning_rate": rate, "weight_decay": self.weight_decay,
                  "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue}
        config.update(self._own_config())
        return config

    def _own_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Optimizer":
        return cls(**config)

    def __repr__(self) -> str:
        own = ", ".join(f"{k}={v!r}" for k, v in self._own_config().items())
        return f"{type(self).__name__}(learning_rate={self.learning_rate!r}{', ' + own if own else ''})"


class SGD(Optimizer):
    """Gradient descent, with optional momentum and Nesterov momentum.

    Without momentum: w <- w - lr g. With momentum m (velocity v from 0): v <- m v - lr g, then
    w <- w + v, or w <- w + m v - lr g for Nesterov.
    """

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float | None = None, clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None) -> None:
        momentum = _number(momentum, "momentum", 0.0, 1.0)
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name,
                         momentum=momentum, nesterov=bool(nesterov))

    def _update(self, param, grad, state, group, t) -> None:
        rules.sgd(param, grad, state, self._buffer, lr=group["lr"], momentum=group["momentum"],
                  nesterov=group["nesterov"], lr_in_momentum=True)

    def _own_config(self) -> dict[str, Any]:
        return {"momentum": self.defaults["momentum"], "nesterov": self.defaults["nesterov"]}


class RMSprop(Optimizer):
    """RMSprop: divide by a moving root mean square of the gradients.

    v <- rho v + (1 - rho) g^2;  step = lr g / sqrt(v + eps), or / sqrt(v - a^2 + eps) when ``centered``
    (a <- rho a + (1 - rho) g);  with momentum m: s <- m s + step, w <- w - s;  else w <- w - step.
    """

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-7,
                 centered: bool = False, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, name: str | None = None) -> None:
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name,
                         rho=_number(rho, "rho", 0.0, 1.0), momentum=_number(momentum, "momentum", 0.0, 1.0),
                         epsilon=_number(epsilon, "epsilon"), centered=bool(centered))

    def _update(self, param, grad, state, group, t) -> None:
        rules.rmsprop(param, grad, state, self._buffer, lr=group["lr"], alpha=group["rho"], eps=group["epsilon"],
                      momentum=group["momentum"], centered=group["centered"], eps_inside_sqrt=True,
                      lr_in_momentum=True)

    def _own_config(self) -> dict[str, Any]:
        d = self.defaults
        return {"rho": d["rho"], "momentum": d["momentum"], "epsilon": d["epsilon"], "centered": d["centered"]}


class Adagrad(Optimizer):
    """Adagrad: a ← a + g^2 (a from ``initial_accumulator_value``);  w <- w - lr g / sqrt(a + eps)."""

    def __init__(self, learning_rate: float = 0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None) -> None:
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name,
                         initial_accumulator_value=_number(initial_accumulator_value, "initial_accumulator_value"),
                         epsilon=_number(epsilon, "epsilon"))

    def _update(self, param, grad, state, group, t) -> None:
        rules.adagrad(param, grad, state, self._buffer, lr=group["lr"], eps=group["epsilon"],
                      initial_accumulator_value=group["initial_accumulator_value"], eps_inside_sqrt=True)

    def _own_config(self) -> dict[str, Any]:
        return {"initial_accumulator_value": self.defaults["initial_accumulator_value"],
                "epsilon": self.defaults["epsilon"]}


class Adadelta(Optimizer):
    """Adadelta: a <- rho a + (1 - rho) g^2;  d = -sqrt(b + eps) / sqrt(a + eps) g;
    b <- rho b + (1 - rho) d^2;  w <- w + lr d  (Keras's default lr is 0.001; PyTorch's 1.0)."""

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.95, epsilon: float = 1e-7,
                 weight_decay: float | None = None, clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None) -> None:
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name,
                         rho=_number(rho, "rho", 0.0, 1.0), epsilon=_number(epsilon, "epsilon"))

    def _update(self, param, grad, state, group, t) -> None:
        rules.adadelta(param, grad, state, self._buffer, lr=group["lr"], rho=group["rho"], eps=group["epsilon"])

    def _own_config(self) -> dict[str, Any]:
        return {"rho": self.defaults["rho"], "epsilon": self.defaults["epsilon"]}


def _betas(beta_1: float, beta_2: float) -> dict[str, float]:
    return {"beta_1": _number(beta_1, "beta_1", 0.0, 1.0, high_open=True),
            "beta_2": _number(beta_2, "beta_2", 0.0, 1.0, high_open=True)}


class Adam(Optimizer):
    """Adam: m <- m + (1 - b1)(g - m);  v <- v + (1 - b2)(g^2 - v);
    w <- w - lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
    (Keras's form: ε is added to the uncorrected sqrt(v)). ``amsgrad`` uses the running maximum of v.
    """

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None, global_clipnorm: float | None = None,
                 name: str | None = None) -> None:
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name,
                         **_betas(beta_1, beta_2), epsilon=_number(epsilon, "epsilon"), amsgrad=bool(amsgrad))

    def _update(self, param, grad, state, group, t) -> None:
        rules.adam(param, grad, state, self._buffer, lr=group["lr"], beta1=group["beta_1"], beta2=group["beta_2"],
                   eps=group["epsilon"], step=t, amsgrad=group["amsgrad"], eps_before_correction=True)

    def _own_config(self) -> dict[str, Any]:
        d = self.defaults
        return {"beta_1": d["beta_1"], "beta_2": d["beta_2"], "epsilon": d["epsilon"], "amsgrad": d["amsgrad"]}


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.004): w <- w - weight_decay lr w before each Adam step."""

    def __init__(self, learning_rate: float = 0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, name: str | None = None) -> None:
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay, clipnorm, clipvalue,
                         global_clipnorm, name)


class Adamax(Optimizer):
    """Adamax (Adam with the infinity norm): m <- m + (1 - b1)(g - m);  u <- max(b2 u, |g|);
    w <- w - lr m / ((1 - b1^t)(u + eps))."""

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, name: str | None = None) -> None:
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name,
                         **_betas(beta_1, beta_2), epsilon=_number(epsilon, "epsilon"))

    def _update(self, param, grad, state, group, t) -> None:
        rules.adamax(param, grad, state, self._buffer, lr=group["lr"], beta1=group["beta_1"], beta2=group["beta_2"],
                     eps=group["epsilon"], step=t, eps_in_max=False)

    def _own_config(self) -> dict[str, Any]:
        d = self.defaults
        return {"beta_1": d["beta_1"], "beta_2": d["beta_2"], "epsilon": d["epsilon"]}


class Nadam(Optimizer):
    """Nadam (Adam with Nesterov momentum, Dozat's momentum schedule mu_t = b1 (1 - 0.5 * 0.96^t)):
    m <- m + (1 - b1)(g - m);  v <- v + (1 - b2)(g^2 - v);  P_t = prod_{i<=t} mu_i;
    m_hat = mu_{t+1} m / (1 - P_t mu_{t+1}) + (1 - mu_t) g / (1 - P_t);  v_hat = v / (1 - b2^t);
    w <- w - lr m_hat / (sqrt(v_hat) + eps).
    """

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, name: str | None = None) -> None:
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, name,
                         **_betas(beta_1, beta_2), epsilon=_number(epsilon, "epsilon"))

    def _update(self, param, grad, state, group, t) -> None:
        rules.nadam(param, grad, state, self._buffer, lr=group["lr"], beta1=group["beta_1"], beta2=group["beta_2"],
                    eps=group["epsilon"], step=t, momentum_decay=1.0)

    def _own_config(self) -> dict[str, Any]:
        d = self.defaults
        return {"beta_1": d["beta_1"], "beta_2": d["beta_2"], "epsilon": d["epsilon"]}


# ----------------------------------------------------------------------------------------------- lookup

_CLASSES = (SGD, RMSprop, Adagrad, Adadelta, Adam, AdamW, Adamax, Nadam)
_BY_NAME: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
_BY_NAME.update({cls.__name__.lower(): cls for cls in _CLASSES})


_catalogue = Catalogue("optimizer", _BY_NAME, base=_TorchStyleOptimizer,
                       shown=[cls.__name__.lower() for cls in _CLASSES])
get = _catalogue.get  # 'adam' (Keras's defaults), a config dict, an instance; a netgrad.optim optimizer as it is
serialize = _catalogue.serialize
deserialize = _catalogue.deserialize
