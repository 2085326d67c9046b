"""Feedback analytics, read from the FeedbackDay rollup; ``category`` filters by the rated product's
category. tests.oracles.feedback computes the same from the Feedback rows (the tests' oracle)."""

from django.db.models import Sum

from analytics.figures.common import day_filter, rollup_series
from analytics.figures.periods import MONTH, rating
from analytics.models import FeedbackDay
from core.filters import DateRange

RATINGS = (1, 2, 3, 4, 5)
RATING_SUMS = {"total": "rating_sum", "count": "count"}


def _feedback_days(*, date_range: DateRange, category: str | None):
    rows = FeedbackDay.objects.filter(**day_filter("day", date_range))
    return rows.filter(category=category) if category else rows


def _rating_point(row: dict) -> dict:
    average = rating(row["total"] / row["count"]) if row["count"] else None
    return {"average_rating": average, "count": row["count"]}


def average_rating(*, date_range: DateRange, category: str | None = None) -> float | None:
    """Mean rating of feedback in range (2 dp), None without feedback."""
    row = _feedback_days(date_range=date_range, category=category).aggregate(
        total=Sum("rating_sum"), count=Sum("count"),
    )
    return rating(row["total"] / row["count"]) if row["count"] else None


def rating_distribution(*, date_range: DateRange, category: str | None = None) -> dict:
    """``{"rows": [{"rating": 1..5, "count"}]}``, all five ratings, zeros included."""
    row = _feedback_days(date_range=date_range, category=category).aggregate(
        **{f"rating_{r}": Sum(f"rating_{r}") for r in RATINGS}
    )
    return {"rows": [{"rating": r, "count": row[f"rating_{r}"] or 0} for r in RATINGS]}


def average_rating_over_time(*, date_range: DateRange, category: str | None = None) -> dict:
    """Feedback per period: ``{"bucket", "points": [{"period", "average_rating" (None without
    feedback), "count"}]}``; buckets as in revenue_over_time."""
    return rollup_series(
        _feedback_days(date_range=date_range, category=category), date_range=date_range, bucket=None,
        held="count", sums=RATING_SUMS, point=_rating_point,
        zero={"average_rating": None, "count": 0},
    )


def feedback_per_month(*, date_range: DateRange, category: str | None = None) -> dict:
    """``{"bucket": "month", "points": [{"period", "count", "average_rating"}]}``."""
    return rollup_series(
        _feedback_days(date_range=date_range, category=category), date_range=date_range, bucket=MONTH,
        held="count", sums=RATING_SUMS,
        point=lambda row: {"count": row["count"], "average_rating": _rating_point(row)["average_rating"]},
        zero={"count": 0, "average_rating": None},
    )
