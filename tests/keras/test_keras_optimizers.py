"""netgrad.keras.optimizers: Keras's defaults and update formulas.

The Keras optimizers are presets over the update rules ``netgrad.optim`` shares with the PyTorch-style
optimizers, so each is checked here against Keras's published formulas, written out with NumPy in this
file (ε where Keras puts it, the learning rate inside the momentum, Nadam's momentum schedule).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from netgrad import nn
from netgrad.keras import optimizers

STEPS = 4


def gradients(seed=0):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal((3, 2)), rng.standard_normal(2)] for _ in range(STEPS)]


def start():
    rng = np.random.default_rng(99)
    return [nn.Parameter(rng.standard_normal((3, 2))), nn.Parameter(rng.standard_normal(2))]  # float64


def run(make_optimizer, keras_style: bool) -> list[np.ndarray]:
    params = start()
    optimizer = make_optimizer(params)
    if keras_style:
        optimizer.build(params)
    for grads in gradients():
        for p, g in zip(params, grads):
            p._grad = g.copy()
        optimizer.step()
    return [p.detach().numpy() for p in params]


def reference(rule, **h):
    """Keras's published update formulas, written out with NumPy, step by step (t from 1)."""
    theta = [p.detach().numpy().copy() for p in start()]
    slots = [dict() for _ in theta]
    for t, grads in enumerate(gradients(), start=1):
        for i, g in enumerate(grads):
            theta[i] = rule(theta[i], g, slots[i], t, **h)
    return theta


def sgd_rule(w, g, s, t, lr, momentum=0.0, nesterov=False):
    v = s["v"] = momentum * s.get("v", 0.0) - lr * g
    return w + momentum * v - lr * g if nesterov else w + v


def rmsprop_rule(w, g, s, t, lr, rho, momentum, epsilon):
    s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g * g
    s["a"] = rho * s.get("a", 0.0) + (1 - rho) * g
    increment = lr * g / np.sqrt(s["v"] - s["a"] ** 2 + epsilon)
    s["m"] = momentum * s.get("m", 0.0) + increment
    return w - s["m"]


def adadelta_rule(w, g, s, t, lr, rho, epsilon):
    s["a"] = rho * s.get("a", 0.0) + (1 - rho) * g * g
    delta = -np.sqrt(s.get("b", 0.0) + epsilon) / np.sqrt(s["a"] + epsilon) * g
    s["b"] = rho * s.get("b", 0.0) + (1 - rho) * delta * delta
    return w + lr * delta


def adam_rule(w, g, s, t, lr, epsilon, amsgrad=False, weight_decay=0.0, b1=0.9, b2=0.999):
    w = w - weight_decay * lr * w
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
    v = s["v_max"] = np.maximum(s.get("v_max", 0.0), s["v"]) if amsgrad else s["v"]
    return w - lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t) * s["m"] / (np.sqrt(v) + epsilon)


def adamax_rule(w, g, s, t, lr, epsilon, b1=0.9, b2=0.999):
    s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
    s["u"] = np.maximum(b2 * s.get("u", 0.0), np.abs(g))
    return w - lr * s["m"] / ((1 - b1 ** t) * (s["u"] + epsilon))


