"""Engine ops against PyTorch: the same values and gradients on random float64 inputs."""
import numpy as np
import pytest

import netgrad

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

rng = np.random.default_rng(0)
A = rng.normal(size=(3, 4))
B = rng.normal(size=(4,))
C = rng.uniform(0.5, 2.0, size=(3, 4))
M = rng.normal(size=(4, 5))
BATCH = rng.normal(size=(2, 3, 4))

EXPRESSIONS = {
    "arith": (lambda a, b, c, lib: ((a * b + c) / c - b) ** 2, (A, B, C)),
    "unary": (lambda a, b, c, lib: a.exp().sin() + c.log() * a.cos() + c.sqrt() + a.abs() + a.tanh()
              + a.sigmoid() + a.relu(), (A, B, C)),
    "clamp max min": (lambda a, b, c, lib: a.clamp(-0.5, 0.5) + lib.maximum(a, c) + lib.minimum(a, b), (A, B, C)),
    "reductions": (lambda a, b, c, lib: a.sum(1) + a.mean(0).sum() + a.var(1) + a.std(0).sum()
                   + a.logsumexp(1) + c.prod(1), (A, B, C)),
    "max dim": (lambda a, b, c, lib: a.max(1).values + a.min(0).values.sum() + a.amax(), (A, B, C)),
    "softmax": (lambda a, b, c, lib: a.softmax(1) * c + a.log_softmax(0), (A, B, C)),
    "shape": (lambda a, b, c, lib: lib.cat([a.T, c.T], 1).reshape(2, 12).transpose(0, 1).sum(1)
              + lib.stack([a, c], 2).permute(2, 1, 0).sum(0).flatten(), (A, B, C)),
    "squeeze expand": (lambda a, b, c, lib: b.unsqueeze(0).expand(3, 4) * a + a[:, :1].squeeze(1).unsqueeze(1),
                       (A, B, C)),
    "index": (lambda a, b, c, lib: a[[0, 2, 0]] * 2 + a[1:, ::2].sum() + a[a > 0].sum(), (A, B, C)),
    "matmul": (lambda a, b, c, lib: (a @ b).sum() + (a @ c.T).sum() + (b @ b), (A, B, C)),
    "batched matmul": (lambda x, m, c, lib: (x @ m).tanh(), (BATCH, M, C)),
    "where": (lambda a, b, c, lib: lib.where(a > 0, a * c, b), (A, B, C)),
}


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_values_and_gradients_match_torch(name):
    fn, arrays = EXPRESSIONS[name]
    ours = [netgrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_ours, out_theirs = fn(*ours, netgrad), fn(*theirs, torch)
    np.testing.assert_allclose(out_ours.detach().numpy(), out_theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = rng.normal(size=out_theirs.shape)
    (out_ours * netgrad.tensor(weights)).sum().backward()
    (out_theirs * torch.tensor(weights)).sum().backward()
    for o, t in zip(ours, theirs):
        if t.grad is None:
            assert o.grad is None or not o.grad.numpy().any()
        else:
            np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_maximum_tie_splits_gradient_like_torch():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 0.0])
    ours = [netgrad.tensor(x, requires_grad=True) for x in (a, b)]
    theirs = [torch.tensor(x, requires_grad=True) for x in (a, b)]
    netgrad.maximum(*ours).sum().backward()
    torch.maximum(*theirs).sum().backward()
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.grad.numpy(), t.grad.numpy())


def test_repr_matches_torch_text():
    for values in ([22.0], [0.1, 2.5], [[1.0, 2.0], [3.0, 4.5]], [1, 2, 3]):
        assert repr(netgrad.tensor(values)) == repr(torch.tensor(values))


# In-place changes of tensors in the graph, and version counters: each script runs unchanged on both libraries
def _inplace_script(lib, method, args):
    a = lib.tensor([3.0, 4.0], requires_grad=True)
    h = a * lib.tensor([2.0, 3.0])
    getattr(h, method)(*args)
    (h * h).sum().backward()
    return h.detach().numpy(), a.grad.numpy(), h._version


@pytest.mark.parametrize("method, args", [("add_", (1.0,)), ("sub_", (0.5,)), ("mul_", (0.5,)), ("div_", (4.0,)),
                                          ("clamp_", (0.0, 7.0)), ("zero_", ()), ("fill_", (2.0,))])
