"""The optimizers of the lecture notes, in increasing complexity, with PyTorch's names, defaults and formulas.

=====================================  ===========================================================
notes                                  netgrad
=====================================  ===========================================================
(batch / mini-batch / stochastic) GD   ``SGD(params, lr)`` (the batch size is the data loader's)
L2 weight decay                        ``SGD(params, lr, weight_decay=λ)``: w ← (1 - ηλ) w - η ∂L/∂w
Momentum                               ``SGD(params, lr, momentum=0.9)``
Nesterov accelerated gradient          ``SGD(params, lr, momentum=0.9, nesterov=True)``
AdaGrad                                ``Adagrad(params)``
RMSprop                                ``RMSprop(params)``
Adadelta                               ``Adadelta(params)``
Adam                                   ``Adam(params)``
AMSGrad                                ``Adam(params, amsgrad=True)``
AdamW (decoupled weight decay)         ``AdamW(params)``
AdaMax                                 ``Adamax(params)``
Nadam                                  ``NAdam(params)``
=====================================  ===========================================================

In every formula below, θ is a parameter, g its gradient, γ the learning rate ``lr``, λ ``weight_decay``
and t the step count (starting at 1); all operations on arrays are elementwise. Each optimizer updates
the parameter arrays in place and keeps its state in ``optimizer.state[param]`` under PyTorch's names.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from . import rules
from .optimizer import Optimizer

__all__ = ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam"]

_SMALL = 1024  # parameters of at most this many elements: a temporary array is cheaper than scratch space


def _update_gradient(param: np.ndarray, grad: np.ndarray, weight_decay: float, maximize: bool,
                     out: np.ndarray) -> np.ndarray:
    """The gradient an update uses, g = ±∇L + λθ, written to `out` when it differs from ``p._grad``.

    ``p._grad`` itself is never modified (PyTorch also adds weight decay out of place).
    """
    if weight_decay == 0:
        if not maximize:
            return grad
        return np.negative(grad, out=out)
    np.multiply(param, weight_decay, out=out)
    if maximize:
        return np.subtract(out, grad, out=out)
    return np.add(out, grad, out=out)


def _number(name: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None


def _check_betas(betas: Any) -> None:
    if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
        raise ValueError(f"betas must be a pair of floats (beta1, beta2), got {betas!r}")
    for index, beta in enumerate(betas):
        if not 0.0 <= _number("beta", beta) < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta}")


def _check_non_negative(options: dict[str, Any], *names: str) -> None:
    for name in names:
        if not 0.0 <= _number(name, options[name]):
            raise ValueError(f"Invalid {'epsilon' if name == 'eps' else name} value: {options[name]}")


# ------------------------------------------------------------------------------------------------- SGD


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum, Nesterov momentum and weight decay.

    Update rule at step t::

        g_t ← -g_t                      if maximize
        g_t ← g_t + λ θ_{t-1}           if λ ≠ 0            (L2 penalty λ/2 ‖θ‖²)
        b_t ← μ b_{t-1} + (1 - τ) g_t   if μ ≠ 0            (b_1 = g_1)
        g_t ← g_t + μ b_t               if nesterov, else g_t ← b_t (when μ ≠ 0)
        θ_t ← θ_{t-1} - γ g_t

    with μ the ``momentum`` and τ the ``dampening``. Without momentum, weight decay is the notes' L2
    update w ← (1 - γλ) w - γ ∂L/∂w. Batch, mini-batch and stochastic gradient descent differ only in
    how many samples the gradient averages over: the batch size of the data, not an optimizer option.

    As in PyTorch, momentum accumulates the gradient (not γ times it: b ← μ b + g, θ ← θ - γ b), and
    Nesterov momentum is Sutskever et al.'s reformulation evaluated at the current parameters.

    Args:
        params: Tensors or parameter groups to optimize.
        lr: Learning rate γ (default 1e-3, as in PyTorch 2.13).
        momentum: Momentum factor μ (default 0).
        dampening: Dampening τ of the momentum (default 0).
        weight_decay: L2 penalty λ (default 0).
        nesterov: Use Nesterov momentum (needs momentum > 0 and dampening = 0).
        maximize: Maximize the objective instead of minimizing it.

    Example:
        >>> optimizer = netgrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> optimizer.zero_grad(); loss_fn(model(x), y).backward(); optimizer.step()
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize))

    def _check_hyperparameters(self, options: dict[str, Any]) -> None:
        super()._check_hyperparameters(options)
        _check_non_negative(options, "momentum", "weight_decay")
        dampening = _number("dampening", options["dampening"])
        if options["nesterov"] and (options["momentum"] <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        if not (group["momentum"] or group["weight_decay"] or group["maximize"]):
            self._descend(group["params"], lr)
            return
        momentum, dampening, weight_decay = float(group["momentum"]), float(group["dampening"]), \
            float(group["weight_decay"])
        nesterov, maximize = group["nesterov"], group["maximize"]
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            param = p._data
            g = _update_gradient(param, grad, weight_decay, maximize, self._buffer(param, 0))
            rules.sgd(param, g, self.state[p] if momentum != 0 else {}, self._buffer, lr=lr, momentum=momentum,
                      dampening=dampening, nesterov=nesterov)

    def _descend(self, params: list, lr: float) -> None:
        """The hot path of plain (mini-batch) gradient descent: θ ← θ - γ g for every parameter with a gradient.

        γ goes to the ufuncs as a 0-d array of the parameter's dtype (cheaper than a Python float), kept while
        the learning rate and dtype stay the same."""
        made_for, rate = self._rate  # the last one made, and the learning rate it holds
        for p in params:
            grad = p._grad
            if grad is None:
                continue
            param = p._data
            if type(param) is not np.ndarray:  # another array module's array takes the rate as a scalar
                rate = param.dtype.type(lr)
            elif made_for != lr or rate.dtype is not param.dtype:
                made_for, rate = self._rate = (lr, np.array(lr, dtype=param.dtype))
            step = grad * rate if param.size <= _SMALL else np.multiply(grad, rate, out=self._buffer(param, 1))
            np.subtract(param, step, out=param)


# --------------------------------------------------------------------------------------------- Adagrad


class Adagrad(Optimizer):
    r"""AdaGrad: each coordinate's step shrinks with the sum of its squared gradients so far.

    Update rule at step t (state: ``sum`` s, starting at ``initial_accumulator_value``)::

        g_t ← -g_t                         if maximize
        g_t ← g_t + λ θ_{t-1}              if λ ≠ 0
        γ̃  = γ / (1 + (t - 1) η)           (η = lr_decay)
        s_t = s_{t-1} + g_t²
        θ_t = θ_{t-1} - γ̃ g_t / (√s_t + ε)

    Because s only grows, the effective learning rate keeps falling: AdaGrad often stops too early on
    deep networks (the notes' "convergence quality *").

    Args:
        params: Tensors or parameter groups to optimize.
        lr: Learning rate γ (default 1e-2).
        lr_decay: Learning-rate decay η (default 0).
        weight_decay: L2 penalty λ (default 0).
        initial_accumulator_value: Initial value of s (default 0).
        eps: ε added to the denominator for numerical stability (default 1e-10).
        maximize: Maximize the objective instead of minimizing it.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, maximize=maximize))
        for group in self.param_groups:  # PyTorch creates Adagrad's state up front
            for p in group["params"]:
                self._init_state(p, group)

    def _check_hyperparameters(self, options: dict[str, Any]) -> None:
        super()._check_hyperparameters(options)
        _check_non_negative(options, "lr_decay", "weight_decay", "initial_accumulator_value",
                            "eps")

    def _init_state(self, p: Any, group: dict[str, Any]) -> dict[str, Any]:
        state = self.state[p]
        if not state:
            state["step"] = 0.0
            state["sum"] = np.full_like(p._data, float(group["initial_accumulator_value"]))
        return state

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, lr_decay = float(group["lr"]), float(group["lr_decay"])
        weight_decay, eps, maximize = float(group["weight_decay"]), float(group["eps"]), group["maximize"]
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            param = p._data
            state = self._init_state(p, group)
            state["step"] += 1
            clr = lr / (1 + (state["step"] - 1) * lr_decay)
            g = _update_gradient(param, grad, weight_decay, maximize, self._buffer(param, 0))
            rules.adagrad(param, g, state, self._buffer, lr=clr, eps=eps)


