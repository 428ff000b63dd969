"""Every loss: values against small reference implementations written out sample by sample, gradients by
central differences, and the input checks (shapes, class labels, [0, 1] targets)."""
import math

import numpy as np
import pytest

import netgrad
import netgrad.nn as nn
import netgrad.nn.functional as F
from netgrad import gradcheck

rng = np.random.default_rng(0)
N, C = 5, 4
LOGITS = rng.normal(0, 2, size=(N, C))
LABELS = np.array([0, 3, 1, 1, 2])
CLASS_WEIGHT = np.array([0.5, 2.0, 1.0, 1.5])


def t64(array, requires_grad=False):
    return netgrad.tensor(np.asarray(array, dtype=np.float64), dtype=netgrad.float64, requires_grad=requires_grad)


def reduce(values, reduction, denominator=None):
    values = np.asarray(values, dtype=float)
    if reduction == "none":
        return values
    if reduction == "sum":
        return values.sum()
    return values.sum() / (values.size if denominator is None else denominator)


# --------------------------------------------------------------------------------------- reference losses


def reference_cross_entropy(logits, labels, weight=None, ignore_index=-100, label_smoothing=0.0,
                            reduction="mean"):
    """PyTorch's documented formula, one sample at a time."""
    classes = logits.shape[1]
    weight = np.ones(classes) if weight is None else weight
    losses, total = [], 0.0
    for row, label in zip(logits, labels):
        if label == ignore_index:
            losses.append(0.0)
            continue
        log_p = [row[c] - math.log(sum(math.exp(v) for v in row)) for c in range(classes)]
        nll = -weight[label] * log_p[label]
        smooth = -sum(weight[c] * log_p[c] for c in range(classes)) / classes
        losses.append((1 - label_smoothing) * nll + label_smoothing * smooth)
        total += weight[label]
    return reduce(losses, reduction, total)


def reference_soft_cross_entropy(logits, targets, weight=None, label_smoothing=0.0, reduction="mean"):
    classes = logits.shape[1]
    weight = np.ones(classes) if weight is None else weight
    losses = []
    for row, target in zip(logits, targets):
        target = (1 - label_smoothing) * target + label_smoothing / classes
        log_norm = math.log(sum(math.exp(v) for v in row))
        losses.append(-sum(weight[c] * target[c] * (row[c] - log_norm) for c in range(classes)))
    return reduce(losses, reduction)


def reference_bce(p, y, weight=1.0, reduction="mean"):
    clamp = lambda v: max(v, -100.0)  # noqa: E731
    losses = [-(yi * clamp(math.log(pi) if pi > 0 else -math.inf) + (1 - yi) * clamp(math.log(1 - pi) if pi < 1
                                                                                  else -math.inf))
              for pi, yi in zip(p.ravel(), y.ravel())]
    return reduce(np.reshape(losses, p.shape) * weight, reduction)


def reference_bce_with_logits(x, y, weight=1.0, pos_weight=1.0, reduction="mean"):
    sigma = 1 / (1 + np.exp(-x))
    losses = -(pos_weight * y * np.log(sigma) + (1 - y) * np.log(1 - sigma)) * weight
    return reduce(losses, reduction)


REDUCTIONS = ["mean", "sum", "none"]


# --------------------------------------------------------------------------------------------- regression


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses_match_their_formulas(reduction):
    prediction, target = rng.normal(size=(4, 3)), rng.normal(size=(4, 3)) * 2
    d = prediction - target
    huber = lambda delta: np.where(np.abs(d) < delta, 0.5 * d ** 2, delta * (np.abs(d) - 0.5 * delta))  # noqa: E731
    for loss, expected in [(nn.MSELoss(reduction=reduction), d ** 2), (nn.L1Loss(reduction=reduction), np.abs(d)),
                           (nn.HuberLoss(reduction=reduction), huber(1.0)),
                           (nn.HuberLoss(reduction=reduction, delta=0.5), huber(0.5))]:
        np.testing.assert_allclose(loss(t64(prediction), t64(target)).numpy(), reduce(expected, reduction),
                                   rtol=1e-12)


def test_mse_and_mae_of_the_notes():
    y, y_hat = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 6.0])
    assert nn.MSELoss()(t64(y_hat), t64(y)).item() == pytest.approx((1 + 0 + 9) / 3)   # sum (y - y_hat)^2 / n
    assert nn.L1Loss()(t64(y_hat), t64(y)).item() == pytest.approx((1 + 0 + 3) / 3)    # sum |y - y_hat| / n


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss", [nn.MSELoss, nn.L1Loss, nn.HuberLoss])
def test_regression_loss_gradients(loss, reduction):
    prediction = t64(rng.normal(size=(3, 4)), requires_grad=True)
    target = t64(prediction.detach().numpy() + rng.choice([-2.0, -0.3, 0.4, 1.7], size=(3, 4)), requires_grad=True)
    assert gradcheck(loss(reduction=reduction), (prediction, target))


