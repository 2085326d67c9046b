"""Sales figures for the dashboard and the API, read from the rollups (analytics.models).

tests.oracles.sales computes the same figures from the Sale rows; the tests hold these to it.
"""

import heapq

from analytics.figures.common import TOP_CITIES, day_series
from analytics.figures.periods import MONTH, cents_to_money, rating
from analytics.figures.shared import active_count, category_sums, daily, place_sums, product_sums, total
from analytics.models import SalesDay
from core.filters import DateRange

SALES_SUMS = {"revenue": "revenue_cents", "orders": "orders", "units": "units"}


def _sales_point(row: dict) -> dict:
    return {"revenue": cents_to_money(row["revenue"]), "orders": row["orders"], "units": row["units"]}


def sales_totals(*, date_range: DateRange, category: str | None = None) -> dict:
    """``{"revenue", "orders", "units", "active_customers"}`` over completed sales: the sums of the
    series' day read and the active customers' (each read with the compared period's: shared.together)."""
    per_day = daily(SalesDay, date_range=date_range, category=category)
    return {
        "revenue": cents_to_money(total(per_day, "revenue_cents")), "orders": total(per_day, "orders"),
        "units": total(per_day, "units"),
        "active_customers": active_count(date_range=date_range, category=category),
    }


def revenue_over_time(*, date_range: DateRange, category: str | None = None) -> dict:
    """Completed sales per period.

    Returns ``{"bucket": "day"|"week"|"month", "points": [{"period", "revenue", "orders", "units"}]}``:
    day buckets up to 62 days, weeks (from Monday) up to a year, months beyond; every period of
    the range is present (zeros when nothing sold). An open end is closed by the first/last sale.
    """
    return day_series(
        daily(SalesDay, date_range=date_range, category=category), date_range=date_range, bucket=None,
        held="orders", sums=SALES_SUMS, point=_sales_point,
        zero={"revenue": 0.0, "orders": 0, "units": 0},
    )


def units_revenue_per_month(*, date_range: DateRange, category: str | None = None) -> dict:
    """Completed sales per month: ``{"bucket": "month", "points": [{"period", "units", "revenue"}]}``."""
    return day_series(
        daily(SalesDay, date_range=date_range, category=category), date_range=date_range, bucket=MONTH,
        held="orders", sums={"units": "units", "revenue": "revenue_cents"},
        point=lambda row: {"units": row["units"], "revenue": cents_to_money(row["revenue"])},
        zero={"units": 0, "revenue": 0.0},
    )


def revenue_by_category(*, date_range: DateRange, category: str | None = None) -> dict:
    """``{"rows": [{"category", "revenue", "orders", "units"}]}``, highest revenue first."""
    rows = sorted((r for r in category_sums(date_range=date_range, category=category) if r[2] > 0),
                  key=lambda r: (-r[1], r[0]))
    return {"rows": [
        {"category": name, **_sales_point({"revenue": revenue, "orders": orders, "units": units})}
        for name, revenue, orders, units in rows
    ]}


def top_products(*, date_range: DateRange, category: str | None = None) -> dict:
    """The 10 best products by revenue and by units (completed sales).

    Returns ``{"by_revenue": [...], "by_units": [...]}``, rows ``{"product_id" (str), "name",
    "category", "revenue", "units"}``; ties go to the lower product id.
    """
    sums = product_sums(date_range=date_range, category=category)
    names = sums.names()

    def product_row(row):
        pk, revenue, units = row[:3]
        name, product_category = names[pk]
        return {
            "product_id": str(pk), "name": name, "category": product_category,
            "revenue": cents_to_money(revenue), "units": units,
        }

    return {
        "by_revenue": [product_row(r) for r in sums.by_revenue()],
        "by_units": [product_row(r) for r in sums.by_units()],
    }


def quantity_vs_rating(*, date_range: DateRange, category: str | None = None) -> dict:
    """Units sold against average rating, per product with feedback in range.

    Returns ``{"points": [{"product_id", "name", "units", "average_rating"}]}``: at most 200
    products, the most units first (units of completed sales in range, 0 when none), ties to the
    lower product id.
    """
    sums = product_sums(date_range=date_range, category=category)
    names = sums.names()
    return {"points": [
        {"product_id": str(pk), "name": names[pk][0], "units": units, "average_rating": rating(rating_sum / feedback)}
        for pk, _, units, feedback, rating_sum in sums.rated_by_units()
    ]}


def average_rating_per_product(*, date_range: DateRange, category: str | None = None) -> dict:
    """Average rating of the 20 products with the most feedback in range.

    Returns ``{"rows": [{"product_id", "name", "category", "feedback", "average_rating"}]}``, the
    most feedback first, ties to the lower product id.
    """
    sums = product_sums(date_range=date_range, category=category)
    names = sums.names()
    return {"rows": [
        {
            "product_id": str(pk), "name": names[pk][0], "category": names[pk][1], "feedback": feedback,
            "average_rating": rating(rating_sum / feedback),
        }
        for pk, _, _, feedback, rating_sum in sums.rated_by_feedback()
    ]}


def sales_by_city(*, date_range: DateRange, category: str | None = None) -> dict:
    """The 20 cities with the most revenue (by the buyer's city).

    Returns ``{"rows": [{"city", "country", "latitude", "longitude", "revenue", "orders"}]}``;
    coordinates are the mean of the city's customers' coordinates (None when unknown).
    """
    places = place_sums(date_range=date_range, category=category)
    best = heapq.nsmallest(TOP_CITIES, places.sales.items(), key=lambda item: (-item[1][0], *item[0]))
    coordinates = places.located

    def place(key):
        if key not in coordinates:
            return {"latitude": None, "longitude": None}
        latitude, longitude = coordinates[key]
        return {"latitude": round(latitude, 4), "longitude": round(longitude, 4)}

    return {"rows": [
        {"city": city, "country": country, **place((city, country)),
         "revenue": cents_to_money(revenue_cents), "orders": orders}
        for (city, country), (revenue_cents, orders) in best
    ]}
