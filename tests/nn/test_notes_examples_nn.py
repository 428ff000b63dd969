"""The lecture notes' torch.nn worked examples, run with netgrad (`import netgrad as torch` style).

Expected numbers are the notes' (or, where a slide's arithmetic is wrong, the mathematics').
"""
import math

import numpy as np
import pytest

import netgrad
import netgrad.nn as nn
import netgrad.nn.functional as F


def set_parameters(layer, weight, bias):
    with netgrad.no_grad():
        layer.weight.copy_(np.asarray(weight, dtype=np.float64))
        layer.bias.copy_(np.asarray(bias, dtype=np.float64))


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


# ------------------------------------------------------------------------------- notes 001: nn.Linear, backprop


def test_linear_4_to_3_with_weights_1_to_12_maps_ones_to_11_27_43():
    m = nn.Linear(4, 3)  # Linear(in_features=4, out_features=3, bias=True)
    assert m.weight.shape == (3, 4) and m.bias.shape == (3,)
    assert m(netgrad.randn(1, 4)).shape == (1, 3)
    assert m(netgrad.randn(100, 4)).shape == (100, 3)
    set_parameters(m, np.arange(1.0, 13.0).reshape(3, 4), np.ones(3))
    out2 = m(netgrad.ones(1, 4))
    np.testing.assert_array_equal(out2.detach().numpy(), [[11.0, 27.0, 43.0]])
    weight, bias = m.weight.data.numpy(), m.bias.data.numpy()
    out2_manual = np.sum(weight, axis=1) + bias  # the notes' manual check
    np.testing.assert_array_equal(out2_manual, out2.data.numpy()[0])


def two_layer_network():
    linear1, act1 = nn.Linear(3, 4), nn.ReLU()
    linear2, act2 = nn.Linear(4, 2), nn.Sigmoid()
    set_parameters(linear1, np.arange(1.0, 13.0).reshape(4, 3), np.zeros(4))
    return linear1, act1, linear2, act2


def test_backprop_through_layer_1_with_external_gradient_half():
    linear1, act1, _, _ = two_layer_network()
    x = netgrad.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    z1 = linear1(x)
    a1 = act1(z1)
    np.testing.assert_array_equal(z1.detach().numpy(), [[14.0, 32.0, 50.0, 68.0]])
    np.testing.assert_array_equal(a1.detach().numpy(), [[14.0, 32.0, 50.0, 68.0]])
    external_grad = netgrad.ones_like(a1) * 0.5
    a1.backward(gradient=external_grad)
    np.testing.assert_array_equal(x.grad.numpy(), [[11.0, 13.0, 15.0]])              # dx = dz W
    np.testing.assert_array_equal(linear1.weight.grad.numpy(), np.tile([0.5, 1.0, 1.5], (4, 1)))  # dz^T x
    np.testing.assert_array_equal(linear1.bias.grad.numpy(), [0.5, 0.5, 0.5, 0.5])   # dB = dz


def test_backprop_through_zero_initialised_sigmoid_layer_2():
    linear1, act1, linear2, act2 = two_layer_network()
    linear2.weight.data = netgrad.zeros_like(linear2.weight.data).float()
    linear2.bias.data = netgrad.zeros_like(linear2.bias.data).float()
    x = netgrad.tensor([[1.0, 2.0, 3.0]])
    z1 = linear1(x)
    a1 = act1(z1)
    z2 = linear2(a1)
    a2 = act2(z2)
    np.testing.assert_array_equal(a2.detach().numpy(), [[0.5, 0.5]])  # sigma(0) = 1 / (1 + e^0)
    z2.retain_grad()
    a1.retain_grad()
    external_grad = netgrad.ones_like(a2) * 0.5
    a2.backward(gradient=external_grad)
    dz2 = z2.grad.numpy()
    np.testing.assert_array_equal(dz2, [[0.125, 0.125]])  # da2 * a2 (1 - a2) = 0.5 * 0.25
    np.testing.assert_array_equal(linear2.weight.grad.numpy(), [[1.75, 4.0, 6.25, 8.5]] * 2)
    np.testing.assert_array_equal(np.dot(dz2.T, a1.data.numpy()), linear2.weight.grad.numpy())  # the manual check
    np.testing.assert_array_equal(linear2.bias.grad.numpy(), [0.125, 0.125])
    np.testing.assert_array_equal(a1.grad.numpy(), np.zeros((1, 4)))  # dz2 W2 with W2 = 0


@pytest.mark.parametrize("sizes, expected", [((2, 3, 1), 13), ((784, 300, 100, 10), 266_610), ((784, 10), 7_850)])
def test_parameter_counts(sizes, expected):
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    # Total parameters = sum over layers of n[l] n[l-1] + n[l]
    assert sum(n_out * n_in + n_out for n_in, n_out in zip(sizes, sizes[1:])) == expected
    assert nn.utils.count_parameters(model) == expected
    assert sum(p.numel() for p in model.parameters()) == expected


