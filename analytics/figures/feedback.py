"""Feedback analytics, read from the FeedbackDay rollup; ``category`` filters by the rated product's
category. tests.oracles.feedback computes the same from the Feedback rows (the tests' oracle)."""

from analytics.figures.common import day_series
from analytics.figures.periods import MONTH, rating
from analytics.figures.shared import daily, total
from analytics.models import FeedbackDay
from core.filters import DateRange

RATINGS = (1, 2, 3, 4, 5)
RATING_SUMS = {"total": "rating_sum", "count": "count"}


def _feedback_days(*, date_range: DateRange, category: str | None) -> list[dict]:
    return daily(FeedbackDay, date_range=date_range, category=category)


def _rating_point(row: dict) -> dict:
    average = rating(row["total"] / row["count"]) if row["count"] else None
    return {"average_rating": average, "count": row["count"]}


def average_rating(*, date_range: DateRange, category: str | None = None) -> float | None:
    """Mean rating of feedback in range (2 dp), None without feedback."""
    per_day = _feedback_days(date_range=date_range, category=category)
    count = total(per_day, "count")
    return rating(total(per_day, "rating_sum") / count) if count else None


def rating_distribution(*, date_range: DateRange, category: str | None = None) -> dict:
    """``{"rows": [{"rating": 1..5, "count"}]}``, all five ratings, zeros included."""
    per_day = _feedback_days(date_range=date_range, category=category)
    return {"rows": [{"rating": r, "count": total(per_day, f"rating_{r}")} for r in RATINGS]}


def average_rating_over_time(*, date_range: DateRange, category: str | None = None) -> dict:
    """Feedback per period: ``{"bucket", "points": [{"period", "average_rating" (None without
    feedback), "count"}]}``; buckets as in revenue_over_time."""
    return day_series(
        _feedback_days(date_range=date_range, category=category), date_range=date_range, bucket=None,
        held="count", sums=RATING_SUMS, point=_rating_point,
        zero={"average_rating": None, "count": 0},
    )


def feedback_per_month(*, date_range: DateRange, category: str | None = None) -> dict:
    """``{"bucket": "month", "points": [{"period", "count", "average_rating"}]}``."""
    return day_series(
        _feedback_days(date_range=date_range, category=category), date_range=date_range, bucket=MONTH,
        held="count", sums=RATING_SUMS,
        point=lambda row: {"count": row["count"], "average_rating": _rating_point(row)["average_rating"]},
        zero={"count": 0, "average_rating": None},
    )
