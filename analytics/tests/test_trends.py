"""analytics.trends: forecasts, backtest and anomalies on synthetic series (no database)."""

import datetime as dt
import json

import numpy as np
import pytest

from analytics.trends.anomalies import find_anomalies
from analytics.trends.backtest import backtest, mase_scale
from analytics.trends.features import event_of, fill_gaps
from analytics.trends.forecast import HORIZON, MIN_POINTS, forecast, seasonal_naive

START = dt.date(2023, 1, 1)
WEEKDAY = (1.08, 1.02, 1.0, 0.98, 0.92, 0.88, 1.12)
MONTHLY = (0.85, 0.82, 0.92, 0.93, 0.97, 0.95, 1.0, 0.97, 0.95, 1.02, 1.22, 1.42)
EVENT_LIFT = {"black_friday": 2.6, "cyber_monday": 2.2, "christmas": 0.55, "new_year": 0.7}


def shop(days=3 * 365, level=300.0, seed=1):
    """Daily orders shaped like a shop's: 40% a year growth, weekday and month pattern, retail
    event days, Poisson noise."""
    rng = np.random.default_rng(seed)
    dates = [START + dt.timedelta(days=i) for i in range(days)]
    mean = np.array([
        level * 1.4 ** (i / 365.25) * WEEKDAY[d.weekday()] * MONTHLY[d.month - 1] * EVENT_LIFT.get(event_of(d), 1.0)
        for i, d in enumerate(dates)
    ])
    return dates, rng.poisson(mean).astype(float)


def plant(y, dates, seed, count=20):
    """Multiply ``count`` ordinary days (not event days, none adjacent) by 1.6..3 or 0.2..0.5."""
    rng = np.random.default_rng(seed)
    y = y.copy()
    ordinary = [i for i, d in enumerate(dates) if event_of(d) is None]
    chosen = []
    while len(chosen) < count:
        i = int(rng.choice(ordinary))
        if all(abs(i - j) > 2 for j in chosen):
            chosen.append(i)
    for i in chosen:
        y[i] *= rng.uniform(1.6, 3.0) if rng.random() < 0.5 else rng.uniform(0.2, 0.5)
    return y, set(chosen)


@pytest.fixture(scope="module")
def series():
    return shop()


@pytest.fixture(scope="module")
def fc(series):
    dates, y = series
    return forecast(y, dates)


def test_forecast_has_56_days_after_the_last(fc, series):
    dates, _ = series
    assert fc.method == "sarimax"
    assert len(fc.point) == len(fc.dates) == HORIZON == 56
    assert fc.dates[0] == dates[-1] + dt.timedelta(days=1)
    assert fc.dates[-1] == dates[-1] + dt.timedelta(days=56)
    assert "month_12" in fc.columns and "black_friday" in fc.columns and "weekday_6" in fc.columns


def test_intervals_nest_and_95_is_wider(fc):
    assert np.all(fc.lower_95 <= fc.lower_80)
    assert np.all(fc.lower_80 <= fc.point)
    assert np.all(fc.point <= fc.upper_80)
    assert np.all(fc.upper_80 <= fc.upper_95)
    assert np.all(fc.upper_95 - fc.lower_95 > fc.upper_80 - fc.lower_80)


def test_forecast_follows_weekday_and_season(fc):
    # A Sunday above the Saturday before it; December above October.
    by_day = dict(zip(fc.dates, fc.point))
    sunday = next(d for d in fc.dates if d.weekday() == 6 and d - dt.timedelta(days=1) in by_day)
    assert by_day[sunday] > by_day[sunday - dt.timedelta(days=1)]


def test_as_dict_is_json(fc):
    out = json.loads(json.dumps(fc.as_dict()))
    assert len(out["upper_95"]) == 56 and out["method"] == "sarimax"


def test_a_seasonal_series_is_forecast_better_than_seasonal_naive(series):
    dates, y = series
    result = backtest(y, dates, origins=4, step=56)
    assert len(result.origins) == 4
    assert result.mase < 0.9 * result.mase_naive
    assert 0.65 <= result.coverage_80 <= 0.95
    assert result.coverage_95 >= result.coverage_80


def test_mase_scale_and_seasonal_naive():
    y = np.array([1.0, 2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6, 7, 8])
    assert mase_scale(y, 7) == 1.0
    assert seasonal_naive(y, 9, 7).tolist() == [2, 3, 4, 5, 6, 7, 8, 2, 3]
    assert np.isnan(mase_scale(np.ones(10), 7))


def test_planted_anomalies_are_found(series):
    dates, clean = series
    hits = flagged = planted = 0
    for seed in range(3):
        y, truth = plant(clean, dates, seed)
        found = find_anomalies(y, dates)
        got = {a.index for a in found}
        hits += len(got & truth)
        flagged += len(got)
        planted += len(truth)
    assert hits / flagged >= 0.9  # precision
    assert hits / planted >= 0.9  # recall


