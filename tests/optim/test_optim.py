"""netgrad.optim without PyTorch: convergence, update rules against their formulas, groups, state dicts, errors."""
import math
import tracemalloc

import numpy as np
import pytest

import netgrad
from netgrad import optim

# -------------------------------------------------------------------------------------------- helpers


def _param(values, dtype=netgrad.float64):
    return netgrad.tensor(np.asarray(values, dtype=float), dtype=dtype, requires_grad=True)


def _run(optimizer, params, gradient, steps):
    """`steps` updates, with the gradient set by hand (no autograd involved)."""
    for _ in range(steps):
        for p in params:
            p.grad = gradient(p._data)
        optimizer.step()


# --------------------------------------------------- every optimizer on a quadratic and on Rosenbrock

QUADRATIC_CURVATURE = np.array([1.0, 4.0, 10.0])
QUADRATIC_MINIMUM = np.array([1.0, -2.0, 0.5])


def _quadratic_gradient(w):  # of f(w) = ½ Σ a_i (w_i - c_i)²
    return QUADRATIC_CURVATURE * (w - QUADRATIC_MINIMUM)


def _rosenbrock_gradient(w):  # of f(x, y) = (1 - x)² + 100 (y - x²)², minimum at (1, 1)
    x, y = w
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


# name: (class, options on the quadratic, options on Rosenbrock, Rosenbrock steps)
CONVERGENCE = {
    "SGD": (optim.SGD, dict(lr=0.1), dict(lr=2e-3), 3000),
    "Momentum": (optim.SGD, dict(lr=0.05, momentum=0.9), dict(lr=5e-4, momentum=0.9), 3000),
    "Nesterov": (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True), dict(lr=1e-3, momentum=0.9, nesterov=True),
                 3000),
    "AdaGrad": (optim.Adagrad, dict(lr=0.5), dict(lr=1.0), 10000),
    "RMSprop": (optim.RMSprop, dict(lr=0.01), dict(lr=3e-3), 5000),
    "RMSprop-centered": (optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.5),
                         dict(lr=1e-3, centered=True, momentum=0.5), 3000),
    "Adadelta": (optim.Adadelta, dict(lr=1.0), dict(lr=1.0, eps=1e-8), 8000),
    "Adam": (optim.Adam, dict(lr=0.1), dict(lr=0.02), 3000),
    "AMSGrad": (optim.Adam, dict(lr=0.1, amsgrad=True), dict(lr=0.05, amsgrad=True), 3000),
    "AdamW": (optim.AdamW, dict(lr=0.1, weight_decay=1e-6), dict(lr=0.02, weight_decay=1e-6), 3000),
    "AdaMax": (optim.Adamax, dict(lr=0.1), dict(lr=0.02), 5000),
    "Nadam": (optim.NAdam, dict(lr=0.1), dict(lr=0.02), 3000),
}


@pytest.mark.parametrize("name", list(CONVERGENCE))
def test_reaches_the_minimum_of_a_quadratic_and_nears_rosenbrocks(name):
    cls, quadratic_options, rosenbrock_options, rosenbrock_steps = CONVERGENCE[name]
    w = _param(np.zeros(3))
    _run(cls([w], **quadratic_options), [w], _quadratic_gradient, 1000)
    np.testing.assert_allclose(w._data, QUADRATIC_MINIMUM, atol=1e-5)

    w = _param([-1.5, 2.0])
    _run(cls([w], **rosenbrock_options), [w], _rosenbrock_gradient, rosenbrock_steps)
    np.testing.assert_allclose(w._data, [1.0, 1.0], atol=0.05)


# ------------------------------------------------- update rules against their formulas, in plain NumPy


def _gradients(theta, t):
    """The gradient seen at step t: a quadratic's plus a fixed per-step perturbation (like mini-batch noise)."""
    noise = np.sin(np.arange(1, theta.size + 1) * (t + 1) * 1.7)
    return np.array([3.0, 0.5, 1.0, 0.2]) * theta - np.array([1.0, -2.0, 0.3, 0.0]) + 0.5 * noise


