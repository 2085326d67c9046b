"""When things happen: a ~3-year window ending at --until, with growth and seasonality.

Times are whole seconds since the Unix epoch (UTC) in int64 arrays; nothing reads the clock,
so the same --until gives the same dates on any day.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np

DAY = 86_400
HOUR = 3_600
WINDOW_DAYS = 3 * 365 + 1
YEARLY_GROWTH = 1.4
# Relative activity by UTC hour (evening peak, night trough), weekday (Mon..Sun) and month.
HOURLY = np.array([
    0.6, 0.4, 0.3, 0.25, 0.25, 0.3, 0.5, 0.8, 1.1, 1.3, 1.4, 1.5,
    1.6, 1.5, 1.5, 1.5, 1.6, 1.8, 2.0, 2.2, 2.2, 1.9, 1.4, 0.9,
])
WEEKDAY = (1.08, 1.02, 1.0, 0.98, 0.92, 0.88, 1.12)
MONTHLY = (0.85, 0.82, 0.92, 0.93, 0.97, 0.95, 1.0, 0.97, 0.95, 1.02, 1.22, 1.42)
PEAK_DAYS = {"black_friday": 2.6, "cyber_monday": 2.2, "christmas": 0.55, "new_year": 0.7}


@dataclass(frozen=True)
class Window:
    """[start, end) in epoch seconds: WINDOW_DAYS whole UTC days ending at the midnight that starts
    --until, so the default (today) never dates anything in the future."""

    until: dt.date

    @property
    def end(self) -> int:
        return _epoch(self.until)

    @property
    def start(self) -> int:
        return self.end - WINDOW_DAYS * DAY

    @property
    def first_day(self) -> dt.date:
        return self.until - dt.timedelta(days=WINDOW_DAYS)

    def fraction(self, seconds: np.ndarray) -> np.ndarray:
        """0 at the window's start, 1 at its end."""
        return (seconds - self.start) / (self.end - self.start)


def _epoch(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC).timestamp())


def peak_factor(day: dt.date) -> float:
    if day.month == 11 and day.weekday() == 4 and 22 < day.day <= 29:  # the Friday after Thanksgiving
        return PEAK_DAYS["black_friday"]
    if day.weekday() == 0 and ((day.month == 11 and day.day >= 26) or (day.month == 12 and day.day <= 2)):
        return PEAK_DAYS["cyber_monday"]
    if day.month == 12 and day.day == 25:
        return PEAK_DAYS["christmas"]
    if day.month == 1 and day.day == 1:
        return PEAK_DAYS["new_year"]
    return 1.0


def peak_days(window: Window) -> np.ndarray:
    """Per day of the window: a sales peak (Black Friday, Cyber Monday)?"""
    return np.array([peak_factor(window.first_day + dt.timedelta(days=d)) > 1 for d in range(WINDOW_DAYS)])


def day_weights(window: Window) -> np.ndarray:
    """Relative activity of each day in the window: growth × weekday × month × peak days."""
    days = [window.first_day + dt.timedelta(days=i) for i in range(WINDOW_DAYS)]
    years = np.arange(WINDOW_DAYS) / 365.25
    growth = YEARLY_GROWTH**years
    season = np.array([WEEKDAY[d.weekday()] * MONTHLY[d.month - 1] * peak_factor(d) for d in days])
    return growth * season


def hourly_counts(rng: np.random.Generator, window: Window, n: int, factors: np.ndarray | None = None) -> np.ndarray:
    """How many of ``n`` events fall in each hour of the window (a multinomial draw); ``factors``
    (one per day) multiply the days' weights (seed_data --anomalies)."""
    weights = day_weights(window) if factors is None else day_weights(window) * factors
    weights = np.outer(weights, HOURLY).ravel()
    return rng.multinomial(n, weights / weights.sum())


def hour_chunks(counts: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Split consecutive hours into chunks of about ``size`` events, never splitting an hour,
    so that sorting within a chunk sorts the whole series."""
    cumulative = np.cumsum(counts)
    chunks, first, done = [], 0, 0
    while first < len(counts):
        last = int(np.searchsorted(cumulative, done + size, side="left")) + 1
        last = min(max(last, first + 1), len(counts))
        chunks.append((first, last))
        done = int(cumulative[last - 1])
        first = last
    return [chunk for chunk in chunks if counts[chunk[0]:chunk[1]].sum()]


def times_in_hours(rng: np.random.Generator, window: Window, counts: np.ndarray, first: int) -> np.ndarray:
    """Sorted event times for the hours ``first..first+len(counts)`` of the window."""
    hour_starts = window.start + (first + np.arange(len(counts), dtype=np.int64)) * HOUR
    seconds = np.repeat(hour_starts, counts) + rng.integers(0, HOUR, int(counts.sum()))
    seconds.sort()
    return seconds


def sample_times(rng: np.random.Generator, window: Window, n: int) -> np.ndarray:
    """``n`` sorted event times over the whole window."""
    return times_in_hours(rng, window, hourly_counts(rng, window, n), 0)
