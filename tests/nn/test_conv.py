"""Convolution and pooling: gradients by central differences over a table of settings, values against a
loop-by-loop reference written here, output shapes, argument and shape errors."""
import itertools
import math

import numpy as np
import pytest

import netgrad
import netgrad.nn as nn
import netgrad.nn.functional as F
from netgrad import gradcheck
from netgrad.engine.autograd import ShapeError

rng = np.random.default_rng(0)


def leaf(shape, seed=0):
    return netgrad.tensor(np.random.default_rng(seed).normal(size=shape), dtype=netgrad.float64,
                          requires_grad=True)


def reference_conv2d(x, w, b, stride, padding, dilation, groups):
    """The definition, one output value at a time."""
    x = np.pad(x, ((0, 0), (0, 0), (padding[0], padding[0]), (padding[1], padding[1])))
    n, _, h, width = x.shape
    o, cg, kh, kw = w.shape
    ho = (h - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (width - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, o, ho, wo))
    for batch, out_channel, p, q in itertools.product(range(n), range(o), range(ho), range(wo)):
        group = out_channel // (o // groups)
        total = 0.0 if b is None else b[out_channel]
        for c, i, j in itertools.product(range(cg), range(kh), range(kw)):
            total += w[out_channel, c, i, j] * x[batch, group * cg + c, p * stride[0] + i * dilation[0],
                                                 q * stride[1] + j * dilation[1]]
        out[batch, out_channel, p, q] = total
    return out


def reference_pool(x, kernel, stride, padding, reduce):
    """Max or mean of each window (padding counted as -inf for max, as zeros included in the mean)."""
    fill = -np.inf if reduce is np.max else 0.0
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=fill)
    ho = (x.shape[2] - kernel) // stride + 1
    wo = (x.shape[3] - kernel) // stride + 1
    out = np.zeros(x.shape[:2] + (ho, wo))
    for p, q in itertools.product(range(ho), range(wo)):
        out[:, :, p, q] = reduce(x[:, :, p * stride:p * stride + kernel, q * stride:q * stride + kernel], axis=(2, 3))
    return out


CONV_SETTINGS = [  # (in, out, kernel, stride, padding, dilation, groups, bias, input spatial shape)
    (2, 3, (3, 3), (1, 1), (0, 0), (1, 1), 1, True, (6, 5)),
    (2, 4, (2, 3), (2, 1), (1, 2), (1, 1), 2, True, (7, 6)),
    (3, 2, (3, 2), (1, 2), (2, 1), (2, 1), 1, False, (7, 8)),
    (4, 4, (3, 3), (2, 2), (1, 1), (1, 1), 4, True, (5, 5)),
    (1, 2, (1, 1), (1, 1), (0, 0), (1, 1), 1, True, (3, 4)),
]


