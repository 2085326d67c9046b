"""The forecast and anomalies figures from the Sale rows instead of the SalesDay rollup: the same
model on daily series summed here in Python, so a rollup that drifted from the sales shows up."""

import datetime as dt
import functools
from collections import Counter

import numpy as np

from analytics.figures.trends import HISTORY_DAYS, anomalies_from, fit_series, forecast_from, trends
from analytics.rollups.writes import cents
from analytics.trends import fill_gaps
from catalog.models import Product
from core.dates import latest_date
from core.filters import DateRange
from sales.models import Sale


def _daily(category: str | None):
    categories = dict(Product.objects.values_list("pk", "category"))
    revenue, orders = Counter(), Counter()
    for product_id, sold_at, total in Sale.objects.filter(status=Sale.Status.COMPLETED).values_list(
        "product_id", "sold_at", "total"
    ):
        day = sold_at.astimezone(dt.UTC).date()
        if (category is None or categories[product_id] == category) and day <= latest_date():
            revenue[day] += cents(total)
            orders[day] += 1
    if not orders:
        return [], {"revenue": [], "orders": []}
    last = max(orders)
    kept = sorted(d for d in orders if d > last - dt.timedelta(days=HISTORY_DAYS))
    days, money = fill_gaps(kept, [revenue[d] / 100 for d in kept])
    _, counts = fill_gaps(kept, [orders[d] for d in kept])
    return days, {"revenue": money, "orders": counts}


def _fit(category):
    days, values = _daily(category)
    if not days:
        return {"last_actual": None, "first_day": None, "series": {}, "anomalies": []}
    return _fitted(tuple(days), tuple(values["revenue"]), tuple(values["orders"]))


@functools.lru_cache(maxsize=64)
def _fitted(days, revenue, orders):
    """A fit is slow and the tests ask for the same series many times (every range of one shop)."""
    return fit_series(list(days), {"revenue": np.array(revenue), "orders": np.array(orders)})


def forecast(*, date_range: DateRange, category: str | None = None) -> dict:
    # The cache's status and versions are the figure's own (not a number derived from the sales).
    return forecast_from(_fit(category), trends(category).meta())


def anomalies(*, date_range: DateRange, category: str | None = None) -> dict:
    return anomalies_from(_fit(category), trends(category).meta(), date_range=date_range, category=category)
