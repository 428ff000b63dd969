"""netgrad.nn against torch.nn: every layer, activation and loss gives the same values and gradients (float64)."""
import math

import numpy as np
import pytest

import netgrad
import netgrad.nn as nn
import netgrad.nn.functional as F

torch = pytest.importorskip("torch")
torch.set_num_threads(1)
tnn, TF = torch.nn, torch.nn.functional

TOL = dict(rtol=1e-10, atol=1e-10)


def pair(array, requires_grad=True):
    """The same float64 values as a netgrad tensor and a torch tensor."""
    array = np.array(array, dtype=np.float64)
    return (netgrad.tensor(array, dtype=netgrad.float64, requires_grad=requires_grad),
            torch.tensor(array, dtype=torch.float64, requires_grad=requires_grad))


def close(ours, theirs):
    ours = ours.detach().numpy() if isinstance(ours, netgrad.Tensor) else np.asarray(ours)
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, **TOL)


def backward_both(out_ours, out_theirs, seed=1):
    """Backpropagate the same random upstream gradient through both outputs."""
    upstream = np.random.default_rng(seed).normal(size=out_ours.shape)
    out_ours.backward(netgrad.tensor(upstream, dtype=netgrad.float64))
    out_theirs.backward(torch.tensor(upstream))


def copy_parameters(ours, theirs):
    """Give a netgrad module the parameters (and buffers) of the torch one, as float64."""
    state = {k: v.detach().double().numpy().copy() if v.is_floating_point() else v.numpy().copy()
             for k, v in theirs.state_dict().items()}
    ours.double()
    ours.load_state_dict(state)


rng = np.random.default_rng(0)
X = rng.uniform(-4, 4, size=(3, 4, 5))
X_WIDE = rng.uniform(-8, 8, size=(3, 4, 5))

ACTIVATIONS = {
    "Identity": (lambda: nn.Identity(), lambda: tnn.Identity(), X),
    "Sigmoid": (lambda: nn.Sigmoid(), lambda: tnn.Sigmoid(), X),
    "LogSigmoid": (lambda: nn.LogSigmoid(), lambda: tnn.LogSigmoid(), X),
    "Tanh": (lambda: nn.Tanh(), lambda: tnn.Tanh(), X),
    "Hardtanh": (lambda: nn.Hardtanh(-0.5, 1.5), lambda: tnn.Hardtanh(-0.5, 1.5), X),
    "ReLU": (lambda: nn.ReLU(), lambda: tnn.ReLU(), X),
    "ReLU6": (lambda: nn.ReLU6(), lambda: tnn.ReLU6(), X_WIDE),
    "LeakyReLU": (lambda: nn.LeakyReLU(0.2), lambda: tnn.LeakyReLU(0.2), X),
    "PReLU": (lambda: nn.PReLU(), lambda: tnn.PReLU(), X),
    "RReLU eval": (lambda: nn.RReLU(0.1, 0.3).eval(), lambda: tnn.RReLU(0.1, 0.3).eval(), X),
    "ELU": (lambda: nn.ELU(0.7), lambda: tnn.ELU(0.7), X),
    "SELU": (lambda: nn.SELU(), lambda: tnn.SELU(), X),
    "GELU": (lambda: nn.GELU(), lambda: tnn.GELU(), X),
    "GELU tanh": (lambda: nn.GELU("tanh"), lambda: tnn.GELU("tanh"), X),
    "SiLU": (lambda: nn.SiLU(), lambda: tnn.SiLU(), X),
    "Mish": (lambda: nn.Mish(), lambda: tnn.Mish(), X),
    "Softplus": (lambda: nn.Softplus(), lambda: tnn.Softplus(), X),
    "Softplus beta threshold": (lambda: nn.Softplus(2.0, 5.0), lambda: tnn.Softplus(2.0, 5.0), X),
    "Softmax": (lambda: nn.Softmax(dim=1), lambda: tnn.Softmax(dim=1), X),
    "LogSoftmax": (lambda: nn.LogSoftmax(dim=-1), lambda: tnn.LogSoftmax(dim=-1), X),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_torch(name):
    make_ours, make_theirs, data = ACTIVATIONS[name]
    ours_module, theirs_module = make_ours(), make_theirs().double()
    copy_parameters(ours_module, theirs_module)
    x_ours, x_theirs = pair(data)
    out_ours, out_theirs = ours_module(x_ours), theirs_module(x_theirs)
    close(out_ours, out_theirs)
    assert repr(ours_module) == repr(theirs_module)
    backward_both(out_ours, out_theirs)
    close(x_ours.grad, x_theirs.grad)
    for (name_ours, p_ours), (name_theirs, p_theirs) in zip(ours_module.named_parameters(),
                                                            theirs_module.named_parameters()):
        assert name_ours == name_theirs
        close(p_ours.grad, p_theirs.grad)


def test_prelu_per_channel_learns_each_slope_like_torch():
    ours, theirs = nn.PReLU(num_parameters=4, init=0.1), tnn.PReLU(num_parameters=4, init=0.1).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor([0.1, -0.2, 0.3, 0.25]))
    copy_parameters(ours, theirs)
    for data in (X, X[:, :, 0]):
        ours.zero_grad()
        theirs.zero_grad()
        x_ours, x_theirs = pair(data)
        out_ours, out_theirs = ours(x_ours), theirs(x_theirs)
        close(out_ours, out_theirs)
        backward_both(out_ours, out_theirs)
        close(x_ours.grad, x_theirs.grad)
        close(ours.weight.grad, theirs.weight.grad)


