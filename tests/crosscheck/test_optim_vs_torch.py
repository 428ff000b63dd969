"""netgrad.optim against torch.optim: same network, same start, same data -> same parameters and schedules."""
import inspect
import warnings

import numpy as np
import pytest

import netgrad
from netgrad import optim
from netgrad.optim import lr_scheduler

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

STEPS = 30
TOLERANCE = dict(rtol=1e-7, atol=1e-7)

# --------------------------------------------------------------------------------- the shared network


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(16, 3))
    y = rng.normal(size=(16, 2))
    weights = {"W1": rng.normal(size=(5, 3)) * 0.5, "b1": rng.normal(size=5) * 0.1,
               "W2": rng.normal(size=(2, 5)) * 0.5, "b2": rng.normal(size=2) * 0.1,
               "unused": rng.normal(size=3)}  # never gets a gradient: every optimizer must skip it
    return x, y, weights


def _netgrad_loss(params, x, y):
    hidden = (x @ params["W1"].T + params["b1"]).tanh()
    out = hidden @ params["W2"].T + params["b2"]
    return ((out - y) ** 2).mean()


def _torch_loss(params, x, y):
    hidden = torch.tanh(x @ params["W1"].T + params["b1"])
    out = hidden @ params["W2"].T + params["b2"]
    return ((out - y) ** 2).mean()


def _groups(params, group_options):
    """Parameter groups: one group of everything, or the first layer and the rest with their own options."""
    if group_options is None:
        return list(params.values())
    first, second = group_options
    return [dict(params=[params["W1"], params["b1"]], **first),
            dict(params=[params["W2"], params["b2"], params["unused"]], **second)]


def _train_both(name, options, group_options=None, steps=STEPS, scheduler=None):
    x, y, weights = _problem()
    ours = {k: netgrad.tensor(v, dtype=netgrad.float64, requires_grad=True) for k, v in weights.items()}
    theirs = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in weights.items()}
    x_ours, y_ours = netgrad.tensor(x, dtype=netgrad.float64), netgrad.tensor(y, dtype=netgrad.float64)
    x_theirs, y_theirs = torch.tensor(x), torch.tensor(y)
    our_optimizer = getattr(optim, name)(_groups(ours, group_options), **options)
    their_optimizer = getattr(torch.optim, name)(_groups(theirs, group_options), **options)
    schedulers = []
    if scheduler is not None:
        scheduler_name, scheduler_options = scheduler
        schedulers = [getattr(lr_scheduler, scheduler_name)(our_optimizer, **scheduler_options),
                      getattr(torch.optim.lr_scheduler, scheduler_name)(their_optimizer, **scheduler_options)]
    for _ in range(steps):
        our_optimizer.zero_grad()
        _netgrad_loss(ours, x_ours, y_ours).backward()
        our_optimizer.step()
        their_optimizer.zero_grad()
        _torch_loss(theirs, x_theirs, y_theirs).backward()
        their_optimizer.step()
        for s in schedulers:
            s.step()
    return ours, theirs, weights, our_optimizer, their_optimizer


OPTIMIZER_CASES = [
    ("SGD", {}),
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.01, maximize=True)),
    ("Adagrad", {}),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.1, eps=1e-6)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("RMSprop", {}),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, centered=True, momentum=0.5, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, maximize=True)),
    ("Adadelta", {}),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
    ("Adadelta", dict(maximize=True)),
    ("Adam", {}),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, maximize=True)),
    ("AdamW", {}),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("Adamax", {}),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, maximize=True)),
    ("NAdam", {}),
    ("NAdam", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=0.01, betas=(0.8, 0.99), momentum_decay=0.01, maximize=True)),
]


def _case_id(case):
    name, options = case
    return name + "(" + ",".join(f"{k}={v}" for k, v in options.items()) + ")"


def _assert_same_parameters(ours, theirs):
    for key in ours:
        np.testing.assert_allclose(ours[key]._data, theirs[key].detach().numpy(), **TOLERANCE, err_msg=key)


@pytest.mark.parametrize("case", OPTIMIZER_CASES, ids=_case_id)
def test_thirty_steps_match_torch(case):
    name, options = case
    ours, theirs, weights, our_optimizer, their_optimizer = _train_both(name, options)
    assert not np.allclose(ours["W1"]._data, weights["W1"]), "the parameters should have moved"
    np.testing.assert_array_equal(ours["unused"]._data, weights["unused"])
    _assert_same_parameters(ours, theirs)
    # the state has PyTorch's layout: the same keys for the same parameters
    ours_state, theirs_state = our_optimizer.state_dict()["state"], their_optimizer.state_dict()["state"]
    assert sorted(ours_state) == sorted(theirs_state)
    for index in ours_state:
        assert sorted(ours_state[index]) == sorted(theirs_state[index])


