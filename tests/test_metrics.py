"""Sample-quality metrics against closed forms and independent SciPy / brute-force references."""

import numpy as np
import pytest
from scipy import linalg, stats

from ganzoo import metrics
from ganzoo.metrics.kid import polynomial_mmd2


def random_spd(rng, d, rank=None):
    a = rng.normal(size=(d, rank or d))
    return a @ a.T + (0 if rank else 0.1 * np.eye(d))


def test_frechet_distance_from_stats_matches_the_diagonal_closed_form():
    rng = np.random.default_rng(0)
    mu_a, mu_b = rng.normal(size=6), rng.normal(size=6)
    var_a, var_b = rng.uniform(0.1, 3.0, 6), rng.uniform(0.1, 3.0, 6)
    expected = np.sum((mu_a - mu_b) ** 2) + np.sum((np.sqrt(var_a) - np.sqrt(var_b)) ** 2)
    value = metrics.frechet_distance_from_stats(mu_a, np.diag(var_a), mu_b, np.diag(var_b))
    assert value == pytest.approx(expected, rel=1e-10)
    # one dimension: the 2-Wasserstein distance (m1 - m2)^2 + (s1 - s2)^2
    assert metrics.frechet_distance_from_stats([1.0], [[4.0]], [-0.5], [[0.25]]) == pytest.approx(
        1.5**2 + 1.5**2)


def test_frechet_distance_from_stats_matches_scipy_sqrtm():
    rng = np.random.default_rng(1)
    for d in (3, 20):
        s_a, s_b = random_spd(rng, d), random_spd(rng, d)
        mu_a, mu_b = rng.normal(size=d), rng.normal(size=d)
        root = linalg.sqrtm(s_a @ s_b)
        expected = np.sum((mu_a - mu_b) ** 2) + np.trace(s_a) + np.trace(s_b) - 2 * np.trace(root).real
        assert metrics.frechet_distance_from_stats(mu_a, s_a, mu_b, s_b) == pytest.approx(expected, rel=1e-8)
        assert metrics.frechet_distance_from_stats(mu_a, s_a, mu_a, s_a) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_stays_finite_on_singular_covariances():
    rng = np.random.default_rng(2)
    s_a, s_b = random_spd(rng, 10, rank=3), random_spd(rng, 10, rank=4)
    value = metrics.frechet_distance_from_stats(np.zeros(10), s_a, np.zeros(10), s_b)
    expected = np.trace(s_a) + np.trace(s_b) - 2 * np.trace(linalg.sqrtm(s_a @ s_b)).real
    assert np.isfinite(value) and value == pytest.approx(expected, rel=1e-5)


def test_frechet_distance_from_features_estimates_the_gaussians_distance():
    rng = np.random.default_rng(3)
    cov_a, cov_b = np.diag([1.0, 4.0]), np.diag([0.25, 1.0])
    a = rng.multivariate_normal([0, 0], cov_a, size=20000)
    b = rng.multivariate_normal([1, 0], cov_b, size=20000)
    exact = 1.0 + (1 - 0.5) ** 2 + (2 - 1) ** 2
    assert metrics.frechet_distance(a, b) == pytest.approx(exact, rel=0.03)
    ref = metrics.frechet_distance_from_stats(a.mean(0), np.cov(a.T), b.mean(0), np.cov(b.T))
    assert metrics.frechet_distance(a, b) == pytest.approx(ref, rel=1e-12)
    with pytest.raises(ValueError, match="widths differ"):
        metrics.frechet_distance(a, b[:, :1])
    with pytest.raises(ValueError, match="N >= 2"):
        metrics.frechet_distance(a[:1], b)


def test_polynomial_mmd2_matches_a_brute_force_sum():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(7, 3)), rng.normal(1.0, 1.0, size=(5, 3))

    def k(u, v):
        return (np.dot(u, v) / 3 + 1) ** 3

    xx = sum(k(x[i], x[j]) for i in range(7) for j in range(7) if i != j) / (7 * 6)
    yy = sum(k(y[i], y[j]) for i in range(5) for j in range(5) if i != j) / (5 * 4)
    xy = sum(k(x[i], y[j]) for i in range(7) for j in range(5)) / (7 * 5)
    assert polynomial_mmd2(x, y) == pytest.approx(xx + yy - 2 * xy, rel=1e-10)


