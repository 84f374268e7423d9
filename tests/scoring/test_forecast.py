import numpy as np
import polars as pl
import pytest
from scipy import stats

from fronts.scoring.forecast import PSEUDO_COUNT, front_forecasts, trend_forecast

YEARS = np.arange(2019, 2025)


def _log_share(n, corpus):
    return np.log((np.asarray(n) + PSEUDO_COUNT) / (np.asarray(corpus) + 2 * PSEUDO_COUNT))


def test_trend_is_the_least_squares_line_of_the_log_smoothed_share():
    n = np.array([2, 3, 5, 4, 9, 12])
    corpus = np.array([100, 110, 120, 130, 140, 150])
    fc = trend_forecast(YEARS, n, corpus)
    slope, intercept = np.polyfit(YEARS, _log_share(n, corpus), 1)
    assert fc["year"].tolist() == [*range(2019, 2027)]
    np.testing.assert_allclose(np.log(fc["trend"]), intercept + slope * fc["year"], rtol=1e-10)
    # the interval is only given for the forecast years
    assert np.isnan(fc["lower"][:6]).all() and np.isfinite(fc["lower"][6:]).all()


def test_prediction_interval_matches_the_textbook_formula():
    n = np.array([2, 3, 5, 4, 9, 12])
    corpus = np.full(6, 100)
    fc = trend_forecast(YEARS, n, corpus, horizon=2, level=0.9)
    y = _log_share(n, corpus)
    slope, intercept = np.polyfit(YEARS, y, 1)
    s = np.sqrt(((y - (intercept + slope * YEARS)) ** 2).sum() / 4)
    sxx = ((YEARS - YEARS.mean()) ** 2).sum()
    for i, t in enumerate((2025, 2026)):
        half = stats.t.ppf(0.95, 4) * s * np.sqrt(1 + 1 / 6 + (t - YEARS.mean()) ** 2 / sxx)
        centre = intercept + slope * t
        assert fc["lower"][6 + i] == pytest.approx(np.exp(centre - half))
        assert fc["upper"][6 + i] == pytest.approx(np.exp(centre + half))
    # further out, wider
    assert (fc["upper"][7] / fc["lower"][7]) > (fc["upper"][6] / fc["lower"][6])


def test_a_perfect_exponential_trend_has_a_zero_width_interval():
    corpus = np.full(6, 1000)
    share = 0.01 * np.exp(0.3 * np.arange(6))
    n = share * (corpus + 1) - 0.5  # exact on the smoothed scale
    fc = trend_forecast(YEARS, n, corpus)
    np.testing.assert_allclose(fc["lower"][6:], fc["trend"][6:], rtol=1e-9)
    np.testing.assert_allclose(fc["trend"][6], 0.01 * np.exp(0.3 * 6), rtol=1e-9)


def test_years_without_works_are_left_out_and_short_series_have_no_interval():
    fc = trend_forecast(YEARS, np.array([0, 1, 2, 0, 0, 0]), np.array([0, 0, 10, 0, 0, 20]))
    assert np.isfinite(fc["trend"]).all()  # two usable years: a line
    assert np.isnan(fc["lower"]).all()  # but no residual variance
    fc = trend_forecast(YEARS, np.zeros(6), np.array([0, 0, 0, 0, 0, 20]))
    assert np.isnan(fc["trend"]).all()


def test_upper_bound_is_capped_at_the_whole_corpus():
    fc = trend_forecast(YEARS, np.array([1, 5, 2, 9, 8, 10]), np.full(6, 10))
    assert np.nanmax(fc["upper"]) <= 1.0


def test_front_forecasts_have_observed_and_forecast_rows_per_topic():
    counts = np.array([[0, 3, 0], [1, 2, 0]], dtype=np.float64)  # topics 1 and 0, 2019-2021
    out = front_forecasts(
        np.arange(2019, 2022), counts, np.array([4.0, 5.0, 5.0]), np.array([1, 0])
    )
    assert out["topic_id"].to_list() == [0] * 5 + [1] * 5
    assert out.filter(pl.col("is_forecast"))["year"].to_list() == [2022, 2023] * 2
    first = out.row(0, named=True)
    assert first["observed"] == pytest.approx(0.25) and first["n_works"] == 1
    assert out.filter((pl.col("topic_id") == 1) & (pl.col("year") == 2021))["observed"][0] == 0.0
    assert out.filter(pl.col("is_forecast"))["observed"].null_count() == 4
    assert out.filter(pl.col("is_forecast"))["lower"].null_count() == 0
    assert set(out["level"]) == {0.9}
