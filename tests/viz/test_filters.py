"""Filters and feature maps of convolutional networks, in both faces."""
import numpy as np
import pytest

import netgrad
import netgrad.nn as nn
import netgrad.nn.functional as F
from netgrad import keras, viz
from netgrad.keras import layers


def test_filter_images_scale_weights_around_grey():
    conv = nn.Conv2d(1, 4, 3)
    weight = conv.weight.detach().numpy()[:, 0]
    images = viz.filter_images(conv)
    assert images.shape == (4, 3, 3)
    # 0.5 is a zero weight, 0 and 1 the layer's largest |weight|
    np.testing.assert_allclose(images, 0.5 + weight / (2 * np.abs(weight).max()), rtol=1e-6, atol=1e-7)
    assert images.min() >= 0 and images.max() <= 1
    rgb = viz.filter_images(nn.Conv2d(3, 2, 5))
    assert rgb.shape == (2, 5, 5, 3)
    model = nn.Sequential(nn.Flatten(), nn.Sequential(nn.Conv2d(2, 6, 3)))
    assert viz.filter_images(model).shape == (6, 3, 3)  # the first convolution, averaged over its 2 channels


def test_filter_images_of_a_keras_conv_use_its_kernel_layout():
    layer = layers.Conv2D(5, (3, 2))
    layer(np.zeros((1, 8, 8, 1), np.float32))
    kernel = layer.kernel.detach().numpy()  # (kH, kW, C, O)
    images = viz.filter_images(layer)
    assert images.shape == (5, 3, 2)
    np.testing.assert_allclose(images[2], 0.5 + kernel[:, :, 0, 2] / (2 * np.abs(kernel).max()), rtol=1e-6, atol=1e-7)


def test_feature_maps_of_an_nn_model_follow_the_layers():
    netgrad.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout2d(0.5), nn.Flatten(),
                          nn.Linear(36, 3))
    image = np.random.default_rng(0).random((8, 8)).astype(np.float32)
    maps = viz.feature_maps(model, image)
    assert [name for name, _ in maps] == ["0: Conv2d", "1: ReLU", "2: MaxPool2d", "3: Dropout2d"]
    conv = F.conv2d(netgrad.tensor(image[None, None]), model[0].weight, model[0].bias).detach().numpy()[0]
    np.testing.assert_allclose(maps[0][1], conv, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(maps[2][1], conv.clip(0).reshape(4, 3, 2, 3, 2).max(axis=(2, 4)), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(maps[3][1], maps[2][1])  # evaluation mode: no dropout
    assert model.training  # and the model is back in training mode
    assert [name for name, _ in viz.feature_maps(model, image, layers=[2])] == ["2: MaxPool2d"]


def test_feature_maps_of_a_keras_model_are_channels_first():
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(3, 3), layers.MaxPooling2D(),
                              layers.Flatten(), layers.Dense(2)])
    image = np.random.default_rng(1).random((8, 8, 1)).astype(np.float32)
    maps = viz.feature_maps(model, image)
    assert [m.shape for _, m in maps] == [(3, 6, 6), (3, 3, 3)]
    np.testing.assert_allclose(maps[0][1], model.layers[0](image[None]).detach().numpy()[0].transpose(2, 0, 1),
                               rtol=1e-6, atol=1e-7)


def test_plots_draw_one_panel_per_filter_and_map(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model = nn.Sequential(nn.Conv2d(1, 6, 3), nn.ReLU(), nn.MaxPool2d(2))
    fig = viz.plot_filters(model, tmp_path / "filters.png", columns=4)
    assert (tmp_path / "filters.png").exists()
    assert sum(1 for ax in fig.axes if ax.images) == 6
    fig = viz.plot_feature_maps(model, np.random.default_rng(2).random((10, 10)), tmp_path / "maps.png", max_maps=4)
    assert (tmp_path / "maps.png").exists()
    assert sum(1 for ax in fig.axes if ax.images) == 3 * (1 + 4)
    plt.close("all")
    with pytest.raises(ValueError, match="no 2-D convolution"):
        viz.filter_images(nn.Sequential(nn.Linear(2, 2)))
