"""Random fills and sampling: the draws' means and variances against the distributions' closed forms (within
five standard errors), support, dtypes, reproducibility under manual_seed and generator=."""
import math

import numpy as np
import pytest

import netgrad

N = 200_000


def close_to(samples, mean, var):
    """The sample mean lies within 5 standard errors of ``mean``, and the sample variance within 5 % of var."""
    samples = np.asarray(samples, dtype=np.float64).ravel()
    assert abs(samples.mean() - mean) < 5 * math.sqrt(var / samples.size), (samples.mean(), mean)
    assert abs(samples.var() - var) < 0.05 * var, (samples.var(), var)


def test_fills_follow_their_distributions():
    netgrad.manual_seed(0)
    x = netgrad.empty(N, dtype=netgrad.float64)
    close_to(x.exponential_(2.0).numpy(), 1 / 2, 1 / 4)
    p = 0.3
    g = x.geometric_(p).numpy()
    assert g.min() >= 1 and np.all(g == np.round(g))
    close_to(g, 1 / p, (1 - p) / p ** 2)
    mu, sigma = 0.1, 0.5
    close_to(x.log_normal_(mu, sigma).numpy(), math.exp(mu + sigma ** 2 / 2),
             (math.exp(sigma ** 2) - 1) * math.exp(2 * mu + sigma ** 2))
    close_to(x.bernoulli_(0.25).numpy(), 0.25, 0.25 * 0.75)
    r = x.random_(3, 10).numpy()
    assert set(np.unique(r)) == set(range(3, 10))
    assert set(np.unique(x.random_(4).numpy())) == set(range(4))
    c = x.cauchy_(1.0, 2.0).numpy()  # heavy tails: the median and quartiles are median +- sigma
    assert np.quantile(c, [0.25, 0.5, 0.75]) == pytest.approx([-1.0, 1.0, 3.0], abs=0.05)


def test_random_without_bounds_gives_the_integers_a_float32_holds_exactly():
    x = netgrad.empty(1000).random_()
    data = x.numpy()
    assert data.dtype == np.float32 and np.all(data == np.round(data)) and data.min() >= 0 and data.max() <= 2 ** 24


def test_bernoulli_and_poisson_use_the_given_rates():
    netgrad.manual_seed(1)
    p = netgrad.tensor([0.1, 0.5, 0.9], dtype=netgrad.float64).expand(N // 10, 3)
    draws = netgrad.bernoulli(p).numpy()
    assert draws.dtype == np.float64
    for j, q in enumerate([0.1, 0.5, 0.9]):
        close_to(draws[:, j], q, q * (1 - q))
    rates = netgrad.full((N // 10, 2), 3.5)
    close_to(netgrad.poisson(rates).numpy(), 3.5, 3.5)


def test_multinomial_frequencies_and_no_repeats_without_replacement():
    netgrad.manual_seed(2)
    weights = netgrad.tensor([[1.0, 2.0, 7.0], [5.0, 0.0, 5.0]])
    draws = netgrad.multinomial(weights, N // 10, replacement=True).numpy()
    assert draws.dtype == np.int64 and draws.shape == (2, N // 10)
    for row, w in zip(draws, weights.numpy()):
        freq = np.bincount(row, minlength=3) / row.size
        assert freq == pytest.approx(w / w.sum(), abs=0.01)
    once = netgrad.multinomial(netgrad.rand(5, 8) + 0.1, 8).numpy()
    assert all(sorted(row) == list(range(8)) for row in once)
    # without replacement the first draw follows the weights too
    firsts = [netgrad.tensor([1.0, 3.0]).multinomial(1).item() for _ in range(2000)]
    assert np.mean(firsts) == pytest.approx(0.75, abs=0.05)


def test_seed_and_generator_make_draws_reproducible():
    netgrad.manual_seed(7)
    a = netgrad.empty(5).exponential_().numpy().copy()
    netgrad.manual_seed(7)
    assert np.array_equal(netgrad.empty(5).exponential_().numpy(), a)
    g1, g2 = netgrad.Generator().manual_seed(3), netgrad.Generator().manual_seed(3)
    w = netgrad.ones(10)
    assert np.array_equal(w.multinomial(4, generator=g1).numpy(), w.multinomial(4, generator=g2).numpy())
    half = w / 2
    assert np.array_equal(netgrad.bernoulli(half, generator=g1).numpy(), netgrad.bernoulli(half, generator=g2).numpy())


def test_fill_on_a_tensor_in_a_graph_cuts_the_gradient():
    x = netgrad.ones(3, requires_grad=True)
    y = x * 2
    y.exponential_()
    y.sum().backward()
    assert x.grad.numpy().tolist() == [0.0, 0.0, 0.0]


def test_draws_stay_on_the_tensors_device():
    x, p = netgrad.zeros(4, 3, device="standin"), netgrad.rand(4, 3, device="standin")
    for out in (x.exponential_(), x.geometric_(0.5), x.cauchy_(), x.log_normal_(), x.random_(5), x.bernoulli_(0.5),
                netgrad.bernoulli(p), netgrad.multinomial(p + 0.1, 2), netgrad.poisson(p), x.histc(3)):
        assert out.device.type == "standin"
