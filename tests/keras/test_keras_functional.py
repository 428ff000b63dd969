"""Functional models of several inputs and outputs: the forward pass, the compiled losses and metrics, one SGD
step, predict, summary and saving, each checked against the same arithmetic written out in NumPy here (and,
in test_keras_vs_real_keras.py, against Keras 3 itself)."""
import numpy as np
import pytest

from netgrad import keras
from netgrad.keras import layers

rng = np.random.default_rng(0)
XA = rng.normal(size=(10, 3)).astype("float32")
XB = rng.normal(size=(10, 2)).astype("float32")
Y1 = rng.integers(0, 3, 10)
Y2 = rng.normal(size=(10, 1)).astype("float32")


def two_by_two(outputs_as="list", inputs_as="list"):
    """Inputs a (3) and b (2); h1 = relu(a W1 + b1), h2 = tanh(b W2 + b2); c = [h1, h2];
    o1 = softmax(c W3 + b3) (3 classes), o2 = c W4 + b4."""
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    c = layers.Concatenate(name="cat")([layers.Dense(4, activation="relu", name="h1")(a),
                                        layers.Dense(4, activation="tanh", name="h2")(b)])
    o1 = layers.Dense(3, activation="softmax", name="o1")(c)
    o2 = layers.Dense(1, name="o2")(c)
    inputs = {"a": a, "b": b} if inputs_as == "dict" else [a, b]
    outputs = {"p": o1, "q": o2} if outputs_as == "dict" else [o1, o2]
    return keras.Model(inputs=inputs, outputs=outputs)


def by_hand(model, xa, xb):
    """The model's two outputs, in float64 NumPy from its weights."""
    w = {layer.name: [np.asarray(v, dtype=np.float64) for v in layer.get_weights()] for layer in model.layers}
    c = np.hstack([np.maximum(xa @ w["h1"][0] + w["h1"][1], 0), np.tanh(xb @ w["h2"][0] + w["h2"][1])])
    z = c @ w["o1"][0] + w["o1"][1]
    p = np.exp(z - z.max(1, keepdims=True))
    return p / p.sum(1, keepdims=True), c @ w["o2"][0] + w["o2"][1]


def losses_by_hand(model, weights=(1.0, 0.5)):
    p, q = by_hand(model, XA, XB)
    cross_entropy = -np.log(p[np.arange(len(Y1)), Y1]).mean()
    squared = ((q - Y2) ** 2).mean()
    return weights[0] * cross_entropy + weights[1] * squared, cross_entropy, squared, p, q


def test_several_inputs_and_outputs_compute_the_graph():
    model = two_by_two()
    assert [layer.name for layer in model.layers] == ["a", "b", "h1", "h2", "cat", "o1", "o2"]
    assert model.output_names == ["o1", "o2"] and not model.sequential_like
    p, q = by_hand(model, XA, XB)
    for given in ([XA, XB], (XA, XB), {"a": XA, "b": XB}):  # a dict by the keras.Input names works too
        out = model.predict(given, verbose=0)
        assert isinstance(out, list) and len(out) == 2
        np.testing.assert_allclose(out[0], p, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(out[1], q, rtol=1e-5, atol=1e-5)
    named = two_by_two("dict", "dict")
    out = named.predict({"a": XA, "b": XB}, batch_size=3, verbose=0)
    assert isinstance(out, dict) and list(out) == ["p", "q"] and out["p"].shape == (10, 3)
    np.testing.assert_allclose(out["q"], by_hand(named, XA, XB)[1], rtol=1e-5, atol=1e-5)


def test_evaluate_weights_the_losses_and_names_the_logs_as_keras():
    model = two_by_two()
    model.compile("sgd", loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5],
                  metrics=[["accuracy"], ["mae"]])
    total, cross_entropy, squared, p, q = losses_by_hand(model)
    logs = model.evaluate([XA, XB], [Y1, Y2], verbose=0, return_dict=True)
    assert list(logs) == ["loss", "o1_loss", "o2_loss", "o1_accuracy", "o2_mae"]
    expected = [total, cross_entropy, squared, (p.argmax(1) == Y1).mean(), np.abs(q - Y2).mean()]
    np.testing.assert_allclose(list(logs.values()), expected, rtol=1e-5)
    # evaluate's list: the loss, each output's loss, then each output's metrics (Keras 3's order)
    np.testing.assert_allclose(model.evaluate([XA, XB], [Y1, Y2], verbose=0), expected, rtol=1e-5)


