"""Module, Parameter and the containers: registration, traversal, modes, state dicts, dtype moves, reprs."""
import copy
from collections import OrderedDict

import numpy as np
import pytest

import netgrad
import netgrad.nn as nn
from netgrad.engine.kernels.linear import LinearReLU, LinearSigmoid, LinearTanh


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 3)
        self.output = nn.Linear(3, 1)
        self.register_buffer("calls", netgrad.zeros(1))
        self.scale = 2.0  # a plain attribute

    def forward(self, x, shift=0.0):
        self.calls._data += 1
        return self.output(self.hidden(x).relu()) * self.scale + shift


# ---------------------------------------------------------------------------------------------- Parameter


def test_parameter_wraps_the_tensors_array_without_copying():
    data = netgrad.ones(2, 3)
    p = nn.Parameter(data)
    assert p.requires_grad and p.is_leaf and isinstance(p, netgrad.Tensor)
    assert p._data is data._data
    assert repr(nn.Parameter(netgrad.ones(2))) == "Parameter containing:\ntensor([1., 1.], requires_grad=True)"
    assert not nn.Parameter(netgrad.ones(2), requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    assert type(p * 2) is netgrad.Tensor  # results of operations are plain tensors
    with pytest.raises(RuntimeError, match="floating-point"):
        nn.Parameter(netgrad.tensor([1, 2]))


# ------------------------------------------------------------------------------------------- registration


def test_attributes_register_parameters_modules_and_buffers():
    model = TwoLayer()
    assert [name for name, _ in model.named_parameters()] == ["hidden.weight", "hidden.bias", "output.weight",
                                                              "output.bias"]
    assert sum(p.numel() for p in model.parameters()) == 13
    assert [name for name, _ in model.named_buffers()] == ["calls"]
    assert list(model.children()) == [model.hidden, model.output]
    assert [name for name, _ in model.named_modules()] == ["", "hidden", "output"]
    assert list(model.parameters(recurse=False)) == []
    assert model.scale == 2.0 and "scale" not in model._parameters


def test_calling_a_module_calls_forward_with_its_arguments():
    model = TwoLayer()
    x = netgrad.randn(4, 2)
    out = model(x, shift=1.0)
    assert out.shape == (4, 1) and model.calls.item() == 1
    np.testing.assert_allclose(out.detach().numpy(), model.forward(x, 1.0).detach().numpy())
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(x)


def test_shared_parameters_are_listed_once():
    layer = nn.Linear(3, 3)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]  # as in PyTorch


def test_reassigning_and_deleting_registered_attributes():
    model = TwoLayer()
    model.hidden = nn.Linear(2, 3, bias=False)
    assert [name for name, _ in model.named_parameters()] == ["hidden.weight", "output.weight", "output.bias"]
    model.output.bias = None
    assert model.output.bias is None and "output.bias" not in dict(model.named_parameters())
    with pytest.raises(TypeError, match=r"cannot assign Tensor as parameter 'weight'"):
        model.output.weight = netgrad.zeros(1, 3)
    model.output.weight.data = netgrad.zeros(1, 3)  # the notes' way of setting values
    np.testing.assert_array_equal(model.output.weight.detach().numpy(), np.zeros((1, 3)))
    model.calls = netgrad.ones(1)  # a tensor assigned to a buffer name replaces the buffer
    assert model._buffers["calls"].item() == 1
    del model.hidden
    assert not hasattr(model, "hidden") and "hidden" not in model._modules
    model.extra = nn.Parameter(netgrad.zeros(2))
    model.extra = nn.Linear(1, 1)  # a name moves between kinds cleanly
    assert "extra" not in model._parameters and "extra" in model._modules


def test_registration_errors():
    class Early(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)
            super().__init__()

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) call"):
        Early()
    module = nn.Module()
    with pytest.raises(KeyError, match=r'contain "\."'):
        module.register_buffer("a.b", netgrad.zeros(1))
    with pytest.raises(KeyError, match="already exists"):
        module.register_parameter("train", nn.Parameter(netgrad.zeros(1)))
    with pytest.raises(TypeError, match="Parameter or None required"):
        module.register_parameter("w", netgrad.zeros(1))
    with pytest.raises(TypeError, match=r"did you mean ReLU\(\)\?"):
        nn.Sequential(nn.Linear(2, 2), nn.ReLU)