# --------------------------------------------------------------------- notes 000: the step-by-step network


def test_step_by_step_sigmoid_network_gradients_match_the_notes_backward_pass():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    weights = {"W1": rng.normal(size=(3, 4)), "B1": rng.normal(size=(1, 4)),
               "W2": rng.normal(size=(4, 1)), "B2": rng.normal(size=(1, 1))}
    # the notes' loss_gradients, which differentiate sum((y - P)^2) / 2 (dLdP = -(y - P))
    N1 = X @ weights["W1"] + weights["B1"]
    O1 = 1 / (1 + np.exp(-N1))
    P = O1 @ weights["W2"] + weights["B2"]
    dLdP = -(y - P)
    dLdN1 = (dLdP @ weights["W2"].T) * O1 * (1 - O1)
    notes = {"W2": O1.T @ dLdP, "B2": dLdP.sum(axis=0), "W1": X.T @ dLdN1, "B1": dLdN1.sum(axis=0)}

    hidden, output = nn.Linear(3, 4).double(), nn.Linear(4, 1).double()
    set_parameters(hidden, weights["W1"].T, weights["B1"][0])   # nn.Linear stores W as (out, in)
    set_parameters(output, weights["W2"].T, weights["B2"][0])
    prediction = output(nn.Sigmoid()(hidden(netgrad.tensor(X))))
    loss = nn.MSELoss()(prediction, netgrad.tensor(y))
    assert loss.item() == pytest.approx(np.mean((y - P) ** 2), rel=1e-12)
    loss.backward()
    scale = 2 / len(X)  # MSELoss is the mean of squares: d/dP = 2 (P - y) / N
    np.testing.assert_allclose(output.weight.grad.numpy(), scale * notes["W2"].T, rtol=1e-12)
    np.testing.assert_allclose(output.bias.grad.numpy(), scale * notes["B2"], rtol=1e-12)
    np.testing.assert_allclose(hidden.weight.grad.numpy(), scale * notes["W1"].T, rtol=1e-12)
    np.testing.assert_allclose(hidden.bias.grad.numpy(), scale * notes["B1"], rtol=1e-12)


# ----------------------------------------------------------------------------- notes 003: classification losses


def test_logistic_regression_spam_example():
    model = nn.Linear(3, 1).double()
    set_parameters(model, [[0.2, 0.5, -0.3]], [-0.1])
    x, y = netgrad.tensor([[1.0, 2.0, 0.0]], dtype=netgrad.float64), netgrad.tensor([[0.0]], dtype=netgrad.float64)
    z = model(x)
    assert z.item() == pytest.approx(1.1)
    p_hat = nn.Sigmoid()(z)
    assert p_hat.item() == pytest.approx(0.75, abs=0.001)
    # "not spam" (y = 0): -log(1 - 0.7503) = 1.3873; the slide's 0.2877 is -log(0.75), the loss for y = 1
    expected = -math.log(1 - sigmoid(1.1))
    assert expected == pytest.approx(1.3873, abs=1e-4)
    assert nn.BCELoss()(p_hat, y).item() == pytest.approx(expected, rel=1e-12)
    assert nn.BCEWithLogitsLoss()(z, y).item() == pytest.approx(expected, rel=1e-12)
    assert nn.BCELoss()(p_hat, netgrad.ones_like(y)).item() == pytest.approx(-math.log(sigmoid(1.1)), rel=1e-12)
    assert nn.functional.step(z).item() == 1.0  # predicts spam: z >= 0


def test_three_emails_binary_cross_entropy():
    p_hat = netgrad.tensor([0.9, 0.3, 0.6], dtype=netgrad.float64)
    y = netgrad.tensor([1.0, 0.0, 1.0], dtype=netgrad.float64)
    expected = -(math.log(0.9) + math.log(1 - 0.3) + math.log(0.6)) / 3
    assert expected == pytest.approx(0.3243, abs=1e-4)
    assert nn.BCELoss()(p_hat, y).item() == pytest.approx(expected, rel=1e-12)


STACK_EXCHANGE_W = [[0.2, 0.8, -0.5], [0.5, -0.4, 0.3], [-0.1, 0.2, 0.7]]  # rows: C, Java, Python
STACK_EXCHANGE_B = [-0.1, 0.2, 0.1]


def stack_exchange_logits():
    model = nn.Linear(3, 3).double()
    set_parameters(model, STACK_EXCHANGE_W, STACK_EXCHANGE_B)
    return model(netgrad.tensor([[1.0, 2.0, 0.0]], dtype=netgrad.float64))