# ------------------------------------------------------------------------------------------------- binary


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_matches_formula_and_gradients(reduction):
    p, y = rng.uniform(0.05, 0.95, size=(4, 3)), rng.uniform(0, 1, size=(4, 3))
    weight = rng.uniform(0.5, 2.0, size=(3,))
    np.testing.assert_allclose(nn.BCELoss(reduction=reduction)(t64(p), t64(y)).numpy(),
                               reference_bce(p, y, 1.0, reduction), rtol=1e-12)
    np.testing.assert_allclose(nn.BCELoss(weight=t64(weight), reduction=reduction)(t64(p), t64(y)).numpy(),
                               reference_bce(p, y, weight, reduction), rtol=1e-12)
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b, t64(weight), reduction=reduction),
                     (t64(p, True), t64(y, True)))


def test_bce_clamps_logs_at_minus_100():
    loss = F.binary_cross_entropy(t64([0.0, 1.0, 0.0]), t64([1.0, 0.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(loss.numpy(), [100.0, 100.0, 0.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_matches_formula_and_gradients(reduction):
    x, y = rng.normal(0, 2, size=(4, 3)), rng.integers(0, 2, size=(4, 3)).astype(float)
    weight, pos_weight = rng.uniform(0.5, 2, size=(4, 1)), np.array([0.5, 1.0, 3.0])
    loss = nn.BCEWithLogitsLoss(weight=t64(weight), pos_weight=t64(pos_weight), reduction=reduction)
    np.testing.assert_allclose(loss(t64(x), t64(y)).numpy(),
                               reference_bce_with_logits(x, y, weight, pos_weight, reduction), rtol=1e-12)
    np.testing.assert_allclose(nn.BCEWithLogitsLoss(reduction=reduction)(t64(x), t64(y)).numpy(),
                               reference_bce_with_logits(x, y, reduction=reduction), rtol=1e-12)
    soft = rng.uniform(0, 1, size=(4, 3))
    assert gradcheck(lambda a, b: loss(a, b), (t64(x, True), t64(soft, True)))
    assert gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction),
                     (t64(x, True), t64(soft, True)))


def test_bce_with_logits_equals_sigmoid_then_bce():
    x, y = rng.normal(size=(6,)), rng.uniform(size=(6,))
    fused = F.binary_cross_entropy_with_logits(t64(x), t64(y)).item()
    composed = F.binary_cross_entropy(F.sigmoid(t64(x)), t64(y)).item()
    assert fused == pytest.approx(composed, rel=1e-12)
    # the stable form: max(x, 0) - x y + log(1 + e^-|x|)
    stable = np.mean(np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x))))
    assert fused == pytest.approx(stable, rel=1e-14)


# ------------------------------------------------------------------------------------------ cross-entropy


CE_OPTIONS = [{}, {"weight": CLASS_WEIGHT}, {"ignore_index": 1}, {"label_smoothing": 0.2},
              {"weight": CLASS_WEIGHT, "ignore_index": 3, "label_smoothing": 0.1}]


def _kwargs(options):
    return {k: t64(v) if k == "weight" else v for k, v in options.items()}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", CE_OPTIONS, ids=str)
def test_cross_entropy_with_class_indices(options, reduction):
    loss = nn.CrossEntropyLoss(reduction=reduction, **_kwargs(options))
    value = loss(t64(LOGITS), netgrad.tensor(LABELS))
    np.testing.assert_allclose(value.numpy(), reference_cross_entropy(LOGITS, LABELS, reduction=reduction, **options),
                               rtol=1e-12)
    assert gradcheck(lambda x: loss(x, netgrad.tensor(LABELS)), (t64(LOGITS, True),))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": CLASS_WEIGHT}, {"label_smoothing": 0.3},
                                     {"weight": CLASS_WEIGHT, "label_smoothing": 0.1}], ids=str)
def test_cross_entropy_with_probabilities(options, reduction):
    targets = rng.dirichlet(np.ones(C), size=N)
    loss = nn.CrossEntropyLoss(reduction=reduction, **_kwargs(options))
    np.testing.assert_allclose(loss(t64(LOGITS), t64(targets)).numpy(),
                               reference_soft_cross_entropy(LOGITS, targets, reduction=reduction, **options),
                               rtol=1e-12)
    assert gradcheck(lambda x, t: loss(x, t), (t64(LOGITS, True), t64(targets, True)))


