"""Learning-rate schedules against their closed forms and the lecture notes' schedules (no PyTorch needed)."""
import math
import warnings
from bisect import bisect_right

import numpy as np
import pytest

import netgrad
from netgrad import optim
from netgrad.optim import lr_scheduler as sched

LR = 0.1


def _optimizer(kind="SGD", lr=LR, **options):
    params = [netgrad.zeros(2, requires_grad=True)]
    return getattr(optim, kind)(params, lr=lr, **options)


def _sequence(scheduler, steps, key="lr"):
    """The learning rate (or another group entry) used at epochs 0, 1, ..., steps - 1."""
    optimizer = scheduler.optimizer
    values = [optimizer.param_groups[0][key]]
    for _ in range(steps - 1):
        optimizer.step()
        scheduler.step()
        values.append(optimizer.param_groups[0][key])
    return values


def _assert_close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-15)


# -------------------------------------------------------------------------------------- the notes' schedules


def test_power_scheduling_is_a_lambda_lr():
    s, c = 10, 1.0  # η(t) = η₀ / (1 + t/s)^c: halves after s steps, thirds after 2s
    scheduler = sched.LambdaLR(_optimizer(), lambda t: (1 + t / s) ** -c)
    lrs = _sequence(scheduler, 31)
    _assert_close(lrs, [LR / (1 + t / s) ** c for t in range(31)])
    assert lrs[10] == pytest.approx(LR / 2) and lrs[20] == pytest.approx(LR / 3)


def test_exponential_scheduling_divides_by_ten_every_s_steps():
    s = 5
    lrs = _sequence(sched.ExponentialLR(_optimizer(), gamma=0.1 ** (1 / s)), 21)
    _assert_close(lrs, [LR * 0.1 ** (t / s) for t in range(21)])
    assert lrs[5] == pytest.approx(LR / 10) and lrs[20] == pytest.approx(LR / 1e4)


def test_piecewise_constant_scheduling():
    lrs = _sequence(sched.MultiStepLR(_optimizer(), milestones=[3, 7, 7], gamma=0.5), 12)
    _assert_close(lrs, [LR * 0.5 ** bisect_right([3, 7, 7], t) for t in range(12)])
    assert lrs[:3] == [LR] * 3 and lrs[7] == pytest.approx(LR / 8)  # milestone 7 listed twice