# --------------------------------------------------------------------------------------------- RMSprop


class RMSprop(Optimizer):
    r"""RMSprop: AdaGrad with a moving average of squared gradients instead of their sum.

    Update rule at step t (state: ``square_avg`` v, ``grad_avg`` ḡ, ``momentum_buffer`` b, all from 0)::

        g_t ← -g_t                                   if maximize
        g_t ← g_t + λ θ_{t-1}                        if λ ≠ 0
        v_t = α v_{t-1} + (1 - α) g_t²
        ḡ_t = α ḡ_{t-1} + (1 - α) g_t ,  ṽ_t = v_t - ḡ_t²     if centered, else ṽ_t = v_t
        b_t = μ b_{t-1} + g_t / (√ṽ_t + ε),  θ_t = θ_{t-1} - γ b_t      if μ > 0
        θ_t = θ_{t-1} - γ g_t / (√ṽ_t + ε)                             otherwise

    Args:
        params: Tensors or parameter groups to optimize.
        lr: Learning rate γ (default 1e-2).
        alpha: Smoothing constant α of the moving averages (default 0.99).
        eps: ε added to the denominator for numerical stability (default 1e-8).
        weight_decay: L2 penalty λ (default 0).
        momentum: Momentum factor μ (default 0).
        centered: Normalise by the estimated variance of the gradient instead of its second moment.
        maximize: Maximize the objective instead of minimizing it.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                                      weight_decay=weight_decay, maximize=maximize))

    def _check_hyperparameters(self, options: dict[str, Any]) -> None:
        super()._check_hyperparameters(options)
        _check_non_negative(options, "eps", "momentum", "weight_decay", "alpha")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, alpha, eps = float(group["lr"]), float(group["alpha"]), float(group["eps"])
        weight_decay, momentum = float(group["weight_decay"]), float(group["momentum"])
        centered, maximize = group["centered"], group["maximize"]
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            param = p._data
            state = self.state[p]
            if not state:
                state["step"] = 0.0
            state["step"] += 1
            g = _update_gradient(param, grad, weight_decay, maximize, self._buffer(param, 0))
            rules.rmsprop(param, g, state, self._buffer, lr=lr, alpha=alpha, eps=eps, momentum=momentum,
                          centered=centered)


class Adadelta(Optimizer):
    r"""Adadelta: RMSprop whose step size is the ratio of two moving root-mean-squares (no learning rate needed).

    Update rule at step t (state: ``square_avg`` v and ``acc_delta`` u, both from 0)::

        g_t ← -g_t                                 if maximize
        g_t ← g_t + λ θ_{t-1}                      if λ ≠ 0
        v_t = ρ v_{t-1} + (1 - ρ) g_t²
        Δ_t = √(u_{t-1} + ε) / √(v_t + ε) · g_t
        u_t = ρ u_{t-1} + (1 - ρ) Δ_t²
        θ_t = θ_{t-1} - γ Δ_t

    Args:
        params: Tensors or parameter groups to optimize.
        lr: Coefficient γ that scales Δ before it is applied (default 1.0).
        rho: Smoothing constant ρ of the moving averages (default 0.9).
        eps: ε inside the square roots (default 1e-6).
        weight_decay: L2 penalty λ (default 0).
        maximize: Maximize the objective instead of minimizing it.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize))

    def _check_hyperparameters(self, options: dict[str, Any]) -> None:
        super()._check_hyperparameters(options)
        if not 0.0 <= _number("rho", options["rho"]) <= 1.0:
            raise ValueError(f"Invalid rho value: {options['rho']}")
        _check_non_negative(options, "eps", "weight_decay")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, rho, eps = float(group["lr"]), float(group["rho"]), float(group["eps"])
        weight_decay, maximize = float(group["weight_decay"]), group["maximize"]
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            param = p._data
            state = self.state[p]
            if not state:
                state["step"] = 0.0
            state["step"] += 1
            g = _update_gradient(param, grad, weight_decay, maximize, self._buffer(param, 0))
            rules.adadelta(param, g, state, self._buffer, lr=lr, rho=rho, eps=eps)