def test_one_sgd_step_follows_the_gradient_of_the_weighted_total():
    model = two_by_two()
    model.compile(keras.optimizers.SGD(learning_rate=0.1), loss=["sparse_categorical_crossentropy", "mse"],
                  loss_weights=[1.0, 0.5])
    before = [np.asarray(w, dtype=np.float64) for w in model.get_weights()]

    def total(weights):
        model.set_weights([w.astype("float32") for w in weights])
        return losses_by_hand(model)[0]

    gradient = []
    for index, weight in enumerate(before):
        grad = np.zeros_like(weight)
        for position in np.ndindex(weight.shape):
            for sign in (1, -1):
                shifted = [w.copy() for w in before]
                shifted[index][position] += sign * 1e-3
                grad[position] += sign * total(shifted) / 2e-3
        gradient.append(grad)
    model.set_weights([w.astype("float32") for w in before])
    history = model.fit([XA, XB], [Y1, Y2], batch_size=10, epochs=1, shuffle=False, verbose=0)
    stepped = model.get_weights()
    np.testing.assert_allclose(history.history["loss"][0], total(before), rtol=1e-5)
    for after, start, grad in zip(stepped, before, gradient):
        np.testing.assert_allclose(after, start - 0.1 * grad, atol=2e-4)


def test_dicts_by_output_name_and_sample_weights():
    model = two_by_two("dict", "dict")
    model.compile("sgd", loss={"q": "mse", "p": "sparse_categorical_crossentropy"},
                  loss_weights={"p": 2.0, "q": 1.0}, metrics={"p": "accuracy"})
    weight = rng.random(10).astype("float32")
    logs = model.evaluate({"a": XA, "b": XB}, {"p": Y1, "q": Y2}, sample_weight=weight, verbose=0, return_dict=True)
    p, q = by_hand(model, XA, XB)
    cross_entropy = (weight * -np.log(p[np.arange(10), Y1])).sum() / 10  # Keras: sum_i w_i l_i / batch size
    squared = (weight * ((q - Y2) ** 2)[:, 0]).sum() / 10
    assert list(logs) == ["loss", "p_loss", "q_loss", "p_accuracy"]
    np.testing.assert_allclose([logs["loss"], logs["p_loss"], logs["q_loss"]],
                               [2 * cross_entropy + squared, cross_entropy, squared], rtol=1e-5)
    history = model.fit({"a": XA, "b": XB}, {"p": Y1, "q": Y2}, epochs=2, validation_split=0.2, verbose=0)
    assert set(history.history) == {"loss", "p_loss", "q_loss", "p_accuracy", "val_loss", "val_p_loss",
                                    "val_q_loss", "val_p_accuracy"}


def test_one_loss_for_every_output_and_a_flat_metric_list_one_per_output():
    model = two_by_two()
    model.compile("sgd", loss="mse", metrics=["mae", "mse"])
    targets = [np.eye(3, dtype="float32")[Y1], Y2]
    logs = model.evaluate([XA, XB], targets, verbose=0, return_dict=True)
    p, q = by_hand(model, XA, XB)
    assert list(logs) == ["loss", "o1_loss", "o2_loss", "o1_mae", "o2_mse"]
    np.testing.assert_allclose(logs["loss"], ((p - targets[0]) ** 2).mean() + ((q - Y2) ** 2).mean(), rtol=1e-5)


