"""Rolling-origin backtest: how good would the forecast have been?

At each origin the forecaster sees only the values before it and forecasts the next ``horizon``
ones. Scores, per origin and then averaged over origins:

* MASE: mean absolute error / the in-sample mean absolute error of the seasonal-naive forecast
  (y_t - y_{t-season}) on that origin's training values. ``season`` is 7 for a daily series and
  52 for a weekly one by default; pass ``season=1`` for the plain naive scaling (a weekly series
  of less than two years has few lag-52 differences to scale by).
* The same MASE for the seasonal-naive forecast (the last ``season`` values repeated): the baseline.
* Coverage of the 80% and 95% intervals: the share of all forecast values (all origins and
  steps pooled) inside the interval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .features import DAILY, check_series
from .forecast import HORIZON, SEASON, forecast, seasonal_naive


@dataclass(frozen=True)
class Origin:
    index: int                  # first forecast position (the training is values[:index])
    date: dt.date | None
    mase: float
    mase_naive: float
    coverage_80: float
    coverage_95: float
    fit_seconds: float
    method: str


@dataclass(frozen=True)
class Backtest:
    horizon: int
    season: int
    origins: list[Origin]
    mase: float                 # mean over origins
    mase_naive: float
    coverage_80: float          # pooled over origins and steps
    coverage_95: float
    fit_seconds_mean: float
    fit_seconds_max: float

    @property
    def improvement(self) -> float:
        """1 - MASE / seasonal-naive MASE: 0.1 means 10% below the baseline."""
        return 1 - self.mase / self.mase_naive if self.mase_naive else float("nan")

    def as_dict(self) -> dict:
        return {
            "horizon": self.horizon, "season": self.season, "origins": len(self.origins),
            "mase": self.mase, "mase_naive": self.mase_naive, "improvement": self.improvement,
            "coverage_80": self.coverage_80, "coverage_95": self.coverage_95,
            "fit_seconds_mean": self.fit_seconds_mean, "fit_seconds_max": self.fit_seconds_max,
        }


def mase_scale(train: np.ndarray, season: int) -> float:
    """In-sample mean |y_t - y_{t-season}| (NaN-aware); NaN when it cannot be computed or is 0."""
    if len(train) <= season:
        return float("nan")
    diff = np.abs(train[season:] - train[:-season])
    diff = diff[~np.isnan(diff)]
    scale = float(diff.mean()) if diff.size else float("nan")
    return scale if scale > 0 else float("nan")


def origins_for(n: int, horizon: int, count: int, step: int, min_train: int) -> list[int]:
    """Up to ``count`` origins ``step`` apart, the last one leaving exactly ``horizon`` values."""
    last = n - horizon
    return sorted(o for o in (last - i * step for i in range(count)) if o >= min_train)


def backtest(
    values,
    dates: Sequence[dt.date] | None = None,
    *,
    horizon: int = HORIZON,
    freq: str = DAILY,
    season: int | None = None,
    origins: int = 12,
    step: int | None = None,
    min_train: int | None = None,
    forecaster: Callable | None = None,
) -> Backtest:
    """``origins`` rolling origins ``step`` (default horizon / 2) apart ending at the last
    possible one, none with fewer than ``min_train`` (default 2 seasons) training values.
    ``forecaster(values, dates, horizon=, freq=)`` defaults to ``forecast``."""
    y, days = check_series(values, dates, freq)
    season = season or SEASON[freq]
    step = step or max(1, horizon // 2)
    min_train = min_train if min_train is not None else 2 * season
    forecaster = forecaster or forecast
    results = []
    for o in origins_for(len(y), horizon, origins, step, min_train):
        train, actual = y[:o], y[o:o + horizon]
        fc = forecaster(train, days[:o] if days else None, horizon=horizon, freq=freq)
        scale = mase_scale(train, season)
        seen = ~np.isnan(actual)
        base = seasonal_naive(_carry(train), horizon, season)
        mase = float(np.mean(np.abs(actual - fc.point)[seen]) / scale)
        mase_naive = float(np.mean(np.abs(actual - base)[seen]) / scale)
        inside80 = (actual >= fc.lower_80) & (actual <= fc.upper_80)
        inside95 = (actual >= fc.lower_95) & (actual <= fc.upper_95)
        results.append(Origin(o, days[o] if days else None, mase, mase_naive,
                              float(inside80[seen].mean()), float(inside95[seen].mean()),
                              fc.fit_seconds, fc.method))
    if not results:
        raise ValueError(f"no origin leaves {min_train} training and {horizon} test values in {len(y)}")
    steps = [np.sum(~np.isnan(y[r.index:r.index + horizon])) for r in results]
    pooled = lambda attr: float(np.average([getattr(r, attr) for r in results], weights=steps))  # noqa: E731
    fits = [r.fit_seconds for r in results]
    return Backtest(horizon, season, results,
                    _mean([r.mase for r in results]), _mean([r.mase_naive for r in results]),
                    pooled("coverage_80"), pooled("coverage_95"), float(np.mean(fits)), float(np.max(fits)))


def _mean(scores: list[float]) -> float:
    """Mean of the finite scores; NaN when there is none (a flat series has no MASE scale)."""
    finite = [s for s in scores if np.isfinite(s)]
    return float(np.mean(finite)) if finite else float("nan")


def _carry(train: np.ndarray) -> np.ndarray:
    """Missing values carried forward (for the baseline)."""
    out = train.copy()
    for i in range(1, len(out)):
        if np.isnan(out[i]):
            out[i] = out[i - 1]
    return out
