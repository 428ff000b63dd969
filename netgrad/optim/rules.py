"""The update rules, one function per algorithm, on raw arrays (as optax composes its optimizers).

Each rule changes ``param`` in place from the gradient ``g`` and its ``state`` dict (filled on the first
call), with the hyper-parameters as keyword arguments; ``buffer(array, slot)`` hands out scratch space shaped
like ``array`` (slots 1 and 2; slot 0 holds the gradient an optimizer derived, e.g. with weight decay).
No rule allocates parameter-sized memory after its first call.

``netgrad.optim``'s optimizers (PyTorch's conventions) and ``netgrad.keras.optimizers`` (Keras's) are
presets over these rules. Where the two libraries differ, the difference is an argument, never a second
copy: where ε sits (``eps_inside_sqrt``, ``eps_before_correction``, ``eps_in_max``), whether the learning
rate enters the momentum (``lr_in_momentum``), the accumulator's start, Nadam's momentum schedule.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["adadelta", "adagrad", "adam", "adamax", "nadam", "rmsprop", "sgd"]

Buffer = Callable[[np.ndarray, int], np.ndarray]


def sgd(param: np.ndarray, g: np.ndarray, state: dict, buffer: Buffer, *, lr: float, momentum: float = 0.0,
        dampening: float = 0.0, nesterov: bool = False, lr_in_momentum: bool = False) -> None:
    """Gradient descent with optional (Nesterov) momentum.

    PyTorch: b ← μ b + (1 - τ) g (b₁ = g);  θ ← θ - γ (g + μ b) with Nesterov, else θ ← θ - γ b.
    ``lr_in_momentum`` (Keras): v ← μ v - γ g (v₀ = 0);  θ ← θ + μ v - γ g with Nesterov, else θ ← θ + v.
    The two agree while γ is constant (v = -γ b); they differ when the learning rate changes.
    State: ``momentum_buffer`` (b, or Keras's v).
    """
    scratch = buffer(param, 1)
    if momentum == 0:
        np.subtract(param, np.multiply(g, lr, out=scratch), out=param)
        return
    if lr_in_momentum:
        velocity = state.get("momentum_buffer")
        if velocity is None:
            velocity = state["momentum_buffer"] = np.zeros_like(param)
        step = np.multiply(g, lr, out=scratch)
        velocity *= momentum
        velocity -= step
        if nesterov:
            param -= step
            param += np.multiply(velocity, momentum, out=scratch)
        else:
            param += velocity
        return
    buf = state.get("momentum_buffer")
    if buf is None:
        buf = state["momentum_buffer"] = g.astype(param.dtype)  # a copy, on the parameter's device
    else:
        buf *= momentum
        if dampening == 0:
            buf += g
        else:
            buf += np.multiply(g, 1 - dampening, out=scratch)
    if nesterov:
        g = np.add(g, np.multiply(buf, momentum, out=scratch), out=scratch)
    else:
        g = buf
    np.subtract(param, np.multiply(g, lr, out=scratch), out=param)


def adagrad(param: np.ndarray, g: np.ndarray, state: dict, buffer: Buffer, *, lr: float, eps: float,
            initial_accumulator_value: float = 0.0, eps_inside_sqrt: bool = False) -> None:
    """AdaGrad: s ← s + g² (s₀ = ``initial_accumulator_value``);  θ ← θ - γ g / (√s + ε),
    or θ ← θ - γ g / √(s + ε) with ``eps_inside_sqrt`` (Keras). State: ``sum``."""
    state_sum = state.get("sum")
    if state_sum is None:
        state_sum = state["sum"] = np.full_like(param, initial_accumulator_value)
    scratch = buffer(param, 1)
    state_sum += np.multiply(g, g, out=scratch)
    if eps_inside_sqrt:
        std = np.sqrt(np.add(state_sum, eps, out=scratch), out=scratch)
    else:
        std = np.add(np.sqrt(state_sum, out=scratch), eps, out=scratch)
    step = np.divide(g, std, out=scratch)
    np.subtract(param, np.multiply(step, lr, out=scratch), out=param)


def rmsprop(param: np.ndarray, g: np.ndarray, state: dict, buffer: Buffer, *, lr: float, alpha: float, eps: float,
            momentum: float = 0.0, centered: bool = False, eps_inside_sqrt: bool = False,
            lr_in_momentum: bool = False) -> None:
    """RMSprop: v ← α v + (1 - α) g²;  ṽ = v - ḡ² with ḡ ← α ḡ + (1 - α) g when ``centered``, else ṽ = v;
    d = √ṽ + ε, or √(ṽ + ε) with ``eps_inside_sqrt`` (Keras);
    momentum μ > 0: b ← μ b + g / d, θ ← θ - γ b, or with ``lr_in_momentum`` (Keras) b ← μ b + γ g / d,
    θ ← θ - b;  otherwise θ ← θ - γ g / d.  State: ``square_avg``, ``grad_avg``, ``momentum_buffer``."""
    square_avg = state.get("square_avg")
    if square_avg is None:
        square_avg = state["square_avg"] = np.zeros_like(param)
        if momentum > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if centered:
            state["grad_avg"] = np.zeros_like(param)
    scratch = buffer(param, 1)
    square_avg *= alpha
    square_avg += np.multiply(np.multiply(g, g, out=scratch), 1 - alpha, out=scratch)
    if centered:
        grad_avg = state["grad_avg"]
        grad_avg += np.multiply(np.subtract(g, grad_avg, out=scratch), 1 - alpha, out=scratch)
        variance = np.subtract(square_avg, np.multiply(grad_avg, grad_avg, out=scratch), out=scratch)
    else:
        variance = square_avg
    if eps_inside_sqrt:
        avg = np.sqrt(np.add(variance, eps, out=scratch), out=scratch)
    else:
        avg = np.sqrt(variance, out=scratch)
        avg += eps
    step = np.divide(g, avg, out=scratch)
    if momentum > 0:
        buf = state["momentum_buffer"]
        buf *= momentum
        if lr_in_momentum:
            buf += np.multiply(step, lr, out=scratch)
            param -= buf
            return
        buf += step
        np.subtract(param, np.multiply(buf, lr, out=scratch), out=param)
    else:
        np.subtract(param, np.multiply(step, lr, out=scratch), out=param)


def adadelta(param: np.ndarray, g: np.ndarray, state: dict, buffer: Buffer, *, lr: float, rho: float,
             eps: float) -> None:
    """Adadelta (the same in PyTorch and Keras): v ← ρ v + (1 - ρ) g²;  d = √(u + ε) / √(v + ε) g;
    u ← ρ u + (1 - ρ) d²;  θ ← θ - γ d.  State: ``square_avg`` v, ``acc_delta`` u."""
    square_avg = state.get("square_avg")
    if square_avg is None:
        square_avg = state["square_avg"] = np.zeros_like(param)
        state["acc_delta"] = np.zeros_like(param)
    acc_delta = state["acc_delta"]
    std, delta = buffer(param, 1), buffer(param, 2)
    square_avg *= rho
    square_avg += np.multiply(np.multiply(g, g, out=std), 1 - rho, out=std)
    np.sqrt(np.add(square_avg, eps, out=std), out=std)
    np.sqrt(np.add(acc_delta, eps, out=delta), out=delta)
    np.multiply(np.divide(delta, std, out=delta), g, out=delta)
    acc_delta *= rho
    acc_delta += np.multiply(np.multiply(delta, delta, out=std), 1 - rho, out=std)
    np.subtract(param, np.multiply(delta, lr, out=delta), out=param)


def adam(param: np.ndarray, g: np.ndarray, state: dict, buffer: Buffer, *, lr: float, beta1: float, beta2: float,
         eps: float, step: float, amsgrad: bool = False, eps_before_correction: bool = False) -> None:
    """Adam at step t: m ← β₁ m + (1 - β₁) g;  v ← β₂ v + (1 - β₂) g² (v̂ᵐᵃˣ ← max(v̂ᵐᵃˣ, v) for AMSGrad);
    θ ← θ - γ / (1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + ε)   (PyTorch), or with ``eps_before_correction`` (Keras)
    θ ← θ - γ √(1 - β₂ᵗ) / (1 - β₁ᵗ) · m / (√v + ε).  State: ``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq``."""
    exp_avg = state.get("exp_avg")
    if exp_avg is None:
        exp_avg = state["exp_avg"] = np.zeros_like(param)
        state["exp_avg_sq"] = np.zeros_like(param)
        if amsgrad:
            state["max_exp_avg_sq"] = np.zeros_like(param)
    exp_avg_sq, scratch = state["exp_avg_sq"], buffer(param, 1)
    exp_avg += np.multiply(np.subtract(g, exp_avg, out=scratch), 1 - beta1, out=scratch)
    exp_avg_sq *= beta2
    exp_avg_sq += np.multiply(np.multiply(g, g, out=scratch), 1 - beta2, out=scratch)
    second_moment = np.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"]) if amsgrad \
        else exp_avg_sq
    bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
    if eps_before_correction:
        step_size = lr * bias_correction2_sqrt / (1 - beta1 ** step)
        denom = np.sqrt(second_moment, out=scratch)
    else:
        step_size = lr / (1 - beta1 ** step)
        denom = np.divide(np.sqrt(second_moment, out=scratch), bias_correction2_sqrt, out=scratch)
    denom += eps
    update = np.divide(exp_avg, denom, out=scratch)
    np.subtract(param, np.multiply(update, step_size, out=scratch), out=param)


def adamax(param: np.ndarray, g: np.ndarray, state: dict, buffer: Buffer, *, lr: float, beta1: float,
           beta2: float, eps: float, step: float, eps_in_max: bool = True) -> None:
    """AdaMax at step t: m ← β₁ m + (1 - β₁) g;  u ← max(β₂ u, |g| + ε), θ ← θ - γ / (1 - β₁ᵗ) · m / u
    (PyTorch); without ``eps_in_max`` (Keras) u ← max(β₂ u, |g|), θ ← θ - γ m / ((1 - β₁ᵗ)(u + ε)).
    State: ``exp_avg`` m, ``exp_inf`` u."""
    exp_avg = state.get("exp_avg")
    if exp_avg is None:
        exp_avg = state["exp_avg"] = np.zeros_like(param)
        state["exp_inf"] = np.zeros_like(param)
    exp_inf, scratch = state["exp_inf"], buffer(param, 1)
    exp_avg += np.multiply(np.subtract(g, exp_avg, out=scratch), 1 - beta1, out=scratch)
    exp_inf *= beta2
    clr = lr / (1 - beta1 ** step)
    if eps_in_max:
        np.maximum(exp_inf, np.add(np.abs(g, out=scratch), eps, out=scratch), out=exp_inf)
        update = np.divide(exp_avg, exp_inf, out=scratch)
    else:
        np.maximum(exp_inf, np.abs(g, out=scratch), out=exp_inf)
        update = np.divide(exp_avg, np.add(exp_inf, eps, out=scratch), out=scratch)
    np.subtract(param, np.multiply(update, clr, out=scratch), out=param)


def nadam(param: np.ndarray, g: np.ndarray, state: dict, buffer: Buffer, *, lr: float, beta1: float, beta2: float,
          eps: float, step: float, momentum_decay: float) -> None:
    """Nadam at step t with Dozat's schedule μ_t = β₁ (1 - ½ · 0.96^(t ψ)) (PyTorch's ψ = 0.004; Keras's 1):
    m ← β₁ m + (1 - β₁) g;  v ← β₂ v + (1 - β₂) g²;  v̂ = v / (1 - β₂ᵗ);  P_t = Π_{i≤t} μ_i;
    θ ← θ - γ [(1 - μ_t) g / (1 - P_t) + μ_{t+1} m / (1 - P_t μ_{t+1})] / (√v̂ + ε).
    State: ``mu_product`` P_t (a Python float), ``exp_avg``, ``exp_avg_sq``."""
    exp_avg = state.get("exp_avg")
    if exp_avg is None:
        state["mu_product"] = 1.0
        exp_avg = state["exp_avg"] = np.zeros_like(param)
        state["exp_avg_sq"] = np.zeros_like(param)
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
    state["mu_product"] *= mu
    mu_product = state["mu_product"]
    mu_product_next = mu_product * mu_next
    exp_avg_sq, scratch, denom = state["exp_avg_sq"], buffer(param, 1), buffer(param, 2)
    exp_avg += np.multiply(np.subtract(g, exp_avg, out=scratch), 1 - beta1, out=scratch)
    exp_avg_sq *= beta2
    exp_avg_sq += np.multiply(np.multiply(g, g, out=scratch), 1 - beta2, out=scratch)
    np.sqrt(np.divide(exp_avg_sq, 1 - beta2 ** step, out=denom), out=denom)
    denom += eps
    gradient_weight = lr * (1.0 - mu) / (1.0 - mu_product)
    momentum_weight = lr * mu_next / (1.0 - mu_product_next)
    np.subtract(param, np.multiply(np.divide(g, denom, out=scratch), gradient_weight, out=scratch), out=param)
    np.subtract(param, np.multiply(np.divide(exp_avg, denom, out=scratch), momentum_weight, out=scratch), out=param)
