"""Feedback figures straight from the Feedback rows (the oracle for the rollup-backed ones)."""

import datetime as dt

from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import Trunc

from analytics.figures.common import as_date, datetime_filter, product_ids_in_category
from analytics.figures.periods import MONTH, bucket_for, bucket_start, rating, resolve_range, series
from core.filters import DateRange
from feedback.models import Feedback

UTC = dt.timezone.utc  # day boundaries are UTC days, whatever TIME_ZONE says

RATINGS = (1, 2, 3, 4, 5)


def feedback_in(*, date_range: DateRange, category: str | None = None, **filters):
    """Feedback in range; ``filters`` narrow further (product_id=...)."""
    qs = Feedback.objects.filter(**datetime_filter("created_at", date_range), **filters)
    if category:
        qs = qs.filter(product_id__in=product_ids_in_category(category))
    return qs


def average_rating(*, date_range: DateRange, category: str | None = None) -> float | None:
    row = feedback_in(date_range=date_range, category=category).aggregate(
        total=Sum("rating"), count=Count("pk"),
    )
    return rating(row["total"] / row["count"]) if row["count"] else None


def rating_distribution(*, date_range: DateRange, category: str | None = None) -> dict:
    counts = dict(
        feedback_in(date_range=date_range, category=category).values("rating")
        .annotate(count=Count("pk")).values_list("rating", "count")
    )
    return {"rows": [{"rating": r, "count": counts.get(r, 0)} for r in RATINGS]}


def rating_series(
    *, date_range: DateRange, category: str | None = None, bucket: str | None = None, **filters
) -> dict:
    """``{"bucket", "points": [{"period", "average_rating", "count"}]}``."""
    qs = feedback_in(date_range=date_range, category=category, **filters)
    extent = qs.aggregate(first=Min("created_at"), last=Max("created_at"))
    first, last = as_date(extent["first"]), as_date(extent["last"])
    bounds = resolve_range(date_range, first=first, last=last)
    if bounds and bucket is None:
        bucket = bucket_for(start=bounds[0], end=bounds[1])
    values = {}
    if bounds:
        rows = qs.annotate(period=Trunc("created_at", bucket, tzinfo=UTC)).values("period").annotate(
            total=Sum("rating"), count=Count("pk"),
        )
        for row in rows:
            values[bucket_start(as_date(row["period"]), bucket)] = {
                "average_rating": rating(row["total"] / row["count"]), "count": row["count"],
            }
    return series(date_range=date_range, first=first, last=last, bucket=bucket, values=values,
                  zero={"average_rating": None, "count": 0})


def average_rating_over_time(*, date_range: DateRange, category: str | None = None) -> dict:
    return rating_series(date_range=date_range, category=category)


def feedback_per_month(*, date_range: DateRange, category: str | None = None) -> dict:
    result = rating_series(date_range=date_range, category=category, bucket=MONTH)
    points = [
        {"period": p["period"], "count": p["count"], "average_rating": p["average_rating"]}
        for p in result["points"]
    ]
    return {"bucket": MONTH, "points": points}