@pytest.mark.parametrize("name", ["relu", "relu6", "elu", "selu", "gelu", "silu", "mish", "softplus",
                                  "logsigmoid", "sigmoid", "tanh", "hardtanh", "leaky_relu"])
def test_functional_activation_matches_torch(name):
    x_ours, x_theirs = pair(X)
    out_ours, out_theirs = getattr(F, name)(x_ours), getattr(TF, name)(x_theirs)
    close(out_ours, out_theirs)
    backward_both(out_ours, out_theirs)
    close(x_ours.grad, x_theirs.grad)


def test_step_is_torch_heaviside_and_one_hot_is_torch_one_hot():
    x_ours, x_theirs = pair(np.array([-2.0, -0.0, 0.0, 1e-300, 3.0]))
    close(nn.Step()(x_ours), torch.heaviside(x_theirs, torch.tensor(0.0, dtype=torch.float64)))
    labels = np.array([[0, 2], [1, 3]])
    np.testing.assert_array_equal(F.one_hot(netgrad.tensor(labels)).numpy(), TF.one_hot(torch.tensor(labels)).numpy())
    np.testing.assert_array_equal(F.one_hot(netgrad.tensor(labels), 5).numpy(),
                                  TF.one_hot(torch.tensor(labels), 5).numpy())


def test_extreme_inputs_match_torch_and_stay_finite():
    data = np.array([-1000.0, -50.0, -20.5, -1e-8, 1e-8, 19.5, 20.5, 50.0, 1000.0])
    for ours_module, theirs_module in [(nn.Sigmoid(), tnn.Sigmoid()), (nn.LogSigmoid(), tnn.LogSigmoid()),
                                       (nn.Softplus(), tnn.Softplus()), (nn.SiLU(), tnn.SiLU()),
                                       (nn.Mish(), tnn.Mish()), (nn.ELU(), tnn.ELU()), (nn.SELU(), tnn.SELU()),
                                       (nn.GELU(), tnn.GELU()), (nn.GELU("tanh"), tnn.GELU("tanh")),
                                       (nn.Tanh(), tnn.Tanh()), (nn.Softmax(0), tnn.Softmax(0)),
                                       (nn.LogSoftmax(0), tnn.LogSoftmax(0))]:
        x_ours, x_theirs = pair(data)
        out_ours, out_theirs = ours_module(x_ours), theirs_module(x_theirs)
        assert np.all(np.isfinite(out_ours.detach().numpy())), ours_module
        close(out_ours, out_theirs)
        backward_both(out_ours, out_theirs)
        assert np.all(np.isfinite(x_ours.grad.numpy())), ours_module
        close(x_ours.grad, x_theirs.grad)


# ------------------------------------------------------------------------------------------------- layers


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(6, 5), (2, 3, 5)])
def test_linear_matches_torch(bias, shape):
    theirs = tnn.Linear(5, 4, bias=bias).double()
    ours = nn.Linear(5, 4, bias=bias)
    copy_parameters(ours, theirs)
    x_ours, x_theirs = pair(rng.normal(size=shape))
    out_ours, out_theirs = ours(x_ours), theirs(x_theirs)
    close(out_ours, out_theirs)
    backward_both(out_ours, out_theirs)
    close(x_ours.grad, x_theirs.grad)
    close(ours.weight.grad, theirs.weight.grad)
    if bias:
        close(ours.bias.grad, theirs.bias.grad)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("momentum", [0.1, 0.3, None])