def test_shared_layer_and_summary_connections():
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    shared = layers.Dense(2, name="shared")
    out = layers.Add(name="add")([shared(a), shared(b)])
    model = keras.Model([a, b], out)
    kernel, bias = shared.get_weights()
    np.testing.assert_allclose(model.predict([XA, XA[::-1]], verbose=0),
                               XA @ kernel + XA[::-1] @ kernel + 2 * bias, rtol=1e-5, atol=1e-6)
    assert len(model.weights) == 2  # one layer, called twice
    lines = []
    model.summary(line_length=77, print_fn=lines.append)
    # Keras 3.15's summary of the same model, as it prints it
    assert lines[0].splitlines()[1:14] == [
        "┏━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━┓",
        "┃ Layer (type)         ┃ Output Shape      ┃   Param # ┃ Connected to       ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━┩",
        "│ a (InputLayer)       │ (None, 3)         │         0 │ -                  │",
        "├──────────────────────┼───────────────────┼───────────┼────────────────────┤",
        "│ b (InputLayer)       │ (None, 3)         │         0 │ -                  │",
        "├──────────────────────┼───────────────────┼───────────┼────────────────────┤",
        "│ shared (Dense)       │ (None, 2)         │         8 │ a[0][0], b[0][0]   │",
        "├──────────────────────┼───────────────────┼───────────┼────────────────────┤",
        "│ add (Add)            │ (None, 2)         │         0 │ shared[0][0],      │",
        "│                      │                   │           │ shared[1][0]       │",
        "└──────────────────────┴───────────────────┴───────────┴────────────────────┘",
        " Total params: 8 (32.00 B)"]


@pytest.mark.parametrize("outputs_as", ["list", "dict"])
def test_save_and_load_keep_the_graph_weights_and_compile_state(tmp_path, outputs_as):
    model = two_by_two(outputs_as, "dict")
    keys = ["o1", "o2"] if outputs_as == "list" else ["p", "q"]
    model.compile("adam", loss=dict(zip(keys, ["sparse_categorical_crossentropy", "mse"])),
                  loss_weights=dict(zip(keys, [1.0, 0.25])), metrics={keys[0]: ["accuracy"]})
    data, targets = {"a": XA, "b": XB}, dict(zip(keys, [Y1, Y2]))
    model.fit(data, targets, epochs=2, verbose=0)
    path = tmp_path / "two_by_two.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert loaded.get_config()["input_layers"] == {"a": ["a", 0, 0], "b": ["b", 0, 0]}
    ours, theirs = model.predict(data, verbose=0), loaded.predict(data, verbose=0)
    for key in (keys if outputs_as == "dict" else range(2)):
        np.testing.assert_array_equal(ours[key], theirs[key])
    assert loaded.evaluate(data, targets, verbose=0, return_dict=True) == \
        model.evaluate(data, targets, verbose=0, return_dict=True)
    loaded.fit(data, targets, epochs=1, verbose=0)  # the optimizer's state came back too


def test_bad_structures_get_keras_messages():
    model = two_by_two()
    with pytest.raises(ValueError, match=r"Expected keys \['o1', 'o2'\] in loss dict, but found "
                                         r"loss.keys\(\)=\['o1', 'zz'\]"):
        model.compile("sgd", loss={"o1": "mse", "zz": "mse"})
    with pytest.raises(ValueError, match="`loss_weights` must match the number of losses, got 2 losses and 1"):
        model.compile("sgd", loss="mse", loss_weights=[1.0])
    with pytest.raises(ValueError, match="Invalid `metrics`"):
        model.compile("sgd", loss="mse", metrics=["mae"])
    model.compile("sgd", loss=["sparse_categorical_crossentropy", "mse"])
    with pytest.raises(ValueError, match="expects 2 input"):
        model.fit([XA], [Y1, Y2], verbose=0)
    with pytest.raises(ValueError, match="1 targets but the model has 2 outputs"):
        model.fit([XA, XB], [Y1], verbose=0)
    with pytest.raises(ValueError, match=r"y\['o1'\].*sparse_categorical_crossentropy"):
        model.fit([XA, XB], [Y2 * 10, Y2], verbose=0)
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.fit([XA, XB[:5]], [Y1, Y2], verbose=0)
    with pytest.raises(ValueError, match="only supported for Models with a single output"):
        model.fit([XA, XB], [Y1, Y2], class_weight={0: 1.0}, verbose=0)
    with pytest.raises(ValueError, match="not connected"):
        keras.Model(keras.Input((3,)), model.outputs)


def test_loss_weights_scale_the_loss_of_a_single_output():
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Dense(1)(inputs))
    model.compile("sgd", loss="mse", loss_weights=[2.0])
    kernel, bias = model.get_weights()
    expected = 2.0 * ((XA @ kernel + bias - Y2) ** 2).mean()
    np.testing.assert_allclose(model.evaluate(XA, Y2, verbose=0), expected, rtol=1e-5)
