"""Cohort retention and repeat purchase, read from the CohortCell and RepeatGapCell rollups.

A cohort is the customers whose first completed sale in the chosen scope (``category``, ``channel``;
none = every sale) fell in one calendar month (UTC), or with ``period="week"`` one ISO week (Monday to
Sunday, UTC days; CohortWeekCell). The date range picks the cohorts: every month
from the one holding ``date_from`` to the one holding ``date_to``. With a category or channel, both
the first sale and the later ones are counted in it ("first bought Books in March, and came back for
Books"). tests.oracles.cohorts computes the same figures from the Sale rows.
"""

import datetime as dt

from django.db import connections
from django.db.models import TextField
from django.db.models.functions import Cast

from analytics.figures.common import bare_rows
from analytics.models import GAP_BUCKETS, GAP_OVER, CohortCell, CohortWeekCell, RepeatGapCell
from analytics.rollups.cohorts import ALL, month_start
from core.filters import DateRange
from sales.models import Sale

CHANNELS = tuple(Sale.Channel.values)
UNKNOWN_CHANNEL = "Unknown channel. Choose one of: {names}.".format(names=", ".join(CHANNELS))


PERIODS = ("month", "week")
UNKNOWN_PERIOD = "Unknown period. Choose one of: {names}.".format(names=", ".join(PERIODS))