def _reference_sgd(theta, steps, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
                   maximize=False):
    b = None
    for t in range(steps):
        g = _gradients(theta, t) * (-1 if maximize else 1) + weight_decay * theta
        if momentum:
            b = g if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        theta = theta - lr * g
    return theta


def _reference_adagrad(theta, steps, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                       eps=1e-10, maximize=False):
    s = np.full_like(theta, initial_accumulator_value)
    for t in range(1, steps + 1):
        g = _gradients(theta, t - 1) * (-1 if maximize else 1) + weight_decay * theta
        s = s + g ** 2
        theta = theta - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s) + eps)
    return theta


def _reference_rmsprop(theta, steps, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                       centered=False, maximize=False):
    v, mean, b = np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)
    for t in range(steps):
        g = _gradients(theta, t) * (-1 if maximize else 1) + weight_decay * theta
        v = alpha * v + (1 - alpha) * g ** 2
        mean = alpha * mean + (1 - alpha) * g
        scale = np.sqrt(v - mean ** 2 if centered else v) + eps
        if momentum > 0:
            b = momentum * b + g / scale
            theta = theta - lr * b
        else:
            theta = theta - lr * g / scale
    return theta


def _reference_adadelta(theta, steps, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    v, u = np.zeros_like(theta), np.zeros_like(theta)
    for t in range(steps):
        g = _gradients(theta, t) * (-1 if maximize else 1) + weight_decay * theta
        v = rho * v + (1 - rho) * g ** 2
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta ** 2
        theta = theta - lr * delta
    return theta


def _reference_adam(theta, steps, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
                    maximize=False, decoupled_weight_decay=False):
    beta1, beta2 = betas
    m, v, v_max = np.zeros_like(theta), np.zeros_like(theta), np.zeros_like(theta)
    for t in range(1, steps + 1):
        g = _gradients(theta, t - 1) * (-1 if maximize else 1)
        if decoupled_weight_decay:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        v_max = np.maximum(v_max, v)
        m_hat = m / (1 - beta1 ** t)
        v_hat = (v_max if amsgrad else v) / (1 - beta2 ** t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta


def _reference_adamw(theta, steps, lr=1e-3, weight_decay=1e-2, **options):
    return _reference_adam(theta, steps, lr=lr, weight_decay=weight_decay, decoupled_weight_decay=True, **options)


def _reference_adamax(theta, steps, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False):
    beta1, beta2 = betas
    m, u = np.zeros_like(theta), np.zeros_like(theta)
    for t in range(1, steps + 1):
        g = _gradients(theta, t - 1) * (-1 if maximize else 1) + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        u = np.maximum(beta2 * u, np.abs(g) + eps)
        theta = theta - lr * m / ((1 - beta1 ** t) * u)
    return theta


def _reference_nadam(theta, steps, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                     decoupled_weight_decay=False, maximize=False):
    beta1, beta2 = betas
    mu = [beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay)) for t in range(steps + 2)]  # mu[t] is μ_t
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    for t in range(1, steps + 1):
        g = _gradients(theta, t - 1) * (-1 if maximize else 1)
        if decoupled_weight_decay:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        v_hat = v / (1 - beta2 ** t)
        product, product_next = math.prod(mu[1:t + 1]), math.prod(mu[1:t + 2])
        theta = theta - lr * ((1 - mu[t]) * g / (1 - product) + mu[t + 1] * m / (1 - product_next)) \
            / (np.sqrt(v_hat) + eps)
    return theta


