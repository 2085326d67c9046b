"""The dashboard's headline numbers, each beside the previous period of equal length (or, with
``compare="year"``, the same days a year earlier)."""

from analytics.figures import customers as accounts_analytics
from analytics.figures import feedback as feedback_analytics
from analytics.figures import sales as figures
from analytics.figures.periods import comparison, money
from analytics.figures.shared import together
from core.filters import COMPARE_PREVIOUS, DateRange

KPI_NAMES = (
    "revenue", "orders", "units", "average_order_value", "active_customers", "new_customers",
    "average_rating",
)


def kpi_values(*, totals: dict, new_customers: int, average_rating: float | None) -> dict:
    """The seven KPI values for one range from its sales totals, new customers and mean rating."""
    orders = totals["orders"]
    return {
        "revenue": totals["revenue"],
        "orders": orders,
        "units": totals["units"],
        "average_order_value": money(totals["revenue"] / orders) if orders else None,
        "active_customers": totals["active_customers"],
        "new_customers": new_customers,
        "average_rating": average_rating,
    }


def rollup_kpi_values(*, date_range: DateRange, category: str | None = None) -> dict:
    return kpi_values(
        totals=figures.sales_totals(date_range=date_range, category=category),
        new_customers=accounts_analytics.new_customers(date_range=date_range),
        average_rating=feedback_analytics.average_rating(date_range=date_range, category=category),
    )


def compare_kpis(
    values, *, date_range: DateRange, category: str | None, compare: str = COMPARE_PREVIOUS
) -> dict:
    """``values(date_range=, category=)`` for the range and the one ``compare`` names, as KPI entries."""
    previous_range = date_range.compared(compare)
    with together(date_range, previous_range):  # one day read per rollup for both periods
        current = values(date_range=date_range, category=category)
        previous = values(date_range=previous_range, category=category) if previous_range else {}
    result = {
        name: comparison(current[name], previous.get(name), bounded=previous_range is not None)
        for name in KPI_NAMES
    }
    result["new_customers"]["category_applied"] = False
    return result


def kpis(*, date_range: DateRange, category: str | None = None, compare: str = COMPARE_PREVIOUS) -> dict:
    """Headline KPIs.

    Returns ``{"revenue", "orders", "units", "average_order_value", "active_customers", "new_customers",
    "average_rating"}``, each ``{"value", "previous", "change"}``: ``previous`` is the same figure for
    the period of equal length just before the range, ``change`` the percent change (None when the
    range is open-ended or ``previous`` is 0/None). Revenue, orders, units and active customers
    (distinct customers with a completed sale) count completed sales only; average_order_value and
    average_rating are None when there are no orders / no feedback. ``category`` filters sales and
    feedback; new_customers (joined in range) cannot be filtered by category, so its entry carries
    ``"category_applied": false``. The API serves the previous-period comparison; the dashboard's
    ``compare=year`` (and /api/analytics/explain/) compare with the same days a year earlier.
    """
    return compare_kpis(rollup_kpi_values, date_range=date_range, category=category, compare=compare)
