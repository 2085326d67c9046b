"""What comes next and which days were not normal: the forecast and anomaly figures.

Both read one fit per category (and one for the whole shop) of the daily revenue and orders in the
SalesDay rollup: the last ``HISTORY_DAYS`` up to the last day with a completed sale, fitted by
analytics.trends (model and rule chosen by measurement: analytics/trends/README.md) and cached
with the rollups' version by analytics.fits, so a request never waits for a fit.
"""

import datetime as dt
from urllib.parse import urlencode

import numpy as np
from django.db.models import Sum
from django.urls import reverse

from analytics import fits
from analytics.figures.common import day_filter
from analytics.models import SalesDay
from analytics.trends import fill_gaps, find_anomalies, forecast
from core.dates import earliest_date, latest_date
from core.filters import DateRange

HISTORY_DAYS = 3 * 365 + 1   # what the model was measured on (README): the months need two years
HORIZON_DAYS = 56
SERIES = ("revenue", "orders")
FIT_NAME = "trends"
# The "why it changed" breakdown (analytics explain figure), linked by its URL, not imported.
EXPLAIN_URL = "/api/analytics/explain/"
MODEL = "regression (drift, weekday, month, retail events) + AR(1) errors on log values"
RULE = "robust calendar regression, |log residual| > 4.5 robust sd (rolling 91-day MAD)"


def daily_sales(category: str | None = None) -> tuple[list[dt.date], dict[str, np.ndarray]]:
    """Consecutive days (the last ``HISTORY_DAYS`` up to the last one with a completed sale) and
    their revenue (money) and orders; a day without sales counts 0. Two range-first reads."""
    window = DateRange(start=earliest_date(), end=latest_date())
    held = SalesDay.objects.filter(**day_filter("day", window), orders__gt=0)
    if category:
        held = held.filter(category=category)
    last = held.order_by("-day").values_list("day", flat=True).first()
    if last is None:
        return [], {name: np.empty(0) for name in SERIES}
    span = DateRange(start=max(last - dt.timedelta(days=HISTORY_DAYS - 1), window.start), end=last)
    rows = SalesDay.objects.filter(**day_filter("day", span))
    if category:
        rows = rows.filter(category=category)
    per_day = list(rows.values("day").annotate(revenue=Sum("revenue_cents"), orders=Sum("orders"))
                   .filter(orders__gt=0).order_by("day").values_list("day", "revenue", "orders"))
    days, revenue = fill_gaps([r[0] for r in per_day], [r[1] / 100 for r in per_day])
    _, orders = fill_gaps([r[0] for r in per_day], [r[2] for r in per_day])
    return days, {"revenue": revenue, "orders": orders}


def fit_trends(category: str | None = None) -> dict:
    """The forecast and the anomalies of both series (what analytics.fits caches)."""
    return fit_series(*daily_sales(category))


def fit_series(days: list[dt.date], values: dict[str, np.ndarray]) -> dict:
    """``fit_trends`` of given daily series (consecutive days; revenue in money, orders)."""
    out = {"last_actual": days[-1].isoformat() if days else None,
           "first_day": days[0].isoformat() if days else None, "series": {}, "anomalies": []}
    if not days:
        return out
    for name in SERIES:
        fc = forecast(values[name], days, horizon=HORIZON_DAYS)
        digits = 2 if name == "revenue" else 1
        out["series"][name] = {
            "method": fc.method, "note": fc.note,
            "points": [
                {"period": d.isoformat(), **{k: round(float(getattr(fc, k)[i]), digits)
                                              for k in ("point", "lower_80", "upper_80", "lower_95", "upper_95")}}
                for i, d in enumerate(fc.dates)
            ],
        }
        for a in find_anomalies(values[name], days):
            out["anomalies"].append({
                "date": a.date.isoformat(), "series": name, "value": round(a.value, 2),
                "expected": round(a.expected, 2), "difference": round(a.difference, 2),
                "relative": round(a.relative, 4) if np.isfinite(a.relative) else None,
                "score": round(a.score, 2), "direction": a.direction,
            })
    out["anomalies"].sort(key=lambda row: (row["date"], row["series"]))
    return out


fits.register(FIT_NAME, lambda key: fit_trends(key or None))


def trends(category: str | None = None, *, wait: float = fits.WAIT) -> fits.Cached:
    return fits.cached(FIT_NAME, category or "", lambda: fit_trends(category), wait=wait)


def forecast_figure(*, date_range: DateRange, category: str | None = None) -> dict:
    """Daily revenue and orders for the 8 weeks after the last day with a completed sale, with 80% and
    95% prediction intervals (the whole history is fitted: ``date_from``/``date_to`` do not move it).

    Returns ``{"status": "fresh"|"stale"|"pending", "version", "fitted_version", "fitted_at",
    "model", "last_actual", "bucket": "day", "series": {"revenue"|"orders": {"method", "note",
    "points": [{"period", "point", "lower_80", "upper_80", "lower_95", "upper_95"}]}}}``.
    ``stale``: the rollups changed since this fit and a refit is running; ``pending``: no fit yet
    (``series`` empty; ask again in a few seconds).
    """
    result = trends(category)
    return forecast_from(result.value or {}, result.meta())


def forecast_from(fit: dict, meta: dict) -> dict:
    return {**meta, "model": MODEL, "last_actual": fit.get("last_actual"), "bucket": "day",
            "series": fit.get("series", {})}


def anomalies_figure(*, date_range: DateRange, category: str | None = None) -> dict:
    """The days in range whose revenue or orders were far from what the calendar expects.

    Returns ``{"status", "version", "fitted_version", "fitted_at", "rule", "rows": [{"date",
    "series": "revenue"|"orders", "value", "expected", "difference", "relative", "score",
    "direction": "spike"|"drop", "sales_url", "explain_url"}]}`` in date order; ``relative`` is
    value / expected - 1, ``score`` the robust z of the log residual. Days are those of the fitted
    history (the last 3 years up to the last sale); ``status`` as in the forecast figure.
    """
    result = trends(category)
    return anomalies_from(result.value or {}, result.meta(), date_range=date_range, category=category)


def anomalies_from(fit: dict, meta: dict, *, date_range: DateRange, category: str | None) -> dict:
    rows = []
    start, end = date_range.start or dt.date.min, date_range.end or dt.date.max
    for row in fit.get("anomalies", []):
        if start <= dt.date.fromisoformat(row["date"]) <= end:
            rows.append({**row, **day_links(row["date"], row["series"], category)})
    return {**meta, "rule": RULE, "rows": rows}


def day_links(day: str, series: str, category: str | None) -> dict:
    """That day's sales list, and the breakdown of its change against the day before."""
    params = {"date_from": day, "date_to": day, **({"category": category} if category else {})}
    explain = {"figure": series, **params, "compare": "previous"}
    return {"sales_url": f"{reverse('sales:sale-list')}?{urlencode(params)}",
            "explain_url": f"{EXPLAIN_URL}?{urlencode(explain)}"}
