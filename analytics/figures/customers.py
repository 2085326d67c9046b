"""Customer analytics, read from the CustomerJoinDay and CityJoinLedger rollups. Customers have no
category, so these ignore ``category`` and say so. tests.oracles.customers is the tests' oracle."""

from analytics.figures.common import TOP_CITIES, day_series
from analytics.figures.shared import daily, total
from analytics.models import CityJoinLedger, CustomerJoinDay
from analytics.rollups.ledger import LedgerRange
from core.filters import DateRange


def _joined(*, date_range: DateRange) -> list[dict]:
    return daily(CustomerJoinDay, date_range=date_range)


def new_customers(*, date_range: DateRange) -> int:
    """Customers who joined in ``date_range``."""
    return total(_joined(date_range=date_range), "customers")


def new_customers_over_time(*, date_range: DateRange, category: str | None = None) -> dict:
    """Customers joined per period.

    Returns ``{"bucket", "points": [{"period", "count"}], "category_applied": false}``: customers
    have no category, so ``category`` is ignored. Buckets as in revenue_over_time.
    """
    result = day_series(
        _joined(date_range=date_range), date_range=date_range, bucket=None, held="customers",
        sums={"count": "customers"}, point=lambda row: {"count": row["count"]}, zero={"count": 0},
    )
    return {**result, "category_applied": False}


def customers_per_city(*, date_range: DateRange, category: str | None = None) -> dict:
    """The 20 cities with the most customers joined in range.

    Returns ``{"rows": [{"city", "country", "count"}], "category_applied": false}``: ``category``
    is ignored (customers have none).
    """
    span = LedgerRange(CityJoinLedger, date_range)
    rows = (
        CityJoinLedger.objects.filter(span.rows).values("city", "country")
        .annotate(count=span.total("customers"))
        .filter(count__gt=0).order_by("-count", "city", "country")[:TOP_CITIES]
    )
    return {"rows": [dict(row) for row in rows], "category_applied": False}