def test_anomaly_fields(series):
    dates, clean = series
    y = clean.copy()
    y[400] *= 2.5
    y[600] *= 0.3
    found = {a.index: a for a in find_anomalies(y, dates)}
    spike, drop = found[400], found[600]
    assert spike.direction == "spike" and drop.direction == "drop"
    assert spike.date == dates[400] and spike.value == y[400]
    assert spike.difference == pytest.approx(spike.value - spike.expected)
    assert spike.relative == pytest.approx(spike.value / spike.expected - 1)
    assert 1.0 < spike.relative < 2.0  # about +150%
    assert -0.8 < drop.relative < -0.6  # about -70%
    assert json.dumps(spike.as_dict())


def test_normal_event_days_are_not_anomalies(series):
    dates, y = series
    assert not [a for a in find_anomalies(y, dates) if event_of(a.date)]


def test_few_false_alarms_on_a_clean_series():
    for seed in (2, 3):
        dates, y = shop(seed=seed)
        assert len(find_anomalies(y, dates)) <= 2


def test_a_zero_day_is_a_drop(series):
    dates, clean = series
    y = clean.copy()
    y[500] = 0
    found = {a.index: a for a in find_anomalies(y, dates)}
    assert found[500].direction == "drop" and found[500].relative == -1


@pytest.mark.parametrize("n", [1, 2, 5, MIN_POINTS - 1])
def test_short_series_fall_back_to_a_recent_mean(n):
    y = np.arange(1.0, n + 1)
    result = forecast(y)
    assert result.method == "short" and "observed values" in result.note
    assert len(result.point) == 56
    assert result.point[0] == pytest.approx(y[-7:].mean())
    for band in (result.point, result.lower_80, result.upper_80, result.lower_95, result.upper_95):
        assert np.isfinite(band).all() and (band >= 0).all()
    assert find_anomalies(y) == []


@pytest.mark.parametrize("selling", [1, 3, MIN_POINTS - 1])
def test_a_few_days_with_sales_among_many_fall_back_to_a_recent_mean(selling):
    """Weeks of days, but fewer than MIN_POINTS of them with sales: "short", as for a short series
    (the dashboard draws no band for it); from MIN_POINTS days with sales on, the model."""
    y = np.zeros(60)
    y[np.linspace(0, 59, selling).astype(int)] = 25.0
    result = forecast(y)
    assert result.method == "short" and "above zero" in result.note
    assert result.point[0] == pytest.approx(y[-7:].mean())
    y[np.linspace(0, 59, MIN_POINTS).astype(int)] = 25.0 + np.arange(MIN_POINTS)
    assert forecast(y).method != "short"


def test_weeks_of_data_get_a_weekday_model_without_yearly_terms():
    dates, y = shop(days=60)
    result = forecast(y, dates)
    assert result.method == "sarimax"
    assert not [c for c in result.columns if c.startswith("month_")]
    assert "weekday_1" in result.columns
    assert np.isfinite(result.upper_95).all()


@pytest.mark.parametrize("value", [0.0, 42.0])
def test_constant_and_all_zero_series(value):
    y = np.full(400, value)
    result = forecast(y)
    assert result.method == "constant"
    for band in (result.point, result.lower_80, result.upper_80, result.lower_95, result.upper_95):
        assert np.all(band == value)
    assert find_anomalies(y) == []
    bt = backtest(y, origins=2)  # the MASE scale is 0: NaN scores, no crash
    assert np.isnan(bt.mase)


def test_sparse_and_missing_values_stay_finite(series):
    dates, clean = series
    y = clean[:400].copy()
    y[[10, 50, 51, 300]] = np.nan
    y[[100, 200]] = 0.0
    result = forecast(y, dates[:400])
    assert result.method == "sarimax" and np.isfinite(result.upper_95).all()
    sparse = np.random.default_rng(0).poisson(0.7, 300).astype(float)  # mostly zeros: not logged
    result = forecast(sparse)
    assert np.isfinite(result.upper_95).all() and (result.lower_95 >= 0).all()
    assert "log" not in result.note


def test_weekly_series():
    rng = np.random.default_rng(4)
    weeks = [dt.date(1997, 1, 1) + dt.timedelta(weeks=i) for i in range(78)]
    y = rng.poisson(400 + 500 * np.exp(-np.arange(78) / 10)).astype(float)
    result = forecast(y, weeks, horizon=8, freq="W")
    assert len(result.point) == 8 and result.dates[0] == weeks[-1] + dt.timedelta(weeks=1)
    assert np.isfinite(result.upper_95).all()
    bt = backtest(y, weeks, horizon=8, freq="W", season=1, min_train=26)
    assert np.isfinite(bt.mase) and 0 <= bt.coverage_80 <= 1


def test_dates_must_be_consecutive():
    dates = [START, START + dt.timedelta(days=2)]
    with pytest.raises(ValueError, match="consecutive"):
        forecast([1.0, 2.0], dates)
    days, values = fill_gaps(dates, [1.0, 2.0])
    assert days == [START, START + dt.timedelta(days=1), START + dt.timedelta(days=2)]
    assert values.tolist() == [1.0, 0.0, 2.0]
    with pytest.raises(ValueError):
        forecast([])
