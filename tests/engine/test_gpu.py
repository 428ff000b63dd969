"""The engine on a real GPU (CuPy): the op table, a training run, seeding, devices mixed and moved. Marked
``gpu``: skipped without CuPy or a CUDA device; ``make test-gpu`` runs them."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import netgrad
from netgrad import nn, optim

pytestmark = pytest.mark.gpu
if not netgrad.cuda.is_available():
    pytest.skip("no CUDA GPU (or no CuPy)", allow_module_level=True)
cupy = pytest.importorskip("cupy")

_spec = importlib.util.spec_from_file_location("_op_table", Path(__file__).with_name("test_ops_gradcheck.py"))
_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_table)
CASES = _table.CASES
MAKES_CPU_TENSORS = {"reshape", "unsqueeze"}


def _run(name, where):
    fn, make = CASES[name]
    inputs = [t.detach().to(where).requires_grad_() for t in make()]
    out = fn(*inputs)
    out.sum().backward()
    return [out.detach().cpu().numpy()] + [t.grad.cpu().numpy() for t in inputs]


@pytest.mark.parametrize("name", sorted(set(CASES) - MAKES_CPU_TENSORS))
def test_op_table_on_cuda_matches_the_cpu(name):
    for ours, reference in zip(_run(name, "cuda"), _run(name, "cpu")):
        np.testing.assert_allclose(ours, reference, rtol=1e-9, atol=1e-12)


def test_vocabulary_on_cuda():
    x = netgrad.randn(3, device="cuda")
    assert isinstance(x._data, cupy.ndarray) and x.device == netgrad.device("cuda", 0) and x.is_cuda
    assert netgrad.accelerator.current_accelerator() == "cuda" and netgrad.cuda.device_count() >= 1
    with pytest.raises(TypeError, match=r"can't convert cuda:0 device type tensor to numpy"):
        x.numpy()
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        x + netgrad.ones(3)
    assert x.cpu().device == "cpu" and netgrad.zeros_like(x).device == "cuda:0"
    netgrad.cuda.synchronize()


def test_seeded_gpu_runs_repeat():
    def draw():
        netgrad.manual_seed(7)
        return nn.functional.dropout(netgrad.ones(1000, device="cuda"), 0.5).cpu().numpy()

    np.testing.assert_array_equal(draw(), draw())


def test_training_on_cuda_matches_the_cpu():
    def train(where):
        netgrad.manual_seed(0)
        model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.BatchNorm1d(64), nn.Linear(64, 5)).to(where)
        opt = optim.Adam(model.parameters(), lr=1e-2)
        rng = np.random.default_rng(0)
        x = netgrad.tensor(rng.normal(size=(128, 20)).astype(np.float32), device=where)
        y = netgrad.tensor(rng.integers(0, 5, 128), device=where)
        for _ in range(20):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        return loss.item(), [p.detach().cpu().numpy() for p in model.parameters()]

    gpu, cpu = train("cuda"), train("cpu")
    assert gpu[0] == pytest.approx(cpu[0], rel=1e-4)
    for a, b in zip(gpu[1], cpu[1]):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)


def test_save_on_gpu_load_with_map_location(tmp_path):
    model = nn.Linear(4, 3).cuda()
    netgrad.save(model.state_dict(), tmp_path / "m.safetensors")
    loaded = netgrad.load(tmp_path / "m.safetensors", as_tensors=True, map_location="cuda:0")
    assert all(v.device == "cuda:0" for v in loaded.values())
    cpu = netgrad.load(tmp_path / "m.safetensors", as_tensors=True)
    np.testing.assert_array_equal(cpu["weight"].numpy(), model.weight.detach().cpu().numpy())


_spec_new = importlib.util.spec_from_file_location("_new_op_table",
                                                   Path(__file__).with_name("test_shape_select_ops.py"))
_new_table = importlib.util.module_from_spec(_spec_new)
_spec_new.loader.exec_module(_new_table)


@pytest.mark.parametrize("name", sorted(_new_table.CASES))
def test_shape_and_selection_ops_on_cuda_match_the_cpu(name):
    """gather / scatter / sort / einsum / ... on CuPy arrays: index arrays moved, the array module of the inputs."""
    results = []
    for where in ("cuda", "cpu"):
        fn, make = _new_table.CASES[name]
        inputs = [t.detach().to(where).requires_grad_() for t in make()]
        out = fn(*inputs)
        out.sum().backward()
        results.append([out.detach().cpu().numpy()] + [t.grad.cpu().numpy() for t in inputs])
    for ours, reference in zip(*results):
        np.testing.assert_allclose(ours, reference, rtol=1e-9, atol=1e-12)