@pytest.mark.parametrize("setting", CONV_SETTINGS)
def test_conv2d_values_and_gradients(setting):
    cin, cout, kernel, stride, padding, dilation, groups, bias, spatial = setting
    x = leaf((2, cin) + spatial)
    w = leaf((cout, cin // groups) + kernel, seed=1)
    b = leaf((cout,), seed=2) if bias else None
    out = F.conv2d(x, w, b, stride, padding, dilation, groups)
    expected = reference_conv2d(x.detach().numpy(), w.detach().numpy(), None if b is None else b.detach().numpy(),
                                stride, padding, dilation, groups)
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-12, atol=1e-12)
    inputs = (x, w) if b is None else (x, w, b)
    assert gradcheck(lambda *a: F.conv2d(a[0], a[1], a[2] if len(a) > 2 else None, stride, padding, dilation,
                                         groups), inputs)


@pytest.mark.parametrize("stride, padding, dilation, groups", [(1, 0, 1, 1), (2, 1, 1, 2), (1, "same", 2, 1),
                                                               (3, 2, 2, 2)])
def test_conv1d_gradients_and_values(stride, padding, dilation, groups):
    x, w, b = leaf((2, 4, 11)), leaf((6, 4 // groups, 3), seed=1), leaf((6,), seed=2)
    assert gradcheck(lambda x, w, b: F.conv1d(x, w, b, stride, padding, dilation, groups), (x, w, b))
    # the 1-D convolution is the 2-D one with a kernel of height 1
    pads = (0, padding) if padding != "same" else "same"
    as_2d = F.conv2d(x.unsqueeze(2), w.unsqueeze(2), b, (1, stride), pads, (1, dilation), groups)
    np.testing.assert_allclose(F.conv1d(x, w, b, stride, padding, dilation, groups).detach().numpy(),
                               as_2d.detach().numpy()[:, :, 0], rtol=1e-12)


POOL_SETTINGS = [  # (kernel, stride, padding, dilation, ceil_mode)
    (2, 2, 0, 1, False),
    (3, 2, 1, 1, False),
    (3, 2, 1, 1, True),
    ((2, 3), (1, 2), (1, 0), (2, 1), True),
    (2, 1, 0, 1, False),
]


@pytest.mark.parametrize("setting", POOL_SETTINGS)
def test_max_pool2d_gradients(setting):
    kernel, stride, padding, dilation, ceil_mode = setting
    x = leaf((2, 3, 7, 8))  # distinct values: no ties, so the max is differentiable everywhere
    assert gradcheck(lambda x: F.max_pool2d(x, kernel, stride, padding, dilation, ceil_mode), (x,))


@pytest.mark.parametrize("setting", POOL_SETTINGS)
def test_avg_pool2d_gradients(setting):
    kernel, stride, padding, _, ceil_mode = setting
    x = leaf((2, 3, 7, 8))
    for include in (True, False):
        assert gradcheck(lambda x, include=include: F.avg_pool2d(x, kernel, stride, padding, ceil_mode, include),
                         (x,))


def test_pool1d_and_adaptive_gradients():
    x = leaf((2, 3, 9))
    assert gradcheck(lambda x: F.max_pool1d(x, 3, 2, 1, ceil_mode=True), (x,))
    assert gradcheck(lambda x: F.avg_pool1d(x, 4, 3, 2, ceil_mode=True, count_include_pad=False), (x,))
    x = leaf((2, 3, 7, 5))
    for size in (1, (3, 2), (4, None)):
        assert gradcheck(lambda x, size=size: F.adaptive_avg_pool2d(x, size), (x,))


def test_batchnorm2d_and_dropout2d_gradients():
    x = leaf((3, 2, 4, 3))
    bn = nn.BatchNorm2d(2).double()
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                     (x, leaf((2,), 1), leaf((2,), 2)))
    assert bn(x).shape == x.shape
    netgrad.manual_seed(0)
    assert gradcheck(lambda x: (netgrad.manual_seed(3), F.dropout2d(x, 0.5))[1], (x,))


@pytest.mark.parametrize("kernel, stride, padding", [(2, 2, 0), (3, 2, 1), (3, 1, 1)])
def test_pool_values_against_reference(kernel, stride, padding):
    x = rng.normal(size=(2, 3, 7, 6))
    np.testing.assert_allclose(F.max_pool2d(netgrad.tensor(x), kernel, stride, padding).numpy(),
                               reference_pool(x, kernel, stride, padding, np.max))
    np.testing.assert_allclose(F.avg_pool2d(netgrad.tensor(x), kernel, stride, padding).numpy(),
                               reference_pool(x, kernel, stride, padding, np.mean), rtol=1e-12)


def test_adaptive_avg_pool_is_global_mean_and_fixed_windows():
    x = rng.normal(size=(2, 3, 6, 4))
    np.testing.assert_allclose(F.adaptive_avg_pool2d(netgrad.tensor(x), 1).numpy(),
                               x.mean(axis=(2, 3), keepdims=True), rtol=1e-12)
    # 6 rows into 4 windows: [0, 2), [1, 3), [3, 5), [4, 6)
    out = F.adaptive_avg_pool2d(netgrad.tensor(x), (4, 4)).numpy()
    rows = [(0, 2), (1, 3), (3, 5), (4, 6)]
    expected = np.stack([x[:, :, a:b].mean(axis=2) for a, b in rows], axis=2)
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_max_pool_routes_gradient_to_the_first_maximum():
    x = netgrad.tensor([[[[1.0, 3.0], [3.0, 0.0]]]], requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[[0, 1], [0, 0]]]])


def test_channel_major_outputs_flow_through_every_layer():
    """A convolution returns a channel-major view; pooling, batch norm and the next convolution accept it."""
    x = leaf((3, 2, 8, 8))
    conv = nn.Conv2d(2, 4, 3, padding=1).double()
    assert gradcheck(lambda x: F.max_pool2d(conv(x).relu(), 2), (x,))
    assert gradcheck(lambda x: F.avg_pool2d(conv(x), 3, 2, 1), (x,))
    assert gradcheck(lambda x: F.adaptive_avg_pool2d(conv(x), 3), (x,))
    assert gradcheck(lambda x: F.conv2d(conv(x), conv.weight[:, :1].repeat(1, 4, 1, 1)[:3], stride=2), (x,))


