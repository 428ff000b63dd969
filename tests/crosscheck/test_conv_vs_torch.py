"""Convolution, pooling, 2-D batch norm and channel dropout against torch.nn: values and gradients (float64)."""
import numpy as np
import pytest

import netgrad
import netgrad.nn as nn
import netgrad.nn.functional as F

torch = pytest.importorskip("torch")
torch.set_num_threads(1)
tnn, TF = torch.nn, torch.nn.functional

TOL = dict(rtol=1e-10, atol=1e-10)


def pair(array):
    array = np.array(array, dtype=np.float64)
    return (netgrad.tensor(array, dtype=netgrad.float64, requires_grad=True),
            torch.tensor(array, dtype=torch.float64, requires_grad=True))


def close(ours, theirs):
    ours = ours.detach().numpy() if isinstance(ours, netgrad.Tensor) else np.asarray(ours)
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, **TOL)


def backward_both(out_ours, out_theirs, seed=1):
    upstream = np.random.default_rng(seed).normal(size=tuple(out_theirs.shape))
    out_ours.backward(netgrad.tensor(upstream, dtype=netgrad.float64))
    out_theirs.backward(torch.tensor(upstream))


def copy_parameters(ours, theirs):
    state = {k: v.detach().double().numpy().copy() if v.is_floating_point() else v.numpy().copy()
             for k, v in theirs.state_dict().items()}
    ours.double()
    ours.load_state_dict(state)


def check_layer(ours, theirs, shape, seed=0, steps=1):
    """Same parameters, same input: the outputs, the input gradient and every parameter gradient agree."""
    theirs = theirs.double()
    copy_parameters(ours, theirs)
    x_ours, x_theirs = pair(np.random.default_rng(seed).normal(size=shape))
    for step in range(steps):
        out_ours, out_theirs = ours(x_ours), theirs(x_theirs)
        close(out_ours, out_theirs)
        backward_both(out_ours, out_theirs, seed=step + 1)
    close(x_ours.grad, x_theirs.grad)
    for (name, p_ours), (name_t, p_theirs) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == name_t
        close(p_ours.grad, p_theirs.grad)
    for (name, b_ours), (name_t, b_theirs) in zip(ours.named_buffers(), theirs.named_buffers()):
        assert name == name_t
        close(b_ours, b_theirs)


CONV = {
    "conv1d": (lambda m: m.Conv1d(3, 4, 3), (2, 3, 11)),
    "conv1d-all": (lambda m: m.Conv1d(4, 6, 3, stride=2, padding=2, dilation=2, groups=2), (3, 4, 13)),
    "conv1d-same": (lambda m: m.Conv1d(2, 3, 4, padding="same", bias=False), (2, 2, 9)),
    "conv1d-valid": (lambda m: m.Conv1d(2, 3, 5, padding="valid"), (2, 2, 9)),
    "conv2d": (lambda m: m.Conv2d(3, 5, 3), (2, 3, 8, 7)),
    "conv2d-rect": (lambda m: m.Conv2d(2, 4, (2, 3), stride=(2, 1), padding=(1, 2)), (3, 2, 9, 8)),
    "conv2d-dilation": (lambda m: m.Conv2d(3, 2, 3, dilation=(2, 3), padding=1), (2, 3, 11, 12)),
    "conv2d-groups": (lambda m: m.Conv2d(6, 9, 3, groups=3, stride=2), (2, 6, 9, 9)),
    "conv2d-depthwise": (lambda m: m.Conv2d(4, 4, 3, groups=4, padding=1, bias=False), (2, 4, 6, 6)),
    "conv2d-same-even": (lambda m: m.Conv2d(2, 3, (4, 2), padding="same", dilation=(1, 3)), (2, 2, 7, 9)),
    "conv2d-1x1": (lambda m: m.Conv2d(5, 3, 1), (4, 5, 3, 3)),
    "conv2d-big-stride": (lambda m: m.Conv2d(2, 3, 2, stride=3), (2, 2, 10, 11)),
}


@pytest.mark.parametrize("name", CONV)
def test_conv_layers_match_torch(name):
    make, shape = CONV[name]
    check_layer(make(nn), make(tnn), shape)