# ------------------------------------------------------------------------------------------ Adam family


class Adam(Optimizer):
    r"""Adam: momentum on the gradient (first moment) and RMSprop scaling (second moment), both bias-corrected.

    Update rule at step t (state: ``exp_avg`` m, ``exp_avg_sq`` v, ``max_exp_avg_sq`` v̂ᵐᵃˣ, all from 0)::

        g_t ← -g_t                                  if maximize
        θ_{t-1} ← (1 - γλ) θ_{t-1}                  if decoupled_weight_decay (AdamW)
        g_t ← g_t + λ θ_{t-1}                       otherwise, if λ ≠ 0 (L2 penalty)
        m_t = β₁ m_{t-1} + (1 - β₁) g_t
        v_t = β₂ v_{t-1} + (1 - β₂) g_t²
        m̂_t = m_t / (1 - β₁ᵗ)
        v̂_t = max(v̂_{t-1}, v_t) / (1 - β₂ᵗ)        if amsgrad (AMSGrad), else v̂_t = v_t / (1 - β₂ᵗ)
        θ_t = θ_{t-1} - γ m̂_t / (√v̂_t + ε)

    Args:
        params: Tensors or parameter groups to optimize.
        lr: Learning rate γ (default 1e-3).
        betas: (β₁, β₂), decay rates of the first and second moments (default (0.9, 0.999)).
        eps: ε added to the denominator for numerical stability (default 1e-8).
        weight_decay: Weight decay λ (default 0).
        amsgrad: Use the AMSGrad variant, which normalises by the largest second moment seen so far.
        maximize: Maximize the objective instead of minimizing it.
        decoupled_weight_decay: Decay the weights directly (AdamW) instead of adding λθ to the gradient.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=maximize, decoupled_weight_decay=decoupled_weight_decay))

    def _check_hyperparameters(self, options: dict[str, Any]) -> None:
        super()._check_hyperparameters(options)
        _check_non_negative(options, "eps")
        _check_betas(options["betas"])
        _check_non_negative(options, "weight_decay")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = (float(beta) for beta in group["betas"])
        amsgrad, maximize, decoupled = group["amsgrad"], group["maximize"], group["decoupled_weight_decay"]
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            param = p._data
            state = self.state[p]
            if not state:
                state["step"] = 0.0
            state["step"] += 1
            if decoupled and weight_decay != 0:
                param *= 1 - lr * weight_decay
                g = _update_gradient(param, grad, 0.0, maximize, self._buffer(param, 0))
            else:
                g = _update_gradient(param, grad, weight_decay, maximize, self._buffer(param, 0))
            rules.adam(param, g, state, self._buffer, lr=lr, beta1=beta1, beta2=beta2, eps=eps, step=state["step"],
                       amsgrad=amsgrad)


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay, which shrinks the weights instead of adding λθ to the gradient.

    Update rule at step t: the weights first decay, θ_{t-1} ← (1 - γλ) θ_{t-1}, then Adam's update (see
    :class:`Adam`) runs on the plain gradient, so the decay does not pass through the moment estimates.

    Args:
        params: Tensors or parameter groups to optimize.
        lr: Learning rate γ (default 1e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε added to the denominator (default 1e-8).
        weight_decay: Decoupled weight decay λ (default 1e-2).
        amsgrad: Use the AMSGrad variant.
        maximize: Maximize the objective instead of minimizing it.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        for group in self.param_groups:  # AdamW's decay is always decoupled, as in PyTorch
            group["decoupled_weight_decay"] = True


class Adamax(Optimizer):
    r"""AdaMax: Adam with the infinity norm in place of the second moment.

    Update rule at step t (state: ``exp_avg`` m and ``exp_inf`` u, both from 0)::

        g_t ← -g_t                           if maximize
        g_t ← g_t + λ θ_{t-1}                if λ ≠ 0
        m_t = β₁ m_{t-1} + (1 - β₁) g_t
        u_t = max(β₂ u_{t-1}, |g_t| + ε)
        θ_t = θ_{t-1} - γ m_t / ((1 - β₁ᵗ) u_t)

    Args:
        params: Tensors or parameter groups to optimize.
        lr: Learning rate γ (default 2e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε added to |g| for numerical stability (default 1e-8).
        weight_decay: L2 penalty λ (default 0).
        maximize: Maximize the objective instead of minimizing it.
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize))

    def _check_hyperparameters(self, options: dict[str, Any]) -> None:
        super()._check_hyperparameters(options)
        _check_non_negative(options, "eps")
        _check_betas(options["betas"])
        _check_non_negative(options, "weight_decay")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = (float(beta) for beta in group["betas"])
        maximize = group["maximize"]
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            param = p._data
            state = self.state[p]
            if not state:
                state["step"] = 0.0
            state["step"] += 1
            g = _update_gradient(param, grad, weight_decay, maximize, self._buffer(param, 0))
            rules.adamax(param, g, state, self._buffer, lr=lr, beta1=beta1, beta2=beta2, eps=eps, step=state["step"])


