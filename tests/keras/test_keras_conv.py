"""Keras convolution and pooling layers (channels-last) against the same arithmetic written independently:
the PyTorch-layout functional ops on transposed arrays, PyTorch itself (when installed), window-by-window
references, and Keras's documented shapes and parameter counts."""
import itertools
import math

import numpy as np
import pytest

import netgrad
import netgrad.nn.functional as F
from netgrad import gradcheck, keras
from netgrad.keras import layers

rng = np.random.default_rng(0)


def built(layer, shape, dtype="float64"):
    layer.dtype = dtype
    layer(np.zeros(shape, dtype))
    for weight in layer.weights:
        weight._data[...] = rng.normal(size=weight.shape)
    return layer


def same_padding(size, kernel, stride, dilation=1):
    """Keras/TensorFlow 'same': out = ceil(size / stride); the odd padding cell goes after."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


@pytest.mark.parametrize("kwargs", [dict(filters=4, kernel_size=3),
                                    dict(filters=6, kernel_size=(2, 3), strides=(2, 1), padding="same"),
                                    dict(filters=4, kernel_size=3, padding="same", dilation_rate=2, groups=2),
                                    dict(filters=3, kernel_size=4, strides=3, padding="same", use_bias=False)])
def test_conv2d_is_the_nchw_convolution_of_the_transposed_input(kwargs):
    layer = built(layers.Conv2D(**kwargs), (2, 9, 8, 4))
    x = rng.normal(size=(2, 9, 8, 4))
    out = layer(x).detach().numpy()
    kernel = layer.kernel.detach().detach().numpy().transpose(3, 2, 0, 1)  # (kH, kW, C, O) -> (O, C, kH, kW)
    stride = layer.strides
    pads = [same_padding(n, k, s, d) if layer.padding == "same" else (0, 0)
            for n, k, s, d in zip((9, 8), layer.kernel_size, stride, layer.dilation_rate)]
    x_padded = np.pad(x.transpose(0, 3, 1, 2), ((0, 0), (0, 0), pads[0], pads[1]))
    expected = F.conv2d(netgrad.tensor(x_padded), netgrad.tensor(kernel),
                        None if layer.bias is None else netgrad.tensor(layer.bias.detach().detach().numpy()),
                        stride, 0, layer.dilation_rate, layer.groups).detach().numpy().transpose(0, 2, 3, 1)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    assert out.shape == layer.compute_output_shape((2, 9, 8, 4))


def test_conv2d_gradients_and_fused_relu():
    layer = built(layers.Conv2D(3, 3, padding="same", activation="relu"), (2, 6, 5, 2))
    x = netgrad.tensor(rng.normal(size=(2, 6, 5, 2)), requires_grad=True)
    assert gradcheck(lambda x, k, b: layer(x), (x, layer.kernel, layer.bias))
    plain = built(layers.Conv2D(3, 3, padding="same"), (2, 6, 5, 2))
    plain.set_weights(layer.get_weights())
    np.testing.assert_array_equal(layer(x).detach().detach().numpy(), np.maximum(plain(x).detach().detach().numpy(), 0))


@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
def test_conv1d_against_a_loop_reference(padding):
    layer = built(layers.Conv1D(3, 3, padding=padding, dilation_rate=2), (2, 10, 4))
    x = rng.normal(size=(2, 10, 4))
    kernel, bias = layer.kernel.detach().detach().numpy(), layer.bias.detach().detach().numpy()  # (k, C, O)
    span = 2 * (3 - 1) + 1
    before, after = {"valid": (0, 0), "same": same_padding(10, 3, 1, 2), "causal": (span - 1, 0)}[padding]
    xp = np.pad(x, ((0, 0), (before, after), (0, 0)))
    steps = xp.shape[1] - span + 1
    expected = np.stack([sum(xp[:, t + 2 * i] @ kernel[i] for i in range(3)) + bias for t in range(steps)], axis=1)
    np.testing.assert_allclose(layer(x).detach().numpy(), expected, rtol=1e-12)
    x_t = netgrad.tensor(x, requires_grad=True)
    assert gradcheck(lambda x, k: layer(x), (x_t, layer.kernel))


def reference_pool(x, size, stride, padding, reduce):
    """Keras pooling on (N, H, W, C), window by window; 'same' windows only see real cells."""
    n, h, w, c = x.shape
    pads = [same_padding(dim, k, s) if padding == "same" else (0, 0) for dim, k, s in zip((h, w), size, stride)]
    out_h = math.ceil(h / stride[0]) if padding == "same" else (h - size[0]) // stride[0] + 1
    out_w = math.ceil(w / stride[1]) if padding == "same" else (w - size[1]) // stride[1] + 1
    out = np.zeros((n, out_h, out_w, c))
    for p, q in itertools.product(range(out_h), range(out_w)):
        top, left = p * stride[0] - pads[0][0], q * stride[1] - pads[1][0]
        window = x[:, max(top, 0):top + size[0], max(left, 0):left + size[1]]
        out[:, p, q] = reduce(window, axis=(1, 2))
    return out


@pytest.mark.parametrize("cls, reduce", [(layers.MaxPooling2D, np.max), (layers.AveragePooling2D, np.mean)])
@pytest.mark.parametrize("kwargs", [dict(), dict(pool_size=3, strides=2, padding="same"),
                                    dict(pool_size=(2, 3), strides=(1, 2), padding="same"), dict(pool_size=3)])
def test_pooling_2d_against_a_window_reference(cls, reduce, kwargs):
    layer = cls(**kwargs)
    x = rng.normal(size=(2, 7, 8, 3))
    expected = reference_pool(x, layer.pool_size, layer.strides, layer.padding, reduce)
    np.testing.assert_allclose(layer(x.astype(np.float32)).detach().numpy(), expected, rtol=1e-6, atol=1e-6)
    layer.dtype = "float64"
    assert gradcheck(lambda t: layer(t), (netgrad.tensor(x, requires_grad=True),))
    assert layer.compute_output_shape((None, 7, 8, 3)) == (None,) + expected.shape[1:]


def test_pooling_1d_and_global_pooling():
    x = rng.normal(size=(2, 9, 3))
    close = dict(rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(layers.MaxPooling1D(3)(x).detach().numpy(), x.reshape(2, 3, 3, 3).max(axis=2), **close)
    np.testing.assert_allclose(layers.AveragePooling1D(3)(x).detach().numpy(), x.reshape(2, 3, 3, 3).mean(axis=2),
                               **close)
    images = rng.normal(size=(2, 5, 4, 3))
    np.testing.assert_allclose(layers.GlobalAveragePooling2D()(images).detach().numpy(), images.mean(axis=(1, 2)),
                               **close)
    np.testing.assert_allclose(layers.GlobalMaxPooling2D()(images).detach().numpy(), images.max(axis=(1, 2)), **close)
    kept = layers.GlobalAveragePooling2D(keepdims=True)(images)
    assert kept.shape == (2, 1, 1, 3)
    np.testing.assert_allclose(layers.GlobalMaxPooling1D()(x).detach().numpy(), x.max(axis=1), **close)
    np.testing.assert_allclose(layers.GlobalAveragePooling2D(data_format="channels_first")(images).detach().numpy(),
                               images.mean(axis=(2, 3)), **close)
    layer = layers.GlobalMaxPooling2D()
    layer.dtype = "float64"
    assert gradcheck(lambda t: layer(t), (netgrad.tensor(images, requires_grad=True),))


def test_channels_first_matches_channels_last():
    last = built(layers.Conv2D(4, 3, strides=2, padding="same"), (2, 7, 6, 3))
    first = layers.Conv2D(4, 3, strides=2, padding="same", data_format="channels_first", dtype="float64")
    first(np.zeros((2, 3, 7, 6)))
    first.set_weights(last.get_weights())
    x = rng.normal(size=(2, 7, 6, 3))
    np.testing.assert_allclose(first(x.transpose(0, 3, 1, 2)).detach().numpy().transpose(0, 2, 3, 1),
                               last(x).detach().numpy(), rtol=1e-12)


def test_batch_normalization_over_the_channel_axis_of_images():
    layer = layers.BatchNormalization(dtype="float64")
    x = rng.normal(2, 3, size=(4, 3, 5, 6))
    out = layer(x, training=True).detach().numpy()
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-10)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.01 * mean, rtol=1e-10)


def lenet_like():
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
                             layers.MaxPooling2D(), layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(),
                             layers.BatchNormalization(), layers.GlobalAveragePooling2D(),
                             layers.Dense(10, activation="softmax")])


def test_summary_shapes_and_parameter_counts():
    model = lenet_like()
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    # Keras's counts: (3*3*1 + 1)*32 = 320, (3*3*32 + 1)*64 = 18 496, 4*64 = 256 (128 trainable), 64*10 + 10
    for shape, params in (("(None, 26, 26, 32)", "320"), ("(None, 13, 13, 32)", "0"), ("(None, 11, 11, 64)", "18,496"),
                          ("(None, 5, 5, 64)", "0"), ("(None, 64)", "0"), ("(None, 10)", "650")):
        assert any(shape in line and line.rstrip("│ ").endswith(params) for line in text.splitlines()), shape
    assert "Total params: 19,722" in text
    assert model.count_params() == 320 + 18_496 + 256 + 650


def test_save_and_load_round_trip(tmp_path):
    model = lenet_like()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    X = rng.random((16, 28, 28, 1)).astype(np.float32)
    model.fit(X, rng.integers(0, 10, 16), epochs=1, batch_size=8, verbose=0)
    path = tmp_path / "cnn.keras"
    model.save(path)
    loaded = keras.load_model(path)
    assert [type(a).__name__ for a in loaded.layers] == [type(b).__name__ for b in model.layers]
    assert loaded.layers[0].get_config() == model.layers[0].get_config()
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


@pytest.mark.parametrize("make, message", [
    (lambda: layers.Conv2D(0, 3), "filters"),
    (lambda: layers.Conv2D(6, 3, groups=4), "divisible by the number of groups"),
    (lambda: layers.Conv2D(4, 3, padding="full"), "padding"),
    (lambda: layers.Conv2D(4, 3, padding="causal"), "padding"),
    (lambda: layers.Conv2D(4, (3, 3, 3)), "kernel_size"),
    (lambda: layers.Conv2D(4, 3, strides=2, dilation_rate=2), "dilation_rate > 1"),
    (lambda: layers.Conv1D(4, 3, data_format="nhwc"), "data_format"),
    (lambda: layers.MaxPooling2D(0), "pool_size"),
    (lambda: layers.AveragePooling2D(2, padding="causal"), "padding"),
])
def test_bad_arguments_raise_value_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_shape_errors_name_the_layer():
    conv = layers.Conv2D(4, 3, name="first")
    conv(np.zeros((1, 8, 8, 3), np.float32))
    with pytest.raises(ValueError, match=r"'first'.*expected axis -1 of input shape to have value 3"):
        conv(np.zeros((1, 8, 8, 5), np.float32))
    with pytest.raises(ValueError, match=r"expected ndim=4, found ndim=2.*Reshape\(\(28, 28, 1\)\)"):
        layers.Conv2D(4, 3)(np.zeros((2, 784), np.float32))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        conv(np.zeros((1, 2, 8, 3), np.float32))
    with pytest.raises(ValueError, match="smaller than the pool size"):
        layers.MaxPooling2D(3)(np.zeros((1, 2, 2, 1), np.float32))


def test_conv2d_matches_torch_with_same_padding():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    layer = built(layers.Conv2D(5, (3, 4), strides=2, padding="same"), (2, 9, 10, 3))
    x = rng.normal(size=(2, 9, 10, 3))
    x_ours = netgrad.tensor(x, requires_grad=True)
    out = layer(x_ours)
    x_t = torch.tensor(x, requires_grad=True)
    (top, bottom), (left, right) = same_padding(9, 3, 2), same_padding(10, 4, 2)
    kernel_t = torch.tensor(layer.kernel.detach().detach().numpy().transpose(3, 2, 0, 1), requires_grad=True)
    bias_t = torch.tensor(layer.bias.detach().detach().numpy(), requires_grad=True)
    out_t = torch.nn.functional.conv2d(torch.nn.functional.pad(x_t.permute(0, 3, 1, 2), (left, right, top, bottom)),
                                       kernel_t, bias_t, stride=2).permute(0, 2, 3, 1)
    np.testing.assert_allclose(out.detach().detach().numpy(), out_t.detach().detach().numpy(), rtol=1e-10, atol=1e-10)
    upstream = rng.normal(size=out.shape)
    out.backward(netgrad.tensor(upstream))
    out_t.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x_ours.grad.numpy(), x_t.grad.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(layer.kernel.grad.numpy(), kernel_t.grad.numpy().transpose(2, 3, 1, 0), rtol=1e-10)
    np.testing.assert_allclose(layer.bias.grad.numpy(), bias_t.grad.numpy(), rtol=1e-10)