def test_one_hot_targets_give_the_same_loss_and_gradient_as_class_indices():
    one_hot = F.one_hot(netgrad.tensor(LABELS), C)
    x1, x2 = t64(LOGITS, True), t64(LOGITS, True)
    a, b = F.cross_entropy(x1, netgrad.tensor(LABELS)), F.cross_entropy(x2, one_hot)
    assert a.item() == pytest.approx(b.item(), rel=1e-14)
    a.backward()
    b.backward()
    np.testing.assert_allclose(x1.grad.numpy(), x2.grad.numpy(), rtol=1e-13)
    # gradient of the mean: (softmax - onehot) / N
    p = np.exp(LOGITS) / np.exp(LOGITS).sum(1, keepdims=True)
    np.testing.assert_allclose(x1.grad.numpy(), (p - np.eye(C)[LABELS]) / N, rtol=1e-12)


def test_cross_entropy_on_spatial_and_unbatched_inputs():
    logits = rng.normal(size=(2, C, 3))
    labels = rng.integers(0, C, size=(2, 3))
    per_position = F.cross_entropy(t64(logits), netgrad.tensor(labels), reduction="none").numpy()
    expected = np.array([[reference_cross_entropy(logits[n, :, k][None], labels[n, k:k + 1], reduction="sum")
                          for k in range(3)] for n in range(2)])
    np.testing.assert_allclose(per_position, expected, rtol=1e-12)
    assert gradcheck(lambda x: F.cross_entropy(x, netgrad.tensor(labels), label_smoothing=0.1), (t64(logits, True),))
    single = F.cross_entropy(t64(LOGITS[0]), netgrad.tensor(3))
    assert single.item() == pytest.approx(reference_cross_entropy(LOGITS[:1], [3]), rel=1e-12)


def test_float_class_labels_holding_whole_numbers_are_accepted():
    expected = F.cross_entropy(t64(LOGITS), netgrad.tensor(LABELS)).item()
    assert F.cross_entropy(t64(LOGITS), LABELS.astype(np.float32)).item() == pytest.approx(expected)
    with pytest.raises(ValueError, match="whole numbers"):
        F.cross_entropy(t64(LOGITS), LABELS + 0.5)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": CLASS_WEIGHT}, {"ignore_index": 1},
                                     {"weight": CLASS_WEIGHT, "ignore_index": 0}], ids=str)
def test_nll_loss_of_log_softmax_is_cross_entropy(options, reduction):
    log_p = F.log_softmax(t64(LOGITS), dim=1)
    nll = nn.NLLLoss(reduction=reduction, **_kwargs(options))(log_p, netgrad.tensor(LABELS))
    np.testing.assert_allclose(nll.numpy(), reference_cross_entropy(LOGITS, LABELS, reduction=reduction, **options),
                               rtol=1e-12)
    loss = nn.NLLLoss(reduction=reduction, **_kwargs(options))
    assert gradcheck(lambda x: loss(x, netgrad.tensor(LABELS)), (t64(LOGITS, True),))


def test_huge_logits_give_finite_losses_and_gradients():
    logits = t64([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]], requires_grad=True)
    for loss in [F.cross_entropy(logits, netgrad.tensor([1, 0])),
                 F.cross_entropy(logits, netgrad.tensor([2, 2]), label_smoothing=0.1),
                 F.cross_entropy(logits, t64([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])),
                 F.binary_cross_entropy_with_logits(logits, t64([[0, 1, 1], [1, 0, 0]])),
                 F.binary_cross_entropy_with_logits(logits, t64([[0, 1, 1], [1, 0, 0]]), pos_weight=t64([2, 1, 3]))]:
        logits.grad = None
        loss.backward()
        assert math.isfinite(loss.item())
        assert np.all(np.isfinite(logits.grad.numpy()))
    # confidently wrong: the loss is the gap to the winning logit (plus log(1 + e^-1) for the runner-up at 999)
    np.testing.assert_allclose(F.cross_entropy(logits, netgrad.tensor([1, 0]), reduction="none").detach().numpy(),
                               [2000.0, 2000.0 + math.log1p(math.exp(-1))], rtol=1e-15)