class NAdam(Optimizer):
    r"""Nadam: Adam with Nesterov momentum, using Dozat's warming-up momentum schedule.

    Update rule at step t (state: ``exp_avg`` m, ``exp_avg_sq`` v from 0, ``mu_product`` Π μ from 1)::

        g_t ← -g_t                                       if maximize
        θ_{t-1} ← (1 - γλ) θ_{t-1}                       if decoupled_weight_decay
        g_t ← g_t + λ θ_{t-1}                            otherwise, if λ ≠ 0
        μ_t = β₁ (1 - ½ · 0.96^(t ψ)),  μ_{t+1} = β₁ (1 - ½ · 0.96^((t+1) ψ))
        m_t = β₁ m_{t-1} + (1 - β₁) g_t
        v_t = β₂ v_{t-1} + (1 - β₂) g_t²
        v̂_t = v_t / (1 - β₂ᵗ)
        θ_t = θ_{t-1} - γ [(1 - μ_t) g_t / (1 - Π_{i≤t} μ_i) + μ_{t+1} m_t / (1 - Π_{i≤t+1} μ_i)] / (√v̂_t + ε)

    with ψ the ``momentum_decay``. (PyTorch keeps Π μ_i in float32; netgrad keeps a Python float, so the
    two agree to about 1e-9.)

    Args:
        params: Tensors or parameter groups to optimize.
        lr: Learning rate γ (default 2e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε added to the denominator (default 1e-8).
        weight_decay: Weight decay λ (default 0).
        momentum_decay: ψ (default 4e-3).
        decoupled_weight_decay: Decay the weights directly, as AdamW does.
        maximize: Maximize the objective instead of minimizing it.
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize))

    def _check_hyperparameters(self, options: dict[str, Any]) -> None:
        super()._check_hyperparameters(options)
        _check_non_negative(options, "eps")
        _check_betas(options["betas"])
        _check_non_negative(options, "weight_decay", "momentum_decay")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, eps, weight_decay = float(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = (float(beta) for beta in group["betas"])
        momentum_decay, maximize = float(group["momentum_decay"]), group["maximize"]
        decoupled = group["decoupled_weight_decay"]
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            param = p._data
            state = self.state[p]
            if not state:
                state["step"] = 0.0
            state["step"] += 1
            if decoupled and weight_decay != 0:
                param *= 1 - lr * weight_decay
                g = _update_gradient(param, grad, 0.0, maximize, self._buffer(param, 0))
            else:
                g = _update_gradient(param, grad, weight_decay, maximize, self._buffer(param, 0))
            rules.nadam(param, g, state, self._buffer, lr=lr, beta1=beta1, beta2=beta2, eps=eps, step=state["step"],
                        momentum_decay=momentum_decay)