@pytest.mark.parametrize("shape", [(8, 3), (5, 3, 4)])
def test_batchnorm1d_training_and_running_stats_match_torch(momentum, shape):
    theirs = tnn.BatchNorm1d(3, momentum=momentum).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor([1.5, -0.5, 2.0]))
        theirs.bias.copy_(torch.tensor([0.1, 0.2, -0.3]))
    ours = nn.BatchNorm1d(3, momentum=momentum)
    copy_parameters(ours, theirs)
    for step in range(3):
        x_ours, x_theirs = pair(rng.normal(2.0, 3.0, size=shape))
        out_ours, out_theirs = ours(x_ours), theirs(x_theirs)
        close(out_ours, out_theirs)
        backward_both(out_ours, out_theirs, seed=step)
        close(x_ours.grad, x_theirs.grad)
    close(ours.weight.grad, theirs.weight.grad)
    close(ours.bias.grad, theirs.bias.grad)
    for name in ("running_mean", "running_var"):
        close(getattr(ours, name), getattr(theirs, name))
    assert int(ours.num_batches_tracked.item()) == int(theirs.num_batches_tracked.item()) == 3
    # evaluation: running statistics, and gradients through them as constants
    ours.eval()
    theirs.eval()
    x_ours, x_theirs = pair(rng.normal(size=shape))
    out_ours, out_theirs = ours(x_ours), theirs(x_theirs)
    close(out_ours, out_theirs)
    backward_both(out_ours, out_theirs)
    close(x_ours.grad, x_theirs.grad)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("affine, track", [(False, True), (True, False), (False, False)])
def test_batchnorm1d_options_match_torch(affine, track):
    theirs = tnn.BatchNorm1d(4, affine=affine, track_running_stats=track).double()
    ours = nn.BatchNorm1d(4, affine=affine, track_running_stats=track)
    copy_parameters(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for mode in ("train", "eval"):
        getattr(ours, mode)()
        getattr(theirs, mode)()
        x_ours, x_theirs = pair(rng.normal(size=(6, 4)))
        out_ours, out_theirs = ours(x_ours), theirs(x_theirs)
        close(out_ours, out_theirs)
        backward_both(out_ours, out_theirs)
        close(x_ours.grad, x_theirs.grad)


@pytest.mark.parametrize("normalized_shape, affine", [(5, True), ((4, 5), True), (5, False)])
def test_layernorm_matches_torch(normalized_shape, affine):
    theirs = tnn.LayerNorm(normalized_shape, elementwise_affine=affine).double()
    if affine:
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(rng.normal(size=theirs.weight.shape)))
            theirs.bias.copy_(torch.tensor(rng.normal(size=theirs.bias.shape)))
    ours = nn.LayerNorm(normalized_shape, elementwise_affine=affine)
    copy_parameters(ours, theirs)
    x_ours, x_theirs = pair(rng.normal(1.0, 2.0, size=(3, 4, 5)))
    out_ours, out_theirs = ours(x_ours), theirs(x_theirs)
    close(out_ours, out_theirs)
    backward_both(out_ours, out_theirs)
    close(x_ours.grad, x_theirs.grad)
    for p_ours, p_theirs in zip(ours.parameters(), theirs.parameters()):
        close(p_ours.grad, p_theirs.grad)
    assert repr(ours) == repr(theirs)


def test_flatten_and_dropout_match_torch():
    x_ours, x_theirs = pair(rng.normal(size=(2, 3, 4, 5)))
    for args in [(), (0,), (1, 2), (2, -1)]:
        close(nn.Flatten(*args)(x_ours), tnn.Flatten(*args)(x_theirs))
        assert repr(nn.Flatten(*args)) == repr(tnn.Flatten(*args))
    close(nn.Dropout(0.3).eval()(x_ours), tnn.Dropout(0.3).eval()(x_theirs))
    close(nn.Dropout(0.0)(x_ours), tnn.Dropout(0.0)(x_theirs))
    close(nn.Dropout(1.0)(x_ours), tnn.Dropout(1.0)(x_theirs))
    assert repr(nn.Dropout(0.3)) == repr(tnn.Dropout(0.3))


