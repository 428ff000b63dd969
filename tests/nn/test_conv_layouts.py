"""Convolution, pooling and batch norm on inputs and gradients of every memory layout.

A convolution hands on its output channels-innermost, a Keras input arrives channels-last, a DataLoader's batch
is contiguous NCHW: each kernel must give the definition's values and gradients whatever the strides of its
input and of the gradient that comes back. References are written from the definitions, one window at a time.
"""
import itertools

import numpy as np
import pytest

import netgrad
import netgrad.nn as nn
import netgrad.nn.functional as F
from netgrad import gradcheck

# (N, C, H, W) arrays with the same values in each memory layout (the axis order, outer to inner)
LAYOUTS = {"NCHW": (0, 1, 2, 3), "CNHW": (1, 0, 2, 3), "NHWC": (0, 2, 3, 1), "CHWN": (1, 2, 3, 0),
           "HWNC": (2, 3, 0, 1)}


def laid_out(x: np.ndarray, layout: str) -> np.ndarray:
    order = LAYOUTS[layout]
    return np.ascontiguousarray(x.transpose(order)).transpose(np.argsort(order))


def ties(shape, seed=0) -> np.ndarray:
    """Whole numbers in [-2, 2]: windows with tied maxima and windows with no positive value."""
    return np.random.default_rng(seed).integers(-2, 3, size=shape).astype(np.float64)


def reference_max_pool(x, g, kernel, stride, padding, ceil_mode=False):
    """Values and input gradient of max pooling by its definition: each window's first maximum in row-major
    order (np.argmax) takes the window's upstream gradient."""
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding

    def count(size, k, s, p):
        out = (size + 2 * p - k + ((s - 1) if ceil_mode else 0)) // s + 1
        return out - 1 if ceil_mode and (out - 1) * s >= size + p else out

    ho, wo = count(h, kh, sh, ph), count(w, kw, sw, pw)
    padded = np.full((n, c, h + 2 * ph + kh, w + 2 * pw + kw), -np.inf)
    padded[:, :, ph:ph + h, pw:pw + w] = x
    out, grad = np.zeros((n, c, ho, wo)), np.zeros_like(padded)
    for a, b, p, q in itertools.product(range(n), range(c), range(ho), range(wo)):
        window = padded[a, b, p * sh:p * sh + kh, q * sw:q * sw + kw]
        i, j = np.unravel_index(np.argmax(window), window.shape)
        out[a, b, p, q] = window[i, j]
        grad[a, b, p * sh + i, q * sw + j] += g[a, b, p, q]
    return out, grad[:, :, ph:ph + h, pw:pw + w]