def test_get_submodule_and_apply_visit_children_first():
    model = nn.Sequential(OrderedDict(encoder=nn.Sequential(nn.Linear(2, 2), nn.Tanh()), head=nn.Linear(2, 1)))
    assert model.get_submodule("encoder.1").__class__ is nn.Tanh
    assert model.get_submodule("") is model
    with pytest.raises(AttributeError, match="no submodule 'decoder'"):
        model.get_submodule("decoder")
    visited = []
    model.apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "Tanh", "Sequential", "Linear", "Sequential"]


# -------------------------------------------------------------------------------------------- modes, grads


def test_train_and_eval_set_the_mode_everywhere():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.Sequential(nn.BatchNorm1d(2)))
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="bool"):
        model.train("no")


def test_zero_grad_and_requires_grad():
    model = TwoLayer()
    model(netgrad.randn(3, 2)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.hidden.requires_grad_(False)
    model(netgrad.randn(3, 2)).sum().backward()
    assert model.hidden.weight.grad is None and model.output.weight.grad is not None


# ------------------------------------------------------------------------------------------------- state


def test_state_dict_holds_parameters_and_persistent_buffers_sharing_memory():
    model = TwoLayer()
    model.register_buffer("scratch", netgrad.zeros(2), persistent=False)
    state = model.state_dict()
    assert isinstance(state, OrderedDict)
    assert list(state) == ["calls", "hidden.weight", "hidden.bias", "output.weight", "output.bias"]
    assert not state["hidden.weight"].requires_grad
    assert state["hidden.weight"]._data is model.hidden.weight._data
    assert model.state_dict(keep_vars=True)["hidden.weight"] is model.hidden.weight


def test_load_state_dict_copies_values_in_place():
    source, target = TwoLayer(), TwoLayer()
    weight = target.hidden.weight
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert target.hidden.weight is weight  # the same parameter object, new values
    for (name, a), (_, b) in zip(source.state_dict().items(), target.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    arrays = {k: v.numpy().astype(np.float64) for k, v in source.state_dict().items()}  # arrays are cast
    target.load_state_dict(arrays)
    assert target.hidden.weight.dtype == netgrad.float32


def test_load_state_dict_reports_every_problem_at_once():
    model = TwoLayer()
    state = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    del state["output.bias"]
    state["hidden.weight"] = state["hidden.weight"].T
    state["output.extra"] = np.zeros(2)
    with pytest.raises(RuntimeError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert "'output.bias'" in message and "'output.extra'" in message
    assert "'hidden.weight': expected shape (3, 2), got (2, 3)" in message
    assert isinstance(error.value, ValueError)
    with pytest.raises(ValueError, match="expected shape"):  # shapes must match even when not strict
        model.load_state_dict(state, strict=False)
    del state["output.extra"], state["hidden.weight"]
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["hidden.weight", "output.bias"] and result.unexpected_keys == []


def test_state_dict_round_trip_through_a_safetensors_file(tmp_path):
    io = pytest.importorskip("netgrad.io")
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))
    model(netgrad.randn(8, 4))  # updates the running statistics
    io.save(model.state_dict(), tmp_path / "model.safetensors")
    restored = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))
    restored.load_state_dict(io.load(tmp_path / "model.safetensors"))
    model.eval()
    restored.eval()
    x = netgrad.randn(5, 4)
    np.testing.assert_array_equal(model(x).detach().numpy(), restored(x).detach().numpy())