UPDATE_RULES = [
    (optim.SGD, _reference_sgd, {}),
    (optim.SGD, _reference_sgd, dict(lr=0.1)),
    (optim.SGD, _reference_sgd, dict(lr=0.1, momentum=0.9)),
    (optim.SGD, _reference_sgd, dict(lr=0.1, momentum=0.8, dampening=0.5, weight_decay=0.1)),
    (optim.SGD, _reference_sgd, dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True)),
    (optim.Adagrad, _reference_adagrad, {}),
    (optim.Adagrad, _reference_adagrad, dict(lr=0.3, lr_decay=0.1, weight_decay=0.2, initial_accumulator_value=0.5)),
    (optim.Adagrad, _reference_adagrad, dict(lr=0.3, maximize=True)),
    (optim.RMSprop, _reference_rmsprop, {}),
    (optim.RMSprop, _reference_rmsprop, dict(lr=0.05, alpha=0.9, momentum=0.7, weight_decay=0.1)),
    (optim.RMSprop, _reference_rmsprop, dict(lr=0.05, centered=True)),
    (optim.RMSprop, _reference_rmsprop, dict(lr=0.05, centered=True, momentum=0.5, maximize=True)),
    (optim.Adadelta, _reference_adadelta, {}),
    (optim.Adadelta, _reference_adadelta, dict(lr=0.5, rho=0.7, eps=1e-4, weight_decay=0.3, maximize=True)),
    (optim.Adam, _reference_adam, {}),
    (optim.Adam, _reference_adam, dict(lr=0.1, betas=(0.5, 0.9), amsgrad=True)),
    (optim.Adam, _reference_adam, dict(lr=0.1, weight_decay=0.2, maximize=True)),
    (optim.Adam, _reference_adam, dict(lr=0.1, weight_decay=0.2, decoupled_weight_decay=True)),
    (optim.AdamW, _reference_adamw, {}),
    (optim.AdamW, _reference_adamw, dict(lr=0.1, weight_decay=0.3, amsgrad=True)),
    (optim.Adamax, _reference_adamax, {}),
    (optim.Adamax, _reference_adamax, dict(lr=0.1, betas=(0.7, 0.8), weight_decay=0.1, maximize=True)),
    (optim.NAdam, _reference_nadam, {}),
    (optim.NAdam, _reference_nadam, dict(lr=0.1, momentum_decay=0.05, weight_decay=0.1)),
    (optim.NAdam, _reference_nadam, dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
]


@pytest.mark.parametrize("cls, reference, options", UPDATE_RULES,
                         ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(UPDATE_RULES)])
def test_update_rule_follows_its_formula(cls, reference, options):
    start = np.array([0.5, -1.0, 2.0, 0.0])
    theta = _param(start)
    optimizer = cls([theta], **options)
    for t in range(6):
        theta.grad = _gradients(theta._data, t)
        optimizer.step()
    np.testing.assert_allclose(theta._data, reference(start, 6, **options), rtol=1e-12, atol=1e-14)


def test_hand_computed_steps():
    # Momentum with a constant gradient 1: b = 1, 1.9, 2.71 and θ = -0.1, -0.29, -0.561
    w = _param([0.0])
    optimizer = optim.SGD([w], lr=0.1, momentum=0.9)
    for expected in (-0.1, -0.29, -0.561):
        w.grad = np.array([1.0])
        optimizer.step()
        assert w.item() == pytest.approx(expected, abs=1e-12)
    # AdaGrad with a constant gradient 2: s = 4, 8 and θ = -0.5·2/2 = -0.5, then -0.5 - 0.5·2/√8
    w = _param([0.0])
    optimizer = optim.Adagrad([w], lr=0.5)
    w.grad = np.array([2.0])
    optimizer.step()
    assert w.item() == pytest.approx(-0.5, abs=1e-9)
    w.grad = np.array([2.0])
    optimizer.step()
    assert w.item() == pytest.approx(-0.5 - 1 / math.sqrt(8), abs=1e-9)
    # RMSprop's first step: v = 0.01 g², so θ moves by lr·g/(0.1|g|) = 10·lr against the gradient's sign
    w = _param([0.0, 0.0])
    optimizer = optim.RMSprop([w], lr=0.01)
    w.grad = np.array([3.0, -0.2])
    optimizer.step()
    np.testing.assert_allclose(w._data, [-0.1, 0.1], rtol=1e-6)


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW, optim.Adamax])
def test_first_adam_step_moves_each_coordinate_by_lr(cls):
    # bias correction makes m̂ = g and v̂ = g² (AdaMax: u = |g|): θ1 = θ0 - lr·g/(|g| + ε) ≈ θ0 - lr·sign(g)
    w = _param([1.0, 1.0, 1.0])
    optimizer = cls([w], lr=0.01, weight_decay=0)
    w.grad = np.array([100.0, -0.5, 1e-3])
    optimizer.step()
    np.testing.assert_allclose(w._data, [0.99, 1.01, 0.99], rtol=1e-6)


