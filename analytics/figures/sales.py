"""Sales figures for the dashboard and the API, read from the rollups (analytics.models).

tests.oracles.sales computes the same figures from the Sale rows; the tests hold these to it.
"""

import heapq

from django.db.models import Sum

from analytics.figures.common import (
    QUANTITY_VS_RATING_CAP,
    RATED_PRODUCTS,
    TOP_CITIES,
    TOP_PRODUCTS,
    day_filter,
    product_names,
    rollup_series,
)
from analytics.figures.periods import MONTH, cents_to_money, rating
from analytics.models import City, CityLedger, ProductLedger, SalesDay
from analytics.rollups.active import ALL, active_customers
from analytics.rollups.ledger import LedgerRange
from core.filters import DateRange

SALES_SUMS = {"revenue": "revenue_cents", "orders": "orders", "units": "units"}


def _sales_days(*, date_range: DateRange, category: str | None):
    rows = SalesDay.objects.filter(**day_filter("day", date_range))
    return rows.filter(category=category) if category else rows


def _sales_point(row: dict) -> dict:
    return {"revenue": cents_to_money(row["revenue"]), "orders": row["orders"], "units": row["units"]}


def sales_totals(*, date_range: DateRange, category: str | None = None) -> dict:
    """``{"revenue", "orders", "units", "active_customers"}`` over completed sales."""
    row = _sales_days(date_range=date_range, category=category).aggregate(
        **{name: Sum(field) for name, field in SALES_SUMS.items()}
    )
    return {
        "revenue": cents_to_money(row["revenue"]), "orders": row["orders"] or 0, "units": row["units"] or 0,
        "active_customers": active_customers(date_range=date_range, scope=category or ALL),
    }


def revenue_over_time(*, date_range: DateRange, category: str | None = None) -> dict:
    """Completed sales per period.

    Returns ``{"bucket": "day"|"week"|"month", "points": [{"period", "revenue", "orders", "units"}]}``:
    day buckets up to 62 days, weeks (from Monday) up to a year, months beyond; every period of
    the range is present (zeros when nothing sold). An open end is closed by the first/last sale.
    """
    return rollup_series(
        _sales_days(date_range=date_range, category=category), date_range=date_range, bucket=None,
        held="orders", sums=SALES_SUMS, point=_sales_point,
        zero={"revenue": 0.0, "orders": 0, "units": 0},
    )


def units_revenue_per_month(*, date_range: DateRange, category: str | None = None) -> dict:
    """Completed sales per month: ``{"bucket": "month", "points": [{"period", "units", "revenue"}]}``."""
    return rollup_series(
        _sales_days(date_range=date_range, category=category), date_range=date_range, bucket=MONTH,
        held="orders", sums={"units": "units", "revenue": "revenue_cents"},
        point=lambda row: {"units": row["units"], "revenue": cents_to_money(row["revenue"])},
        zero={"units": 0, "revenue": 0.0},
    )


def revenue_by_category(*, date_range: DateRange, category: str | None = None) -> dict:
    """``{"rows": [{"category", "revenue", "orders", "units"}]}``, highest revenue first."""
    rows = (
        _sales_days(date_range=date_range, category=category).values("category")
        .annotate(**{name: Sum(field) for name, field in SALES_SUMS.items()})
        .filter(orders__gt=0).order_by("-revenue", "category")
    )
    return {"rows": [{"category": row["category"], **_sales_point(row)} for row in rows]}


def _product_sums(*, date_range: DateRange, category: str | None, fields: tuple[str, ...]):
    """Per product_id, the range's sums of ``fields`` (a queryset of dicts, ready to order)."""
    span = LedgerRange(ProductLedger, date_range)
    rows = ProductLedger.objects.filter(span.rows)
    if category:
        rows = rows.filter(category=category)
    return rows.values("product_id").annotate(**{field: span.total(field) for field in fields})


