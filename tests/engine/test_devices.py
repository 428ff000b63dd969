"""Devices without a GPU: PyTorch's vocabulary, and the 'standin' device, whose arrays refuse to meet NumPy arrays
(as CuPy's do), running the op table, layers, losses, optimizers and a training run. Every result is compared
with the same computation on the CPU (the stand-in computes with NumPy, so they agree to the last bit)."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import netgrad
from netgrad import nn, optim
from netgrad.engine.backend import StandinArray

_spec = importlib.util.spec_from_file_location("_op_table", Path(__file__).with_name("test_ops_gradcheck.py"))
_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_table)
CASES = _table.CASES  # the gradcheck table: every op, checked there against central differences

HAS_CUPY = importlib.util.find_spec("cupy") is not None


def test_device_vocabulary_matches_torch():
    torch = pytest.importorskip("torch")
    for spec in ["cpu", "cuda", "cuda:1", "cpu:0"]:
        ours, theirs = netgrad.device(spec), torch.device(spec)
        assert (repr(ours), str(ours), ours.type, ours.index) == (repr(theirs), str(theirs), theirs.type, theirs.index)
    assert netgrad.device("cuda", 1) == "cuda:1" and netgrad.device("cuda") != "cuda:0"
    with pytest.raises(RuntimeError, match="device type at start of device string: gpu"):
        netgrad.device("gpu")


def test_factories_take_device_and_likes_keep_it():
    for make in [lambda: netgrad.zeros(2, 3, device="standin"), lambda: netgrad.ones(2, device="standin"),
                 lambda: netgrad.full((2,), 1.5, device="standin"), lambda: netgrad.randn(3, device="standin"),
                 lambda: netgrad.rand(3, device="standin"), lambda: netgrad.arange(4, device="standin"),
                 lambda: netgrad.eye(2, device="standin"), lambda: netgrad.linspace(0, 1, 3, device="standin"),
                 lambda: netgrad.randint(0, 3, (4,), device="standin"), lambda: netgrad.tensor([1.0], device="standin"),
                 lambda: netgrad.empty(2, device=netgrad.device("standin"))]:
        t = make()
        assert type(t._data) is StandinArray and t.device == "standin"
        assert netgrad.zeros_like(t).device == "standin" and netgrad.randn_like(t.float()).device == "standin"
    netgrad.manual_seed(3)
    a = netgrad.randn(4).numpy()
    netgrad.manual_seed(3)
    b = netgrad.randn(4, device="standin").cpu().numpy()
    np.testing.assert_array_equal(a, b)  # the same numbers on every device


def test_mixing_devices_raises_torchs_error():
    x = netgrad.ones(2, device="standin")
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device, but found at least two"):
        x + netgrad.ones(2)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        nn.Linear(2, 3)(x)
    assert (x + 1).device == "standin"  # Python numbers go anywhere


def test_numpy_refuses_a_device_tensor_with_torchs_message():
    x = netgrad.ones(2, device="standin")
    with pytest.raises(TypeError, match=r"can't convert standin device type tensor to numpy. Use Tensor.cpu\(\)"):
        x.numpy()
    np.testing.assert_array_equal(x.cpu().numpy(), [1.0, 1.0])
    assert x.tolist() == [1.0, 1.0] and x.sum().item() == 2.0


@pytest.mark.skipif(HAS_CUPY, reason="CuPy is installed")
def test_cuda_without_cupy_is_one_clear_line():
    assert not netgrad.cuda.is_available() and netgrad.cuda.device_count() == 0
    assert not netgrad.accelerator.is_available() and netgrad.accelerator.current_accelerator() is None
    with pytest.raises(RuntimeError, match=r"device 'cuda' needs CuPy, which is not installed: pip install"):
        netgrad.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="needs CuPy"):
        nn.Linear(2, 2).cuda()


def test_to_moves_and_is_differentiable():
    w = netgrad.tensor([1.0, 2.0], requires_grad=True)
    on = w.to("standin")
    assert on.device == "standin" and on.grad_fn is not None
    (on * on).sum().backward()
    assert w.grad.device == "cpu"
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 4.0])
    assert w.to("cpu") is w and w.to(netgrad.float64).dtype == netgrad.float64
    assert w.to("standin", netgrad.float64).dtype == netgrad.float64


def _run(name, where):
    fn, make = CASES[name]
    inputs = [t.detach().to(where).requires_grad_() for t in make()]
    out = fn(*inputs)
    out.sum().backward()
    return [out.detach().cpu().numpy()] + [t.grad.cpu().numpy() for t in inputs]


# cases whose function makes CPU tensors of its own (mixing devices, refused as it should be)
MAKES_CPU_TENSORS = {"reshape", "unsqueeze"}


@pytest.mark.parametrize("name", sorted(set(CASES) - MAKES_CPU_TENSORS))
def test_op_table_on_the_standin_device(name):
    for ours, reference in zip(_run(name, "standin"), _run(name, "cpu")):
        np.testing.assert_array_equal(ours, reference)


LAYERS = {
    "linear relu": lambda: nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3)),
    "sigmoid tanh": lambda: nn.Sequential(nn.Linear(4, 5), nn.Sigmoid(), nn.Linear(5, 5), nn.Tanh(), nn.Linear(5, 3)),
    "batch norm": lambda: nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.GELU(), nn.Linear(6, 3)),
    "layer norm dropout": lambda: nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6), nn.Dropout(0.3), nn.SiLU(),
                                                nn.Linear(6, 3)),
    "activations": lambda: nn.Sequential(nn.Linear(4, 6), nn.LeakyReLU(), nn.ELU(), nn.Softplus(), nn.Mish(),
                                         nn.PReLU(), nn.Linear(6, 3), nn.LogSoftmax(dim=1)),
}
LOSSES = {
    "cross_entropy": lambda out, y: nn.functional.cross_entropy(out, y),
    "cross_entropy weighted smoothed": lambda out, y: nn.CrossEntropyLoss(weight=netgrad.tensor([1.0, 2.0, 0.5]),
                                                                          label_smoothing=0.1)(out, y),
    "nll": lambda out, y: nn.functional.nll_loss(out.log_softmax(1), y),
    "mse": lambda out, y: nn.functional.mse_loss(out, nn.functional.one_hot(y, 3).float()),
    "bce with logits": lambda out, y: nn.functional.binary_cross_entropy_with_logits(
        out, nn.functional.one_hot(y, 3).float(), pos_weight=netgrad.tensor([1.0, 2.0, 3.0])),
    "huber l1": lambda out, y: nn.functional.huber_loss(out, out.detach() * 0.5) + nn.functional.l1_loss(out, out * 0),
}
OPTIMIZERS = {
    "sgd": lambda p: optim.SGD(p, lr=0.1), "sgd momentum": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda p: optim.Adam(p, lr=0.01), "adamw": lambda p: optim.AdamW(p, lr=0.01),
    "rmsprop": lambda p: optim.RMSprop(p, lr=0.01), "adagrad": lambda p: optim.Adagrad(p, lr=0.1),
}


def _train(where, layers, loss, optimizer, steps=4):
    netgrad.manual_seed(0)
    model = LAYERS[layers]().to(where)
    opt = OPTIMIZERS[optimizer](model.parameters())
    x = netgrad.randn(16, 4, device=where)
    y = netgrad.randint(0, 3, (16,), device=where)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        value = LOSSES[loss](model(x), y)
        value.backward()
        opt.step()
        losses.append(value.item())
    model.eval()
    with netgrad.no_grad():
        out = model(x)
    assert all(type(p._data) is type(x._data) for p in model.parameters())
    return losses, out.cpu().numpy(), [p.detach().cpu().numpy() for p in model.parameters()]


@pytest.mark.parametrize("layers", sorted(LAYERS))
@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_layers_and_losses_train_on_the_standin_device(layers, loss):
    ours, reference = _train("standin", layers, loss, "adam"), _train("cpu", layers, loss, "adam")
    assert ours[0] == reference[0]
    np.testing.assert_array_equal(ours[1], reference[1])


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_optimizers_on_the_standin_device(optimizer):
    ours, reference = _train("standin", "batch norm", "cross_entropy", optimizer), \
        _train("cpu", "batch norm", "cross_entropy", optimizer)
    for a, b in zip(ours[2], reference[2]):
        np.testing.assert_array_equal(a, b)


def test_a_training_run_on_the_standin_device_learns_xor():
    netgrad.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1)).to("standin")
    opt = optim.Adam(model.parameters(), lr=0.05)
    x = netgrad.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], device="standin")
    y = netgrad.tensor([[0.0], [1.0], [1.0], [0.0]], device="standin")
    for _ in range(300):
        opt.zero_grad()
        loss = nn.BCEWithLogitsLoss()(model(x), y)
        loss.backward()
        opt.step()
    assert loss.item() < 0.05
    model.cpu()
    assert model[0].weight.device == "cpu"
    np.testing.assert_array_equal((model(x.cpu()).detach().numpy() > 0).astype(float), y.cpu().numpy())


def test_state_dict_loads_across_devices():
    netgrad.manual_seed(0)
    cpu_model = nn.Linear(3, 2)
    moved = nn.Linear(3, 2).to("standin")
    moved.load_state_dict(cpu_model.state_dict())
    assert moved.weight.device == "standin"
    np.testing.assert_array_equal(moved.weight.cpu().detach().numpy(), cpu_model.weight.detach().numpy())


def test_save_from_a_device_and_load_with_map_location(tmp_path):
    netgrad.manual_seed(0)
    model = nn.Linear(3, 2).to("standin")
    path = tmp_path / "model.safetensors"
    netgrad.save(model.state_dict(), path)
    reference = nn.Linear(3, 2)
    reference.load_state_dict(netgrad.load(path, as_tensors=True))  # the file is the one a CPU model writes
    np.testing.assert_array_equal(reference.weight.detach().numpy(), model.weight.detach().cpu().numpy())
    loaded = netgrad.load(path, as_tensors=True, map_location="standin")
    assert {v.device.type for v in loaded.values()} == {"standin"}


def test_trainer_moves_the_model_and_batches_to_its_device():
    from netgrad.training import Trainer

    def fit(device):
        netgrad.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        trainer = Trainer(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), metrics=["accuracy"],
                          device=device)
        rng = np.random.default_rng(0)
        X, y = rng.normal(size=(32, 4)).astype(np.float32), rng.integers(0, 3, 32)
        history = trainer.fit((X, y), epochs=3, batch_size=8, verbose=0)
        return model, history.history, trainer.predict(X)

    model, logs, predictions = fit("standin")
    assert model[0].weight.device == "standin" and isinstance(predictions, np.ndarray)
    _, cpu_logs, cpu_predictions = fit(None)
    assert logs == cpu_logs
    np.testing.assert_array_equal(predictions, cpu_predictions)


def test_a_pytorch_style_loop_picks_its_device_with_accelerator():
    device = netgrad.accelerator.current_accelerator() if netgrad.accelerator.is_available() else "cpu"
    netgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1)).to(device)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = netgrad.randn(8, 2, device=device)
    first = None
    for _ in range(20):
        opt.zero_grad()
        loss = (model(x) - 1).square().mean()
        loss.backward()
        opt.step()
        first = loss.item() if first is None else first
    assert loss.item() < first and str(model[0].weight.device).startswith(str(device))


def test_convolutions_channel_dropout_penalties_and_clipping_on_the_standin_device():
    def train(where):
        netgrad.manual_seed(0)
        model = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.ReLU(), nn.Dropout2d(0.3), nn.MaxPool2d(2),
                              nn.AvgPool2d(2), nn.Flatten(), nn.Linear(12, 2)).to(where)
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        x, y = netgrad.randn(4, 2, 8, 8, device=where), netgrad.tensor([0, 1, 1, 0], device=where)
        losses = []
        for _ in range(3):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y) + nn.utils.l2_penalty(model, 1e-2) \
                + nn.utils.l1_penalty(model, 1e-3)
            loss.backward()
            norms = [nn.utils.clip_grad_norm_(model.parameters(), 0.5, norm_type).item() for norm_type in (2, 1, "inf")]
            opt.step()
            losses.append((loss.item(), norms))
        return losses, [p.detach().cpu().numpy() for p in model.parameters()]

    ours, reference = train("standin"), train("cpu")
    assert ours[0] == reference[0]
    for a, b in zip(ours[1], reference[1]):
        np.testing.assert_array_equal(a, b)