def test_model_repr_state_dict_and_outputs_match_torch():
    def build(lib):
        return lib.Sequential(lib.Flatten(), lib.Linear(12, 8), lib.BatchNorm1d(8), lib.ReLU(), lib.Dropout(0.2),
                              lib.Linear(8, 6), lib.LayerNorm(6), lib.GELU(), lib.Linear(6, 3), lib.LogSoftmax(dim=1))

    theirs, ours = build(tnn).double(), build(nn)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_parameters(ours, theirs)
    ours.eval()
    theirs.eval()
    x_ours, x_theirs = pair(rng.normal(size=(4, 3, 4)))
    close(ours(x_ours), theirs(x_theirs))


# ------------------------------------------------------------------------------------------------- losses

N, C = 6, 4
LOGITS = rng.normal(0, 2, size=(N, C))
LABELS = np.array([0, 3, 1, 1, 2, 3])
CLASS_WEIGHT = np.array([0.5, 2.0, 1.0, 1.5])
PROBS = rng.dirichlet(np.ones(C), size=N)
REDUCTIONS = ["mean", "sum", "none"]


def _compare_loss(fn_ours, fn_theirs, input_array, target_array=None, target_is_float=True, target_grad=False):
    x_ours, x_theirs = pair(input_array)
    if target_is_float:
        t_ours, t_theirs = pair(target_array, requires_grad=target_grad)
    else:
        t_ours, t_theirs = netgrad.tensor(target_array), torch.tensor(target_array)
    out_ours, out_theirs = fn_ours(x_ours, t_ours), fn_theirs(x_theirs, t_theirs)
    close(out_ours, out_theirs)
    backward_both(out_ours, out_theirs)
    close(x_ours.grad, x_theirs.grad)
    if target_grad:
        close(t_ours.grad, t_theirs.grad)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, kwargs", [("MSELoss", {}), ("L1Loss", {}), ("HuberLoss", {}),
                                          ("HuberLoss", {"delta": 0.7})])
def test_regression_losses_match_torch(name, kwargs, reduction):
    target = rng.normal(size=(N, 3))
    prediction = target + rng.normal(0, 1.5, size=(N, 3))
    _compare_loss(getattr(nn, name)(reduction=reduction, **kwargs), getattr(tnn, name)(reduction=reduction, **kwargs),
                  prediction, target, target_grad=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_matches_torch(reduction, weighted):
    weight = rng.uniform(0.5, 2, size=(1, 3)) if weighted else None
    probabilities = rng.uniform(0.02, 0.98, size=(N, 3))
    targets = rng.uniform(0, 1, size=(N, 3))
    ours = nn.BCELoss(weight=None if weight is None else netgrad.tensor(weight, dtype=netgrad.float64),
                      reduction=reduction)
    theirs = tnn.BCELoss(weight=None if weight is None else torch.tensor(weight), reduction=reduction)
    _compare_loss(ours, theirs, probabilities, targets, target_grad=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted, pos_weighted", [(False, False), (True, False), (False, True), (True, True)])
def test_bce_with_logits_matches_torch(reduction, weighted, pos_weighted):
    weight = rng.uniform(0.5, 2, size=(N, 1)) if weighted else None
    pos_weight = np.array([0.5, 1.0, 3.0]) if pos_weighted else None

    def tensors(lib_tensor):
        return {k: None if v is None else lib_tensor(v) for k, v in (("weight", weight), ("pos_weight", pos_weight))}

    ours = nn.BCEWithLogitsLoss(reduction=reduction, **tensors(lambda v: netgrad.tensor(v, dtype=netgrad.float64)))
    theirs = tnn.BCEWithLogitsLoss(reduction=reduction, **tensors(torch.tensor))
    logits = rng.normal(0, 3, size=(N, 3))
    targets = rng.integers(0, 2, size=(N, 3)).astype(float)
    _compare_loss(ours, theirs, logits, targets, target_grad=True)


CE_OPTIONS = [{}, {"weight": CLASS_WEIGHT}, {"ignore_index": 1}, {"label_smoothing": 0.2},
              {"weight": CLASS_WEIGHT, "ignore_index": 3, "label_smoothing": 0.15},
              {"ignore_index": 0, "weight": CLASS_WEIGHT}]


def _loss_kwargs(options, lib):
    kwargs = dict(options)
    if "weight" in kwargs:
        kwargs["weight"] = (netgrad.tensor(kwargs["weight"], dtype=netgrad.float64) if lib is nn
                            else torch.tensor(kwargs["weight"]))
    return kwargs


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", CE_OPTIONS, ids=str)
def test_cross_entropy_with_class_indices_matches_torch(options, reduction):
    _compare_loss(nn.CrossEntropyLoss(reduction=reduction, **_loss_kwargs(options, nn)),
                  tnn.CrossEntropyLoss(reduction=reduction, **_loss_kwargs(options, tnn)),
                  LOGITS, LABELS, target_is_float=False)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": CLASS_WEIGHT}, {"label_smoothing": 0.1},
                                     {"weight": CLASS_WEIGHT, "label_smoothing": 0.3}], ids=str)
