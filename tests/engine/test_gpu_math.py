"""Pointwise maths, sampling and linear algebra on a real GPU (CuPy) against the CPU. Marked ``gpu``: skipped
without CuPy or a CUDA device; ``make test-gpu`` runs them."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import netgrad

pytestmark = pytest.mark.gpu
if not netgrad.cuda.is_available():
    pytest.skip("no CUDA GPU (or no CuPy)", allow_module_level=True)
cupy = pytest.importorskip("cupy")

_spec = importlib.util.spec_from_file_location("_math_table", Path(__file__).with_name("test_math_gradcheck.py"))
_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_table)


@pytest.mark.parametrize("name", sorted(_table.CASES))
def test_math_table_on_cuda_matches_the_cpu(name):
    for ours, reference in zip(_table._run(name, "cuda"), _table._run(name, "cpu")):
        np.testing.assert_allclose(ours, reference, rtol=1e-8, atol=1e-10)


def test_draws_are_made_for_the_gpu():
    x, p = netgrad.zeros(4, 3, device="cuda"), netgrad.rand(4, 3, device="cuda")
    for out in (x.exponential_(), x.geometric_(0.5), x.random_(5), x.bernoulli_(0.5), netgrad.bernoulli(p),
                netgrad.multinomial(p + 0.1, 2), netgrad.poisson(p)):
        assert isinstance(out._data, cupy.ndarray)