@pytest.mark.parametrize("layer, shape, expected", [
    (lambda: nn.Conv2d(1, 32, 3), (64, 1, 28, 28), (64, 32, 26, 26)),
    (lambda: nn.Conv2d(3, 8, 5, stride=2, padding=2), (2, 3, 32, 31), (2, 8, 16, 16)),
    (lambda: nn.Conv2d(3, 8, 3, padding="same", dilation=2), (2, 3, 10, 9), (2, 8, 10, 9)),
    (lambda: nn.Conv1d(4, 8, 3, stride=2), (5, 4, 20), (5, 8, 9)),
    (lambda: nn.Conv2d(3, 8, 3), (3, 10, 10), (8, 8, 8)),
    (lambda: nn.MaxPool2d(2), (64, 32, 26, 26), (64, 32, 13, 13)),
    (lambda: nn.MaxPool2d(2), (64, 64, 11, 11), (64, 64, 5, 5)),
    (lambda: nn.MaxPool2d(2, ceil_mode=True), (64, 64, 11, 11), (64, 64, 6, 6)),
    (lambda: nn.MaxPool2d(3, 2, padding=1, ceil_mode=True), (1, 1, 6, 6), (1, 1, 4, 4)),
    (lambda: nn.MaxPool2d(2, 2, padding=1, ceil_mode=True), (1, 1, 5, 5), (1, 1, 3, 3)),  # last window dropped
    (lambda: nn.AvgPool1d(3, stride=1), (2, 3, 10), (2, 3, 8)),
    (lambda: nn.AdaptiveAvgPool2d((3, None)), (2, 3, 10, 7), (2, 3, 3, 7)),
])
def test_output_shapes(layer, shape, expected):
    assert layer()(netgrad.zeros(*shape)).shape == expected


def test_default_initialisation_bounds():
    layer = nn.Conv2d(6, 16, 5, groups=2)
    fan_in = 3 * 25
    weight = layer.weight.detach().numpy()
    assert weight.shape == (16, 3, 5, 5) and layer.bias.shape == (16,)
    assert np.abs(weight).max() <= 1 / math.sqrt(fan_in) and np.abs(weight).max() > 0.9 / math.sqrt(fan_in)
    # U(-b, b) has variance b^2 / 3
    assert abs(weight.var() - 1 / (3 * fan_in)) < 0.2 / (3 * fan_in)
    assert np.abs(layer.bias.detach().numpy()).max() <= 1 / math.sqrt(fan_in)
    assert nn.Conv2d(2, 3, 3, bias=False).bias is None
    assert nn.Conv2d(2, 3, 3, dtype=netgrad.float64).weight.dtype == netgrad.float64


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Conv2d(3, 8, 0), "kernel_size"),
    (lambda: nn.Conv2d(0, 8, 3), "in_channels"),
    (lambda: nn.Conv2d(3, 8, 3, groups=2), r"in_channels \(3\) must be divisible by groups"),
    (lambda: nn.Conv2d(4, 6, 3, groups=4), r"out_channels \(6\) must be divisible by groups"),
    (lambda: nn.Conv2d(3, 8, 3, stride=(1, 2, 3)), "stride"),
    (lambda: nn.Conv2d(3, 8, 3, padding=-1), "padding"),
    (lambda: nn.Conv2d(3, 8, 3, padding="full"), "invalid padding string 'full'"),
    (lambda: nn.Conv2d(3, 8, 3, padding="same", stride=2), "not supported for strided convolutions"),
    (lambda: nn.Conv2d(3, 8, 3, padding_mode="mirror"), "padding_mode must be one of"),
    (lambda: nn.Conv2d(3, 8, 3, padding_mode="reflect"), "zeros only"),
    (lambda: nn.Conv1d(3, 8, 3, dilation=0), "dilation"),
    (lambda: nn.MaxPool2d(3, padding=2), "pad should be at most half of effective kernel size"),
    (lambda: nn.MaxPool2d(0), "kernel_size"),
    (lambda: nn.AvgPool2d(2, stride=0), "stride"),
    (lambda: nn.AvgPool2d(2, divisor_override=0), "divisor_override"),
    (lambda: nn.AdaptiveAvgPool2d(0), "output_size"),
    (lambda: nn.Dropout2d(1.5), "between 0 and 1"),
    (lambda: nn.BatchNorm2d(0), "num_features"),
])
def test_bad_hyper_parameters_raise_at_construction(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_shape_errors_name_the_layer_and_suggest_a_fix():
    conv = nn.Conv2d(3, 8, 3)
    with pytest.raises(ShapeError, match=r"Conv2d\(3, 8, .*\) expected 3 input channels, got 5"):
        conv(netgrad.zeros(2, 5, 9, 9))
    with pytest.raises(ShapeError, match=r"channels-last.*permute\(0, 3, 1, 2\)"):
        conv(netgrad.zeros(2, 9, 9, 3))
    with pytest.raises(ShapeError, match="did you forget to reshape flat images"):
        conv(netgrad.zeros(2, 784))
    with pytest.raises(ShapeError, match="smaller than the kernel"):
        conv(netgrad.zeros(2, 3, 2, 9))
    with pytest.raises(TypeError, match="float64 input"):
        conv(netgrad.zeros(2, 3, 9, 9, dtype=netgrad.float64))
    with pytest.raises(ShapeError, match=r"Conv1d\(.*\) expected a 3-D input \(N, C, L\)"):
        nn.Conv1d(3, 8, 3)(netgrad.zeros(2, 3, 9, 9))
    with pytest.raises(ShapeError, match=r"MaxPool2d\(.*\) expected a 4-D input"):
        nn.MaxPool2d(2)(netgrad.zeros(4, 4))
    with pytest.raises(ShapeError, match="smaller than the pooling window"):
        nn.MaxPool2d(3)(netgrad.zeros(1, 1, 2, 2))
    with pytest.raises(ShapeError, match=r"BatchNorm2d\(4\) expected 4D \(N, C, H, W\) input"):
        nn.BatchNorm2d(4)(netgrad.zeros(2, 4))
    with pytest.raises(ShapeError, match=r"expected input with 4 features"):
        nn.BatchNorm2d(4)(netgrad.zeros(2, 3, 2, 2))
    with pytest.raises(ShapeError, match="conv2d: expected a 4-D weight"):
        F.conv2d(netgrad.zeros(1, 1, 4, 4), netgrad.zeros(1, 1, 3))


def test_float32_stays_float32_and_no_grad_keeps_no_graph():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.MaxPool2d(2), nn.AvgPool2d(1), nn.AdaptiveAvgPool2d(1))
    x = netgrad.randn(2, 1, 8, 8)
    assert model(x).dtype == netgrad.float32
    with netgrad.no_grad():
        out = model(x)
    assert out.grad_fn is None and out.dtype == netgrad.float32


