"""Customer figures straight from the Customer rows (the oracle for the rollup-backed ones)."""

import datetime as dt

from django.db.models import Count, Max, Min
from django.db.models.functions import Trunc

from accounts.models import Customer
from analytics.figures.common import TOP_CITIES, as_date, datetime_filter
from analytics.figures.periods import bucket_for, bucket_start, resolve_range, series
from core.filters import DateRange

UTC = dt.timezone.utc  # day boundaries are UTC days, whatever TIME_ZONE says


def joined(*, date_range: DateRange):
    return Customer.objects.filter(**datetime_filter("joined_at", date_range))


def new_customers(*, date_range: DateRange) -> int:
    return joined(date_range=date_range).count()


def new_customers_over_time(*, date_range: DateRange, category: str | None = None) -> dict:
    qs = joined(date_range=date_range)
    extent = qs.aggregate(first=Min("joined_at"), last=Max("joined_at"))
    first, last = as_date(extent["first"]), as_date(extent["last"])
    bounds = resolve_range(date_range, first=first, last=last)
    bucket = bucket_for(start=bounds[0], end=bounds[1]) if bounds else None
    values = {}
    if bounds:
        grouped = (
            qs.annotate(period=Trunc("joined_at", bucket, tzinfo=UTC)).values("period")
            .annotate(count=Count("pk"))
        )
        for row in grouped:
            values[bucket_start(as_date(row["period"]), bucket)] = {"count": row["count"]}
    result = series(date_range=date_range, first=first, last=last, bucket=bucket, values=values,
                    zero={"count": 0})
    return {**result, "category_applied": False}


def customers_per_city(*, date_range: DateRange, category: str | None = None) -> dict:
    rows = (
        joined(date_range=date_range).values("city", "country").annotate(count=Count("pk"))
        .order_by("-count", "city", "country")[:TOP_CITIES]
    )
    return {"rows": [dict(r) for r in rows], "category_applied": False}
