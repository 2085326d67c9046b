"""Filters shared by the direct and the rollup implementations."""

import datetime as dt

from django.db import connections
from django.db.models import Sum

from analytics.figures.periods import bucket_for, bucket_start, resolve_range, series
from catalog.models import Product
from catalog.selectors import product_ids_in_category
from core.filters import DateRange
from sales.models import Sale

TOP_PRODUCTS = 10
TOP_CITIES = 20
QUANTITY_VS_RATING_CAP = 200
RATED_PRODUCTS = 20  # average_rating_per_product: the most-reviewed products
MAP_CITIES = 300  # customer_map: the cities with the most customers
LATEST = 10


def datetime_filter(field: str, date_range: DateRange) -> dict:
    """``{field__gte, field__lt}`` for the inclusive days of ``date_range`` (UTC)."""
    lookups = {}
    if date_range.start:
        lookups[f"{field}__gte"] = date_range.start_datetime()
    if date_range.end:
        lookups[f"{field}__lt"] = date_range.end_datetime()
    return lookups


def day_filter(field: str, date_range: DateRange) -> dict:
    """``{field__gte, field__lte}`` on a rollup's DateField, both bounds always (see rollups.ledger._days)."""
    return {f"{field}__gte": date_range.start or dt.date.min, f"{field}__lte": date_range.end or dt.date.max}


def completed_sales(*, date_range: DateRange, category: str | None = None, **filters):
    """Completed sales in range; ``filters`` narrow further (product_id=..., customer_id=...)."""
    qs = Sale.objects.filter(
        status=Sale.Status.COMPLETED, **datetime_filter("sold_at", date_range), **filters,
    )
    if category:
        qs = qs.filter(product_id__in=product_ids_in_category(category))
    return qs


def bare_rows(queryset) -> list[tuple]:
    """The rows of a values_list ``queryset``. On SQLite by a bare cursor on the same SQL: the ORM's row
    loop and per-value converters cost as much as SQLite's own reading on the grouped reads of 10k rows
    and more (the product sums at the large seed: 23 ms reading, about 30 ms converting). Only for
    columns the driver returns as they are (integers, text: cast dates to text first)."""
    db = connections[queryset.db]
    if db.vendor != "sqlite":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with db.cursor() as cursor:
        return cursor.execute(sql, params).fetchall()


def product_names(product_ids) -> dict:
    """pk → (name, category) for the given products, one query."""
    rows = Product.objects.filter(pk__in=list(product_ids)).values_list("pk", "name", "category")
    return {pk: (name, category) for pk, name, category in rows}


def as_date(value: dt.date | dt.datetime | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).date()
    return value


def day_sums(rows, fields) -> list[dict]:
    """``[{"day", field: sum, ...}]`` per day of the day rollup rows ``rows``, in day order: one grouped
    query (at most a few thousand days). Sums are named ``sum_<field>`` in SQL, as an annotation may not
    take a field's name."""
    fields = tuple(dict.fromkeys(fields))
    per_day = rows.values("day").annotate(**{f"sum_{f}": Sum(f) for f in fields}).order_by("day")
    return [{"day": row["day"], **{f: row[f"sum_{f}"] or 0 for f in fields}} for row in per_day]


def rollup_series(
    rows, *, date_range: DateRange, bucket: str | None, held: str, sums: dict, point, zero: dict
) -> dict:
    """day_series over the day sums of ``rows`` (day rollup rows already filtered to the range)."""
    per_day = day_sums(rows, (held, *sums.values()))
    return day_series(per_day, date_range=date_range, bucket=bucket, held=held, sums=sums, point=point, zero=zero)


def day_series(
    per_day: list[dict], *, date_range: DateRange, bucket: str | None, held: str, sums: dict, point, zero: dict
) -> dict:
    """``{"bucket", "points"}`` from day sums (``day_sums``).

    ``held`` is the count (orders, feedback, ...) whose days hold data: the first and last day with
    a positive sum of it close an open range. ``sums`` maps output name → summed field, ``point``
    turns a period's sums into the point's fields. Counts are never negative, so a day's sum is
    positive exactly when one of its rows is (two ordered reads of the rows for those days were two
    more queries per series, and a sort of the collection on a store that does not sort by index).
    Days fold into weeks or months here, which costs less than truncating every rollup row in SQL.
    """
    held_days = [as_date(row["day"]) for row in per_day if row[held] > 0]
    first, last = (held_days[0], held_days[-1]) if held_days else (None, None)
    bounds = resolve_range(date_range, first=first, last=last)
    if bounds and bucket is None:
        bucket = bucket_for(start=bounds[0], end=bounds[1])
    totals = {}
    for row in per_day if bounds else ():
        period = totals.setdefault(bucket_start(row["day"], bucket), dict.fromkeys(sums, 0))
        for key, field in sums.items():
            period[key] += row[field]
    values = {period: point(total) for period, total in totals.items()}
    return series(date_range=date_range, first=first, last=last, bucket=bucket, values=values, zero=zero)