def test_cross_entropy_with_probabilities_matches_torch(options, reduction):
    _compare_loss(nn.CrossEntropyLoss(reduction=reduction, **_loss_kwargs(options, nn)),
                  tnn.CrossEntropyLoss(reduction=reduction, **_loss_kwargs(options, tnn)),
                  LOGITS, PROBS, target_grad=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_on_unbatched_and_spatial_inputs_matches_torch(reduction):
    spatial = rng.normal(size=(2, C, 3, 2))
    spatial_labels = rng.integers(0, C, size=(2, 3, 2))
    spatial_probs = rng.dirichlet(np.ones(C), size=(2, 3, 2)).transpose(0, 3, 1, 2)
    for options in ({}, {"weight": CLASS_WEIGHT, "label_smoothing": 0.1, "ignore_index": 2}):
        _compare_loss(nn.CrossEntropyLoss(reduction=reduction, **_loss_kwargs(options, nn)),
                      tnn.CrossEntropyLoss(reduction=reduction, **_loss_kwargs(options, tnn)),
                      spatial, spatial_labels, target_is_float=False)
        _compare_loss(nn.CrossEntropyLoss(reduction=reduction, **_loss_kwargs(options, nn)),
                      tnn.CrossEntropyLoss(reduction=reduction, **_loss_kwargs(options, tnn)),
                      LOGITS[0], np.array(2), target_is_float=False)
    _compare_loss(nn.CrossEntropyLoss(reduction=reduction), tnn.CrossEntropyLoss(reduction=reduction),
                  spatial, spatial_probs)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": CLASS_WEIGHT}, {"ignore_index": 3},
                                     {"weight": CLASS_WEIGHT, "ignore_index": 1}], ids=str)
def test_nll_loss_matches_torch(options, reduction):
    log_probabilities = LOGITS - np.log(np.exp(LOGITS).sum(1, keepdims=True))
    _compare_loss(nn.NLLLoss(reduction=reduction, **_loss_kwargs(options, nn)),
                  tnn.NLLLoss(reduction=reduction, **_loss_kwargs(options, tnn)),
                  log_probabilities, LABELS, target_is_float=False)
    spatial = rng.normal(size=(2, C, 3))
    _compare_loss(nn.NLLLoss(reduction=reduction, **_loss_kwargs(options, nn)),
                  tnn.NLLLoss(reduction=reduction, **_loss_kwargs(options, tnn)),
                  spatial, rng.integers(0, C, size=(2, 3)), target_is_float=False)


def test_losses_of_huge_logits_are_finite_and_match_torch():
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    _compare_loss(nn.CrossEntropyLoss(), tnn.CrossEntropyLoss(), logits, np.array([1, 0]), target_is_float=False)
    _compare_loss(nn.CrossEntropyLoss(label_smoothing=0.1), tnn.CrossEntropyLoss(label_smoothing=0.1), logits,
                  np.array([0, 2]), target_is_float=False)
    _compare_loss(nn.BCEWithLogitsLoss(), tnn.BCEWithLogitsLoss(), logits, np.array([[0, 1, 1], [1, 0, 1.0]]))
    x_ours, _ = pair(logits)
    for loss in (F.cross_entropy(x_ours, netgrad.tensor([1, 0])),
                 F.binary_cross_entropy_with_logits(x_ours, netgrad.zeros(2, 3, dtype=netgrad.float64))):
        loss.backward()
        assert math.isfinite(loss.item()) and np.all(np.isfinite(x_ours.grad.numpy()))
        x_ours.grad = None