def test_kid_estimates_the_closed_form_mmd_and_is_unbiased():
    # 1-D, k(x, y) = (xy + 1)^3 = x^3 y^3 + 3 x^2 y^2 + 3 x y + 1; for independent x, y the
    # expectation is E x^3 E y^3 + 3 E x^2 E y^2 + 3 E x E y + 1, with the normal moments
    # E x = m, E x^2 = m^2 + s^2, E x^3 = m^3 + 3 m s^2.
    def moments(m, s):
        return m, m * m + s * s, m**3 + 3 * m * s * s

    def expected_kernel(p, q):
        return p[2] * q[2] + 3 * p[1] * q[1] + 3 * p[0] * q[0] + 1

    pa, pb = moments(0.0, 0.5), moments(0.5, 0.5)
    exact = expected_kernel(pa, pa) + expected_kernel(pb, pb) - 2 * expected_kernel(pa, pb)
    rng = np.random.default_rng(5)
    a, b = rng.normal(0.0, 0.5, size=(20000, 1)), rng.normal(0.5, 0.5, size=(20000, 1))
    mean, std = metrics.kernel_inception_distance(a, b, num_subsets=40, subset_size=1000)
    # over 20 seeds this estimate spreads by 3.2% of exact: 4 standard deviations
    assert mean == pytest.approx(exact, rel=0.13) and std > 0
    a = rng.normal(size=(20000, 1))
    same, same_std = metrics.kernel_inception_distance(a, rng.normal(size=(20000, 1)),
                                                       num_subsets=40, subset_size=1000)
    assert abs(same) < 3 * same_std / np.sqrt(40) + 1e-3  # unbiased: centred on 0, may go negative
    # subsets as large as the sets: the full-set estimate (it does not depend on row order)
    full, spread = metrics.kernel_inception_distance(a[:300], b[:200], num_subsets=2, subset_size=10**6)
    assert spread > 0  # 200 of a's 300 rows per subset: the two subsets differ
    full, spread = metrics.kernel_inception_distance(a[:200], b[:200], num_subsets=2, subset_size=10**6)
    assert full == pytest.approx(polynomial_mmd2(a[:200], b[:200]), rel=1e-10)
    assert spread == pytest.approx(0.0, abs=1e-9)


def test_inception_score_closed_cases_and_scipy_entropy_reference():
    k = 7
    one_hot_uniform = np.tile(np.eye(k), (30, 1))  # every split sees each class equally often
    mean, std = metrics.inception_score(one_hot_uniform, splits=10)
    assert mean == pytest.approx(k) and std == pytest.approx(0.0, abs=1e-9)
    same = np.tile(np.full((1, k), 1.0 / k), (50, 1))
    assert metrics.inception_score(same, splits=5)[0] == pytest.approx(1.0)
    rng = np.random.default_rng(6)
    probs = rng.dirichlet(np.full(k, 0.3), size=400)
    expected = np.exp(stats.entropy(probs.mean(0)) - np.mean([stats.entropy(p) for p in probs]))
    assert metrics.inception_score(probs, splits=1)[0] == pytest.approx(expected, rel=1e-10)
    parts = [np.exp(stats.entropy(p.mean(0)) - np.mean([stats.entropy(q) for q in p]))
             for p in np.array_split(probs, 4)]
    assert metrics.inception_score(probs, splits=4) == pytest.approx((np.mean(parts), np.std(parts)))
    with pytest.raises(ValueError, match="probability vectors"):
        metrics.inception_score(probs * 2)


def brute_force_manifold(real, fake, k):
    def radii(points):
        return np.array([np.sort([np.linalg.norm(p - q) for q in points])[k] for p in points])

    r_real, r_fake = radii(real), radii(fake)

    def inside(x, centres, r):
        return [np.linalg.norm(x - c) <= rc for c, rc in zip(centres, r)]

    precision = np.mean([any(inside(f, real, r_real)) for f in fake])
    recall = np.mean([any(inside(x, fake, r_fake)) for x in real])
    density = sum(sum(inside(f, real, r_real)) for f in fake) / (k * len(fake))
    coverage = np.mean([any(np.linalg.norm(f - x) <= rx for f in fake) for x, rx in zip(real, r_real)])
    return precision, recall, density, coverage


