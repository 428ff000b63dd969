"""netgrad.viz: the computational graph against the notes' J = 2(ab + c), the activation closed forms
against central differences and netgrad's own modules, and every picture written as a non-empty file."""
import re
import warnings

import numpy as np
import pytest

import netgrad
import netgrad.nn as nn
from netgrad import diagnostics, viz
from netgrad.viz import graph as graph_module

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _nonempty_png(path):
    assert path.exists() and path.stat().st_size > 1000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------------- computational graph


def _notes_graph():
    a = netgrad.tensor([3.0], requires_grad=True)
    b = netgrad.tensor([2.0], requires_grad=True)
    c = netgrad.tensor([5.0], requires_grad=True)
    return 2 * (a * b + c), {"a": a, "b": b, "c": c}


def _parse_dot(source):
    """{node id: (label, shape)} and the (source id, target id) edges of a DOT text."""
    nodes = {node: (label, shape) for node, label, shape in
             re.findall(r'^\s*(\w+) \[label="([^"]*)", shape=(\w+)', source, flags=re.M)}
    edges = re.findall(r"^\s*(\w+) -> (\w+);", source, flags=re.M)
    return nodes, edges


def test_dot_of_the_notes_graph():
    J, params = _notes_graph()
    source = viz.to_dot(J, params, output_name="J")
    nodes, edges = _parse_dot(source)
    assert source.startswith("digraph") and source.rstrip().endswith("}")
    ops = {node: label for node, (label, shape) in nodes.items() if shape == "box"}
    assert sorted(ops.values()) == ["Add\\n(1,)", "Mul\\n(1,)", "Mul\\n(1,)"]  # u = ab, v = u + c, J = 2v
    leaf = {label.split("\\n")[0]: node for node, (label, shape) in nodes.items() if shape == "ellipse"}
    for name in "abc":
        assert nodes[leaf[name]][0] == f"{name}\\n(1,)\\nrequires_grad=True"
    assert nodes[leaf["J"]][0] == "J\\n(1,)"
    inputs = {}
    for source_node, target_node in edges:
        inputs.setdefault(target_node, set()).add(source_node)
    # the notes' graph: u = a*b; v = u + c; J = 2*v (the constant 2 needs no gradient and is not drawn)
    [u] = [n for n in ops if inputs.get(n) == {leaf["a"], leaf["b"]}]
    [v] = [n for n in ops if inputs.get(n) == {u, leaf["c"]}]
    [j] = [n for n in ops if inputs.get(n) == {v}]
    assert ops[u].startswith("Mul") and ops[v].startswith("Add") and ops[j].startswith("Mul")
    assert inputs[leaf["J"]] == {j}
    assert len(edges) == 6
    assert viz.graph_ops(J) == ["Mul", "Add", "Mul"]


def test_dot_shows_output_shapes_and_parameter_names_of_a_layer():
    netgrad.manual_seed(0)
    layer = nn.Linear(4, 3)
    x = netgrad.randn(5, 4)
    loss = layer(x).relu().sum()
    nodes, _ = _parse_dot(viz.to_dot(loss, dict(layer.named_parameters())))
    values = {label for label, _ in nodes.values()}
    assert "weight\\n(3, 4)\\nrequires_grad=True" in values
    assert "bias\\n(3,)\\nrequires_grad=True" in values
    assert "ReLU\\n(5, 3)" in values and "Sum\\n()" in values
    assert not any(label.startswith("leaf\\n(5, 4)") for label in values)  # x needs no gradient: not drawn


def test_dot_of_a_leaf_and_after_backward():
    a = netgrad.tensor([1.0, 2.0], requires_grad=True)
    nodes, edges = _parse_dot(viz.to_dot(a))
    assert list(nodes.values()) == [("leaf\\n(2,)\\nrequires_grad=True", "ellipse")] and not edges
    J, _ = _notes_graph()
    J.backward()
    with pytest.raises(RuntimeError, match="freed by backward"):
        viz.to_dot(J)
    with pytest.raises(TypeError, match="Tensor"):
        viz.to_dot(np.ones(2))


