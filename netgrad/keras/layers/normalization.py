"""Keras's normalisation layers: ``BatchNormalization``."""
from __future__ import annotations

from typing import Any

from ...engine import Tensor
from ...engine.kernels.normalization import BatchNorm
from .. import initializers, regularizers
from .layer import Layer

__all__ = ["BatchNormalization"]


# ------------------------------------------------------------------------------------------- normalisation


class BatchNormalization(Layer):
    """Normalises each feature with the batch's statistics in training and moving averages in inference.

    ``y = gamma (x - mean) / sqrt(var + epsilon) + beta``. In training the batch mean and (biased) variance
    are used and the moving statistics updated with Keras's convention,
    ``moving = momentum * moving + (1 - momentum) * batch`` (momentum 0.99: slow; note that PyTorch's
    ``BatchNorm1d(momentum=0.1)`` weights the *batch* by its momentum, so it corresponds to Keras's 0.9).
    A frozen layer (``trainable=False``) always uses the moving statistics, as in Keras. The node is the
    engine's one batch-norm kernel (``nn.BatchNorm1d``'s too), with the features axis and Keras's momentum
    convention as its arguments.

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
        use_batch = bool(training) and self.trainable
        return BatchNorm.apply(inputs, self.gamma, self.beta, self.moving_mean._data, self.moving_variance._data,
                               use_batch, self.momentum, self.epsilon, axis, "keras")

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