@pytest.mark.parametrize("name, first, second", [
    ("SGD", dict(lr=0.2, momentum=0.9), dict(lr=0.01)),
    ("Adam", dict(lr=0.05, amsgrad=True), dict(lr=0.001, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.001, centered=True), dict(lr=0.02, momentum=0.3)),
])
def test_parameter_groups_match_torch(name, first, second):
    ours, theirs, *_ = _train_both(name, {}, group_options=(first, second))
    _assert_same_parameters(ours, theirs)


@pytest.mark.parametrize("name, options, scheduler", [
    ("SGD", dict(lr=0.1, momentum=0.9), ("OneCycleLR", dict(max_lr=0.5, total_steps=STEPS))),
    ("Adam", dict(lr=0.01), ("OneCycleLR", dict(max_lr=0.05, total_steps=STEPS, three_phase=True,
                                                anneal_strategy="linear"))),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True), ("CosineAnnealingLR", dict(T_max=10, eta_min=0.01))),
    ("NAdam", dict(lr=0.01), ("StepLR", dict(step_size=7, gamma=0.5))),
])
def test_training_with_a_schedule_matches_torch(name, options, scheduler):
    ours, theirs, *_ = _train_both(name, options, scheduler=scheduler)
    _assert_same_parameters(ours, theirs)


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam"])
def test_defaults_match_torch(name):
    ours = inspect.signature(getattr(optim, name)).parameters
    theirs = inspect.signature(getattr(torch.optim, name)).parameters
    for argument, parameter in ours.items():
        if argument == "params":
            continue
        assert argument in theirs, f"{name} has {argument}, torch does not"
        assert parameter.default == theirs[argument].default, (name, argument)


def test_state_dict_moves_between_torch_and_netgrad():
    """Adam trained 10 steps in torch continues in netgrad from torch's state dict, and back again."""
    x, y, weights = _problem()
    theirs = {k: torch.tensor(v, requires_grad=True) for k, v in weights.items()}
    their_optimizer = torch.optim.Adam(list(theirs.values()), lr=0.01, amsgrad=True)
    x_t, y_t = torch.tensor(x), torch.tensor(y)

    def torch_step():
        their_optimizer.zero_grad()
        _torch_loss(theirs, x_t, y_t).backward()
        their_optimizer.step()

    for _ in range(10):
        torch_step()
    ours = {k: netgrad.tensor(v.detach().numpy(), requires_grad=True) for k, v in theirs.items()}
    our_optimizer = optim.Adam(list(ours.values()), lr=0.01, amsgrad=True)
    torch_state = their_optimizer.state_dict()
    our_optimizer.load_state_dict({
        "state": {i: {k: v.numpy() for k, v in s.items()} for i, s in torch_state["state"].items()},
        "param_groups": torch_state["param_groups"]})
    x_n, y_n = netgrad.tensor(x, dtype=netgrad.float64), netgrad.tensor(y, dtype=netgrad.float64)
    for _ in range(10):
        our_optimizer.zero_grad()
        _netgrad_loss(ours, x_n, y_n).backward()
        our_optimizer.step()
        torch_step()
    _assert_same_parameters(ours, theirs)

    # and back: a fresh torch optimizer continues from netgrad's state dict
    our_state = our_optimizer.state_dict()
    fresh = {k: torch.tensor(v._data.copy(), requires_grad=True) for k, v in ours.items()}
    fresh_optimizer = torch.optim.Adam(list(fresh.values()), lr=0.01, amsgrad=True)
    fresh_optimizer.load_state_dict({
        "state": {i: {k: torch.tensor(v) for k, v in s.items()} for i, s in our_state["state"].items()},
        "param_groups": our_state["param_groups"]})
    for _ in range(5):
        our_optimizer.zero_grad()
        _netgrad_loss(ours, x_n, y_n).backward()
        our_optimizer.step()
        fresh_optimizer.zero_grad()
        _torch_loss(fresh, x_t, y_t).backward()
        fresh_optimizer.step()
    _assert_same_parameters(ours, fresh)


# ------------------------------------------------------------------------------------------- schedules


def _two_group_optimizers(kind):
    ours = [netgrad.zeros(2, requires_grad=True), netgrad.zeros(3, requires_grad=True)]
    theirs = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    if kind == "SGD":
        make = lambda module, p: module.SGD([dict(params=[p[0]]), dict(params=[p[1]], lr=0.03)],  # noqa: E731
                                            lr=0.1, momentum=0.9)
    else:
        make = lambda module, p: module.Adam([dict(params=[p[0]]), dict(params=[p[1]], lr=0.03)],  # noqa: E731
                                             lr=0.1, betas=(0.9, 0.99))
    return make(optim, ours), make(torch.optim, theirs)


def _snapshot(optimizer):
    return [(g["lr"], g.get("momentum"), g.get("betas")) for g in optimizer.param_groups]