def test_weight_decay_is_the_notes_l2_update():
    # w ← (1 - ηλ) w - η ∂L/∂w
    w = _param([2.0, -1.0])
    optimizer = optim.SGD([w], lr=0.1, weight_decay=0.5)
    w.grad = np.array([0.3, 0.4])
    optimizer.step()
    np.testing.assert_allclose(w._data, (1 - 0.1 * 0.5) * np.array([2.0, -1.0]) - 0.1 * np.array([0.3, 0.4]))


# ------------------------------------------------------------------------------------ behaviour of step

ALL_CONFIGURATIONS = [
    (optim.SGD, {}), (optim.SGD, dict(momentum=0.9, nesterov=True, weight_decay=0.1)),
    (optim.SGD, dict(momentum=0.9, dampening=0.1, maximize=True)),
    (optim.Adagrad, dict(weight_decay=0.1)), (optim.RMSprop, dict(centered=True, momentum=0.5, weight_decay=0.1)),
    (optim.Adadelta, dict(weight_decay=0.1, maximize=True)), (optim.Adam, dict(amsgrad=True, weight_decay=0.1)),
    (optim.AdamW, {}), (optim.Adamax, dict(weight_decay=0.1)), (optim.NAdam, dict(decoupled_weight_decay=True,
                                                                                weight_decay=0.1)),
]
CONFIGURATION_IDS = [f"{c.__name__}-{i}" for i, (c, _) in enumerate(ALL_CONFIGURATIONS)]


@pytest.mark.parametrize("cls, options", ALL_CONFIGURATIONS, ids=CONFIGURATION_IDS)
def test_float32_stays_float32_in_place_and_grads_are_left_alone(cls, options):
    w = netgrad.tensor([0.5, -1.0, 2.0], requires_grad=True)
    array = w._data
    optimizer = cls([w], lr=0.1, **options)
    for _ in range(3):
        w.grad = np.array([0.1, -0.2, 0.3], dtype=np.float32)
        gradient = w._grad
        optimizer.step()
        np.testing.assert_array_equal(gradient, np.array([0.1, -0.2, 0.3], dtype=np.float32))
    assert w._data is array and w._data.dtype == np.float32
    for value in optimizer.state[w].values():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32


@pytest.mark.parametrize("cls, options", ALL_CONFIGURATIONS, ids=CONFIGURATION_IDS)
def test_a_step_allocates_no_parameter_sized_memory(cls, options):
    w = netgrad.zeros(50_000, requires_grad=True)
    w.grad = np.ones(50_000, dtype=np.float32)
    optimizer = cls([w], lr=0.1, **options)
    optimizer.step()  # the first step creates the state and the scratch space
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        optimizer.step()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak - before < w._data.nbytes // 10


@pytest.mark.parametrize("cls, options", ALL_CONFIGURATIONS, ids=CONFIGURATION_IDS)
def test_parameters_without_gradient_are_skipped(cls, options):
    used, unused = _param([1.0, 2.0]), _param([3.0, 4.0])
    optimizer = cls([used, unused], lr=0.1, **options)
    used.grad = np.array([0.5, -0.5])
    optimizer.step()
    np.testing.assert_array_equal(unused._data, [3.0, 4.0])
    assert not np.array_equal(used._data, [1.0, 2.0])


def test_maximize_minimizes_the_negative():
    a, b = _param([1.0, -2.0]), _param([1.0, -2.0])
    maximizing = optim.Adam([a], lr=0.1, maximize=True)
    minimizing = optim.Adam([b], lr=0.1)
    for _ in range(5):
        a.grad = -_quadratic_gradient(np.append(a._data, 0.0))[:2]  # gradient of -f
        b.grad = _quadratic_gradient(np.append(b._data, 0.0))[:2]
        maximizing.step()
        minimizing.step()
    np.testing.assert_array_equal(a._data, b._data)


def test_step_with_a_closure_returns_its_loss_and_records_the_graph():
    w = _param([3.0])
    optimizer = optim.SGD([w], lr=0.25)

    def closure():
        optimizer.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with netgrad.no_grad():
        loss = optimizer.step(closure)
    assert loss.item() == 9.0
    assert w.item() == pytest.approx(3.0 - 0.25 * 6.0)
    assert optimizer.step() is None


