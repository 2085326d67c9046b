"""``seed_data --anomalies N``: known spikes and drops on ordinary days, to measure detection by.

A planted day's sales weight is multiplied by its factor (spikes ×2.5-4, drops ×0.1-0.3) before
the sales are drawn, so its revenue and orders move together and every other day stays as the
seeder makes it. Ordinary days: not within 3 days of a retail event (Black Friday, Cyber Monday,
Christmas, New Year) nor of a month's first or last day (the month's steps), not in the window's
first or last four weeks, and at least a week apart. Drawn from their own random stream of
``--seed``, so the same --seed, --until and N plant the same days with the same factors.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .timeline import WINDOW_DAYS, Window, peak_factor

SPIKE = (2.5, 4.0)
DROP = (0.1, 0.3)
EDGE_DAYS = 28
EVENT_MARGIN = 3
MIN_GAP = 7
STREAM = 0xA70  # mixed with --seed: a stream no other part of the seed uses


@dataclass(frozen=True)
class Planted:
    day: dt.date
    factor: float

    @property
    def direction(self) -> str:
        return "spike" if self.factor > 1 else "drop"


def ordinary_days(window: Window) -> list[int]:
    """Day indices of the window fit to plant on."""
    days = [window.first_day + dt.timedelta(days=i) for i in range(WINDOW_DAYS)]
    near = np.zeros(WINDOW_DAYS, dtype=bool)
    for i, day in enumerate(days):
        tomorrow = day + dt.timedelta(days=1)
        if peak_factor(day) != 1.0 or day.day == 1 or tomorrow.day == 1:
            near[max(0, i - EVENT_MARGIN):i + EVENT_MARGIN + 1] = True
    return [i for i in range(EDGE_DAYS, WINDOW_DAYS - EDGE_DAYS) if not near[i]]


def plant(*, seed: int, window: Window, n: int) -> list[Planted]:
    """``n`` planted days in date order (about half spikes); ValueError when they cannot fit."""
    if n <= 0:
        return []
    rng = np.random.default_rng([seed, STREAM])
    free = ordinary_days(window)
    chosen: list[int] = []
    for i in rng.permutation(free):
        if all(abs(int(i) - j) >= MIN_GAP for j in chosen):
            chosen.append(int(i))
            if len(chosen) == n:
                break
    if len(chosen) < n:
        raise ValueError(f"--anomalies {n}: only {len(chosen)} ordinary days are at least {MIN_GAP} days apart")
    chosen.sort()
    spikes = rng.random(n) < 0.5
    factors = np.where(spikes, rng.uniform(*SPIKE, n), rng.uniform(*DROP, n))
    return [Planted(window.first_day + dt.timedelta(days=i), round(float(f), 3)) for i, f in zip(chosen, factors)]


def day_factors(window: Window, planted: list[Planted]) -> np.ndarray | None:
    """Per day of the window, the multiplier of its sales weight (None when nothing is planted)."""
    if not planted:
        return None
    factors = np.ones(WINDOW_DAYS)
    for p in planted:
        factors[(p.day - window.first_day).days] = p.factor
    return factors