def top_products(*, date_range: DateRange, category: str | None = None) -> dict:
    """The 10 best products by revenue and by units (completed sales).

    Returns ``{"by_revenue": [...], "by_units": [...]}``, rows ``{"product_id" (str), "name",
    "category", "revenue", "units"}``; ties go to the lower product id.
    """
    sums = _product_sums(date_range=date_range, category=category, fields=("revenue_cents", "units"))
    # One grouped read, both rankings here: half the work of two ORDER BY … LIMIT queries.
    # units > 0 ⇔ a completed sale in range (quantity ≥ 1), even at a price of 0.
    sold = list(sums.filter(units__gt=0).values_list("product_id", "revenue_cents", "units"))
    by_revenue = [
        {"product_id": pk, "revenue_cents": revenue, "units": units}
        for pk, revenue, units in heapq.nsmallest(TOP_PRODUCTS, sold, key=lambda r: (-r[1], r[0]))
    ]
    by_units = [
        {"product_id": pk, "revenue_cents": revenue, "units": units}
        for pk, revenue, units in heapq.nsmallest(TOP_PRODUCTS, sold, key=lambda r: (-r[2], r[0]))
    ]
    names = product_names({row["product_id"] for row in by_revenue + by_units})

    def product_row(row):
        name, product_category = names[row["product_id"]]
        return {
            "product_id": str(row["product_id"]), "name": name, "category": product_category,
            "revenue": cents_to_money(row["revenue_cents"]), "units": row["units"],
        }

    return {
        "by_revenue": [product_row(r) for r in by_revenue], "by_units": [product_row(r) for r in by_units],
    }


def quantity_vs_rating(*, date_range: DateRange, category: str | None = None) -> dict:
    """Units sold against average rating, per product with feedback in range.

    Returns ``{"points": [{"product_id", "name", "units", "average_rating"}]}``: at most 200
    products, the most units first (units of completed sales in range, 0 when none), ties to the
    lower product id.
    """
    rows = list(
        _product_sums(date_range=date_range, category=category, fields=("units", "feedback", "rating_sum"))
        .filter(feedback__gt=0).order_by("-units", "product_id")[:QUANTITY_VS_RATING_CAP]
    )
    names = product_names(row["product_id"] for row in rows)
    return {"points": [
        {
            "product_id": str(row["product_id"]), "name": names[row["product_id"]][0], "units": row["units"],
            "average_rating": rating(row["rating_sum"] / row["feedback"]),
        }
        for row in rows
    ]}


def average_rating_per_product(*, date_range: DateRange, category: str | None = None) -> dict:
    """Average rating of the 20 products with the most feedback in range.

    Returns ``{"rows": [{"product_id", "name", "category", "feedback", "average_rating"}]}``, the
    most feedback first, ties to the lower product id.
    """
    rows = list(
        _product_sums(date_range=date_range, category=category, fields=("feedback", "rating_sum"))
        .filter(feedback__gt=0).order_by("-feedback", "product_id")[:RATED_PRODUCTS]
    )
    names = product_names(row["product_id"] for row in rows)
    return {"rows": [
        {
            "product_id": str(row["product_id"]), "name": names[row["product_id"]][0],
            "category": names[row["product_id"]][1], "feedback": row["feedback"],
            "average_rating": rating(row["rating_sum"] / row["feedback"]),
        }
        for row in rows
    ]}


def sales_by_city(*, date_range: DateRange, category: str | None = None) -> dict:
    """The 20 cities with the most revenue (by the buyer's city).

    Returns ``{"rows": [{"city", "country", "latitude", "longitude", "revenue", "orders"}]}``;
    coordinates are the mean of the city's customers' coordinates (None when unknown).
    """
    span = LedgerRange(CityLedger, date_range)
    rows = list(
        CityLedger.objects.filter(span.rows, category=category or ALL).values("city", "country")
        .annotate(revenue_cents=span.total("revenue_cents"), orders=span.total("orders"))
        .filter(orders__gt=0).order_by("-revenue_cents", "city", "country")[:TOP_CITIES]
    )
    places = city_coordinates([(row["city"], row["country"]) for row in rows])
    return {"rows": [
        {
            "city": row["city"], "country": row["country"],
            **places.get((row["city"], row["country"]), NO_PLACE),
            "revenue": cents_to_money(row["revenue_cents"]), "orders": row["orders"],
        }
        for row in rows
    ]}


NO_PLACE = {"latitude": None, "longitude": None}


def city_coordinates(places: list[tuple[str, str]]) -> dict:
    """(city, country) → mean latitude/longitude of its customers (4 dp)."""
    result = {}
    rows = City.objects.filter(city__in={city for city, _ in places}, located__gt=0).values_list(
        "city", "country", "located", "latitude_sum", "longitude_sum",
    )
    for city, country, located, latitude_sum, longitude_sum in rows:
        result[(city, country)] = {
            "latitude": round(latitude_sum / located, 4), "longitude": round(longitude_sum / located, 4),
        }
    return result