def test_precision_recall_density_coverage_match_brute_force():
    rng = np.random.default_rng(7)
    real = rng.normal(size=(60, 3))
    fake = np.concatenate([rng.normal(0.3, 0.7, size=(30, 3)), rng.normal(3.0, 0.2, size=(15, 3))])
    for k in (3, 5):
        p, r, d, c = brute_force_manifold(real, fake, k)
        pr = metrics.precision_recall(real, fake, k=k)
        dc = metrics.density_coverage(real, fake, k=k)
        assert (pr["precision"], pr["recall"]) == pytest.approx((p, r))
        assert (dc["density"], dc["coverage"]) == pytest.approx((d, c))
    assert 0 < pr["precision"] < 1  # the far cluster lies outside the real manifold


def test_manifold_metrics_on_identical_and_disjoint_sets():
    rng = np.random.default_rng(8)
    real = rng.normal(size=(200, 4))
    assert metrics.precision_recall(real, real) == {"precision": 1.0, "recall": 1.0}
    assert metrics.density_coverage(real, real)["coverage"] == 1.0
    far = real + 100.0
    assert metrics.precision_recall(real, far) == {"precision": 0.0, "recall": 0.0}
    assert metrics.density_coverage(real, far) == {"density": 0.0, "coverage": 0.0}
    with pytest.raises(ValueError, match="k must be"):
        metrics.precision_recall(real[:3], far[:3], k=3)


def test_parzen_matches_a_scipy_mixture_density():
    rng = np.random.default_rng(9)
    samples, test = rng.normal(size=(50, 3)), rng.normal(size=(20, 3))
    sigma = 0.4
    dens = np.mean([stats.multivariate_normal(s, sigma**2 * np.eye(3)).pdf(test) for s in samples], axis=0)
    expected = np.log(dens)
    mean, stderr = metrics.parzen_log_likelihood(samples, test, sigma, batch_size=7)
    assert mean == pytest.approx(expected.mean(), rel=1e-10)
    assert stderr == pytest.approx(expected.std(ddof=1) / np.sqrt(20), rel=1e-10)
    # every width at once (the distances computed once): each row is that width's density
    from ganzoo.metrics.parzen import parzen_log_likelihoods_by_sigma

    table = parzen_log_likelihoods_by_sigma(samples, test, [0.2, sigma], batch_size=6)
    narrow = np.mean([stats.multivariate_normal(s, 0.04 * np.eye(3)).pdf(test) for s in samples], 0)
    np.testing.assert_allclose(table[0], np.log(narrow), rtol=1e-10)
    np.testing.assert_allclose(table[1], expected, rtol=1e-10)


def test_parzen_sigma_selection_lands_near_the_optimal_bandwidth():
    rng = np.random.default_rng(10)
    samples, valid = rng.normal(size=(2000, 1)), rng.normal(size=(2000, 1))
    sigmas = np.logspace(-2, 0.5, 26)
    best, scores = metrics.select_parzen_sigma(samples, valid, sigmas)
    assert set(scores) == {float(s) for s in sigmas} and scores[best] == max(scores.values())
    silverman = 1.06 * 2000 ** (-1 / 5)  # the normal reference rule for a N(0, 1) density
    assert silverman / 2 < best < silverman * 2


def test_class_consistency_counts_agreement_per_class():
    probs = np.eye(3)[[0, 1, 1, 2, 0, 2]]
    result = metrics.class_consistency(probs, np.array([0, 1, 2, 2, 1, 2]))
    assert result["accuracy"] == pytest.approx(4 / 6)
    assert result["per_class"] == pytest.approx([1.0, 0.5, 2 / 3])
    with pytest.raises(ValueError, match="labels must lie"):
        metrics.class_consistency(probs, np.array([0, 1, 2, 3, 0, 0]))
