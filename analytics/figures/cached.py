"""Figures as the dashboard and the API serve them: cached by the rollups' version (analytics.fits).

Every write through the services bumps that version in its own transaction (analytics.subscribers),
and so does a rollup rebuild, so a cached figure is never served after the data behind it changed; a
repeated request reads the version (on the dashboard its token: no query) and the cache instead of
the rollups (the dashboard's ten figures: about 40 queries → 0). The key holds every parameter and today's date (open ranges and the
presets end today). The forecast and unusual days are not cached here: they keep their own cached
fits, which may be served stale while they refit.
"""

import json

from analytics import fits
from analytics.figures import FIGURES
from core.filters import DateRange, today

OWN_CACHE = {"forecast", "anomalies"}


def figure_cached(name: str, *, version: int | str, date_range: DateRange, category: str | None = None, **extra):
    """``FIGURES[name](date_range=…, category=…, **extra)`` for the rollups at ``version`` (the counter,
    or its token: analytics.rollups.version)."""
    fn = FIGURES[name]

    def compute():
        return fn(date_range=date_range, category=category, **extra)

    if name in OWN_CACHE:
        return compute()
    key = json.dumps([str(today()), str(date_range.start), str(date_range.end), category,
                      sorted((k, str(v)) for k, v in extra.items())])
    return fits.fresh(f"figure:{name}", key, compute, version=version)