def test_plot_graph_places_inputs_before_the_ops_that_use_them(tmp_path):
    J, params = _notes_graph()
    J.backward(retain_graph=True)
    fig = viz.plot_graph(J, params, tmp_path / "J.png", output_name="J")
    _nonempty_png(tmp_path / "J.png")
    nodes = [(t.get_text().split()[0], t.get_position()[0]) for t in fig.axes[0].texts if t.get_text()]
    x = dict(nodes)
    muls = sorted(position for name, position in nodes if name == "Mul")
    # a, b -> u = ab -> v = u + c -> J = 2v: every node right of its inputs
    assert x["a"] == x["b"] < muls[0] < x["Add"] < muls[1] < x["J"] and x["c"] < x["Add"]
    labels = [text.get_text() for text in fig.axes[0].texts]
    assert "a  (1,)\n= 3\ngrad 4\nrequires_grad" in labels and "J\n(1,)\n= 22" in labels
    assert len([t for t in labels if t.startswith("Mul")]) == 2


def test_save_graph_writes_dot_and_renders_only_with_graphviz(tmp_path, monkeypatch):
    J, params = _notes_graph()
    dot_path = viz.save_graph(J, tmp_path / "J.dot", params)
    assert dot_path.read_text() == viz.to_dot(J, params)
    monkeypatch.setattr(graph_module.shutil, "which", lambda name: None)
    with pytest.warns(RuntimeWarning, match="not installed"):
        written = viz.save_graph(J, tmp_path / "J.svg", params)
    assert written == tmp_path / "J.dot" and not (tmp_path / "J.svg").exists()
    with pytest.raises(ValueError, match=r"\.dot, \.gv, \.svg"):
        viz.save_graph(J, tmp_path / "J.txt")


def test_save_graph_calls_dot_when_present(tmp_path, monkeypatch):
    calls = []

    def fake_run(command, **kwargs):
        calls.append(command)
        (tmp_path / "J.png").write_bytes(b"png")
        return type("Done", (), {"returncode": 0, "stderr": ""})()

    monkeypatch.setattr(graph_module.shutil, "which", lambda name: "/usr/bin/dot")
    monkeypatch.setattr(graph_module.subprocess, "run", fake_run)
    J, params = _notes_graph()
    assert viz.save_graph(J, tmp_path / "J.png", params) == tmp_path / "J.png"
    assert calls == [["/usr/bin/dot", "-Tpng", str(tmp_path / "J.dot"), "-o", str(tmp_path / "J.png")]]


# ------------------------------------------------------------------------------------------ activations


@pytest.mark.parametrize("name", [n for n in viz.ACTIVATIONS if n != "step"])
def test_activation_derivative_matches_central_differences(name):
    act = viz.ACTIVATIONS[name]
    z = np.linspace(-4, 4, 81) + 0.013  # off the kinks at 0
    h = 1e-6
    numeric = (act.function(z + h) - act.function(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-5, atol=1e-7)


_MODULES = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "leaky_relu": nn.LeakyReLU, "elu": nn.ELU,
            "selu": nn.SELU, "gelu": nn.GELU, "silu": nn.SiLU, "softplus": nn.Softplus, "mish": nn.Mish,
            "step": nn.Step}