def test_stack_exchange_softmax_regression():
    z = stack_exchange_logits()
    np.testing.assert_allclose(z.detach().numpy(), [[1.7, -0.1, 0.4]], rtol=1e-12)
    p = nn.Softmax(dim=1)(z).detach().numpy()[0]
    e = np.exp([1.7, -0.1, 0.4])
    np.testing.assert_allclose(p, e / e.sum(), rtol=1e-12)
    expected = -math.log(e[2] / e.sum())  # true class Python: L = -log p_Python
    assert expected == pytest.approx(1.6631, abs=1e-4)
    assert nn.CrossEntropyLoss()(z, netgrad.tensor([2])).item() == pytest.approx(expected, rel=1e-12)
    one_hot = netgrad.tensor([[0.0, 0.0, 1.0]], dtype=netgrad.float64)
    assert nn.CrossEntropyLoss()(z, one_hot).item() == pytest.approx(expected, rel=1e-12)
    assert nn.NLLLoss()(nn.LogSoftmax(dim=1)(z), netgrad.tensor([2])).item() == pytest.approx(expected, rel=1e-12)


def test_stack_exchange_predictions_from_logits():
    logits = netgrad.tensor([[0.4967, -0.1383, 0.6477], [1.5230, -0.2342, -0.2341], [1.5792, 0.7674, -0.4695]])
    classes = ["C", "Java", "Python"]
    assert [classes[i] for i in logits.argmax(dim=1).tolist()] == ["Python", "C", "C"]
    assert logits.argmax(dim=1).tolist() == nn.Softmax(dim=1)(logits).argmax(dim=1).tolist()


def test_three_posts_cross_entropy():
    probabilities = np.array([[0.2, 0.7, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    targets = netgrad.tensor([0, 1, 2])  # C, Java, Python
    expected = -(math.log(0.2) + math.log(0.8) + math.log(0.6)) / 3
    assert expected == pytest.approx(0.7811, abs=1e-4)
    log_p = netgrad.tensor(np.log(probabilities), dtype=netgrad.float64)
    assert nn.NLLLoss()(log_p, targets).item() == pytest.approx(expected, rel=1e-12)
    # log-probabilities are logits whose softmax is the probabilities themselves
    assert nn.CrossEntropyLoss()(log_p, targets).item() == pytest.approx(expected, rel=1e-12)
    one_hot = F.one_hot(targets, 3).double()
    assert nn.CrossEntropyLoss()(log_p, one_hot).item() == pytest.approx(expected, rel=1e-12)
    assert log_p.argmax(dim=1).tolist() == [1, 1, 2]  # predicted: Java, Java, Python


def test_multi_label_stack_exchange_post():
    z = stack_exchange_logits()
    y = netgrad.tensor([[1.0, 0.0, 1.0]], dtype=netgrad.float64)  # C and Python
    expected = -(math.log(sigmoid(1.7)) + math.log(1 - sigmoid(-0.1)) + math.log(sigmoid(0.4)))
    assert nn.BCEWithLogitsLoss(reduction="sum")(z, y).item() == pytest.approx(expected, rel=1e-12)
    assert nn.BCELoss(reduction="sum")(nn.Sigmoid()(z), y).item() == pytest.approx(expected, rel=1e-12)
    assert nn.BCEWithLogitsLoss()(z, y).item() == pytest.approx(expected / 3, rel=1e-12)


def test_multi_label_predictions_threshold_probabilities_at_half_and_logits_at_zero():
    probabilities = netgrad.tensor([[0.85, 0.15, 0.65], [0.25, 0.70, 0.40], [0.30, 0.45, 0.80]])
    np.testing.assert_array_equal((probabilities >= 0.5).numpy(), [[1, 0, 1], [0, 1, 0], [0, 0, 1]])
    logits = netgrad.tensor([[2.0, -1.0, 0.5], [0.5, 1.5, 0.2], [-0.5, 0.3, 2.2]])
    predicted = (nn.Sigmoid()(logits) >= 0.5).numpy()
    np.testing.assert_array_equal(predicted, [[1, 0, 1], [1, 1, 1], [0, 1, 1]])
    np.testing.assert_array_equal(predicted, (logits >= 0).numpy())


def test_perceptron_step_unit_and_derivative_table():
    z = netgrad.tensor([-2.0, -1e-9, 0.0, 1e-9, 3.0], requires_grad=True)
    out = nn.Step()(z)
    np.testing.assert_array_equal(out.detach().numpy(), [0, 0, 0, 1, 1])  # 1 if wx + b > 0, else 0
    out.sum().backward()
    np.testing.assert_array_equal(z.grad.numpy(), np.zeros(5))