def months_between(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


def week_label(monday: dt.date) -> str:
    """An ISO week as 'YYYY-Www' (the ISO year: 29 December 2025 is 2026-W01)."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def period_start(day: dt.date, period: str) -> dt.date:
    return month_start(day) if period == "month" else week_start(day)


def period_label(start: dt.date, period: str) -> str:
    return start.strftime("%Y-%m") if period == "month" else week_label(start)


def periods_after(first: dt.date, last: dt.date, period: str) -> list[dt.date]:
    """The starts of the periods from ``first``'s to ``last``'s (both period starts), in order."""
    if period == "month":
        return [add_months(first, n) for n in range(months_between(first, last) + 1)]
    return [first + dt.timedelta(days=7 * n) for n in range((last - first).days // 7 + 1)]


def _cells(period: str):
    """The rollup of ``period`` and the name of its column of the period bought in."""
    return (CohortCell, "month") if period == "month" else (CohortWeekCell, "week")


def _cohort_filter(date_range: DateRange, category: str | None, channel: str | None,
                   period: str = "month") -> dict:
    lookups = {"category": category or ALL, "channel": channel or ALL}
    if date_range.start:
        lookups["cohort__gte"] = period_start(date_range.start, period)
    if date_range.end:
        lookups["cohort__lte"] = date_range.end
    return lookups


def _cell_rows(model, field: str, lookups: dict) -> list[tuple]:
    """(cohort, period bought in, customers, returned, orders, revenue_cents) of the cells with buyers,
    both periods as ISO date strings: the weekly matrix is over 10k rows, and converting two dates
    per row was a third of the figure."""
    cells = model.objects.filter(**lookups, customers__gt=0)
    values = ("customers", "returned", "orders", "revenue_cents")
    if connections[cells.db].vendor == "sqlite":
        # SQLite keeps a date as its ISO text: cast, so neither the driver nor the ORM converts it, and
        # read by a bare cursor (the same SQL), which skips the ORM's row loop.
        return bare_rows(
            cells.annotate(cohort_text=Cast("cohort", TextField()), bought_text=Cast(field, TextField()))
            .values_list("cohort_text", "bought_text", *values)
        )
    return [(cohort.isoformat(), bought.isoformat(), *rest) for cohort, bought, *rest in cells.values_list("cohort", field, *values)]


def _last_period(category: str | None, channel: str | None, period: str) -> dt.date | None:
    model, field = _cells(period)
    return (
        model.objects.filter(category=category or ALL, channel=channel or ALL, customers__gt=0)
        .order_by(f"-{field}").values_list(field, flat=True).first()
    )


def cohort_retention(
    *, date_range: DateRange, category: str | None = None, channel: str | None = None, period: str = "month",
) -> dict:
    """Per monthly (or weekly) cohort of first-time buyers and each month (week) since: who came back,
    orders, revenue.

    Returns ``{"period", "category", "channel", "months", "cohorts": [{"cohort": "YYYY-MM", "customers",
    "cells": [{"offset", "month", "customers", "retention", "returned", "repeat_rate", "orders",
    "revenue", "cumulative_orders", "cumulative_revenue", "revenue_per_customer"}]}]}``. ``offset`` 0 is
    the cohort's own month; ``customers`` those who bought in that month and ``retention`` their share of
    the cohort; ``returned`` those whose second month with a sale it was, ``repeat_rate`` the share
    who came back by then (cumulative); ``revenue_per_customer`` the cohort's revenue so far per
    customer (lifetime value to date). Every cohort runs to the scope's last month with a sale;
    ``months`` is the longest row. Cohorts are the months the date range touches.

    ``period="week"``: the same by ISO week (Monday to Sunday, UTC days), with ``weeks`` for ``months``
    and each cell's ``week`` for ``month``, cohorts and weeks labelled 'YYYY-Www' (ISO year and week).
    """
    if period not in PERIODS:
        raise ValueError(UNKNOWN_PERIOD)
    model, field = _cells(period)
    by_cohort: dict[str, dict[str, tuple]] = {}
    for cohort, bought, *values in _cell_rows(model, field, _cohort_filter(date_range, category, channel, period)):
        by_cohort.setdefault(cohort, {})[bought] = values
    cohorts = []
    if by_cohort:
        first_cohort = dt.date.fromisoformat(min(by_cohort))
        starts = periods_after(first_cohort, _last_period(category, channel, period), period)
        keys = [start.isoformat() for start in starts]
        labels = [period_label(start, period) for start in starts]
        position = {key: i for i, key in enumerate(keys)}
    empty = (0, 0, 0, 0)
    for cohort in sorted(by_cohort):
        cells, size = by_cohort[cohort], by_cohort[cohort][cohort][0]
        returned = orders = revenue = 0
        row = []
        first = position[cohort]
        # The weekly matrix has tens of thousands of cells: one dict each, no call that is not needed.
        # Cents / 100 needs no round(): for an integer it is already the double nearest the 2-digit value.
        for offset, key in enumerate(keys[first:]):
            customers, came_back, period_orders, period_cents = cells.get(key, empty)
            returned += came_back
            orders += period_orders
            revenue += period_cents
            row.append({
                "offset": offset, field: labels[first + offset], "customers": customers,
                "retention": round(customers / size, 4), "returned": came_back,
                "repeat_rate": round(returned / size, 4), "orders": period_orders,
                "revenue": period_cents / 100, "cumulative_orders": orders,
                "cumulative_revenue": revenue / 100,
                "revenue_per_customer": round(revenue / size / 100, 2),
            })
        cohorts.append({"cohort": labels[first], "customers": size, "cells": row})
    return {
        "period": period, "category": category, "channel": channel,
        f"{field}s": max((len(c["cells"]) for c in cohorts), default=0), "cohorts": cohorts,
    }


def repeat_purchase(
    *, date_range: DateRange, category: str | None = None, channel: str | None = None
) -> dict:
    """Repeat purchase of the customers won in the range (the cohorts of cohort_retention).

    Returns ``{"category", "channel", "customers", "repeat_customers", "repeat_rate", "orders",
    "orders_per_customer", "mean_days_to_second", "days_to_second": [{"up_to", "label", "customers",
    "share"}]}``: ``customers`` first bought in the range's months; ``repeat_customers`` have a second
    order day since (any time up to now); ``orders`` are all their completed sales so far;
    ``days_to_second`` buckets the days from the first order day to the second (``up_to`` the
    bucket's last day, null for over a year), shares of the repeat customers.
    """
    lookups = _cohort_filter(date_range, category, channel)
    customers = orders = 0
    for cohort, month, size, month_orders in CohortCell.objects.filter(**lookups).values_list(
        "cohort", "month", "customers", "orders",
    ):
        customers += size if cohort == month else 0
        orders += month_orders
    per_bucket = dict.fromkeys((*GAP_BUCKETS, GAP_OVER), 0)
    gap_days = 0
    for bucket, n, days in RepeatGapCell.objects.filter(**lookups).values_list("bucket", "customers", "gap_days"):
        per_bucket[bucket] += n
        gap_days += days
    repeat = sum(per_bucket.values())
    lower, buckets = 1, []
    for bound, n in per_bucket.items():
        over = bound == GAP_OVER
        buckets.append({
            "up_to": None if over else bound,
            "label": f"over {GAP_BUCKETS[-1]} days" if over else f"{lower}–{bound} days",
            "customers": n, "share": round(n / repeat, 4) if repeat else 0.0,
        })
        lower = bound + 1
    return {
        "category": category, "channel": channel, "customers": customers, "repeat_customers": repeat,
        "repeat_rate": round(repeat / customers, 4) if customers else 0.0, "orders": orders,
        "orders_per_customer": round(orders / customers, 2) if customers else 0.0,
        "mean_days_to_second": round(gap_days / repeat, 1) if repeat else None,
        "days_to_second": buckets,
    }
