"""Which days were not normal: flag the days whose value is far from what the calendar expects.

The rule (chosen by measurement, see README.md here), on the log of the series:

1. expected = a calendar regression (constant, drift, weekday, month of year with >= 1 year of
   data, retail event days), fitted by least squares three times, each time without the days
   more than 4 robust sd off, so anomalies cannot pull the fit towards them; plus a 29-day
   rolling median of what it leaves, for slow moves of the level that the calendar misses;
2. a day is flagged when |log value - log expected| / (1.4826 · MAD) > ``threshold`` (4.5), the
   MAD taken over a centred 91-day window, so the rule follows the noise as it shrinks with
   growing volume.

A normal Black Friday is therefore no anomaly; a zero on a day of an otherwise positive series is
a drop. ``method="stl"`` swaps step 1 for a robust STL (period 7) + each event's median lift: kept
for comparison, it flags the steps between months (40-90 false alarms on 3 seeded years).

Series shorter than two weeks, constant ones and all-zero ones give no anomalies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from .features import DAILY, EVENTS, WEEK_PERIOD, check_series, event_of
from .forecast import ModelSpec, design

THRESHOLD = 4.5
SCALE_WINDOW = 91
LEVEL_WINDOW = 29
MAD_TO_SD = 1.4826
MIN_POINTS = 2 * WEEK_PERIOD


@dataclass(frozen=True)
class Anomaly:
    index: int
    date: dt.date | None
    value: float
    expected: float
    difference: float         # value - expected
    relative: float           # value / expected - 1 (NaN when expected is 0)
    score: float              # robust z of the log residual (signed)
    direction: str            # "spike" or "drop"

    def as_dict(self) -> dict:
        out = asdict(self)
        out["date"] = self.date.isoformat() if self.date else None
        return out


@dataclass(frozen=True)
class Decomposition:
    expected: np.ndarray      # per day, on the original scale
    score: np.ndarray         # robust z per day (NaN where unknown)
    log: bool


def decompose(values, dates: Sequence[dt.date] | None = None, *, freq: str = DAILY, method: str = "regression",
              scale_window: int = SCALE_WINDOW) -> Decomposition | None:
    """Expected value and robust score of every day; None when the series is too short or flat."""
    y, days = check_series(values, dates, freq)
    seen = ~np.isnan(y)
    if seen.sum() < MIN_POINTS or np.ptp(y[seen]) == 0:
        return None
    positive = y[seen] > 0
    use_log = bool(np.all(y[seen] >= 0) and positive.mean() >= 0.95)
    if use_log:
        z = np.full(len(y), np.nan)
        z[seen & (y > 0)] = np.log(y[seen & (y > 0)])
    else:
        z = y.copy()
    if method == "regression":
        base = _regression_base(z, days, freq)
    elif method == "stl":
        base = _stl_base(z, days, freq)
    else:
        raise ValueError(f"method must be 'regression' or 'stl', not {method!r}")
    resid = z - base
    scale = _rolling_mad(resid, scale_window) * MAD_TO_SD
    typical = np.nanmedian(scale)
    scale = np.maximum(scale, max(0.25 * typical if np.isfinite(typical) else 0.0, 1e-9))
    score = resid / scale
    if use_log:
        # A zero in a positive series: a drop, scored as if it were a tenth of the expected value.
        zero = seen & (y == 0)
        score[zero] = -np.log(10) / scale[zero]
        expected = np.exp(base)
    else:
        expected = base
    return Decomposition(expected, score, use_log)


def _regression_base(z, days, freq):
    """Calendar regression (drift, weekday, month, events), fitted robustly, plus a rolling
    median of what it leaves (the level's slow moves the calendar does not explain)."""
    n = len(z)
    spec = ModelSpec(yearly="months" if n >= 365 else "none")
    X, names = design(days, 0, n, freq, spec, 2 * n)  # in-sample: one year shows every month
    if not (spec.yearly == "months" and n >= 365):
        keep_months = [j for j, c in enumerate(names) if not c.startswith(("month_", "sin_", "cos_"))]
        X, names = X[:, keep_months], [names[j] for j in keep_months]
    rows = ~np.isnan(z)
    keep = [j for j in range(X.shape[1]) if np.ptp(X[rows, j]) > 0 or names[j] == "const"]
    X = X[:, keep]
    use = rows.copy()
    for _ in range(3):  # refit without the outliers, so they cannot pull the fit towards them
        beta, *_ = np.linalg.lstsq(X[use], z[use], rcond=None)
        r = z - X @ beta
        sd = MAD_TO_SD * np.nanmedian(np.abs(r[rows] - np.nanmedian(r[rows]))) or np.nanstd(r[rows])
        use = rows & (np.abs(r) <= 4 * sd)
    fitted = X @ beta
    level = _rolling_median(np.where(use, z - fitted, np.nan), LEVEL_WINDOW)
    return fitted + np.nan_to_num(level)


def _stl_base(z, days, freq):
    """Robust STL (period 7) trend + season, plus each event day's lift."""
    from statsmodels.tsa.seasonal import STL

    # STL needs every value: fill the unknown ones from the same weekday's neighbours.
    filled = _fill(z, WEEK_PERIOD if freq == DAILY else 1)
    period = WEEK_PERIOD if freq == DAILY else 52
    if freq != DAILY and len(filled) < 2 * period:
        period = 2  # weekly series of less than two years: no yearly season to take out
    fit = STL(filled, period=period, robust=True).fit()
    base = fit.trend + fit.seasonal
    if days is not None:
        base = _event_lift(base, z - base, days)
    return base


def find_anomalies(values, dates: Sequence[dt.date] | None = None, *, freq: str = DAILY,
                   threshold: float = THRESHOLD, method: str = "regression",
                   scale_window: int = SCALE_WINDOW) -> list[Anomaly]:
    """The flagged days, in date order."""
    y, days = check_series(values, dates, freq)
    parts = decompose(y, days, freq=freq, method=method, scale_window=scale_window)
    if parts is None:
        return []
    out = []
    for i in np.flatnonzero(np.abs(np.nan_to_num(parts.score)) > threshold):
        expected = float(parts.expected[i])
        value = float(y[i])
        out.append(Anomaly(
            index=int(i), date=days[i] if days else None, value=value, expected=expected,
            difference=value - expected,
            relative=value / expected - 1 if expected else float("nan"),
            score=float(parts.score[i]), direction="spike" if parts.score[i] > 0 else "drop",
        ))
    return out


def _fill(z: np.ndarray, period: int) -> np.ndarray:
    out = z.copy()
    missing = np.flatnonzero(np.isnan(out))
    for i in missing:
        neighbours = [out[j] for j in (i - period, i + period, i - 2 * period, i + 2 * period)
                      if 0 <= j < len(out) and not np.isnan(z[j])]
        out[i] = np.median(neighbours) if neighbours else np.nan
    if np.isnan(out).any():  # no same-weekday neighbour: the overall median
        out[np.isnan(out)] = np.nanmedian(z)
    return out


def _event_lift(base, resid, days):
    """Each event day's expected lift: the median residual of the same event on its other dates."""
    names = np.array([event_of(d) or "" for d in days])
    base, resid = base.copy(), resid.copy()
    for name in EVENTS:
        where = np.flatnonzero(names == name)
        for i in where:
            others = [resid[j] for j in where if j != i and not np.isnan(resid[j])]
            if others:
                lift = float(np.median(others))
                base[i] += lift
    return base


def _rolling_median(x: np.ndarray, window: int) -> np.ndarray:
    n = len(x)
    half = window // 2
    out = np.full(n, np.nan)
    for i in range(n):
        chunk = x[max(0, i - half):i + half + 1]
        chunk = chunk[~np.isnan(chunk)]
        if chunk.size:
            out[i] = np.median(chunk)
    return out


def _rolling_mad(resid: np.ndarray, window: int) -> np.ndarray:
    """Median absolute deviation (about 0: the residuals are centred) over a centred window."""
    n = len(resid)
    half = window // 2
    a = np.abs(resid)
    out = np.empty(n)
    for i in range(n):
        lo, hi = max(0, i - half), min(n, i + half + 1)
        # Keep the window full-width at the ends.
        if hi - lo < window:
            lo, hi = (0, min(n, window)) if lo == 0 else (max(0, n - window), n)
        chunk = a[lo:hi]
        chunk = chunk[~np.isnan(chunk)]
        out[i] = np.median(chunk) if chunk.size else np.nan
    return out