def test_to_double_converts_parameters_and_buffers_in_place():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    weight = model[0].weight
    model(netgrad.randn(4, 2)).sum().backward()
    assert model.double() is model
    assert model[0].weight is weight and weight.dtype == netgrad.float64 and weight.grad.dtype == netgrad.float64
    assert model[1].running_mean.dtype == netgrad.float64
    assert model[1].num_batches_tracked.dtype == netgrad.int64  # integer buffers are left alone
    assert model(netgrad.randn(4, 2, dtype=netgrad.float64)).dtype == netgrad.float64
    model.to(netgrad.float32)
    assert weight.dtype == netgrad.float32
    assert model.to("cpu") is model and model.to(device="cpu", dtype=netgrad.float64) is model
    assert weight.dtype == netgrad.float64
    with pytest.raises(TypeError, match="floating point"):
        model.to(netgrad.int64)


def test_deepcopy_gives_an_independent_model():
    model = TwoLayer()
    clone = copy.deepcopy(model)
    assert isinstance(clone.hidden.weight, nn.Parameter) and clone.hidden.weight is not model.hidden.weight
    with netgrad.no_grad():
        clone.hidden.weight.fill_(0)
    assert np.any(model.hidden.weight.detach().numpy() != 0)
    assert [n for n, _ in clone.named_parameters()] == [n for n, _ in model.named_parameters()]


# -------------------------------------------------------------------------------------------- containers


def test_sequential_chains_indexes_and_slices():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    x = netgrad.randn(5, 4)
    np.testing.assert_array_equal(model(x).detach().numpy(), model[2](model[1](model[0](x))).detach().numpy())
    assert len(model) == 3 and model[-1] is model[2] and list(model) == [model[0], model[1], model[2]]
    head = model[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is model[0]
    with pytest.raises(IndexError):
        model[3]
    model.append(nn.Sigmoid())
    assert isinstance(model[3], nn.Sigmoid)
    del model[1]
    assert [name for name, _ in model.named_children()] == ["0", "1", "2"] and isinstance(model[1], nn.Linear)
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    model.insert(1, nn.Tanh())
    assert isinstance(model[1], nn.Tanh) and len(model) == 4
    assert isinstance(model.pop(), nn.Sigmoid) and len(model) == 3
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert named.fc is named[0] and list(named.state_dict()) == ["fc.weight", "fc.bias"]


def test_module_list_and_module_dict_register_their_modules():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
            self.heads = nn.ModuleDict({"a": nn.Linear(2, 1), "b": nn.Linear(2, 1)})
            self.hidden_from_autograd = [nn.Linear(2, 2)]  # a plain list is not registered

    net = Net()
    assert len(list(net.parameters())) == 3 * 2 + 2 * 2
    assert list(net.state_dict())[:2] == ["layers.0.weight", "layers.0.bias"]
    assert "heads.b.bias" in net.state_dict()
    net.layers.append(nn.Linear(2, 2))
    net.layers += [nn.Linear(2, 2)]
    assert len(net.layers) == 5 and isinstance(net.layers[-1], nn.Linear) and len(net.layers[1:3]) == 2
    assert list(net.heads) == ["a", "b"] and "a" in net.heads and net.heads["a"] is net.heads.a
    net.heads["c"] = nn.Linear(2, 1)
    del net.heads["a"]
    assert list(net.heads.keys()) == ["b", "c"] and len(net.heads) == 2
    assert net.heads.pop("b") is not None and list(net.heads) == ["c"]
    with pytest.raises(KeyError):
        net.heads["update"] = nn.Linear(1, 1)  # would shadow a method


def test_nested_repr_matches_pytorch_layout():
    model = nn.Sequential(OrderedDict(
        encoder=nn.Sequential(nn.Flatten(), nn.Linear(784, 300), nn.ReLU()),
        head=nn.Linear(300, 10),
    ))
    assert repr(model) == (
        "Sequential(\n"
        "  (encoder): Sequential(\n"
        "    (0): Flatten(start_dim=1, end_dim=-1)\n"
        "    (1): Linear(in_features=784, out_features=300, bias=True)\n"
        "    (2): ReLU()\n"
        "  )\n"
        "  (head): Linear(in_features=300, out_features=10, bias=True)\n"
        ")"
    )
    assert repr(nn.Sequential()) == "Sequential()"


# ------------------------------------------------------------------- Sequential: Linear + activation fused


@pytest.mark.parametrize("activation, node", [(nn.ReLU, "LinearReLUBackward"), (nn.Sigmoid, "LinearSigmoidBackward"),
                                              (nn.Tanh, "LinearTanhBackward")])
def test_sequential_runs_linear_and_activation_as_one_node_with_the_same_numbers(activation, node):
    netgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), activation(), nn.Linear(5, 2), activation())
    x = netgrad.tensor(np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32))
    out = model(x)
    assert out.grad_fn.name() == node
    assert out.grad_fn.next_functions[0][0].name() == node  # the first pair, feeding the second
    upstream = np.random.default_rng(1).normal(size=(4, 2)).astype(np.float32)
    out.backward(upstream)
    fused = [p.grad.numpy().copy() for p in model.parameters()]
    model.zero_grad()
    unfused = x
    for module in model:  # the modules one by one: separate Linear and activation nodes
        unfused = module(unfused)
    assert unfused.grad_fn.name() == activation.__name__ + "Backward"
    np.testing.assert_array_equal(out.detach().numpy(), unfused.detach().numpy())
    unfused.backward(upstream)
    for ours, separate in zip(fused, (p.grad.numpy() for p in model.parameters())):
        np.testing.assert_array_equal(ours, separate)


