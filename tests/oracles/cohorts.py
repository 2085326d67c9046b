"""Cohort retention and repeat purchase straight from the Sale rows: every completed sale read in
order, each customer's history walked by hand. The oracle for analytics.figures.cohorts."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from analytics.figures.cohorts import add_months, months_between
from analytics.models import GAP_BUCKETS
from catalog.models import Product
from core.filters import DateRange
from sales.models import Sale


def _histories(category, channel) -> dict:
    """customer → [(UTC day, total)] of their completed sales in scope, oldest first."""
    categories = dict(Product.objects.values_list("pk", "category"))
    sales = Sale.objects.filter(status=Sale.Status.COMPLETED).order_by("sold_at", "pk")
    histories = defaultdict(list)
    for sale in sales:
        if category and categories[sale.product_id] != category:
            continue
        if channel and sale.channel != channel:
            continue
        histories[sale.customer_id].append((sale.sold_at.astimezone(dt.timezone.utc).date(), sale.total))
    return histories


def _start(day: dt.date, period: str) -> dt.date:
    """The first day of ``day``'s month, or the Monday of its ISO week."""
    return day.replace(day=1) if period == "month" else day - dt.timedelta(days=day.weekday())


def _in_range(month: dt.date, date_range: DateRange, period: str = "month") -> bool:
    start = _start(date_range.start, period) if date_range.start else None
    return (start is None or month >= start) and (date_range.end is None or month <= date_range.end)


def _label(start: dt.date, period: str) -> str:
    if period == "month":
        return start.strftime("%Y-%m")
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def _after(start: dt.date, offset: int, period: str) -> dt.date:
    return add_months(start, offset) if period == "month" else start + dt.timedelta(weeks=offset)


def _count(first: dt.date, last: dt.date, period: str) -> int:
    return months_between(first, last) if period == "month" else (last - first).days // 7


def _money(value: Decimal) -> float:
    return float(Decimal(value).quantize(Decimal("0.01")))


def cohort_retention(*, date_range: DateRange, category=None, channel=None, period="month") -> dict:
    histories = _histories(category, channel)
    last = max((day for history in histories.values() for day, _ in history), default=None)
    members = defaultdict(list)
    for customer, history in histories.items():
        first = _start(history[0][0], period)
        if _in_range(first, date_range, period):
            members[first].append(history)
    cohorts = []
    for cohort in sorted(members):
        size = len(members[cohort])
        row, seen_again, total_orders, total = [], set(), 0, Decimal(0)
        for offset in range(_count(cohort, _start(last, period), period) + 1):
            month = _after(cohort, offset, period)
            buyers = returned = orders = 0
            revenue = Decimal(0)
            for i, history in enumerate(members[cohort]):
                in_month = [t for day, t in history if _start(day, period) == month]
                if not in_month:
                    continue
                buyers += 1
                orders += len(in_month)
                revenue += sum(in_month)
                if offset and i not in seen_again:
                    seen_again.add(i)
                    returned += 1
            total_orders += orders
            total += revenue
            row.append({
                "offset": offset, period: _label(month, period), "customers": buyers,
                "retention": round(buyers / size, 4), "returned": returned,
                "repeat_rate": round(len(seen_again) / size, 4), "orders": orders,
                "revenue": _money(revenue), "cumulative_orders": total_orders,
                "cumulative_revenue": _money(total),
                "revenue_per_customer": round(int(total * 100) / size / 100, 2),
            })
        cohorts.append({"cohort": _label(cohort, period), "customers": size, "cells": row})
    return {
        "period": period, "category": category, "channel": channel,
        f"{period}s": max((len(c["cells"]) for c in cohorts), default=0), "cohorts": cohorts,
    }


def repeat_purchase(*, date_range: DateRange, category=None, channel=None) -> dict:
    histories = _histories(category, channel)
    won = [h for h in histories.values() if _in_range(h[0][0].replace(day=1), date_range)]
    gaps = []
    for history in won:
        days = sorted({day for day, _ in history})
        if len(days) > 1:
            gaps.append((days[1] - days[0]).days)
    orders = sum(len(h) for h in won)
    bounds = [*GAP_BUCKETS, None]
    buckets, lower = [], 1
    for bound in bounds:
        n = sum(1 for g in gaps if lower <= g and (bound is None or g <= bound))
        buckets.append({
            "up_to": bound, "label": f"over {GAP_BUCKETS[-1]} days" if bound is None else f"{lower}–{bound} days",
            "customers": n, "share": round(n / len(gaps), 4) if gaps else 0.0,
        })
        lower = (bound or 0) + 1
    return {
        "category": category, "channel": channel, "customers": len(won), "repeat_customers": len(gaps),
        "repeat_rate": round(len(gaps) / len(won), 4) if won else 0.0, "orders": orders,
        "orders_per_customer": round(orders / len(won), 2) if won else 0.0,
        "mean_days_to_second": round(sum(gaps) / len(gaps), 1) if gaps else None,
        "days_to_second": buckets,
    }