def test_bce_clamps_its_logs_like_torch():
    probabilities = np.array([0.0, 1.0, 1e-50, 1 - 1e-12, 0.5])
    targets = np.array([1.0, 0.0, 1.0, 0.0, 1.0])
    x_ours, x_theirs = pair(probabilities)
    out_ours = F.binary_cross_entropy(x_ours, netgrad.tensor(targets, dtype=netgrad.float64), reduction="none")
    out_theirs = TF.binary_cross_entropy(x_theirs, torch.tensor(targets), reduction="none")
    close(out_ours, out_theirs)
    assert out_ours.max().item() == 100.0


# ------------------------------------------------------------------------------------------- init and utils


@pytest.mark.parametrize("nonlinearity, param", [("linear", None), ("sigmoid", None), ("tanh", None),
                                                 ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
                                                 ("leaky_relu", 0), ("selu", None), ("conv2d", None)])
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert nn.init.calculate_gain(nonlinearity, param) == pytest.approx(tnn.init.calculate_gain(nonlinearity, param),
                                                                         rel=1e-15)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    grads = [rng.normal(size=(3, 4)), rng.normal(size=(4,)), rng.normal(size=(2, 2, 2))]
    ours = [netgrad.zeros(*g.shape, dtype=netgrad.float64, requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p_ours, p_theirs, g in zip(ours, theirs, grads):
        p_ours.grad = netgrad.tensor(g.copy(), dtype=netgrad.float64)
        p_theirs.grad = torch.tensor(g.copy())
    total_ours = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    total_theirs = tnn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    close(total_ours, total_theirs)
    for p_ours, p_theirs in zip(ours, theirs):
        close(p_ours.grad, p_theirs.grad)


def test_clip_grad_value_and_parameter_vectors_match_torch():
    theirs = tnn.Sequential(tnn.Linear(3, 4), tnn.Linear(4, 2)).double()
    ours = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    copy_parameters(ours, theirs)
    close(nn.utils.parameters_to_vector(ours.parameters()), tnn.utils.parameters_to_vector(theirs.parameters()))
    x_ours, x_theirs = pair(rng.normal(size=(5, 3)) * 10)
    ours(x_ours).sum().backward()
    theirs(x_theirs).sum().backward()
    nn.utils.clip_grad_value_(ours.parameters(), 0.7)
    tnn.utils.clip_grad_value_(theirs.parameters(), 0.7)
    for p_ours, p_theirs in zip(ours.parameters(), theirs.parameters()):
        close(p_ours.grad, p_theirs.grad)
    vector = rng.normal(size=26)
    nn.utils.vector_to_parameters(netgrad.tensor(vector, dtype=netgrad.float64), ours.parameters())
    tnn.utils.vector_to_parameters(torch.tensor(vector), theirs.parameters())
    for p_ours, p_theirs in zip(ours.parameters(), theirs.parameters()):
        close(p_ours, p_theirs)


def test_functional_names_exist_in_torch():
    netgrad_only = {"step", "erf_array", "identity"}
    for name in set(F.__all__) - netgrad_only:
        assert hasattr(TF, name), name
    for name in nn.init.__all__:
        assert hasattr(tnn.init, name) or name.startswith("lecun"), name


@pytest.mark.parametrize("activation", ["ReLU", "Sigmoid", "Tanh"])
def test_sequential_with_fused_linear_activation_pairs_matches_torch(activation):
    theirs = tnn.Sequential(tnn.Linear(3, 5), getattr(tnn, activation)(), tnn.Linear(5, 4),
                            getattr(tnn, activation)(), tnn.Linear(4, 2)).double()
    ours = nn.Sequential(nn.Linear(3, 5), getattr(nn, activation)(), nn.Linear(5, 4), getattr(nn, activation)(),
                         nn.Linear(4, 2))
    copy_parameters(ours, theirs)
    x_ours, x_theirs = pair(np.random.default_rng(5).normal(size=(6, 3)) * 2)
    out_ours, out_theirs = ours(x_ours), theirs(x_theirs)
    assert out_ours.grad_fn.next_functions[0][0].name() == f"Linear{activation}Backward"
    close(out_ours, out_theirs)
    backward_both(out_ours, out_theirs)
    close(x_ours.grad, x_theirs.grad)
    for p_ours, p_theirs in zip(ours.parameters(), theirs.parameters()):
        close(p_ours.grad, p_theirs.grad)