POOL = {
    "max1d": (lambda m: m.MaxPool1d(3), (2, 3, 11)),
    "max1d-all": (lambda m: m.MaxPool1d(4, stride=2, padding=2, dilation=1, ceil_mode=True), (2, 3, 12)),
    "max1d-dilation": (lambda m: m.MaxPool1d(3, stride=1, padding=1, dilation=2), (2, 2, 9)),
    "max2d": (lambda m: m.MaxPool2d(2), (2, 3, 8, 7)),
    "max2d-overlap": (lambda m: m.MaxPool2d(3, stride=2, padding=1), (2, 3, 9, 10)),
    "max2d-ceil": (lambda m: m.MaxPool2d((3, 2), stride=(2, 3), padding=(1, 0), ceil_mode=True), (2, 2, 10, 11)),
    "max2d-dilation": (lambda m: m.MaxPool2d(2, stride=1, dilation=(2, 3)), (2, 2, 7, 8)),
    "avg1d": (lambda m: m.AvgPool1d(3), (2, 3, 11)),
    "avg1d-pad": (lambda m: m.AvgPool1d(4, stride=3, padding=2, ceil_mode=True, count_include_pad=False),
                  (2, 3, 12)),
    "avg2d": (lambda m: m.AvgPool2d(2), (2, 3, 8, 7)),
    "avg2d-pad": (lambda m: m.AvgPool2d(3, stride=2, padding=1), (2, 3, 9, 10)),
    "avg2d-exclude": (lambda m: m.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), (2, 3, 9, 10)),
    "avg2d-ceil": (lambda m: m.AvgPool2d((3, 2), stride=(2, 3), padding=(1, 1), ceil_mode=True), (2, 2, 10, 11)),
    "avg2d-ceil-exclude": (lambda m: m.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), (2, 2, 10, 8)),
    "avg2d-divisor": (lambda m: m.AvgPool2d(3, stride=2, padding=1, divisor_override=5), (2, 2, 7, 7)),
    "adaptive-1": (lambda m: m.AdaptiveAvgPool2d(1), (2, 3, 7, 5)),
    "adaptive-uneven": (lambda m: m.AdaptiveAvgPool2d((3, 4)), (2, 3, 7, 10)),
    "adaptive-larger": (lambda m: m.AdaptiveAvgPool2d((5, None)), (2, 2, 3, 4)),
}


@pytest.mark.parametrize("name", POOL)
def test_pooling_layers_match_torch(name):
    make, shape = POOL[name]
    check_layer(make(nn), make(tnn), shape)


@pytest.mark.parametrize("name", ["conv2d", "max2d", "avg2d", "adaptive-1"])
def test_unbatched_input(name):
    make, shape = {**CONV, **POOL}[name]
    check_layer(make(nn), make(tnn), shape[1:])


@pytest.mark.parametrize("kwargs", [{}, {"momentum": None}, {"affine": False}, {"track_running_stats": False}])
def test_batchnorm2d_train_and_eval(kwargs):
    ours, theirs = nn.BatchNorm2d(3, **kwargs), tnn.BatchNorm2d(3, **kwargs)
    check_layer(ours, theirs, (4, 3, 5, 6), steps=3)
    ours.eval()
    theirs.eval()
    check_layer(ours, theirs, (2, 3, 4, 4), seed=5)


def test_lenet_forward_and_backward():
    """A whole LeNet-style network: conv, ReLU, max-pool, batch norm, conv, avg-pool, dense."""
    def make(m):
        return m.Sequential(m.Conv2d(1, 4, 3, padding=1), m.ReLU(), m.MaxPool2d(2), m.Conv2d(4, 6, 3),
                            m.BatchNorm2d(6), m.ReLU(), m.AvgPool2d(2, ceil_mode=True), m.Flatten(), m.Linear(24, 5))
    check_layer(make(nn), make(tnn), (3, 1, 10, 10), steps=2)


def test_functional_forms_match_torch():
    x_ours, x_theirs = pair(np.random.default_rng(3).normal(size=(2, 4, 9, 8)))
    w_ours, w_theirs = pair(np.random.default_rng(4).normal(size=(6, 2, 3, 2)))
    b_ours, b_theirs = pair(np.random.default_rng(5).normal(size=6))
    outs = [
        (F.conv2d(x_ours, w_ours, b_ours, stride=(2, 1), padding=(1, 0), groups=2),
         TF.conv2d(x_theirs, w_theirs, b_theirs, stride=(2, 1), padding=(1, 0), groups=2)),
        (F.max_pool2d(x_ours, 3, 2, 1, ceil_mode=True), TF.max_pool2d(x_theirs, 3, 2, 1, ceil_mode=True)),
        (F.avg_pool2d(x_ours, 2, 1, 1), TF.avg_pool2d(x_theirs, 2, 1, 1)),
        (F.adaptive_avg_pool2d(x_ours, (2, 3)), TF.adaptive_avg_pool2d(x_theirs, (2, 3))),
        (F.max_pool1d(x_ours[:, :, 0], 2), TF.max_pool1d(x_theirs[:, :, 0], 2)),
        (F.avg_pool1d(x_ours[:, :, 1], 3, 2, 1), TF.avg_pool1d(x_theirs[:, :, 1], 3, 2, 1)),
        (F.conv1d(x_ours[:, :, 2], w_ours[:, :, 0], padding="same", groups=2),
         TF.conv1d(x_theirs[:, :, 2], w_theirs[:, :, 0], padding="same", groups=2)),
    ]
    total_ours = sum((o * float(i + 1)).sum() for i, (o, _) in enumerate(outs))
    total_theirs = sum((t * float(i + 1)).sum() for i, (_, t) in enumerate(outs))
    for o, t in outs:
        close(o, t)
    total_ours.backward()
    total_theirs.backward()
    for ours, theirs in ((x_ours, x_theirs), (w_ours, w_theirs), (b_ours, b_theirs)):
        close(ours.grad, theirs.grad)


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
                                    dict(kernel_size=(2, 3), dilation=2)])