@pytest.mark.parametrize("keras_optimizer, rule, hyper", [
    (lambda: optimizers.SGD(learning_rate=0.1), sgd_rule, dict(lr=0.1)),
    (lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9), sgd_rule, dict(lr=0.1, momentum=0.9)),
    (lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True), sgd_rule,
     dict(lr=0.1, momentum=0.9, nesterov=True)),
    (lambda: optimizers.RMSprop(learning_rate=0.01, momentum=0.5, centered=True, epsilon=0.1), rmsprop_rule,
     dict(lr=0.01, rho=0.9, momentum=0.5, epsilon=0.1)),
    (lambda: optimizers.Adadelta(learning_rate=0.5, rho=0.9, epsilon=1e-6), adadelta_rule,
     dict(lr=0.5, rho=0.9, epsilon=1e-6)),
    (lambda: optimizers.Adam(learning_rate=0.01, epsilon=0.1, amsgrad=True), adam_rule,
     dict(lr=0.01, epsilon=0.1, amsgrad=True)),
    (lambda: optimizers.AdamW(learning_rate=0.01, weight_decay=0.1, epsilon=1e-7), adam_rule,
     dict(lr=0.01, epsilon=1e-7, weight_decay=0.1)),
    (lambda: optimizers.Adamax(learning_rate=0.01, epsilon=0.1), adamax_rule, dict(lr=0.01, epsilon=0.1)),
])
def test_keras_update_formulas_follow_the_published_formulas(keras_optimizer, rule, hyper):
    ours = run(lambda params: keras_optimizer(), keras_style=True)
    for a, b in zip(ours, reference(rule, **hyper)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_momentum_includes_the_learning_rate_as_in_keras():
    # Keras's velocity accumulates lr * g: after the learning rate changes, the old steps keep their old size
    params = start()
    optimizer = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    optimizer.build(params)
    for step, grads in enumerate(gradients()[:2]):
        optimizer.learning_rate = 0.1 if step == 0 else 0.01
        for p, g in zip(params, grads):
            p._grad = g.copy()
        optimizer.step()
    theta = [p.detach().numpy().copy() for p in start()]
    for i, (g1, g2) in enumerate(zip(*gradients()[:2])):
        v = -0.1 * g1
        theta[i] = theta[i] + v
        v = 0.9 * v - 0.01 * g2
        theta[i] = theta[i] + v
        np.testing.assert_allclose(params[i].detach().numpy(), theta[i], rtol=1e-12)


def test_adam_epsilon_is_added_to_the_uncorrected_root_as_in_keras():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 0.1  # a large eps makes the placement visible
    theta = [p.detach().numpy().copy() for p in start()]
    m = [np.zeros_like(t) for t in theta]
    v = [np.zeros_like(t) for t in theta]
    for t, grads in enumerate(gradients(), start=1):
        for i, g in enumerate(grads):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            theta[i] = theta[i] - lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m[i] / (np.sqrt(v[i]) + eps)
    ours = run(lambda params: optimizers.Adam(learning_rate=lr, epsilon=eps), keras_style=True)
    for a, b in zip(ours, theta):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_rmsprop_and_adagrad_put_epsilon_inside_the_root():
    lr, rho, eps = 0.01, 0.9, 0.5
    theta = [p.detach().numpy().copy() for p in start()]
    velocity = [np.zeros_like(t) for t in theta]
    accumulator = [np.full_like(t, 0.1) for t in theta]
    adagrad = [t.copy() for t in theta]
    for grads in gradients():
        for i, g in enumerate(grads):
            velocity[i] = rho * velocity[i] + (1 - rho) * g * g
            theta[i] = theta[i] - lr * g / np.sqrt(velocity[i] + eps)
            accumulator[i] = accumulator[i] + g * g
            adagrad[i] = adagrad[i] - lr * g / np.sqrt(accumulator[i] + eps)
    for a, b in zip(run(lambda p: optimizers.RMSprop(learning_rate=lr, rho=rho, epsilon=eps), True), theta):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    for a, b in zip(run(lambda p: optimizers.Adagrad(learning_rate=lr, epsilon=eps), True), adagrad):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_nadam_follows_keras_momentum_schedule():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    theta = [p.detach().numpy().copy() for p in start()]
    m = [np.zeros_like(t) for t in theta]
    v = [np.zeros_like(t) for t in theta]
    product = 1.0
    for t, grads in enumerate(gradients(), start=1):
        mu_t, mu_next = b1 * (1 - 0.5 * 0.96 ** t), b1 * (1 - 0.5 * 0.96 ** (t + 1))
        product *= mu_t
        for i, g in enumerate(grads):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            m_hat = mu_next * m[i] / (1 - product * mu_next) + (1 - mu_t) * g / (1 - product)
            v_hat = v[i] / (1 - b2 ** t)
            theta[i] = theta[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
    for a, b in zip(run(lambda p: optimizers.Nadam(learning_rate=lr), True), theta):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_keras_defaults():
    assert optimizers.SGD().learning_rate == 0.01
    for cls in (optimizers.RMSprop, optimizers.Adam, optimizers.AdamW, optimizers.Adagrad, optimizers.Adadelta,
                optimizers.Adamax, optimizers.Nadam):
        assert cls().learning_rate == 0.001, cls
        assert cls().get_config().get("epsilon") == 1e-7, cls
    assert optimizers.RMSprop().get_config()["rho"] == 0.9
    assert optimizers.Adadelta().get_config()["rho"] == 0.95
    assert optimizers.Adagrad().get_config()["initial_accumulator_value"] == 0.1
    assert (optimizers.Adam().get_config()["beta_1"], optimizers.Adam().get_config()["beta_2"]) == (0.9, 0.999)
    assert optimizers.AdamW().weight_decay == 0.004
    assert isinstance(optimizers.get("rmsprop"), optimizers.RMSprop)
    assert isinstance(optimizers.get("Adam"), optimizers.Adam)


def test_clipping_and_weight_decay_happen_before_the_update():
    def one_step(optimizer, grad, value=(1.0, 1.0)):
        p = nn.Parameter(np.array(value))
        optimizer.build([p])
        p._grad = np.array(grad)
        optimizer.step()
        return p.detach().numpy()

    np.testing.assert_allclose(one_step(optimizers.SGD(1.0, clipnorm=1.0), [3.0, 4.0]), [1 - 0.6, 1 - 0.8])
    np.testing.assert_allclose(one_step(optimizers.SGD(1.0, clipvalue=0.5), [3.0, -0.2]), [0.5, 1.2])
    np.testing.assert_allclose(one_step(optimizers.SGD(1.0, global_clipnorm=10.0), [3.0, 4.0]), [-2.0, -3.0])
    np.testing.assert_allclose(one_step(optimizers.SGD(0.1, weight_decay=0.5), [0.0, 1.0]),
                               [1 - 0.05, (1 - 0.05) - 0.1])


def test_bad_hyper_parameters_and_unbuilt_optimizers_are_refused():
    for bad in (lambda: optimizers.Adam(learning_rate=-1.0), lambda: optimizers.Adam(beta_1=1.0),
                lambda: optimizers.SGD(momentum=1.5), lambda: optimizers.RMSprop(rho=-0.1),
                lambda: optimizers.SGD(clipnorm=1.0, clipvalue=1.0), lambda: optimizers.AdamW(weight_decay=None),
                lambda: optimizers.Adam(learning_rate="fast")):
        with pytest.raises(ValueError):
            bad()
    with pytest.raises(RuntimeError, match="not built"):
        optimizers.Adam().step()
    with pytest.raises(ValueError, match="Unknown optimizer 'adan'"):
        optimizers.get("adan")
    with pytest.raises(ValueError, match="no trainable weights"):
        optimizers.Adam().build([])


def test_state_dict_round_trip_continues_identically():
    params = start()
    optimizer = optimizers.Nadam(learning_rate=0.01)
    optimizer.build(params)
    grads = gradients()
    for p, g in zip(params, grads[0]):
        p._grad = g.copy()
    optimizer.step()
    state = optimizer.state_dict()
    assert state["iterations"] == 1
    twin_params = [nn.Parameter(p.detach().numpy().copy()) for p in params]
    twin = optimizers.Nadam(learning_rate=0.01)
    twin.build(twin_params)
    twin.load_state_dict(state)
    for group in (params, twin_params):
        for p, g in zip(group, grads[1]):
            p._grad = g.copy()
    optimizer.step()
    twin.step()
    for a, b in zip(params, twin_params):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    config = optimizer.get_config()
    assert optimizers.Nadam.from_config(config).get_config() == config