@pytest.mark.parametrize("function", [LinearReLU, LinearSigmoid, LinearTanh])
def test_fused_linear_activation_gradients_match_central_differences(function):
    rng = np.random.default_rng(2)
    x, w, b = (netgrad.tensor(rng.normal(size=shape), dtype=netgrad.float64, requires_grad=True)
               for shape in ((6, 3), (4, 3), (4,)))
    assert netgrad.gradcheck(lambda x, w, b: function.apply(x, w, b), (x, w, b))
    assert netgrad.gradcheck(lambda x, w: function.apply(x, w), (x, w))  # no bias


def test_sequential_fusion_follows_changes_to_the_modules():
    netgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    x = netgrad.tensor([[1.0, -2.0]])
    assert model(x).grad_fn.name() == "LinearReLUBackward"
    model[1] = nn.Tanh()
    assert model(x).grad_fn.name() == "LinearTanhBackward"
    np.testing.assert_allclose(model(x).detach().numpy(), np.tanh(model[0](x).detach().numpy()), rtol=1e-6)
    model[1] = nn.Identity()
    assert model(x).grad_fn.name() == "LinearBackward"
    model.append(nn.Sigmoid())  # Identity sits between: nothing to fuse
    assert model(x).grad_fn.name() == "SigmoidBackward"
    del model[1]
    assert model(x).grad_fn.name() == "LinearSigmoidBackward"
    clone = copy.deepcopy(model)  # the copy runs its own modules, not the original's
    clone[0].weight.data = netgrad.zeros(3, 2)
    with netgrad.no_grad():
        np.testing.assert_array_equal(clone(x).numpy(), netgrad.sigmoid(clone[0].bias).numpy()[None])
        assert not np.array_equal(model(x).numpy(), clone(x).numpy())


def test_sequential_does_not_fuse_subclasses_or_replaced_forwards():
    class Doubled(nn.ReLU):
        def forward(self, input):
            return super().forward(input) * 2

    x = netgrad.tensor([[1.0, -2.0]])
    netgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), Doubled())
    np.testing.assert_allclose(model(x).detach().numpy(), 2 * np.maximum(model[0](x).detach().numpy(), 0))
    plain = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    plain[1].forward = lambda input: input * 3  # a forward replaced on the instance is honoured
    np.testing.assert_allclose(plain(x).detach().numpy(), 3 * plain[0](x).detach().numpy())


def test_sequential_fused_layer_still_explains_a_shape_mismatch():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
    with pytest.raises(ValueError, match=r"Linear\(in_features=4.*expected input with 4 features"):
        model(netgrad.ones(2, 5))
    with pytest.raises(TypeError, match="float64 input"):
        model(netgrad.ones(2, 4, dtype=netgrad.float64))
