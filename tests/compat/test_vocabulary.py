"""The PyTorch names beginner scripts touch, each compared with real PyTorch where it is installed."""
import numpy as np
import pytest

import netgrad

torch = pytest.importorskip("torch")
torch.set_num_threads(1)


def same(ours, theirs):
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


FACTORIES = [("zeros", (2, 3)), ("ones", (2,)), ("empty", (1, 2)), ("rand", (2, 2)), ("randn", (3,)),
             ("eye", (3,)), ("linspace", (0, 1, 5)), ("arange", (4,)), ("full", ((2,), 1.5)),
             ("randint", (0, 5, (3,))), ("randperm", (4,)), ("tensor", ([1.0, 2.0],))]


@pytest.mark.parametrize("name, args", FACTORIES)
def test_every_factory_takes_device_cpu_with_torchs_dtype(name, args):
    ours = getattr(netgrad, name)(*args, device="cpu")
    theirs = getattr(torch, name)(*args, device="cpu")
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert ours.shape == tuple(theirs.shape) and ours.device == netgrad.device("cpu")
    getattr(netgrad, name)(*args, device=netgrad.device("cpu"))
    if not netgrad.cuda.is_available():
        with pytest.raises(RuntimeError, match="device 'cuda' needs (CuPy|an NVIDIA GPU)"):
            getattr(netgrad, name)(*args, device="cuda")


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "rand_like", "randn_like", "empty_like"])
def test_like_factories_take_device(name):
    assert getattr(netgrad, name)(netgrad.ones(2, 3), device="cpu").shape == (2, 3)


def test_device_probes_of_a_cpu_machine():
    assert netgrad.cuda.is_available() is False and netgrad.cuda.device_count() == 0
    assert netgrad.backends.mps.is_available() is False and netgrad.accelerator.is_available() is False
    assert netgrad.accelerator.current_accelerator() is None
    netgrad.backends.cudnn.deterministic = True
    netgrad.set_default_device("cpu")
    assert netgrad.get_default_device() == "cpu"
    with pytest.raises(RuntimeError, match="device 'cuda' needs (CuPy|an NVIDIA GPU)"):
        netgrad.set_default_device("cuda")
    device = "cuda" if netgrad.cuda.is_available() else "mps" if netgrad.backends.mps.is_available() else "cpu"
    assert netgrad.ones(2).to(device).device == netgrad.device(device)


def test_size_format_and_tensor_methods_are_torchs():
    data = [[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]
    ours, theirs = netgrad.tensor(data), torch.tensor(data)
    assert isinstance(ours.size(), tuple) and ours.size() == tuple(theirs.size()) and ours.size(1) == 3
    assert ours.size().numel() == theirs.size().numel() == 6 and ours.shape.numel() == 6
    assert netgrad.Size([2, 3]) == torch.Size([2, 3])
    loss_ours, loss_theirs = ours.sum() / 7, theirs.sum() / 7
    for spec in (".3f", ">7f", "0.1f", "e", ""):
        assert format(loss_ours, spec) == format(loss_theirs, spec), spec
    with pytest.raises(TypeError):
        format(ours, ".3f")
    for name in ("sum", "mean", "amax", "argmax", "std", "prod", "logsumexp"):
        same(getattr(ours, name)(axis=1), getattr(theirs, name)(axis=1))
    same(ours.max(axis=0).values, theirs.max(axis=0).values)
    assert ours[0, 0].item() == theirs[0, 0].item()
    assert ours.tolist() == theirs.tolist()
    same(ours.view(3, 2), theirs.view(3, 2))
    same(ours.permute(1, 0).reshape(-1), theirs.permute(1, 0).reshape(-1))
    same(ours.detach().clone(), theirs.detach().clone())


def test_module_functions_take_torchs_keyword_names_and_out():
    a, b = np.arange(4.0, dtype=np.float32).reshape(2, 2), np.eye(2, dtype=np.float32) * 3
    A, B = netgrad.tensor(a), netgrad.tensor(b)
    TA, TB = torch.tensor(a), torch.tensor(b)
    same(netgrad.matmul(input=A, other=B), torch.matmul(input=TA, other=TB))
    same(netgrad.add(A, B, alpha=2), torch.add(TA, TB, alpha=2))
    same(netgrad.sub(input=A, other=B), torch.sub(input=TA, other=TB))
    same(netgrad.div(netgrad.tensor([5, -5]), 2, rounding_mode="floor"),
         torch.div(torch.tensor([5, -5]), 2, rounding_mode="floor"))
    out, tout = netgrad.zeros(2, 2), torch.zeros(2, 2)
    assert netgrad.mul(A, B, out=out) is out
    torch.mul(TA, TB, out=tout)
    same(out, tout)
    netgrad.matmul(A, B, out=out)
    torch.matmul(TA, TB, out=tout)
    same(out, tout)


def test_legacy_tensor_types_and_normal():
    for name in ("FloatTensor", "DoubleTensor", "LongTensor", "IntTensor"):
        same(getattr(netgrad, name)([1, 2]), getattr(torch, name)([1, 2]))
        assert getattr(netgrad, name)(2, 3).shape == tuple(getattr(torch, name)(2, 3).shape)
    samples = netgrad.normal(2.0, 3.0, size=(20000,), generator=netgrad.Generator().manual_seed(0))
    assert str(torch.normal(2.0, 3.0, size=(1,)).dtype) == "torch.float32" and samples.dtype == netgrad.float32
    assert abs(samples.mean().item() - 2) < 0.1
    assert abs(samples.std().item() - 3) < 0.1
    mean = netgrad.tensor([0.0, 100.0], dtype=netgrad.float64)
    drawn = netgrad.normal(mean, 0.001)
    assert str(torch.normal(torch.tensor([0.0, 1.0], dtype=torch.float64), 0.001).dtype) == "torch.float64"
    assert drawn.dtype == netgrad.float64
    np.testing.assert_allclose(drawn.numpy(), [0, 100], atol=0.01)
    with pytest.raises(RuntimeError, match="normal expects std >= 0.0"):
        netgrad.normal(0.0, -1.0, size=(2,))


def test_no_grad_as_context_decorator_and_bare_decorator():
    x = netgrad.ones(2, requires_grad=True)

    @netgrad.no_grad()
    def called(t):
        return t * 2

    @netgrad.no_grad
    def bare(t):
        return t * 2

    with netgrad.no_grad():
        assert not (x * 2).requires_grad
    assert not called(x).requires_grad and not bare(x).requires_grad and (x * 2).requires_grad


def test_save_and_load_of_a_state_dict_and_pickles_are_refused(tmp_path):
    model = netgrad.nn.Linear(3, 2)
    netgrad.save(model.state_dict(), tmp_path / "model.pth")
    other = netgrad.nn.Linear(3, 2)
    other.load_state_dict(netgrad.load(tmp_path / "model.pth", weights_only=True, map_location="cpu"))
    np.testing.assert_array_equal(other.weight.detach().numpy(), model.weight.detach().numpy())
    torch.save({"w": torch.ones(2)}, tmp_path / "torch.pth")
    with pytest.raises(ValueError, match="netgrad never loads pickles"):
        netgrad.load(tmp_path / "torch.pth")