POOLS = [  # kernel, stride, padding, ceil_mode, input (H, W)
    ((2, 2), (2, 2), (0, 0), False, (6, 8)),  # tiling windows
    ((2, 2), (2, 2), (0, 0), False, (7, 5)),  # tiling, a row and a column left over
    ((2, 2), (2, 2), (0, 0), True, (7, 5)),  # tiling, the last windows half outside
    ((1, 3), (1, 3), (0, 0), False, (4, 9)),  # tiling along one axis only
    ((3, 3), (3, 3), (1, 1), False, (6, 7)),  # tiling the padded input, which ends inside the last windows
    ((2, 2), (2, 2), (1, 1), True, (6, 5)),
    ((3, 3), (2, 2), (1, 1), False, (7, 6)),  # overlapping, padded
    ((3, 2), (1, 2), (1, 0), True, (5, 7)),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("kernel, stride, padding, ceil_mode, size", POOLS)
def test_max_pool_in_every_layout_matches_the_definition(layout, kernel, stride, padding, ceil_mode, size):
    x = ties((3, 4, *size))
    expected, _ = reference_max_pool(x, np.zeros((3, 4, 64, 64)), kernel, stride, padding, ceil_mode)
    g = np.random.default_rng(1).normal(size=expected.shape)
    _, expected_grad = reference_max_pool(x, g, kernel, stride, padding, ceil_mode)
    for g_layout in ("NCHW", layout, "HWNC"):  # the gradient in the input's layout, or in another one
        leaf = netgrad.from_numpy(laid_out(x, layout)).requires_grad_()
        out = F.max_pool2d(leaf, kernel, stride, padding, ceil_mode=ceil_mode)
        np.testing.assert_array_equal(out.detach().numpy(), expected)
        out.backward(netgrad.from_numpy(laid_out(g, g_layout)))
        np.testing.assert_allclose(leaf.grad.numpy(), expected_grad, rtol=0, atol=1e-15)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_average_and_adaptive_pooling_in_every_layout(layout):
    x = np.random.default_rng(2).normal(size=(2, 3, 7, 6))
    leaf = netgrad.from_numpy(laid_out(x, layout)).requires_grad_()
    # a 3x3 window, stride 2, padding 1 counted in the mean (PyTorch's default)
    expected = np.array([np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))[:, :, 2 * p:2 * p + 3, 2 * q:2 * q + 3]
                         .sum(axis=(2, 3)) / 9 for p in range(4) for q in range(3)])
    np.testing.assert_allclose(F.avg_pool2d(leaf, 3, 2, 1).detach().numpy(),
                               expected.transpose(1, 2, 0).reshape(2, 3, 4, 3), rtol=1e-12)
    rows, columns = [(0, 3), (2, 5), (4, 7)], [(0, 3), (3, 6)]  # 7 -> 3 and 6 -> 2 adaptive windows
    adaptive = np.array([[x[:, :, a:b, c:d].mean(axis=(2, 3)) for c, d in columns] for a, b in rows])
    np.testing.assert_allclose(F.adaptive_avg_pool2d(leaf, (3, 2)).detach().numpy(),
                               adaptive.transpose(2, 3, 0, 1), rtol=1e-12)
    assert gradcheck(lambda t: F.avg_pool2d(t, 3, 2, 1), (leaf,))
    assert gradcheck(lambda t: F.adaptive_avg_pool2d(t, (3, 2)), (leaf,))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_convolution_reads_every_layout_and_takes_gradients_in_any(layout):
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(4, 3, 3, 2)), rng.normal(size=4)
    reference = netgrad.tensor(x, requires_grad=True)
    weight, bias = netgrad.tensor(w, requires_grad=True), netgrad.tensor(b, requires_grad=True)
    expected = F.conv2d(reference, weight, bias, padding=1)
    g = rng.normal(size=expected.shape)
    expected.backward(netgrad.tensor(g))
    expected_grads = [t.grad.numpy().copy() for t in (reference, weight, bias)]
    for g_layout in LAYOUTS:
        leaf = netgrad.from_numpy(laid_out(x, layout)).requires_grad_()
        weight.grad = bias.grad = None
        out = F.conv2d(leaf, weight, bias, padding=1)
        np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-12)
        out.backward(netgrad.from_numpy(laid_out(g, g_layout)))
        for ours, theirs in zip((leaf.grad, weight.grad, bias.grad), expected_grads):
            np.testing.assert_allclose(ours.numpy(), theirs, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda t: F.conv2d(t, weight, bias, padding=1), (netgrad.from_numpy(laid_out(x, layout))
                                                                       .requires_grad_(),))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_batch_norm_in_every_layout_matches_the_definition(layout):
    x = np.random.default_rng(4).normal(2.0, 3.0, size=(4, 3, 5, 6))
    leaf = netgrad.from_numpy(laid_out(x, layout)).requires_grad_()
    out = F.batch_norm(leaf, None, None, training=True, eps=1e-5).detach().numpy()
    mean, var = x.mean(axis=(0, 2, 3), keepdims=True), x.var(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-5), rtol=1e-10, atol=1e-12)
    weight = netgrad.tensor([0.5, -1.0, 2.0], dtype=netgrad.float64, requires_grad=True)
    assert gradcheck(lambda t, w: F.batch_norm(t, None, None, w, None, training=True), (leaf, weight))
    # the gradient arriving in any layout: dx = (g - mean g - x_hat mean(g x_hat)) / sqrt(var + eps) per channel
    g = np.random.default_rng(5).normal(size=x.shape)
    x_hat = (x - mean) / np.sqrt(var + 1e-5)
    expected = (g - g.mean(axis=(0, 2, 3), keepdims=True)
                - x_hat * (g * x_hat).mean(axis=(0, 2, 3), keepdims=True)) / np.sqrt(var + 1e-5)
    for g_layout in LAYOUTS:
        leaf.grad = None
        F.batch_norm(leaf, None, None, training=True, eps=1e-5).backward(netgrad.from_numpy(laid_out(g, g_layout)))
        np.testing.assert_allclose(leaf.grad.numpy(), expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("dims", [1, 2])
def test_relu_then_max_pool_runs_as_one_node_with_the_same_values_and_gradients(dims):
    x = ties((3, 4, 8) if dims == 1 else (3, 4, 6, 6), seed=5)
    pool = nn.MaxPool1d(2) if dims == 1 else nn.MaxPool2d(2)
    model = nn.Sequential(nn.ReLU(), pool)
    g = netgrad.tensor(np.random.default_rng(6).normal(size=(3, 4, 4) if dims == 1 else (3, 4, 3, 3)))
    leaf = netgrad.tensor(x, requires_grad=True)
    out = model(leaf)
    assert out.grad_fn.name() == "MaxPoolReLUBackward"
    out.backward(g)
    separate_leaf = netgrad.tensor(x, requires_grad=True)
    separate = pool(F.relu(separate_leaf))
    separate.backward(g)
    np.testing.assert_array_equal(out.detach().numpy(), separate.detach().numpy())
    np.testing.assert_array_equal(leaf.grad.numpy(), separate_leaf.grad.numpy())
    assert (x.reshape(-1) <= 0).any() and np.count_nonzero(leaf.grad.numpy()) < g.numel()  # windows sent nothing


def test_a_convolution_leaves_its_relu_to_the_max_pool_after_it():
    netgrad.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(3, 2, 1), nn.ReLU()).double()
    x = netgrad.tensor(np.random.default_rng(7).normal(size=(2, 2, 8, 8)), requires_grad=True)
    out = model(x)
    assert out.grad_fn.name() == "ConvolutionReLUBackward"  # the last pair still fuses
    assert out.grad_fn.next_functions[0][0].name() == "MaxPoolReLUBackward"
    separate = model[4](model[3](model[2](model[1](model[0](x)))))
    np.testing.assert_array_equal(out.detach().numpy(), separate.detach().numpy())
    assert gradcheck(model, (x,))


def test_max_pool_with_indices_after_relu_is_not_fused():
    x = netgrad.tensor(ties((1, 1, 4, 4), seed=8))
    out, indices = nn.Sequential(nn.ReLU(), nn.MaxPool2d(2, return_indices=True))(x)
    expected, expected_indices = F.max_pool2d(F.relu(x), 2, return_indices=True)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    np.testing.assert_array_equal(indices.numpy(), expected_indices.numpy())