@pytest.mark.parametrize("conv", [lambda: nn.Conv2d(2, 3, 3, padding=1), lambda: nn.Conv1d(2, 3, 3, stride=2)])
def test_sequential_runs_conv_and_relu_as_one_node_with_the_same_arithmetic(conv):
    model = nn.Sequential(conv(), nn.ReLU()).double()
    x = leaf((2, 2, 6, 5) if isinstance(model[0], nn.Conv2d) else (2, 2, 9))
    out = model(x)
    assert out.grad_fn.name() == "ConvolutionReLUBackward"
    upstream = netgrad.tensor(np.random.default_rng(1).normal(size=out.shape))
    out.backward(upstream)
    fused = [p.grad.numpy().copy() for p in model.parameters()] + [x.grad.numpy().copy()]
    for p in list(model.parameters()) + [x]:
        p.grad = None
    separate = model[1](model[0](x))
    assert separate.grad_fn.name() == "ReLUBackward"
    np.testing.assert_array_equal(out.detach().numpy(), separate.detach().numpy())
    separate.backward(upstream)
    for ours, theirs in zip(fused, [p.grad.numpy() for p in model.parameters()] + [x.grad.numpy()]):
        np.testing.assert_array_equal(ours, theirs)
    assert gradcheck(model, (x,))


def test_dropout2d_masks_channels_and_reads_3d_as_n_c_l():
    netgrad.manual_seed(0)
    x = np.ones((8, 6, 3, 2))
    out = F.dropout2d(netgrad.tensor(x), 0.5).numpy()
    planes = out.reshape(8, 6, -1)
    assert set(np.unique(planes)) <= {0.0, 2.0}
    assert np.all(planes.min(axis=2) == planes.max(axis=2))  # a plane is dropped or kept whole
    with pytest.warns(UserWarning, match="interpreted as shape"):
        out = F.dropout2d(netgrad.tensor(np.ones((8, 6, 5))), 0.5).numpy()
    assert np.all(out.min(axis=2) == out.max(axis=2))
    assert F.dropout2d(netgrad.tensor(x), 0.5, training=False).numpy() is not None
    assert nn.MaxPool2d(2, stride=[])(netgrad.zeros(1, 1, 4, 4)).shape == (1, 1, 2, 2)