def test_max_pool_return_indices(kwargs):
    x = np.random.default_rng(6).normal(size=(2, 3, 9, 10))
    out, indices = F.max_pool2d(netgrad.tensor(x), return_indices=True, **kwargs)
    out_t, indices_t = TF.max_pool2d(torch.tensor(x), return_indices=True, **kwargs)
    close(out, out_t)
    np.testing.assert_array_equal(indices.numpy(), indices_t.numpy())
    assert indices.dtype == netgrad.int64


def test_batch_norm_functional_on_images():
    x_ours, x_theirs = pair(np.random.default_rng(7).normal(size=(3, 2, 4, 5)))
    mean, var = np.zeros(2), np.ones(2)
    mean_t, var_t = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    out = F.batch_norm(x_ours, netgrad.tensor(mean), netgrad.tensor(var), training=True)
    out_t = TF.batch_norm(x_theirs, mean_t, var_t, training=True)
    close(out, out_t)
    backward_both(out, out_t)
    close(x_ours.grad, x_theirs.grad)


def test_dropout2d_drops_whole_channels_like_torch():
    """Masks are random, so compare what they imply: whole planes zero, the rest scaled by 1 / (1 - p)."""
    x = np.random.default_rng(8).uniform(1, 2, size=(16, 8, 3, 3))
    out = nn.Dropout2d(0.25)(netgrad.tensor(x)).numpy()
    out_t = tnn.Dropout2d(0.25)(torch.tensor(x)).numpy()
    for result in (out, out_t):
        kept = result.reshape(16, 8, -1).any(axis=2)
        np.testing.assert_allclose(result[kept], x[kept] / 0.75)
        assert np.all(result[~kept] == 0)
    eval_layer = nn.Dropout2d(0.25).eval()
    close(eval_layer(netgrad.tensor(x)), tnn.Dropout2d(0.25).eval()(torch.tensor(x)))


@pytest.mark.parametrize("make", [lambda m: m.Conv2d(3, 8, 3, stride=2, padding=1, groups=1, bias=False),
                                  lambda m: m.Conv1d(4, 6, 5, dilation=2, groups=2),
                                  lambda m: m.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
                                  lambda m: m.AvgPool1d(3),
                                  lambda m: m.Conv1d(2, 3, 4, padding="same"),
                                  lambda m: m.Conv2d(2, 3, 3, padding=(1, 2), dilation=2),
                                  lambda m: m.AvgPool2d(2, padding=1, count_include_pad=False),
                                  lambda m: m.AdaptiveAvgPool2d((2, None)),
                                  lambda m: m.BatchNorm2d(3, momentum=0.3),
                                  lambda m: m.Dropout2d(0.3)])
def test_repr_matches_torch(make):
    assert repr(make(nn)) == repr(make(tnn))


def test_conv_init_bounds_match_torch():
    """kaiming_uniform(a=sqrt(5)) and the bias bound: every value within 1/sqrt(fan_in), spread over it."""
    netgrad.manual_seed(0)
    for make, fan_in in ((lambda m: m.Conv2d(6, 32, (3, 5), groups=2), 3 * 15), (lambda m: m.Conv1d(2, 64, 7), 14)):
        ours, theirs = make(nn), make(tnn)
        bound = 1 / np.sqrt(fan_in)
        for p_ours, p_theirs in ((ours.weight, theirs.weight), (ours.bias, theirs.bias)):
            assert tuple(p_ours.shape) == tuple(p_theirs.shape)
            assert np.abs(p_ours.detach().numpy()).max() <= bound
            assert np.abs(p_theirs.detach().numpy()).max() <= bound
        # the weights fill their range: hundreds of draws from U(-bound, bound)
        assert np.abs(ours.weight.detach().numpy()).max() > 0.95 * bound
