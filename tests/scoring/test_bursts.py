import math

import numpy as np
import pytest

from fronts.scoring.bursts import kleinberg_bursts


def test_burst_found_in_the_right_years_with_hand_computed_weight():
    # p0 = 60/600 = 0.1, p1 = 0.2; each burst year gains 20 ln 2 + 80 ln(8/9) = 4.4403 over the
    # base state, and entering the burst state costs ln 6 = 1.79, so years 3-4 burst.
    r = [5, 5, 5, 20, 20, 5]
    result = kleinberg_bursts(r, [100] * 6)
    assert result.states.tolist() == [[False, False, False, True, True, False]]
    assert (result.start[0], result.end[0]) == (3, 4)
    expected = 2 * (20 * math.log(0.2 / 0.1) + 80 * math.log(0.8 / 0.9))
    assert result.weight[0] == pytest.approx(expected, rel=1e-12)


def test_flat_series_has_no_burst():
    result = kleinberg_bursts([[10] * 6, [0] * 6, [30, 31, 29, 30, 30, 30]], [[100] * 6] * 3)
    assert not result.states.any()
    assert result.weight.tolist() == [0.0, 0.0, 0.0]
    assert result.start.tolist() == [-1, -1, -1]


def test_burst_too_short_to_pay_the_transition_cost_is_ignored():
    # One year at 12 % against a 10 % base gains 12 ln 2 + 88 ln(8/9) < 0: no burst.
    result = kleinberg_bursts([10, 10, 12, 10, 10, 8], [100] * 6)
    assert not result.states.any()


def test_higher_gamma_suppresses_a_weak_burst():
    # p0 = 0.075, p1 = 0.15: the burst year gains 20 ln 2 + 80 ln(0.85/0.925) = 7.10, and
    # entering costs gamma * ln 6: 1.79 at gamma = 1 (burst), 8.96 at gamma = 5 (none).
    r, d = [5, 5, 5, 20, 5, 5], [100] * 6
    gain = 20 * math.log(2) + 80 * math.log(0.85 / 0.925)
    assert kleinberg_bursts(r, d, gamma=1.0).weight[0] == pytest.approx(gain)
    assert not kleinberg_bursts(r, d, gamma=5.0).states.any()


def test_strongest_of_two_bursts_is_reported():
    r = [60, 5, 5, 5, 80, 80]
    result = kleinberg_bursts(r, [200] * 6)
    assert result.states[0].tolist() == [True, False, False, False, True, True]
    assert (result.start[0], result.end[0]) == (4, 5)


def test_rows_are_independent():
    rows = np.array([[5, 5, 5, 20, 20, 5], [10] * 6])
    both = kleinberg_bursts(rows, np.full((2, 6), 100))
    alone = kleinberg_bursts(rows[0], np.full(6, 100))
    assert both.states[0].tolist() == alone.states[0].tolist()
    assert both.weight[0] == alone.weight[0]


def test_invalid_counts_are_refused():
    with pytest.raises(ValueError):
        kleinberg_bursts([5, 200], [100, 100])
