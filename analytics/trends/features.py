"""Calendar features shared by the forecast and the anomaly rules: series checks, weekday
dummies, yearly Fourier terms and retail event days. Plain numpy and ``datetime``; no Django."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

DAILY, WEEKLY = "D", "W"
STEP = {DAILY: dt.timedelta(days=1), WEEKLY: dt.timedelta(days=7)}
# Periods in observations: a week of days, a year of days or of weeks.
WEEK_PERIOD = 7
YEAR_PERIOD = {DAILY: 365.25, WEEKLY: 365.25 / 7}


def check_series(values, dates: Sequence[dt.date] | None, freq: str) -> tuple[np.ndarray, list[dt.date] | None]:
    """Values as a 1-D float array (NaN allowed: a missing observation), dates as a list of
    ``datetime.date`` one step apart, or None. Raises ValueError for anything else."""
    if freq not in STEP:
        raise ValueError(f"freq must be {DAILY!r} or {WEEKLY!r}, not {freq!r}")
    y = np.asarray(values, dtype=float)
    if y.ndim != 1:
        raise ValueError("values must be one-dimensional")
    if np.isinf(y).any():
        raise ValueError("values must be finite (NaN marks a missing observation)")
    if dates is None:
        return y, None
    days = [d.date() if isinstance(d, dt.datetime) else d for d in dates]
    if len(days) != len(y):
        raise ValueError(f"{len(days)} dates for {len(y)} values")
    step = STEP[freq]
    for a, b in zip(days, days[1:]):
        if b - a != step:
            raise ValueError(f"dates must be consecutive, one {'day' if freq == DAILY else 'week'} apart: "
                             f"{a} is followed by {b} (fill gaps first, e.g. with fill_gaps())")
    return y, days


def fill_gaps(dates: Sequence[dt.date], values, fill: float = 0.0, freq: str = DAILY):
    """Sorted consecutive dates from the first to the last of ``dates``, with ``fill`` where a
    date has no value (an SQL GROUP BY day has no row for a day without sales: that day sold 0)."""
    step = STEP[freq]
    by_date = {(d.date() if isinstance(d, dt.datetime) else d): float(v) for d, v in zip(dates, values)}
    if not by_date:
        return [], np.empty(0)
    first, last = min(by_date), max(by_date)
    n = (last - first) // step + 1
    days = [first + i * step for i in range(n)]
    return days, np.array([by_date.get(d, fill) for d in days])


def future_dates(last: dt.date | None, horizon: int, freq: str) -> list[dt.date] | None:
    if last is None:
        return None
    return [last + (i + 1) * STEP[freq] for i in range(horizon)]


def weekday_dummies(days: list[dt.date] | None, positions: np.ndarray) -> np.ndarray:
    """Six columns (Tuesday..Sunday against Monday; by position mod 7 without dates)."""
    if days is not None:
        weekday = np.array([d.weekday() for d in days])
    else:
        weekday = positions % WEEK_PERIOD
    return (weekday[:, None] == np.arange(1, WEEK_PERIOD)[None, :]).astype(float)


def fourier(days: list[dt.date] | None, positions: np.ndarray, period: float, order: int, freq: str) -> np.ndarray:
    """``2 * order`` columns sin/cos(2πk·t/period), t in days since 1970 (or positions without dates),
    so the same date gets the same terms in the fit and in the forecast."""
    if order <= 0:
        return np.empty((len(positions), 0))
    if days is not None:
        t = np.array([d.toordinal() for d in days], dtype=float)
        if freq == WEEKLY:
            t = t / 7.0
    else:
        t = positions.astype(float)
    k = np.arange(1, order + 1)
    angle = 2 * np.pi * np.outer(t, k) / period
    return np.hstack([np.sin(angle), np.cos(angle)])


def month_dummies(days: list[dt.date]) -> np.ndarray:
    """Eleven columns (February..December against January)."""
    month = np.array([d.month for d in days])
    return (month[:, None] == np.arange(2, 13)[None, :]).astype(float)


# Retail event days: large, regular, and not explained by weekday or season.
EVENTS = ("black_friday", "cyber_monday", "christmas", "new_year")


def event_of(day: dt.date) -> str | None:
    if day.month == 11 and day.weekday() == 4 and 22 < day.day <= 29:  # the Friday after Thanksgiving
        return "black_friday"
    if day.weekday() == 0 and ((day.month == 11 and day.day >= 26) or (day.month == 12 and day.day <= 2)):
        return "cyber_monday"
    if day.month == 12 and day.day == 25:
        return "christmas"
    if day.month == 1 and day.day == 1:
        return "new_year"
    return None


def event_dummies(days: list[dt.date] | None, n: int) -> np.ndarray:
    """One column per event in EVENTS (all zero without dates)."""
    out = np.zeros((n, len(EVENTS)))
    if days is None:
        return out
    for i, d in enumerate(days):
        name = event_of(d)
        if name is not None:
            out[i, EVENTS.index(name)] = 1.0
    return out
