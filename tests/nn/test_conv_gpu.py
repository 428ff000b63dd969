"""The convolution and pooling kernels on CuPy arrays give what they give on NumPy arrays (skipped without a
GPU). The kernels take their array module from their inputs; this calls their forward and backward directly,
so it checks them whatever the rest of the engine does with devices."""
import numpy as np
import pytest

from netgrad.engine.kernels.conv import Convolution, ConvolutionReLU
from netgrad.engine.kernels.pooling import AdaptiveAvgPool, AvgPool, MaxPool

cupy = pytest.importorskip("cupy")
try:
    if cupy.cuda.runtime.getDeviceCount() < 1:
        pytest.skip("no CUDA device", allow_module_level=True)
except cupy.cuda.runtime.CUDARuntimeError:
    pytest.skip("no CUDA device", allow_module_level=True)

rng = np.random.default_rng(0)


def run(function, arrays, options, upstream_seed=1):
    """forward then backward of ``function`` on raw arrays; every array input needs its gradient."""
    node = function.__new__(function)
    node.inputs = tuple(True if a is not None else None for a in arrays) + (None,) * len(options)
    out = function.forward(node, *arrays, *options)
    upstream = np.random.default_rng(upstream_seed).normal(size=out.shape)
    xp = cupy if isinstance(out, cupy.ndarray) else np
    grads = function.backward(node, xp.asarray(upstream, dtype=out.dtype))
    grads = grads if isinstance(grads, tuple) else (grads,)
    return [out] + [g for g in grads[:len(arrays)] if g is not None]


CASES = [
    (Convolution, ((2, 4, 9, 8), (6, 2, 3, 2), (6,)), ((2, 1), ((1, 2), (0, 1)), (1, 2), 2)),
    (ConvolutionReLU, ((2, 3, 7, 7), (4, 3, 3, 3), (4,)), ((1, 1), ((1, 1), (1, 1)), (1, 1), 1)),
    (Convolution, ((2, 3, 10), (4, 3, 3), None), ((2,), ((1, 1),), (1,), 1)),
    (MaxPool, ((2, 3, 9, 10),), ((3, 3), (2, 2), ((1, 1), (1, 1)), (1, 1), True)),
    (MaxPool, ((2, 3, 8, 8),), ((2, 2), (2, 2), ((0, 0), (0, 0)), (1, 1), False)),
    (AvgPool, ((2, 3, 9, 10),), ((3, 2), (2, 2), ((1, 1), (0, 0)), True, False, None)),
    (AdaptiveAvgPool, ((2, 3, 7, 5),), ((3, 2),)),
]


@pytest.mark.parametrize("function, shapes, options", CASES)
def test_kernels_agree_on_numpy_and_cupy(function, shapes, options):
    arrays = [None if s is None else rng.normal(size=s) for s in shapes]
    on_cpu = run(function, arrays, options)
    on_gpu = run(function, [None if a is None else cupy.asarray(a) for a in arrays], options)
    for cpu, gpu in zip(on_cpu, on_gpu):
        assert isinstance(gpu, cupy.ndarray)
        np.testing.assert_allclose(cupy.asnumpy(gpu), cpu, rtol=1e-10, atol=1e-10)
