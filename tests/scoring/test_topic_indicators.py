import math

import numpy as np
import pytest

from fronts.scoring.indicators import indicators, masked_slope
from fronts.scoring.worktable import build_worktable

WINDOW = (2019, 2024)
# Corpus of 300 works a year: topic 0 doubles, topic 1 is flat, outliers fill the rest.
DOUBLING = [2, 4, 8, 16, 32, 64]
COUNTS = {-1: [250 - n for n in DOUBLING], 0: DOUBLING, 1: [50] * 6}


@pytest.fixture
def point(make_corpus):
    works, docs, _, cites = make_corpus(COUNTS)
    table = build_worktable(works, docs, cites, WINDOW)
    return table, indicators(table)


def row(table, topic):
    return int(np.searchsorted(table.topic_ids, topic))


def test_doubling_share_grows_at_log_two_and_flat_share_not_at_all(point):
    table, ind = point
    # Smoothed shares (n + 0.5) / 301 make the slope a little below ln 2.
    smoothed = np.log((np.array(DOUBLING) + 0.5) / 301)
    expected = np.polyfit(np.arange(6), smoothed, 1)[0]
    assert ind.growth[row(table, 0)] == pytest.approx(expected, rel=1e-12)
    assert 0.6 < expected < math.log(2)
    assert ind.growth[row(table, 1)] == pytest.approx(0.0, abs=1e-12)
    assert ind.cagr_share[row(table, 1)] == pytest.approx(0.0, abs=1e-12)
    assert ind.cagr_share[row(table, 0)] == pytest.approx((64.5 / 2.5) ** (1 / 5) - 1)


def test_shares_and_counts(point):
    table, ind = point
    assert ind.corpus.tolist() == [300.0] * 6
    assert ind.share[row(table, 1)] == pytest.approx([50 / 300] * 6)
    assert ind.share.sum(axis=0) == pytest.approx([1.0] * 6)
    assert ind.size[row(table, 0)] == sum(DOUBLING)


def test_novelty(point):
    table, ind = point
    years = np.arange(2019, 2025)
    assert ind.mean_year[row(table, 0)] == pytest.approx(np.average(years, weights=DOUBLING))
    assert ind.mean_year[row(table, 1)] == pytest.approx(2021.5)
    assert ind.share_recent[row(table, 0)] == pytest.approx(96 / 126)
    assert ind.share_recent[row(table, 1)] == pytest.approx(1 / 3)


def test_acceleration_sees_a_late_takeoff(make_corpus):
    late = [10, 10, 10, 10, 40, 160]
    counts = {-1: [300 - n for n in late], 0: late}
    works, docs, _, cites = make_corpus(counts)
    table = build_worktable(works, docs, cites, WINDOW)
    ind = indicators(table)
    assert ind.acceleration[row(table, 0)] > 0.5
    # p0 = 240/1800, so 40 of 300 in 2023 is the base rate: only 2024 bursts.
    assert ind.burst_start[row(table, 0)] == 5 and ind.burst_end[row(table, 0)] == 5


def test_weights_equal_to_duplicating_works(make_corpus):
    works, docs, _, cites = make_corpus(COUNTS, times_cited=lambda t, y, i: i % 4)
    table = build_worktable(works, docs, cites, WINDOW)
    weights = np.zeros(table.topic_idx.size)
    weights[::3] = 2.0
    weighted = indicators(table, weights)
    picked = np.repeat(np.arange(weights.size), weights.astype(int))
    dup_works = works.sort("work_id")[picked].with_columns(
        works.sort("work_id")[picked]["work_id"] + "_" + np.arange(picked.size).astype(str)
    )
    # The same works, each written out twice under new ids, give the same indicators.
    dup_docs = docs.sort("work_id")[picked].with_columns(dup_works["work_id"])
    dup_table = build_worktable(dup_works, dup_docs, cites, WINDOW)
    duplicated = indicators(dup_table)
    assert weighted.growth == pytest.approx(duplicated.growth)
    assert weighted.mean_year == pytest.approx(duplicated.mean_year)
    assert weighted.impact == pytest.approx(duplicated.impact)
    assert weighted.burst_weight == pytest.approx(duplicated.burst_weight)


