"""The share-trend test and the Benjamini-Hochberg adjustment, on cases with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from fronts.scoring.trend import benjamini_hochberg, share_trend

YEARS = np.arange(2016, 2025)


def test_a_constant_share_shows_no_trend() -> None:
    corpus = np.array([100, 200, 300, 400, 500, 600, 700, 800, 900])
    test = share_trend((corpus // 10)[None, :], corpus, YEARS)
    assert test.z[0] == pytest.approx(0.0, abs=1e-12)
    assert test.p[0] == pytest.approx(0.5)
    assert test.dispersion[0] == pytest.approx(1.0)


def test_rising_and_falling_shares() -> None:
    corpus = np.full(9, 1000)
    rising = np.array([5, 8, 12, 20, 30, 45, 70, 100, 150])
    test = share_trend(np.stack([rising, rising[::-1]]), corpus, YEARS)
    assert test.z[0] > 5 and test.p[0] < 1e-6
    assert test.z[1] < -5 and test.p[1] > 1 - 1e-6
    # A logistic trend fits itself: no overdispersion beyond binomial noise.
    assert test.dispersion[0] < 3


def test_year_to_year_wandering_is_not_read_as_a_trend() -> None:
    # The same small upward drift, once smooth and once buried in large swings: the swings
    # raise the dispersion and shrink z, where a plain binomial test would call both certain.
    corpus = np.full(9, 10_000)
    smooth = np.array([100, 105, 110, 115, 120, 125, 130, 135, 140])
    wandering = smooth + np.array([60, -70, 80, -60, 70, -80, 60, -70, 10])
    test = share_trend(np.stack([smooth, wandering]), corpus, YEARS)
    assert test.dispersion[1] > 10 * test.dispersion[0]
    assert test.p[0] < 0.01 < test.p[1]


def test_p_values_are_calibrated_under_no_trend() -> None:
    rng = np.random.default_rng(7)
    corpus = np.array([800, 900, 1000, 1100, 1200, 1300, 1400, 1500, 1600])
    counts = rng.binomial(corpus, 0.03, size=(4000, corpus.size))
    p = share_trend(counts, corpus, YEARS).p
    assert 0.03 < (p < 0.05).mean() < 0.07
    assert (benjamini_hochberg(p) <= 0.1).mean() < 0.01


def test_undefined_cases() -> None:
    corpus = np.array([0, 50, 60, 0, 0, 0, 0, 0, 0])  # two years with works: no trend to test
    assert np.isnan(share_trend(np.array([[0, 5, 6, 0, 0, 0, 0, 0, 0]]), corpus, YEARS).p[0])
    empty = share_trend(np.zeros((1, 9)), np.full(9, 100), YEARS)
    assert np.isnan(empty.z[0]) and np.isnan(empty.p[0])
    late = share_trend(np.array([[0, 0, 0, 0, 0, 0, 0, 0, 40]]), np.full(9, 100), YEARS)
    assert late.p[0] < 1e-6 and np.isfinite(late.dispersion[0])


def test_benjamini_hochberg_by_hand() -> None:
    p = np.array([0.01, 0.04, np.nan, 0.03, 0.005, 0.5])
    # sorted: 0.005 0.01 0.03 0.04 0.5 (m = 5) -> 0.025 0.025 0.05 0.05 0.5
    q = benjamini_hochberg(p)
    assert q[[4, 0, 3, 1, 5]] == pytest.approx([0.025, 0.025, 0.05, 0.05, 0.5])
    assert np.isnan(q[2])
    assert np.isnan(benjamini_hochberg(np.array([np.nan]))).all()
