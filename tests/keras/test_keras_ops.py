"""keras.ops: values against NumPy, gradients against central differences, Keras's dtypes and defaults."""
from __future__ import annotations

import numpy as np
import pytest

import netgrad
from netgrad import gradcheck
from netgrad.keras import ops

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4))
B = rng.standard_normal((4, 2))


def value(t):
    return t.detach().numpy()


@pytest.mark.parametrize("op, reference", [
    (lambda a: ops.sum(a, axis=0), lambda a: a.sum(axis=0)),
    (lambda a: ops.mean(a, axis=[0, 1], keepdims=True), lambda a: a.mean(axis=(0, 1), keepdims=True)),
    (lambda a: ops.var(a, axis=-1), lambda a: a.var(axis=-1)),
    (lambda a: ops.std(a), lambda a: a.std()),
    (lambda a: ops.max(a, axis=1), lambda a: a.max(axis=1)),
    (lambda a: ops.min(a), lambda a: a.min()),
    (lambda a: ops.square(a) + ops.abs(a), lambda a: a ** 2 + np.abs(a)),
    (lambda a: ops.exp(ops.clip(a, -1.0, 1.0)), lambda a: np.exp(np.clip(a, -1, 1))),
    (lambda a: ops.log1p(ops.square(a)), lambda a: np.log1p(a ** 2)),
    (lambda a: ops.matmul(a, B), lambda a: a @ B),
    (lambda a: ops.dot(a, B), lambda a: np.dot(a, B)),
    (lambda a: ops.transpose(a), lambda a: a.T),
    (lambda a: ops.reshape(a, (-1, 2)), lambda a: a.reshape(-1, 2)),
    (lambda a: ops.expand_dims(a, 1), lambda a: a[:, None]),
    (lambda a: ops.concatenate([a, a], axis=1), lambda a: np.concatenate([a, a], axis=1)),
    (lambda a: ops.stack([a, a], axis=0), lambda a: np.stack([a, a])),
    (lambda a: ops.tile(a, (2, 1)), lambda a: np.tile(a, (2, 1))),
    (lambda a: ops.repeat(a, 2, axis=1), lambda a: np.repeat(a, 2, axis=1)),
    (lambda a: ops.take(a, [2, 0], axis=1), lambda a: np.take(a, [2, 0], axis=1)),
    (lambda a: ops.where(A > 0, a, 0.0), lambda a: np.where(A > 0, a, 0.0)),
    (lambda a: ops.maximum(a, 0.0) - ops.minimum(a, 0.5), lambda a: np.maximum(a, 0) - np.minimum(a, 0.5)),
    (lambda a: ops.divide(ops.subtract(a, 1.0), ops.add(ops.multiply(a, a), 2.0)), lambda a: (a - 1) / (a * a + 2)),
    (lambda a: ops.power(ops.square(a), 1.5), lambda a: np.abs(a) ** 3),
    (lambda a: ops.softmax(a), lambda a: np.exp(a) / np.exp(a).sum(-1, keepdims=True)),
    (lambda a: ops.log_softmax(a, axis=0), lambda a: a - np.log(np.exp(a).sum(0, keepdims=True))),
    (lambda a: ops.logsumexp(a, axis=1), lambda a: np.log(np.exp(a).sum(1))),
    (lambda a: ops.relu(a), lambda a: np.maximum(a, 0)),
    (lambda a: ops.sigmoid(a), lambda a: 1 / (1 + np.exp(-a))),
    (lambda a: ops.tanh(a) + ops.sin(a) * ops.cos(a), lambda a: np.tanh(a) + np.sin(a) * np.cos(a)),
    (lambda a: ops.softplus(a), lambda a: np.log1p(np.exp(a))),
    (lambda a: ops.binary_crossentropy(A > 0, a, from_logits=True),
     lambda a: np.maximum(a, 0) - a * (A > 0) + np.log1p(np.exp(-np.abs(a)))),
])
def test_op_values_and_gradients(op, reference):
    a = netgrad.tensor(A, requires_grad=True)
    np.testing.assert_allclose(value(op(a)), reference(A), rtol=1e-6, atol=1e-9)
    assert gradcheck(op, (netgrad.tensor(A, requires_grad=True),))


def test_creation_and_dtypes_follow_keras():
    assert str(ops.zeros((2, 3)).dtype) == "netgrad.float32" and ops.ones((2,)).shape == (2,)
    assert ops.convert_to_tensor([1, 2]).numpy().dtype == np.int32  # Python ints: int32
    assert ops.convert_to_tensor(1.5).numpy().dtype == np.float32  # Python floats: float32
    assert ops.convert_to_tensor(np.zeros(2)).numpy().dtype == np.float64  # arrays keep their dtype
    assert ops.arange(3).numpy().dtype == np.int32 and ops.arange(0.0, 1.0, 0.5).numpy().dtype == np.float32
    np.testing.assert_array_equal(ops.eye(2, 3).numpy(), np.eye(2, 3))
    np.testing.assert_array_equal(ops.full((2,), 7.0).numpy(), [7, 7])
    np.testing.assert_array_equal(ops.one_hot(np.array([0, 2, 5]), 3).numpy(), [[1, 0, 0], [0, 0, 1], [0, 0, 0]])
    np.testing.assert_array_equal(ops.argmax(A, axis=1).numpy(), A.argmax(axis=1))
    assert ops.cast(A, "int32").numpy().dtype == np.int32 and ops.shape(A) == (3, 4)
    equal = ops.cast(ops.equal(ops.cast(A > 0, "int32"), 1), "float32")
    np.testing.assert_array_equal(equal.numpy(), (A > 0).astype(np.float32))
    assert ops.stop_gradient(netgrad.tensor(A, requires_grad=True)).requires_grad is False
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.logical_and(A > 0, A < 1)), (A > 0) & (A < 1))


def test_cast_between_floats_keeps_the_gradient():
    a = netgrad.tensor(A, requires_grad=True)
    ops.sum(ops.cast(a, "float32") * 2.0).backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.full_like(A, 2.0))