class _Halving:
    """A callable object: LambdaLR saves its __dict__ in the state dict."""

    def __init__(self, every):
        self.every = every

    def __call__(self, epoch):
        return 0.5 ** (epoch // self.every)


SCHEDULE_CASES = [
    ("LambdaLR", dict(lr_lambda=lambda t: 1 / (1 + t / 4) ** 0.7), "SGD", 20),
    ("LambdaLR", dict(lr_lambda=_Halving(3)), "Adam", 12),
    ("MultiplicativeLR", dict(lr_lambda=lambda t: 0.9 if t % 2 else 0.95), "SGD", 15),
    ("StepLR", dict(step_size=3), "SGD", 20),
    ("StepLR", dict(step_size=4, gamma=0.5), "Adam", 20),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 11], gamma=0.3), "SGD", 15),
    ("ConstantLR", dict(factor=0.25, total_iters=4), "SGD", 10),
    ("LinearLR", dict(start_factor=0.1, total_iters=6), "SGD", 10),
    ("LinearLR", dict(start_factor=1.0, end_factor=0.2, total_iters=5), "Adam", 10),
    ("ExponentialLR", dict(gamma=0.1 ** (1 / 5)), "SGD", 20),
    ("PolynomialLR", dict(total_iters=8, power=2.0), "SGD", 12),
    ("CosineAnnealingLR", dict(T_max=7), "SGD", 30),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.001), "Adam", 23),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=40), "SGD", 40),
    ("OneCycleLR", dict(max_lr=[1.0, 0.3], epochs=4, steps_per_epoch=5, pct_start=0.25), "Adam", 20),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=30, anneal_strategy="linear", three_phase=True,
                        base_momentum=0.8, max_momentum=[0.9, 0.97], div_factor=10.0, final_div_factor=100.0),
     "SGD", 30),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=21, three_phase=True, pct_start=0.4), "Adam", 21),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=10, cycle_momentum=False), "SGD", 10),
]


@pytest.mark.parametrize("scheduler_name, options, kind, steps", SCHEDULE_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(SCHEDULE_CASES)])
def test_schedule_matches_torch(scheduler_name, options, kind, steps):
    our_optimizer, their_optimizer = _two_group_optimizers(kind)
    ours = getattr(lr_scheduler, scheduler_name)(our_optimizer, **options)
    theirs = getattr(torch.optim.lr_scheduler, scheduler_name)(their_optimizer, **options)
    assert ours.get_last_lr() == theirs.get_last_lr()
    for _ in range(steps):
        our_optimizer.step()
        their_optimizer.step()
        ours.step()
        theirs.step()
        assert ours.get_last_lr() == theirs.get_last_lr()
        assert _snapshot(our_optimizer) == _snapshot(their_optimizer)
    assert ours.last_epoch == theirs.last_epoch


@pytest.mark.parametrize("scheduler_name, options", [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 11], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.8)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01)),
    ("PolynomialLR", dict(total_iters=8, power=0.5)),
    ("LinearLR", dict(start_factor=0.2, total_iters=6)),
])
def test_closed_form_epoch_jumps_match_torch(scheduler_name, options):
    our_optimizer, their_optimizer = _two_group_optimizers("SGD")
    ours = getattr(lr_scheduler, scheduler_name)(our_optimizer, **options)
    theirs = getattr(torch.optim.lr_scheduler, scheduler_name)(their_optimizer, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in [3, 9, 1, 14, 5]:
            ours.step(epoch)
            theirs.step(epoch)
            assert ours.get_last_lr() == theirs.get_last_lr()


@pytest.mark.parametrize("options", [
    dict(),
    dict(mode="max", factor=0.5, patience=2, threshold=0.05, cooldown=2),
    dict(factor=0.5, patience=1, threshold_mode="abs", threshold=0.1, min_lr=[0.02, 0.005]),
    dict(factor=0.3, patience=0, eps=0.02, min_lr=0.01),
])
def test_reduce_lr_on_plateau_matches_torch(options):
    metrics = [1.0, 0.9, 0.89, 0.95, 0.9, 0.88, 0.88, 0.7, 0.71, 0.72, 0.73, 0.74, 0.69, 0.75, 0.8, 0.8, 0.79,
               0.9, 1.0, 1.1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4]
    our_optimizer, their_optimizer = _two_group_optimizers("SGD")
    ours = lr_scheduler.ReduceLROnPlateau(our_optimizer, **options)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(their_optimizer, **options)
    for metric in metrics:
        ours.step(metric)
        theirs.step(metric)
        assert ours.get_last_lr() == theirs.get_last_lr()
        assert (ours.best, ours.num_bad_epochs, ours.cooldown_counter) == \
            (theirs.best, theirs.num_bad_epochs, theirs.cooldown_counter)