def test_zero_grad():
    w = _param([1.0, 2.0])
    optimizer = optim.SGD([w], lr=0.1)
    w.grad = np.array([1.0, 1.0])
    gradient = w._grad
    optimizer.zero_grad(set_to_none=False)
    assert w._grad is gradient and not gradient.any()
    optimizer.zero_grad()
    assert w.grad is None
    optimizer.zero_grad()  # nothing to reset is fine


def test_training_a_small_network_with_autograd():
    rng = np.random.default_rng(0)
    x = netgrad.tensor(rng.normal(size=(64, 2)))
    y = netgrad.tensor((x._data[:, :1] * x._data[:, 1:] > 0).astype(np.float32))  # XOR of the signs
    w1, b1 = netgrad.tensor(rng.normal(size=(16, 2)), requires_grad=True), netgrad.zeros(16, requires_grad=True)
    w2, b2 = netgrad.tensor(rng.normal(size=(1, 16)) * 0.3, requires_grad=True), netgrad.zeros(1, requires_grad=True)
    optimizer = optim.Adam([w1, b1, w2, b2], lr=0.05)
    for _ in range(300):
        optimizer.zero_grad()
        probability = ((x @ w1.T + b1).tanh() @ w2.T + b2).sigmoid()
        loss = -(y * probability.log() + (1 - y) * (1 - probability).log()).mean()
        loss.backward()
        optimizer.step()
    assert ((probability._data > 0.5) == (y._data > 0.5)).mean() >= 0.95


# ------------------------------------------------------------------------------------- parameter groups


def test_parameter_groups_use_their_own_options():
    a, b = _param([1.0]), _param([1.0])
    optimizer = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert optimizer.param_groups[0]["lr"] == 0.1 and optimizer.param_groups[0]["momentum"] == 0
    assert optimizer.param_groups[1]["lr"] == 0.5 and optimizer.param_groups[1]["momentum"] == 0.9
    for _ in range(2):
        a.grad, b.grad = np.array([1.0]), np.array([1.0])
        optimizer.step()
    assert a.item() == pytest.approx(1 - 0.1 - 0.1)
    assert b.item() == pytest.approx(1 - 0.5 - 0.5 * 1.9)  # with momentum: b = 1, then 1.9


def test_changing_the_learning_rate_of_a_group_takes_effect():
    w = _param([0.0])
    optimizer = optim.SGD([w], lr=0.1)
    optimizer.param_groups[0]["lr"] = 1.0
    w.grad = np.array([1.0])
    optimizer.step()
    assert w.item() == -1.0


def test_add_param_group_and_named_parameters():
    a, b = _param([1.0]), _param([2.0])
    optimizer = optim.Adam([("first", a)], lr=0.1)
    assert optimizer.param_groups[0]["param_names"] == ["first"]
    optimizer.add_param_group({"params": [("second", b)], "lr": 0.01})
    assert optimizer.param_groups[1]["lr"] == 0.01
    assert optimizer.param_groups[1]["betas"] == (0.9, 0.999)
    b.grad = np.array([1.0])
    optimizer.step()
    assert b.item() == pytest.approx(2.0 - 0.01)
    with pytest.raises(ValueError, match="with/without names"):
        optimizer.add_param_group({"params": [_param([0.0])]})


def test_adagrad_creates_its_state_up_front():
    w = _param([1.0, 2.0])
    optimizer = optim.Adagrad([w], initial_accumulator_value=0.25)
    assert optimizer.state[w]["step"] == 0
    np.testing.assert_array_equal(optimizer.state[w]["sum"], [0.25, 0.25])


# ------------------------------------------------------------------------------------------ validation