def test_citation_growth_on_the_proxy_basis(make_corpus):
    # times_cited = 2^(year-2019) * age: cohort means of times_cited / age double every year.
    counts = {0: [5] * 6}
    works, docs, _, cites = make_corpus(
        counts, times_cited=lambda t, y, i: 2 ** (y - 2019) * (2024 - y + 1)
    )
    table = build_worktable(works, docs, cites, WINDOW)
    ind = indicators(table)
    series = 2.0 ** np.arange(6)
    assert ind.citations[0] == pytest.approx(series)
    assert ind.citation_growth[0] == pytest.approx(np.polyfit(np.arange(6), np.log1p(series), 1)[0])


def test_impact_and_coherence(make_corpus):
    counts = {0: [2] * 6, 1: [2] * 6}
    works, docs, _, cites = make_corpus(
        counts,
        times_cited=lambda t, y, i: (2024 - y + 1) * (3 if t == 0 else 1),
        similarity=lambda t, i: 0.2 + 0.2 * i,
    )
    table = build_worktable(works, docs, cites, WINDOW)
    ind = indicators(table)
    assert ind.impact.tolist() == pytest.approx([3.0, 1.0])
    assert ind.share_top10.tolist() == pytest.approx([2.4 / 12, 0.0])
    assert ind.coherence.tolist() == pytest.approx([0.3, 0.3])


def test_masked_slope_ignores_masked_points_and_needs_two():
    x = np.arange(4.0)
    y = np.array([[0.0, 1.0, 99.0, 3.0], [5.0, 0.0, 0.0, 0.0]])
    mask = np.array([[True, True, False, True], [True, False, False, False]])
    assert masked_slope(x, y, mask).tolist() == pytest.approx([1.0, 0.0])


def test_slope_variance_matches_the_least_squares_formula():
    from fronts.scoring.indicators import slope_variance

    x = np.arange(5.0)
    var = np.array([[1.0, 1.0, 1.0, 1.0, 1.0], [0.5, 2.0, 1.0, 4.0, 1.0]])
    got = slope_variance(x, var, np.ones(5, dtype=bool))
    # equal variances: sigma^2 / Sxx, with Sxx = 10
    assert got[0] == pytest.approx(0.1)
    w = (x - 2) / 10
    assert got[1] == pytest.approx(float((w * w * var[1]).sum()))
    one_point = slope_variance(x, var, np.array([True, False, False, False, False]))
    assert np.isinf(one_point).all()


def test_shrinkage_moves_noisy_estimates_most_and_keeps_precise_ones():
    from fronts.scoring.indicators import shrink_to_field

    estimate = np.array([0.30, 0.02, 0.05, 0.04, -0.01, np.nan])
    variance = np.array([0.20, 0.0001, 0.0001, 0.0001, 0.0001, 1.0])
    out = shrink_to_field(estimate, variance)
    centre = np.average(estimate[:5], weights=1 / variance[:5])
    moved = np.abs(out[:5] - estimate[:5]) / np.abs(estimate[:5] - centre)
    assert moved[0] > 0.9  # the small, noisy front goes nearly all the way to the field
    assert (moved[1:] < 0.25).all()  # the precise ones keep most of their distance
    assert np.isnan(out[5])
    # too few fronts to learn the field's spread from: nothing moves
    np.testing.assert_array_equal(shrink_to_field(estimate[:2], variance[:2]), estimate[:2])


def test_a_tiny_fronts_jump_is_shrunk_below_a_large_fronts_steady_rise(make_corpus):
    """0 -> 3 works is a huge log-share slope made of noise; 40 -> 120 is a real rise."""
    tiny, large, flat = [0, 0, 0, 1, 1, 3], [40, 50, 60, 80, 100, 120], [30] * 6
    counts = {0: tiny, 1: large, 2: flat, 3: [20] * 6}
    counts[-1] = [400 - sum(c[i] for c in counts.values()) for i in range(6)]
    works, docs, _, cites = make_corpus(counts)
    table = build_worktable(works, docs, cites, WINDOW)
    ind = indicators(table)
    t, big = row(table, 0), row(table, 1)
    assert ind.growth[t] > ind.growth[big]  # raw: the tiny front "grows" fastest
    assert ind.growth_shrunk[t] < ind.growth_shrunk[big]  # shrunk: the large one does
    assert ind.growth_shrunk[big] == pytest.approx(ind.growth[big], rel=0.2)