def test_float32_losses_stay_float32():
    x = netgrad.randn(4, 3, requires_grad=True)
    for loss in [F.cross_entropy(x, netgrad.tensor([0, 1, 2, 0])), F.mse_loss(x, np.zeros((4, 3))),
                 F.binary_cross_entropy_with_logits(x, np.ones((4, 3))), F.l1_loss(x, netgrad.zeros(4, 3)),
                 F.huber_loss(x, netgrad.zeros(4, 3)), F.nll_loss(x, netgrad.tensor([0, 1, 2, 0]))]:
        assert loss.dtype == netgrad.float32
        loss.backward()
        assert x.grad.dtype == netgrad.float32


# ------------------------------------------------------------------------------------------------ bad input


def test_target_shape_must_equal_input_shape():
    prediction = netgrad.zeros(4, 1)
    for loss in [nn.MSELoss(), nn.L1Loss(), nn.HuberLoss(), nn.BCEWithLogitsLoss(), nn.BCELoss()]:
        with pytest.raises(ValueError, match=r"target shape \(4,\) differs from input shape \(4, 1\).*view\(-1, 1\)"):
            loss(prediction if not isinstance(loss, nn.BCELoss) else prediction + 0.5, netgrad.zeros(4))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        nn.MSELoss()(netgrad.zeros(3, 2), netgrad.zeros(2, 3))


def test_class_targets_are_checked():
    logits = netgrad.zeros(3, 4)
    with pytest.raises(ValueError, match=r"class label 4 is out of range for 4 classes"):
        nn.CrossEntropyLoss()(logits, netgrad.tensor([0, 4, 1]))
    with pytest.raises(ValueError, match=r"class label -1 is out of range"):
        nn.NLLLoss()(logits, netgrad.tensor([0, -1, 1]))
    with pytest.raises(ValueError, match=r"target of shape \(3, 1\).*\(3,\).*view\(-1\)"):
        nn.CrossEntropyLoss()(logits, netgrad.tensor([[0], [1], [2]]))
    with pytest.raises(ValueError, match="one value per class"):
        nn.CrossEntropyLoss(weight=netgrad.ones(3))(logits, netgrad.tensor([0, 1, 2]))
    # ignore_index is the one label allowed outside [0, C)
    loss = nn.CrossEntropyLoss(ignore_index=-1)(logits, netgrad.tensor([0, -1, 1]))
    assert loss.item() == pytest.approx(math.log(4))


def test_binary_targets_must_lie_in_unit_interval():
    with pytest.raises(ValueError, match=r"target value must lie in \[0, 1\], got 2.0"):
        nn.BCEWithLogitsLoss()(netgrad.zeros(3), netgrad.tensor([0.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match=r"got -1.0"):
        nn.BCELoss()(netgrad.full((3,), 0.5), netgrad.tensor([0.0, -1.0, 1.0]))
    with pytest.raises(ValueError, match="input value must lie in .* for logits use binary_cross_entropy_with_logits"):
        nn.BCELoss()(netgrad.tensor([0.5, 3.0]), netgrad.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"target probability value must lie in \[0, 1\]"):
        nn.CrossEntropyLoss()(netgrad.zeros(2, 2), netgrad.tensor([[1.5, -0.5], [0.0, 1.0]]))


def test_bad_hyper_parameters_raise_value_error():
    for build in [lambda: nn.MSELoss(reduction="average"), lambda: nn.CrossEntropyLoss(label_smoothing=1.5),
                  lambda: nn.HuberLoss(delta=0), lambda: nn.BCELoss(reduction="max")]:
        with pytest.raises(ValueError):
            build()


def test_loss_weights_are_buffers_saved_with_the_state():
    loss = nn.CrossEntropyLoss(weight=netgrad.tensor([1.0, 2.0]))
    assert list(loss.state_dict()) == ["weight"]
    assert list(nn.BCEWithLogitsLoss(pos_weight=netgrad.tensor([3.0])).state_dict()) == ["pos_weight"]
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"


def test_options_after_weight_are_keyword_only():
    # in PyTorch the fourth positional argument is the deprecated size_average: refuse rather than misread it
    with pytest.raises(TypeError):
        F.cross_entropy(t64(LOGITS), netgrad.tensor(LABELS), None, 1)
    with pytest.raises(TypeError):
        nn.MSELoss("sum")


def test_a_batch_whose_labels_are_all_ignored_has_nan_loss_and_zero_gradient():
    for loss_fn in (F.cross_entropy, F.nll_loss):
        x = t64(LOGITS[:2], requires_grad=True)
        loss = loss_fn(x, netgrad.tensor([1, 1]), ignore_index=1)
        assert math.isnan(loss.item())
        loss.backward()
        np.testing.assert_array_equal(x.grad.numpy(), np.zeros((2, C)))