@pytest.mark.parametrize("name", sorted(_MODULES))
def test_closed_forms_agree_with_netgrad_modules_and_autograd(name):
    z = np.linspace(-4, 4, 41) + 0.013
    values, slopes = viz.autograd_derivative(_MODULES[name](), z)
    act = viz.ACTIVATIONS[name]
    np.testing.assert_allclose(values, act.function(z), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(slopes, act.derivative(z), rtol=1e-6, atol=1e-9)


def test_plot_activations(tmp_path):
    fig = viz.plot_activations(["sigmoid", "tanh", "relu"], tmp_path / "act.png",
                               netgrad_functions={"relu": nn.ReLU()})
    _nonempty_png(tmp_path / "act.png")
    assert len([ax for ax in fig.axes if ax.has_data()]) == 3
    with pytest.raises(ValueError, match="unknown activation"):
        viz.plot_activations(["swish2"])
    with pytest.raises(ValueError, match="z_range"):
        viz.plot_activations(["relu"], z_range=(1, -1))


# --------------------------------------------------------------------------------------------- curves


def test_plot_history_from_a_dict_and_from_training(tmp_path):
    fig = viz.plot_history({"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.6, 0.4], "accuracy": [0.5, 0.7, 0.9]},
                           path=tmp_path / "h.png")
    _nonempty_png(tmp_path / "h.png")
    loss_ax = fig.axes[0]
    assert [line.get_label() for line in loss_ax.get_lines()] == ["training", "validation"]
    np.testing.assert_array_equal(loss_ax.get_lines()[0].get_xdata(), [1, 2, 3])  # epochs counted from 1
    np.testing.assert_array_equal(loss_ax.get_lines()[1].get_ydata(), [1.1, 0.6, 0.4])
    with pytest.raises(ValueError, match="no 'f1'"):
        viz.plot_history({"loss": [1.0]}, metrics=["f1"])


def test_plot_optimizer_comparison_lr_finder_and_schedule(tmp_path):
    from netgrad.training import LRFinderResult

    fig = viz.plot_optimizer_comparison({"SGD": {"loss": [1.0, 0.8]}, "Adam": [1.0, 0.3]}, path=tmp_path / "o.png")
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["SGD", "Adam"]
    _nonempty_png(tmp_path / "o.png")
    lrs = np.logspace(-5, 0, 50)
    losses = 2.0 - np.tanh(np.log10(lrs) + 2.5)  # falls fastest at lr = 10^-2.5
    result = LRFinderResult(lrs, losses)
    fig = viz.plot_lr_finder(result, tmp_path / "lr.png")
    _nonempty_png(tmp_path / "lr.png")
    marked = [line for line in fig.axes[0].get_lines() if line.get_linestyle() == "--"]
    assert marked and marked[0].get_xdata()[0] == pytest.approx(result.suggestion)
    assert result.suggestion == pytest.approx(10 ** -2.5, rel=0.3)
    viz.plot_lr_schedule({"one-cycle": [0.1, 0.5, 1.0, 0.5, 0.1]}, tmp_path / "s.png")
    _nonempty_png(tmp_path / "s.png")


# ------------------------------------------------------------------------------- decision boundaries


def test_predict_scores_reads_logits_and_probabilities():
    X = np.array([[0.0, 0.0], [3.0, 0.0]], dtype=np.float32)
    np.testing.assert_allclose(viz.boundaries.predict_scores(lambda X: X[:, 0] - 1, X), 1 / (1 + np.exp([1, -2])))
    np.testing.assert_allclose(viz.boundaries.predict_scores(lambda X: X[:, 0] / 3, X), [0, 1])  # already in [0, 1]
    three = viz.boundaries.predict_scores(lambda X: np.stack([X[:, 0], -X[:, 0], 0 * X[:, 0]], 1), X)
    assert three.shape == (2, 3)
    np.testing.assert_allclose(three.sum(axis=1), 1)


def test_decision_boundary_of_a_trained_xor_network(tmp_path):
    from netgrad.data import make_xor
    from netgrad.training import Trainer

    netgrad.manual_seed(0)
    X, y = make_xor(200, noise=0.1, seed=0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    Trainer(model, nn.CrossEntropyLoss(), netgrad.optim.Adam(model.parameters(), lr=0.05)).fit(
        (X, y), epochs=40, batch_size=32, verbose=0)
    viz.plot_decision_boundary(model, X, y, tmp_path / "xor.png", title="XOR")
    _nonempty_png(tmp_path / "xor.png")
    # the picture's regions are the model's classes: check the four corners through the same scores
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    np.testing.assert_array_equal(viz.boundaries.predict_scores(model, corners) > 0.5, [False, True, True, False])
    with pytest.raises(ValueError, match="2 input features"):
        viz.plot_decision_boundary(model, np.ones((3, 3)), [0, 1, 0])


def test_decision_boundaries_in_a_grid_of_axes(tmp_path):
    fig, axes = plt.subplots(1, 2)
    X = np.random.default_rng(0).standard_normal((30, 2)).astype(np.float32)
    y = np.arange(30) % 3
    viz.plot_decision_boundary(lambda X: np.stack([X[:, 0], X[:, 1], -X.sum(1)], 1), X, y, ax=axes[0])
    viz.plot_decision_boundary(lambda X: X[:, 0], X, y % 2, ax=axes[1])
    fig.savefig(tmp_path / "grid.png")
    _nonempty_png(tmp_path / "grid.png")


# --------------------------------------------------------------------------------- network, images


def test_plot_network_of_the_digit_network(tmp_path):
    netgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10))
    fig = viz.plot_network(model, tmp_path / "net.png", max_neurons=10)
    _nonempty_png(tmp_path / "net.png")
    assert fig.axes[0].get_title() == "784-300-100-10"
    layers = viz.dense_layers(model)
    assert [layer.weight.shape for layer in layers] == [(300, 784), (100, 300), (10, 100)]
    assert [layer.after for layer in layers] == [("ReLU",), ("ReLU",), ()]
    # links: 10 shown inputs x 10 shown hidden, coloured by sign
    collection = fig.axes[0].collections[0]
    assert len(collection.get_segments()) == 100


def test_plot_network_colours_links_by_sign(tmp_path):
    weight = np.array([[1.0, -2.0]])
    fig = viz.plot_network([(weight, np.array([0.5]))], tmp_path / "tiny.png")
    colors = fig.axes[0].collections[0].get_colors()
    widths = fig.axes[0].collections[0].get_linewidths()
    assert matplotlib.colors.to_hex(colors[0]) == viz._backend.POSITIVE
    assert matplotlib.colors.to_hex(colors[1]) == viz._backend.NEGATIVE
    assert widths[1] > widths[0]  # |w| = 2 is drawn thicker than |w| = 1
    with pytest.raises(ValueError, match="do not chain"):
        viz.plot_network([np.ones((3, 2)), np.ones((1, 4))])
    with pytest.raises(ValueError, match="no fully-connected"):
        viz.plot_network(nn.Sequential(nn.ReLU()))


def test_plot_image_grid_marks_mistakes(tmp_path):
    images = np.random.default_rng(0).random((6, 64))
    fig = viz.plot_image_grid(images, [0, 1, 2, 3, 4, 5], [0, 1, 9, 3, 4, 5], tmp_path / "grid.png", columns=3)
    _nonempty_png(tmp_path / "grid.png")
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[2] == "9\n(2)" and titles[0] == "0"
    with pytest.raises(ValueError, match="not square"):
        viz.plot_image_grid(np.ones((2, 10)), [0, 1])
    viz.plot_confusion_matrix(np.array([[5, 1], [0, 4]]), ["cat", "dog"], tmp_path / "cm.png")
    _nonempty_png(tmp_path / "cm.png")


# ------------------------------------------------------------------------------------------ histograms


def test_layer_histograms_and_diagnostics_curves(tmp_path):
    from netgrad.training import Trainer

    netgrad.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 8)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    model = nn.Sequential(nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 2))
    captures = diagnostics.capture_layers(model, X, y, nn.CrossEntropyLoss())
    fig = viz.plot_layer_histograms(captures, tmp_path / "hist.png")
    _nonempty_png(tmp_path / "hist.png")
    assert len(fig.axes) == 2
    callback = diagnostics.DiagnosticsCallback(probe=X)
    Trainer(model, nn.CrossEntropyLoss(), netgrad.optim.SGD(model.parameters(), lr=0.1),
            callbacks=[callback]).fit((X, y), epochs=2, batch_size=32, verbose=0)
    fig = viz.plot_diagnostics(callback, tmp_path / "diag.png", statistics=["grad_norm", "activation_std"])
    _nonempty_png(tmp_path / "diag.png")
    assert fig.axes[0].get_yscale() == "log"
    with pytest.raises(ValueError, match="not recorded"):
        viz.plot_diagnostics(callback, statistics=["nonsense"])