def test_inplace_on_a_non_leaf_matches_torch(method, args):
    ours, theirs = _inplace_script(netgrad, method, args), _inplace_script(torch, method, args)
    np.testing.assert_allclose(ours[0], theirs[0])
    np.testing.assert_allclose(ours[1], theirs[1])
    assert ours[2] == theirs[2]


def test_inplace_with_a_grad_operand_and_setitem_match_torch():
    def script(lib):
        x = lib.zeros(3)
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        x.add_(w)
        v = lib.tensor([5.0, 6.0], requires_grad=True)
        x[1:] = v * 2
        (x * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        return x.detach().numpy(), w.grad.numpy(), v.grad.numpy()

    for ours, theirs in zip(script(netgrad), script(torch)):
        np.testing.assert_allclose(ours, theirs)


@pytest.mark.parametrize("case", ["saved input", "saved output", "optimizer step", "unsaved input"])
def test_changing_what_backward_needs_raises_like_torch(case):
    def script(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        x = lib.tensor([3.0, 4.0])
        if case == "saved input":
            y = (a * x).sum()
            x.mul_(2)
        elif case == "saved output":
            h = a.exp()
            h.mul_(2)
            y = h.sum()
        elif case == "optimizer step":
            y = (a * a).sum()
            y.backward(retain_graph=True)
            (netgrad.optim if lib is netgrad else torch.optim).SGD([a], lr=0.1).step()
        else:
            y = (a + x).sum()
            x.mul_(2)
        try:
            y.backward()
        except RuntimeError as error:
            return str(error)
        return None

    ours, theirs = script(netgrad), script(torch)
    assert (ours is None) == (theirs is None), (ours, theirs)
    if theirs is not None:
        prefix = "one of the variables needed for gradient computation has been modified by an inplace operation: "
        assert ours.startswith(prefix) and theirs.startswith(prefix)
        assert ours.split("is at version")[1].split(".")[0] == theirs.split("is at version")[1].split(".")[0]
        assert ours[len(prefix):].split("]")[0].split("[")[-1] == theirs[len(prefix):].split("]")[0].split("[")[-1]


@pytest.mark.parametrize("view", ["detach", "data", "detach of detach"])
@pytest.mark.parametrize("source", ["leaf", "graph output"])
def test_detach_shares_the_version_counter_and_data_does_not_like_torch(view, source):
    def script(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        x = a if source == "leaf" else a.exp()
        y = (x * x).sum() if source == "leaf" else x.sum() * 1.0  # Mul saves x; Exp saves its output x
        seen = {"detach": lambda: x.detach(), "data": lambda: x.data,
                "detach of detach": lambda: x.detach().detach()}[view]()
        seen.add_(1)
        versions = (x._version, seen._version)
        try:
            y.backward()
        except RuntimeError as error:
            return versions, str(error).split(" instead.")[0]
        return versions, a.grad.numpy().tolist()

    ours, theirs = script(netgrad), script(torch)
    assert ours[0] == theirs[0]
    if isinstance(theirs[1], str):
        assert isinstance(ours[1], str), ours
        # the same tensor, versions and producer (PyTorch names the node here by its forward: "output 0 of Exp")
        assert ours[1].replace("netgrad.", "torch.").replace("ExpBackward", "Exp") == theirs[1]
    else:
        assert ours[1] == pytest.approx(theirs[1])


ACTIVATIONS_0D = ["sigmoid", "tanh", "exp", "relu", "abs", "sin"]


@pytest.mark.parametrize("name", ACTIVATIONS_0D + ["F.silu", "F.softplus", "F.logsigmoid", "F.mish", "F.gelu"])
def test_elementwise_ops_on_0d_tensors_match_torch(name):
    def run(lib):
        w = lib.tensor(0.7, dtype=lib.float64, requires_grad=True)
        z = w * 1.5 - 0.2  # the notes' w x + b on a scalar
        if name.startswith("F."):
            functional = netgrad.nn.functional if lib is netgrad else torch.nn.functional
            out = getattr(functional, name[2:])(z)
        else:
            out = getattr(lib, name)(z)
        out.backward()
        return out.detach().numpy(), w.grad.numpy()

    ours, theirs = run(netgrad), run(torch)
    assert ours[0].shape == () and ours[1].shape == ()
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)
