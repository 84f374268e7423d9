import numpy as np
import polars as pl
import pytest
from scipy import optimize

from fronts.scoring.forecast import (
    front_forecasts,
    holdout_coverage,
    informative,
    trend_forecast,
)

YEARS = np.arange(2019, 2025)


def _logit_mle(n, corpus, years):
    """The binomial logit trend by direct maximum likelihood (scipy), as an independent check."""
    x = years - years.mean()
    n, corpus = n + 0.5, corpus + 1.0  # the model's add-half smoothing

    def nll(theta):
        eta = theta[0] + theta[1] * x
        return -(n * eta - corpus * np.logaddexp(0, eta)).sum()

    return optimize.minimize(nll, np.zeros(2), method="BFGS", options={"gtol": 1e-10}).x


def test_trend_is_the_binomial_logit_fit_of_the_share():
    n = np.array([2, 3, 5, 4, 9, 12])
    corpus = np.array([100, 110, 120, 130, 140, 150])
    fc = trend_forecast(YEARS, n, corpus)
    a, b = _logit_mle(n, corpus, YEARS)
    expected = 1 / (1 + np.exp(-(a + b * (fc["year"] - YEARS.mean()))))
    np.testing.assert_allclose(fc["trend"], expected, rtol=1e-4)
    assert fc["year"].tolist() == [*range(2019, 2027)]
    # the interval is only given for the forecast years, around the trend, further out wider
    assert np.isnan(fc["lower"][:6]).all() and np.isfinite(fc["lower"][6:]).all()
    assert (fc["lower"][6:] < fc["trend"][6:]).all() and (fc["trend"][6:] < fc["upper"][6:]).all()
    assert fc["upper"][7] - fc["lower"][7] > fc["upper"][6] - fc["lower"][6]


def test_an_overdispersed_series_gets_a_wider_interval():
    corpus = np.full(6, 1000)
    smooth = np.array([20, 24, 29, 35, 42, 50])
    noisy = np.array([20, 40, 15, 50, 25, 50])
    a, b = trend_forecast(YEARS, smooth, corpus), trend_forecast(YEARS, noisy, corpus)
    assert b["upper"][6] / b["lower"][6] > 1.5 * (a["upper"][6] / a["lower"][6])


def test_intervals_stay_between_0_and_1():
    high = trend_forecast(YEARS, np.array([5, 6, 7, 8, 9, 10]), np.full(6, 10))
    low = trend_forecast(YEARS, np.array([9, 5, 3, 2, 1, 0]), np.full(6, 100))
    for fc in (high, low):
        assert np.nanmax(fc["upper"]) <= 1.0 and np.nanmin(fc["lower"]) >= 0.0


def test_years_without_works_are_left_out_and_short_series_have_no_interval():
    fc = trend_forecast(YEARS, np.array([0, 1, 2, 0, 0, 0]), np.array([0, 0, 10, 0, 0, 20]))
    assert np.isfinite(fc["trend"]).all()  # two usable years: a line
    assert np.isnan(fc["lower"]).all()  # but no dispersion to go on
    fc = trend_forecast(YEARS, np.zeros(6), np.array([0, 0, 0, 0, 0, 20]))
    assert np.isnan(fc["trend"]).all()


def test_an_interval_is_informative_when_its_bounds_are_close():
    assert informative(0.10, 0.20) is True
    assert informative(0.01, 0.30) is False
    assert informative(0.0, 0.1) is False
    assert informative(None, 0.1) is None


def test_holdout_coverage_is_near_nominal_when_the_model_holds():
    # 300 fronts with a logit-linear share and beta-binomial year-to-year variation
    rng = np.random.default_rng(3)
    years = np.arange(2015, 2025)
    corpus = np.full(years.size, 2000.0)
    counts = []
    for _ in range(300):
        a, b = rng.normal(-3.5, 0.5), rng.normal(0.0, 0.15)
        p = 1 / (1 + np.exp(-(a + b * (years - years.mean()))))
        wobble = rng.beta(p * 300, (1 - p) * 300)  # extra variation around the trend
        counts.append(rng.binomial(corpus.astype(int), wobble))
    out = holdout_coverage(years, np.array(counts, dtype=float), corpus, level=0.9)
    assert out["n"] == 300
    assert 0.8 <= out["coverage"] <= 0.98, out


def test_front_forecasts_have_observed_and_forecast_rows_per_topic():
    counts = np.array([[0, 3, 1], [1, 2, 0]], dtype=np.float64)  # topics 1 and 0, 2019-2021
    out = front_forecasts(
        np.arange(2019, 2022), counts, np.array([4.0, 5.0, 5.0]), np.array([1, 0])
    )
    assert out["topic_id"].to_list() == [0] * 5 + [1] * 5
    assert out.filter(pl.col("is_forecast"))["year"].to_list() == [2022, 2023] * 2
    first = out.row(0, named=True)
    assert first["observed"] == pytest.approx(0.25) and first["n_works"] == 1
    assert out.filter((pl.col("topic_id") == 0) & (pl.col("year") == 2021))["observed"][0] == 0.0
    assert out.filter(pl.col("is_forecast"))["observed"].null_count() == 4
    assert out.filter(~pl.col("is_forecast"))["informative"].null_count() == 6
    assert set(out["level"]) == {0.9}