def test_missing_matplotlib_names_the_extra(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match=r'pip install "netgrad\[plot\]"'):
        viz.plot_history({"loss": [1.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        J, params = _notes_graph()
        assert "digraph" in viz.to_dot(J, params)  # the DOT export needs no matplotlib


def test_dense_layers_of_the_other_faces():
    """A Keras Dense kernel is (input_dim, units): drawn transposed, as the (out, in) of nn.Linear."""
    from netgrad import keras
    from netgrad.keras import layers

    model = keras.Sequential([keras.Input((4,)), layers.Dense(5, activation="relu"), layers.Dense(3)])
    found = viz.dense_layers(model)
    assert [(layer.weight.shape, layer.after) for layer in found] == [((5, 4), ("relu",)), ((3, 5), ())]
    np.testing.assert_array_equal(found[0].weight, model.layers[0].kernel.detach().numpy().T)

    class SklearnStyle:  # scikit-learn's MLP attributes: coefs_ (in, out) and intercepts_
        coefs_ = [np.ones((2, 3)), np.full((3, 1), -1.0)]
        intercepts_ = [np.zeros(3), np.ones(1)]

    found = viz.dense_layers(SklearnStyle())
    assert [layer.weight.shape for layer in found] == [(3, 2), (1, 3)] and found[1].bias.tolist() == [1.0]


# ------------------------------------------------------------------ what the pictures say (axes, legends)


def test_decision_boundary_names_axes_and_classes_and_pads_a_tenth():
    X = np.array([[0.0, 10.0], [2.0, 30.0], [1.0, 20.0]], dtype=np.float32)
    y = np.array([0.0, 1.0, 1.0])  # float labels, as a CSV's label column reads
    fig = viz.plot_decision_boundary(lambda Z: Z[:, 0] - 1, X, y, feature_names=["sepal length", "petal width"],
                                     class_names=["setosa", "versicolor"])
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("sepal length", "petal width")
    # 10 % of each feature's range on each side: x in [0, 2] -> [-0.2, 2.2], y in [10, 30] -> [8, 32]
    np.testing.assert_allclose(ax.get_xlim(), [-0.2, 2.2], rtol=1e-6)
    np.testing.assert_allclose(ax.get_ylim(), [8.0, 32.0], rtol=1e-6)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["setosa", "versicolor"]
    faces = [matplotlib.colors.to_hex(c.get_facecolors()[0]) for c in ax.collections if c.get_label() in
             ("setosa", "versicolor")]
    assert faces == [viz._backend.CLASS_COLORS[0], viz._backend.CLASS_COLORS[1]]  # as integer labels 0, 1 get


def test_decision_boundary_takes_a_dataframes_column_names_and_colours_float_labels_like_ints():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"income": [1.0, 2.0, 3.0, 4.0], "age": [20.0, 30.0, 40.0, 50.0]})
    panels = []
    for y in (np.array([0, 2, 1, 2]), np.array([0.0, 2.0, 1.0, 2.0])):
        fig = viz.plot_decision_boundary(lambda Z: np.stack([Z[:, 0], -Z[:, 0], 0 * Z[:, 0]], 1), X, y)
        ax = fig.axes[0]
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("income", "age")
        panels.append([(c.get_label(), matplotlib.colors.to_hex(c.get_facecolors()[0])) for c in ax.collections
                       if c.get_label().startswith("class")])
    expected = [(f"class {k}", viz._backend.CLASS_COLORS[k]) for k in range(3)]
    assert panels == [expected, expected]
    with pytest.raises(ValueError, match="2 features"):
        viz.plot_decision_boundary(lambda Z: Z[:, 0], X, [0, 1, 0, 1], feature_names=["a"])


def test_network_diagram_has_a_legend_for_links_and_neurons():
    fig = viz.plot_network([(np.array([[1.0, -2.0]]), np.array([0.5]))])
    legend = fig.axes[0].get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts == ["weight > 0 (thicker: larger |w|)", "weight < 0", "bias > 0 (stronger: larger |b|)",
                     "bias < 0"]
    colors = [matplotlib.colors.to_hex(h.get_color() if h.get_linestyle() != "None" else h.get_markerfacecolor())
              for h in legend.legend_handles]
    link_colors = [matplotlib.colors.to_hex(c) for c in fig.axes[0].collections[0].get_colors()]
    assert colors[:2] == link_colors  # the first link's weight is +1, the second's -2
    assert [t.get_text() for t in viz.plot_network([np.ones((1, 2))]).axes[0].get_legend().get_texts()] == [
        "weight > 0 (thicker: larger |w|)", "weight < 0"]  # no biases, no bias entries


def test_loss_curves_tick_whole_epochs():
    losses = list(np.linspace(1.0, 0.1, 20))
    fig = viz.plot_history({"loss": losses, "val_loss": losses})
    ticks = [t for t in fig.axes[0].get_xticks() if 1 <= t <= 20]
    assert len(ticks) >= 3 and all(float(t).is_integer() for t in ticks)
    fig = viz.plot_optimizer_comparison({"SGD": losses})
    assert all(float(t).is_integer() for t in fig.axes[0].get_xticks())


def test_plot_graph_shows_the_notes_intermediate_values_and_gradients():
    a = netgrad.tensor([3.0], requires_grad=True)
    b = netgrad.tensor([2.0], requires_grad=True)
    c = netgrad.tensor([5.0], requires_grad=True)
    u = a * b
    v = u + c
    J = 2 * v
    u.retain_grad()
    v.retain_grad()
    J.backward(retain_graph=True)
    labels = [t.get_text() for t in viz.plot_graph(J, {"a": a, "b": b, "c": c, "u": u, "v": v}).axes[0].texts]
    # the notes: u = ab = 6, v = u + c = 11, dJ/dv = 2, dJ/du = 2
    assert "Mul\nu  (1,)\n= 6\ngrad 2" in labels and "Add\nv  (1,)\n= 11\ngrad 2" in labels
    assert "Mul\n(1,)" in labels  # the unnamed J = 2v keeps its shape only