@pytest.mark.parametrize("make, message", [
    (lambda p: optim.SGD(p, lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda p: optim.SGD(p, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda p: optim.SGD(p, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda p: optim.SGD(p, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires"),
    (lambda p: optim.SGD([{"params": p, "lr": -2.0}], lr=0.1), "Invalid learning rate: -2.0"),
    (lambda p: optim.Adagrad(p, lr_decay=-1), "Invalid lr_decay value: -1"),
    (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
    (lambda p: optim.Adagrad(p, eps=-1e-3), "Invalid epsilon value: -0.001"),
    (lambda p: optim.RMSprop(p, alpha=-0.1), "Invalid alpha value: -0.1"),
    (lambda p: optim.RMSprop(p, momentum=-0.1), "Invalid momentum value: -0.1"),
    (lambda p: optim.Adadelta(p, rho=1.5), "Invalid rho value: 1.5"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.999)), r"Invalid beta parameter at index 0: 1.0"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)), r"Invalid beta parameter at index 1: -0.1"),
    (lambda p: optim.Adam(p, betas=0.9), "betas must be a pair"),
    (lambda p: optim.AdamW(p, eps=-1.0), "Invalid epsilon value: -1.0"),
    (lambda p: optim.Adamax(p, weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    (lambda p: optim.NAdam(p, momentum_decay=-0.1), "Invalid momentum_decay value: -0.1"),
    (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
    (lambda p: optim.SGD(p + p, lr=0.1), "duplicate parameters"),
    (lambda p: optim.SGD([{"params": p}, {"params": p}], lr=0.1), "more than one parameter group"),
    (lambda p: optim.SGD([p[0] * 2], lr=0.1), "non-leaf"),
])
def test_bad_hyperparameters_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make([_param([1.0])])


def test_bad_params_raise_type_error():
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(_param([1.0]), lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([np.zeros(3)], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD([{"params": {_param([1.0])}}], lr=0.1)
    with pytest.raises(TypeError, match="learning rate must be a number, got '0.1'"):
        optim.SGD([_param([1.0])], lr="0.1")
    with pytest.raises(TypeError, match="dampening must be a number"):
        optim.SGD([_param([1.0])], dampening=None)


# -------------------------------------------------------------------------------------------- state dicts


STATE_CONFIGURATIONS = [
    (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)), (optim.Adagrad, dict(lr=0.1, lr_decay=0.01)),
    (optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.5)), (optim.Adadelta, {}),
    (optim.Adam, dict(lr=0.1, amsgrad=True)), (optim.AdamW, dict(lr=0.1)), (optim.Adamax, dict(lr=0.1)),
    (optim.NAdam, dict(lr=0.1)),
]


def _two_layers(seed=0):
    rng = np.random.default_rng(seed)
    return [netgrad.tensor(rng.normal(size=(3, 2)), requires_grad=True),
            netgrad.tensor(rng.normal(size=3), requires_grad=True)]


def _noisy_gradient(w):
    return np.cos(3 * w) + 0.1 * w


def _copy_params(params):
    return [netgrad.tensor(p._data.copy(), requires_grad=True) for p in params]


@pytest.mark.parametrize("through_a_file", [False, True], ids=["in-memory", "netgrad.io"])
@pytest.mark.parametrize("cls, options", STATE_CONFIGURATIONS, ids=[c.__name__ for c, _ in STATE_CONFIGURATIONS])
def test_state_dict_round_trip_continues_bit_identically(cls, options, through_a_file, tmp_path):
    params = _two_layers()
    optimizer = cls([{"params": params[:1]}, {"params": params[1:], "lr": 0.05}], **options)
    _run(optimizer, params, _noisy_gradient, 5)
    saved = optimizer.state_dict()
    if through_a_file:
        import netgrad.io
        netgrad.io.save(saved, tmp_path / "optimizer.safetensors")
        saved = netgrad.io.load(tmp_path / "optimizer.safetensors")
    restored_params = _copy_params(params)
    _run(optimizer, params, _noisy_gradient, 5)  # the original keeps going

    restored = cls([{"params": restored_params[:1]}, {"params": restored_params[1:]}], lr=0.5)
    restored.load_state_dict(saved)
    assert restored.param_groups[1]["lr"] == 0.05
    _run(restored, restored_params, _noisy_gradient, 5)
    for original, copy in zip(params, restored_params):
        np.testing.assert_array_equal(original._data, copy._data)


def test_state_dict_layout_and_copies():
    params = _two_layers()
    optimizer = optim.Adam([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.01}], lr=0.1)
    _run(optimizer, params, _noisy_gradient, 2)
    saved = optimizer.state_dict()
    assert [g["params"] for g in saved["param_groups"]] == [[0], [1]]
    assert saved["param_groups"][1]["lr"] == 0.01 and saved["param_groups"][0]["betas"] == (0.9, 0.999)
    assert set(saved["state"]) == {0, 1}
    assert set(saved["state"][0]) == {"step", "exp_avg", "exp_avg_sq"} and saved["state"][0]["step"] == 2
    saved["state"][0]["exp_avg"][...] = 123.0  # the state dict holds copies
    assert not (optimizer.state[params[0]]["exp_avg"] == 123.0).any()
    restored = optim.Adam(_copy_params(params), lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        restored.load_state_dict(saved)


def test_load_state_dict_checks_what_it_loads():
    params = _two_layers()
    optimizer = optim.Adam(params, lr=0.1)
    _run(optimizer, params, _noisy_gradient, 1)
    saved = optimizer.state_dict()
    with pytest.raises(ValueError, match="doesn't match the size"):
        optim.Adam(params[:1], lr=0.1).load_state_dict(saved)
    swapped = optim.Adam(params[::-1], lr=0.1)
    with pytest.raises(ValueError, match=r"has shape \(3, 2\), but its parameter has shape \(3,\)"):
        swapped.load_state_dict(saved)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        optimizer.load_state_dict({"state": {}})
    float32_params = [netgrad.tensor(p._data, dtype=netgrad.float32, requires_grad=True) for p in params]
    cast = optim.Adam(float32_params, lr=0.1)
    cast.load_state_dict(saved)  # arrays take their parameter's dtype
    assert cast.state[float32_params[0]]["exp_avg"].dtype == np.float32


def test_repr_lists_the_groups():
    text = repr(optim.SGD([_param([1.0])], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "momentum: 0.9" in text


def test_the_optimizer_race_example_runs(tmp_path):
    import importlib.util
    from pathlib import Path

    pytest.importorskip("netgrad.training")
    path = Path(__file__).resolve().parents[2] / "examples" / "optimizer_race.py"
    spec = importlib.util.spec_from_file_location("optimizer_race", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    results = example.race(epochs=2)
    assert set(results) == {"SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "Nadam", "AdaMax",
                            "AMSGrad"}
    assert all(len(r["history"].history["loss"]) == 2 for r in results.values())
    pytest.importorskip("matplotlib")
    assert Path(example.plot(results, str(tmp_path))).stat().st_size > 0


def test_checkpoint_with_model_optimizer_and_scheduler_resumes_bit_identically(tmp_path):
    nn = pytest.importorskip("netgrad.nn")
    import netgrad.io
    from netgrad.optim.lr_scheduler import OneCycleLR

    rng = np.random.default_rng(0)
    x = netgrad.tensor(rng.normal(size=(32, 4)), dtype=netgrad.float32)
    y = netgrad.tensor(rng.normal(size=(32, 1)), dtype=netgrad.float32)

    def build():
        netgrad.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
        optimizer = optim.NAdam(model.parameters(), lr=0.01)
        return model, optimizer, OneCycleLR(optimizer, max_lr=0.05, total_steps=12)

    def train(model, optimizer, scheduler, steps):
        for _ in range(steps):
            optimizer.zero_grad()
            ((model(x) - y) ** 2).mean().backward()
            optimizer.step()
            scheduler.step()

    model, optimizer, scheduler = build()
    train(model, optimizer, scheduler, 6)
    netgrad.io.save_checkpoint(tmp_path / "checkpoint.safetensors", model=model, optimizer=optimizer,
                               scheduler=scheduler, epoch=6)
    train(model, optimizer, scheduler, 6)

    resumed_model, resumed_optimizer, resumed_scheduler = build()
    netgrad.io.load_checkpoint(tmp_path / "checkpoint.safetensors", model=resumed_model,
                               optimizer=resumed_optimizer, scheduler=resumed_scheduler)
    train(resumed_model, resumed_optimizer, resumed_scheduler, 6)
    for original, resumed in zip(model.parameters(), resumed_model.parameters()):
        np.testing.assert_array_equal(original._data, resumed._data)
    assert resumed_scheduler.get_last_lr() == scheduler.get_last_lr()
