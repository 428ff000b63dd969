"""Keras's normalisation layers: ``BatchNormalization``."""
from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd import Function
from ...tensor import Tensor
from .. import initializers, regularizers
from .layer import Layer

__all__ = ["BatchNormalization"]


# ------------------------------------------------------------------------------------------- normalisation


class _BatchNormalization(Function):
    """Keras's batch normalisation over ``axes`` (every axis but the features'), one graph node.

    Training, with mu and var the mean and *biased* variance of the batch over ``axes`` (m values each):
        x_hat = (x - mu) / sqrt(var + eps),   y = gamma x_hat + beta,
        moving_mean <- momentum moving_mean + (1 - momentum) mu      (in place; var likewise),
        dx = gamma / (m sqrt(var + eps)) (m g - sum g - x_hat sum(g x_hat)),  dgamma = sum g x_hat,  dbeta = sum g.
    Inference uses the moving statistics as constants:  dx = g gamma / sqrt(moving_var + eps).
    """

    @staticmethod
    def forward(ctx, x, gamma, beta, moving_mean, moving_variance, axes, shape, training, momentum, epsilon):
        if training:
            mean = x.mean(axis=axes)
            centered = x - mean.reshape(shape)
            variance = np.mean(centered * centered, axis=axes)
            moving_mean *= momentum
            moving_mean += (1.0 - momentum) * mean
            moving_variance *= momentum
            moving_variance += (1.0 - momentum) * variance
        else:
            centered = x - moving_mean.reshape(shape)
            variance = moving_variance
        inv_std = (1.0 / np.sqrt(variance + epsilon)).astype(x.dtype, copy=False)
        x_hat = centered
        x_hat *= inv_std.reshape(shape)
        ctx.x_hat, ctx.inv_std, ctx.gamma, ctx.training = x_hat, inv_std, gamma, training
        ctx.axes, ctx.shape, ctx.count = axes, shape, x.size // inv_std.size
        out = x_hat * gamma.reshape(shape) if gamma is not None else x_hat.copy()
        if beta is not None:
            out += beta.reshape(shape)
        return out

    @staticmethod
    def backward(ctx, g):
        x_hat, inv_std, gamma, axes, shape = ctx.x_hat, ctx.inv_std, ctx.gamma, ctx.axes, ctx.shape
        need_x, need_gamma, need_beta = ctx.inputs[:3]
        sum_g = g.sum(axis=axes)
        sum_g_xhat = (g * x_hat).sum(axis=axes)
        grad_x = None
        if need_x is not None:
            scale = inv_std if gamma is None else gamma * inv_std
            if ctx.training:
                m = ctx.count
                grad_x = g * m
                grad_x -= sum_g.reshape(shape)
                grad_x -= x_hat * sum_g_xhat.reshape(shape)
                grad_x *= (scale / m).reshape(shape)
            else:
                grad_x = g * scale.reshape(shape)
        return (grad_x, sum_g_xhat if need_gamma is not None else None, sum_g if need_beta is not None else None,
                None, None, None, None, None, None, None)


class BatchNormalization(Layer):
    """Normalises each feature with the batch's statistics in training and moving averages in inference.

    ``y = gamma (x - mean) / sqrt(var + epsilon) + beta``. In training the batch mean and (biased) variance
    are used and the moving statistics updated with Keras's convention,
    ``moving = momentum * moving + (1 - momentum) * batch`` (momentum 0.99: slow; note that PyTorch's
    ``BatchNorm1d(momentum=0.1)`` weights the *batch* by its momentum, so it corresponds to Keras's 0.9).
    A frozen layer (``trainable=False``) always uses the moving statistics, as in Keras.

    Args:
        axis: The features axis (default -1, the last).
        momentum: The moving averages' decay (default 0.99).
        epsilon: Added to the variance (default 1e-3).
        center, scale: Whether to learn the offset beta / the scale gamma.
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 moving_mean_initializer: Any = "zeros", moving_variance_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNormalization: momentum must be in [0, 1], got {momentum}")
        if not epsilon > 0:
            raise ValueError(f"BatchNormalization: epsilon must be positive, got {epsilon}")
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.gamma = self.beta = None

    def build(self, input_shape: tuple) -> None:
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim or ndim < 2:
            raise ValueError(f"BatchNormalization {self.name!r}: axis {self.axis} is out of bounds for input shape "
                             f"{tuple(input_shape)}")
        size = input_shape[self.axis]
        if size is None:
            raise ValueError(f"BatchNormalization {self.name!r}: the features axis needs a known size, got shape "
                             f"{tuple(input_shape)}")
        if self.scale:
            self.gamma = self.add_weight((size,), self.gamma_initializer, regularizer=self.gamma_regularizer,
                                         name="gamma")
        if self.center:
            self.beta = self.add_weight((size,), self.beta_initializer, regularizer=self.beta_regularizer, name="beta")
        self.moving_mean = self.add_weight((size,), self.moving_mean_initializer, trainable=False, name="moving_mean")
        self.moving_variance = self.add_weight((size,), self.moving_variance_initializer, trainable=False,
                                               name="moving_variance")

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        ndim = inputs.ndim
        axis = self.axis % ndim
        size = self.moving_mean.shape[0]
        if inputs.shape[axis] != size:
            raise ValueError(f"Input 0 of layer {self.name!r} is incompatible with the layer: expected axis "
                             f"{self.axis} of input shape to have value {size}, but received input with shape "
                             f"{tuple(inputs.shape)}")
        axes = tuple(i for i in range(ndim) if i != axis)
        shape = tuple(size if i == axis else 1 for i in range(ndim))
        use_batch = bool(training) and self.trainable
        return _BatchNormalization.apply(inputs, self.gamma, self.beta, self.moving_mean._data,
                                         self.moving_variance._data, axes, shape, use_batch, self.momentum,
                                         self.epsilon)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        def reg(r: Any) -> Any:
            return None if r is None else regularizers.serialize(r)

        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
                "beta_regularizer": reg(self.beta_regularizer), "gamma_regularizer": reg(self.gamma_regularizer)}