def test_step_lr():
    lrs = _sequence(sched.StepLR(_optimizer(), step_size=4, gamma=0.3), 17)
    _assert_close(lrs, [LR * 0.3 ** (t // 4) for t in range(17)])


def test_performance_scheduling_with_reduce_lr_on_plateau():
    optimizer = _optimizer()
    scheduler = sched.ReduceLROnPlateau(optimizer, factor=0.5, patience=2)
    lrs = []
    for loss in [1.0, 0.8, 0.8, 0.8, 0.8, 0.7, 0.75, 0.75, 0.75]:
        scheduler.step(loss)
        lrs.append(scheduler.get_last_lr()[0])
    # 0.8 is best at epoch 2; epochs 3, 4, 5 do not improve on it: the third one (more than patience=2) halves lr
    assert lrs == [LR] * 4 + [LR / 2] * 4 + [LR / 4]


def test_reduce_lr_on_plateau_options():
    optimizer = _optimizer()
    scheduler = sched.ReduceLROnPlateau(optimizer, mode="max", factor=0.1, patience=0, threshold=0.5,
                                        threshold_mode="abs", cooldown=1, min_lr=0.002)
    lrs = []
    for accuracy in [1.0, 1.4, 1.4, 1.4, 1.4, 2.0]:
        scheduler.step(accuracy)
        lrs.append(scheduler.get_last_lr()[0])
    # 1.4 is not better than 1.0 + 0.5: reduce at once (patience 0); the next bad epoch falls in the cooldown;
    # the one after reduces again, but only down to min_lr, where it stays
    _assert_close(lrs, [LR, LR / 10, LR / 10, 0.002, 0.002, 0.002])


def test_one_cycle_follows_the_two_phase_cosine_policy():
    optimizer = _optimizer(momentum=0.9)
    total, max_lr, pct = 50, 1.0, 0.3
    scheduler = sched.OneCycleLR(optimizer, max_lr=max_lr, total_steps=total, pct_start=pct)
    lrs = _sequence(scheduler, total, "lr")
    initial, minimum, peak_step = max_lr / 25, max_lr / 25 / 1e4, pct * total - 1

    def cos_anneal(start, end, fraction):
        return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2

    expected = [cos_anneal(initial, max_lr, t / peak_step) if t <= peak_step
                else cos_anneal(max_lr, minimum, (t - peak_step) / (total - 1 - peak_step)) for t in range(total)]
    _assert_close(lrs, expected)
    assert lrs[0] == pytest.approx(0.04) and max(lrs) == pytest.approx(1.0) and lrs[-1] == pytest.approx(4e-6)


def test_one_cycle_cycles_momentum_and_beta1_inversely():
    optimizer = _optimizer(momentum=0.9)
    momenta = _sequence(sched.OneCycleLR(optimizer, max_lr=1.0, total_steps=21, pct_start=0.5,
                                         anneal_strategy="linear"), 21, "momentum")
    # linear: 0.95 down to 0.85 over steps 0..9.5, back up to 0.95 at step 20
    assert momenta[0] == pytest.approx(0.95) and momenta[-1] == pytest.approx(0.95)
    assert min(momenta) == pytest.approx(0.85 + 0.1 * 0.5 / 10.5)
    optimizer = _optimizer("Adam", betas=(0.9, 0.99))
    betas = _sequence(sched.OneCycleLR(optimizer, max_lr=0.01, total_steps=10), 10, "betas")
    assert betas[0] == (0.95, 0.99) and all(b[1] == 0.99 for b in betas)
    assert min(b[0] for b in betas) == pytest.approx(0.85)


def test_one_cycle_three_phase_returns_to_the_initial_lr_before_annihilating():
    optimizer = _optimizer(momentum=0.9)
    scheduler = sched.OneCycleLR(optimizer, max_lr=1.0, total_steps=40, pct_start=0.25, three_phase=True,
                                 anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0)
    lrs = _sequence(scheduler, 40)
    assert lrs[0] == pytest.approx(0.1) and lrs[9] == pytest.approx(1.0)
    assert lrs[18] == pytest.approx(0.1) and lrs[39] == pytest.approx(1e-3)
    _assert_close(lrs[9:19], np.linspace(1.0, 0.1, 10))


def test_one_cycle_refuses_to_step_past_the_cycle():
    optimizer = _optimizer(momentum=0.9)
    scheduler = sched.OneCycleLR(optimizer, max_lr=1.0, total_steps=3)
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        scheduler.step()


# ---------------------------------------------------------------------------------- PyTorch's other schedules


def test_cosine_annealing_follows_the_closed_form_and_climbs_back():
    eta_min, T = 0.01, 8
    lrs = _sequence(sched.CosineAnnealingLR(_optimizer(), T_max=T, eta_min=eta_min), 3 * T + 1)
    expected = [eta_min + (LR - eta_min) * (1 + math.cos(math.pi * t / T)) / 2 for t in range(3 * T + 1)]
    _assert_close(lrs, expected)
    assert lrs[T] == pytest.approx(eta_min) and lrs[2 * T] == pytest.approx(LR)


def test_polynomial_linear_constant_and_multiplicative():
    _assert_close(_sequence(sched.PolynomialLR(_optimizer(), total_iters=6, power=2.0), 10),
                  [LR * (1 - min(t, 6) / 6) ** 2 for t in range(10)])
    _assert_close(_sequence(sched.LinearLR(_optimizer(), start_factor=0.25, total_iters=4), 8),
                  [LR * (0.25 + 0.75 * min(t, 4) / 4) for t in range(8)])
    _assert_close(_sequence(sched.ConstantLR(_optimizer(), factor=0.5, total_iters=3), 6),
                  [LR * (0.5 if t < 3 else 1.0) for t in range(6)])
    _assert_close(_sequence(sched.MultiplicativeLR(_optimizer(), lambda t: 0.9 if t % 2 else 0.5), 6),
                  [LR * math.prod(0.9 if k % 2 else 0.5 for k in range(1, t + 1)) for t in range(6)])


def test_chained_schedulers_multiply():
    optimizer = _optimizer()
    exponential = sched.ExponentialLR(optimizer, gamma=0.9)
    step = sched.StepLR(optimizer, step_size=3, gamma=0.5)
    lrs = [optimizer.param_groups[0]["lr"]]
    for _ in range(9):
        optimizer.step()
        exponential.step()
        step.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    _assert_close(lrs, [LR * 0.9 ** t * 0.5 ** (t // 3) for t in range(10)])


def test_each_parameter_group_gets_its_own_schedule():
    params = [netgrad.zeros(1, requires_grad=True), netgrad.zeros(1, requires_grad=True)]
    optimizer = optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 1.0}], lr=LR)
    scheduler = sched.LambdaLR(optimizer, [lambda t: 1.0, lambda t: 0.5 ** t])
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    assert scheduler.get_last_lr() == [LR, 0.125]
    assert [g["initial_lr"] for g in optimizer.param_groups] == [LR, 1.0]


def test_step_with_an_epoch_jumps_with_the_closed_form():
    optimizer = _optimizer()
    scheduler = sched.StepLR(optimizer, step_size=2, gamma=0.5)
    optimizer.step()
    with pytest.warns(UserWarning, match="deprecated"):
        scheduler.step(7)
    assert scheduler.get_last_lr() == [pytest.approx(LR * 0.5 ** 3)] and scheduler.last_epoch == 7


# ------------------------------------------------------------------------------------------------ state


class _HalveEvery:
    def __init__(self, period):
        self.period = period

    def __call__(self, epoch):
        return 0.5 ** (epoch // self.period)


STATEFUL = [
    ("StepLR", lambda o: sched.StepLR(o, step_size=3, gamma=0.5)),
    ("MultiStepLR", lambda o: sched.MultiStepLR(o, milestones=[2, 6, 6], gamma=0.5)),
    ("CosineAnnealingLR", lambda o: sched.CosineAnnealingLR(o, T_max=5, eta_min=0.001)),
    ("OneCycleLR", lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=20)),
    ("LambdaLR", lambda o: sched.LambdaLR(o, _HalveEvery(4))),
]


@pytest.mark.parametrize("through_a_file", [False, True], ids=["in-memory", "netgrad.io"])
@pytest.mark.parametrize("name, make", STATEFUL, ids=[n for n, _ in STATEFUL])
def test_state_dict_round_trip_continues_the_same_schedule(name, make, through_a_file, tmp_path):
    optimizer = _optimizer(momentum=0.9)
    scheduler = make(optimizer)
    _sequence(scheduler, 8)
    saved_scheduler, saved_optimizer = scheduler.state_dict(), optimizer.state_dict()
    if through_a_file:
        import netgrad.io
        netgrad.io.save({"scheduler": saved_scheduler, "optimizer": saved_optimizer}, tmp_path / "s.safetensors")
        loaded = netgrad.io.load(tmp_path / "s.safetensors")
        saved_scheduler, saved_optimizer = loaded["scheduler"], loaded["optimizer"]
    expected = _sequence(scheduler, 10)

    fresh_optimizer = _optimizer(momentum=0.9)
    fresh = make(fresh_optimizer)
    if name == "LambdaLR":
        fresh.lr_lambdas[0].period = 99  # restored from the state dict
    fresh_optimizer.load_state_dict(saved_optimizer)
    fresh.load_state_dict(saved_scheduler)
    if name == "LambdaLR":
        assert fresh.lr_lambdas[0].period == 4
    assert _sequence(fresh, 10) == expected


@pytest.mark.parametrize("through_a_file", [False, True], ids=["in-memory", "netgrad.io"])
def test_reduce_lr_on_plateau_state_round_trip(through_a_file, tmp_path):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85]
    scheduler = sched.ReduceLROnPlateau(_optimizer(), factor=0.5, patience=1, cooldown=1)
    saved = scheduler.state_dict()  # best is still inf
    if through_a_file:
        import netgrad.io
        netgrad.io.save(saved, tmp_path / "plateau.safetensors")
        saved = netgrad.io.load(tmp_path / "plateau.safetensors")
    fresh = sched.ReduceLROnPlateau(_optimizer(), factor=0.5, patience=1, cooldown=1)
    fresh.load_state_dict(saved)
    for metric in metrics:
        scheduler.step(metric)
        fresh.step(metric)
        assert fresh.get_last_lr() == scheduler.get_last_lr()
    assert scheduler.get_last_lr()[0] < LR


def test_get_last_lr_is_a_copy_and_warnings():
    optimizer = _optimizer()
    scheduler = sched.ExponentialLR(optimizer, gamma=0.5)
    scheduler.get_last_lr().append(1.0)
    assert scheduler.get_last_lr() == [LR]
    with pytest.warns(UserWarning, match=r"before `optimizer.step\(\)`"):
        scheduler.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        scheduler.get_lr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizer.step()
        scheduler.step()


@pytest.mark.parametrize("make, error, message", [
    (lambda o: sched.StepLR(o, step_size=0), ValueError, "step_size must be a positive integer"),
    (lambda o: sched.LambdaLR(o, [lambda t: 1.0] * 2), ValueError, "Expected 1 lr_lambdas, but got 2"),
    (lambda o: sched.MultiplicativeLR(o, 0.5), TypeError, "lr_lambda should be a function"),
    (lambda o: sched.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
    (lambda o: sched.ConstantLR(o, factor=2.0), ValueError, "between 0 and 1"),
    (lambda o: sched.OneCycleLR(o, max_lr=1.0), ValueError, "total_steps OR"),
    (lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.5), ValueError, "pct_start"),
    (lambda o: sched.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="cosine"), ValueError, "'cos'"),
    (lambda o: sched.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=10), ValueError, "max_lr must have the same"),
    (lambda o: sched.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0"),
    (lambda o: sched.ReduceLROnPlateau(o, mode="lowest"), ValueError, "'lowest' is unknown"),
    (lambda o: sched.ReduceLROnPlateau(o, min_lr=[0.1, 0.2]), ValueError, "expected 1 min_lrs, got 2"),
    (lambda o: sched.StepLR(o, step_size=2, last_epoch=5), KeyError, "initial_lr"),
    (lambda o: sched.StepLR("adam", step_size=2), TypeError, "is not an Optimizer"),
])
def test_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make(_optimizer())


def test_cycle_momentum_needs_an_optimizer_with_momentum():
    with pytest.raises(ValueError, match="momentum or beta1"):
        sched.OneCycleLR(_optimizer("Adagrad"), max_lr=1.0, total_steps=10)
    sched.OneCycleLR(_optimizer("Adagrad"), max_lr=1.0, total_steps=10, cycle_momentum=False)
