import numpy as np

from eval import paired_difference


def test_a_consistent_improvement_has_an_interval_below_zero():
    rng = np.random.default_rng(0)
    base = rng.uniform(2e-4, 4e-4, 500)
    d = paired_difference(base * 0.95, base)
    assert d["ci95_1e3"][1] < 0 and d["share_lower"] == 1.0
    assert abs(d["relative"] + 0.05) < 1e-3


def test_noise_alone_is_not_called_a_difference():
    rng = np.random.default_rng(1)
    base = rng.uniform(2e-4, 4e-4, 500)
    d = paired_difference(base + rng.normal(0, 2e-5, 500), base)
    assert d["ci95_1e3"][0] < 0 < d["ci95_1e3"][1]
    assert 0.3 < d["share_lower"] < 0.7
