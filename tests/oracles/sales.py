"""Sales figures computed straight from the Sale rows: slow on big data, obviously right.

The tests use these as the oracle for the rollup-backed figures.
"""

import datetime as dt

from django.db.models import Avg, Count, Max, Min, Sum
from django.db.models.functions import Trunc

from accounts.models import Customer
from analytics.figures.common import (
    QUANTITY_VS_RATING_CAP,
    RATED_PRODUCTS,
    TOP_CITIES,
    TOP_PRODUCTS,
    as_date,
    completed_sales,
    datetime_filter,
    product_ids_in_category,
    product_names,
)
from analytics.figures.periods import MONTH, bucket_for, bucket_start, money, rating, resolve_range, series
from core.filters import DateRange
from feedback.models import Feedback

UTC = dt.timezone.utc  # day boundaries are UTC days, whatever TIME_ZONE says


def sales_totals(*, date_range: DateRange, category: str | None = None) -> dict:
    """revenue, orders, units, active_customers over completed sales."""
    sales = completed_sales(date_range=date_range, category=category)
    # django-mongodb-backend 5.2 cannot run Count(distinct=True) in aggregate() over no documents
    # (its pipeline takes the $size of a missing field: "The argument to $size must be an array"),
    # so an empty range is answered without it.
    if not sales.exists():
        return {"revenue": money(None), "orders": 0, "units": 0, "active_customers": 0}
    row = sales.aggregate(
        revenue=Sum("total"), orders=Count("pk"), units=Sum("quantity"),
        active_customers=Count("customer_id", distinct=True),
    )
    return {
        "revenue": money(row["revenue"]), "orders": row["orders"], "units": row["units"] or 0,
        "active_customers": row["active_customers"],
    }


def sales_series(
    *, date_range: DateRange, category: str | None = None, bucket: str | None = None, **filters
) -> dict:
    """``{"bucket", "points": [{"period", "revenue", "orders", "units"}]}``."""
    qs = completed_sales(date_range=date_range, category=category, **filters)
    extent = qs.aggregate(first=Min("sold_at"), last=Max("sold_at"))
    first, last = as_date(extent["first"]), as_date(extent["last"])
    bounds = resolve_range(date_range, first=first, last=last)
    if bounds and bucket is None:
        bucket = bucket_for(start=bounds[0], end=bounds[1])
    values = {}
    if bounds:
        rows = (
            qs.annotate(period=Trunc("sold_at", bucket or MONTH, tzinfo=UTC)).values("period")
            .annotate(revenue=Sum("total"), orders=Count("pk"), units=Sum("quantity"))
        )
        for row in rows:
            period = bucket_start(as_date(row["period"]), bucket)
            values[period] = {
                "revenue": money(row["revenue"]), "orders": row["orders"], "units": row["units"],
            }
    return series(
        date_range=date_range, first=first, last=last, bucket=bucket, values=values,
        zero={"revenue": 0.0, "orders": 0, "units": 0},
    )


def revenue_over_time(*, date_range: DateRange, category: str | None = None) -> dict:
    return sales_series(date_range=date_range, category=category)


def units_revenue_per_month(*, date_range: DateRange, category: str | None = None) -> dict:
    result = sales_series(date_range=date_range, category=category, bucket=MONTH)
    points = [{"period": p["period"], "units": p["units"], "revenue": p["revenue"]} for p in result["points"]]
    return {"bucket": MONTH, "points": points}


def revenue_by_category(*, date_range: DateRange, category: str | None = None) -> dict:
    rows = (
        completed_sales(date_range=date_range, category=category).values("product_id")
        .annotate(revenue=Sum("total"), orders=Count("pk"), units=Sum("quantity"))
    )
    rows = list(rows)
    names = product_names(r["product_id"] for r in rows)
    totals = {}
    for row in rows:
        cat = names[row["product_id"]][1]
        total = totals.setdefault(cat, {"category": cat, "revenue": 0, "orders": 0, "units": 0})
        total["revenue"] += row["revenue"]
        total["orders"] += row["orders"]
        total["units"] += row["units"]
    result = [{**t, "revenue": money(t["revenue"])} for t in totals.values()]
    result.sort(key=lambda r: (-r["revenue"], r["category"]))
    return {"rows": result}


def product_totals(*, date_range: DateRange, category: str | None = None) -> dict:
    """product_id → {"revenue", "units"} (money as Decimal)."""
    rows = (
        completed_sales(date_range=date_range, category=category).values("product_id")
        .annotate(revenue=Sum("total"), units=Sum("quantity"))
    )
    return {r["product_id"]: {"revenue": r["revenue"], "units": r["units"]} for r in rows}


def top_products(*, date_range: DateRange, category: str | None = None) -> dict:
    totals = product_totals(date_range=date_range, category=category)
    by_revenue = sorted(totals, key=lambda pk: (-totals[pk]["revenue"], pk))[:TOP_PRODUCTS]
    by_units = sorted(totals, key=lambda pk: (-totals[pk]["units"], pk))[:TOP_PRODUCTS]
    names = product_names({*by_revenue, *by_units})

    def row(pk):
        name, cat = names[pk]
        return {
            "product_id": str(pk), "name": name, "category": cat,
            "revenue": money(totals[pk]["revenue"]), "units": totals[pk]["units"],
        }

    return {"by_revenue": [row(pk) for pk in by_revenue], "by_units": [row(pk) for pk in by_units]}


def sales_by_city(*, date_range: DateRange, category: str | None = None) -> dict:
    per_customer = (
        completed_sales(date_range=date_range, category=category).values("customer_id")
        .annotate(revenue=Sum("total"), orders=Count("pk"))
    )
    per_customer = {r["customer_id"]: r for r in per_customer}
    cities = {}
    for pk, city, country in Customer.objects.filter(pk__in=list(per_customer)).values_list(
        "pk", "city", "country"
    ):
        total = cities.setdefault((city, country), {"revenue": 0, "orders": 0})
        total["revenue"] += per_customer[pk]["revenue"]
        total["orders"] += per_customer[pk]["orders"]
    places = city_coordinates(list(cities))
    rows = [
        {
            "city": city, "country": country, **places.get((city, country), NO_PLACE),
            "revenue": money(t["revenue"]), "orders": t["orders"],
        }
        for (city, country), t in cities.items()
    ]
    rows.sort(key=lambda r: (-r["revenue"], r["city"], r["country"]))
    return {"rows": rows[:TOP_CITIES]}


NO_PLACE = {"latitude": None, "longitude": None}


def city_coordinates(places: list[tuple[str, str]]) -> dict:
    """(city, country) → mean latitude/longitude of the city's customers that have both."""
    result = {}
    cities = {city for city, _ in places}
    rows = (
        Customer.objects.filter(city__in=cities, latitude__isnull=False, longitude__isnull=False)
        .values("city", "country")
        .annotate(latitude=Avg("latitude"), longitude=Avg("longitude"))
    )
    for row in rows:
        result[(row["city"], row["country"])] = {
            "latitude": _coordinate(row["latitude"]), "longitude": _coordinate(row["longitude"]),
        }
    return result


def _coordinate(value):
    return None if value is None else round(float(value), 4)


def quantity_vs_rating(*, date_range: DateRange, category: str | None = None) -> dict:
    feedback = Feedback.objects.filter(**datetime_filter("created_at", date_range))
    if category:
        feedback = feedback.filter(product_id__in=product_ids_in_category(category))
    ratings = {
        r["product_id"]: (r["rating_sum"], r["count"])
        for r in feedback.values("product_id").annotate(rating_sum=Sum("rating"), count=Count("pk"))
    }
    units = product_totals(date_range=date_range, category=category)
    ranked = sorted(ratings, key=lambda pk: (-(units.get(pk, {}).get("units") or 0), pk))
    ranked = ranked[:QUANTITY_VS_RATING_CAP]
    names = product_names(ranked)
    points = [
        {
            "product_id": str(pk), "name": names[pk][0],
            "units": units.get(pk, {}).get("units") or 0,
            "average_rating": rating(ratings[pk][0] / ratings[pk][1]),
        }
        for pk in ranked
    ]
    return {"points": points}


def average_rating_per_product(*, date_range: DateRange, category: str | None = None) -> dict:
    feedback = Feedback.objects.filter(**datetime_filter("created_at", date_range))
    if category:
        feedback = feedback.filter(product_id__in=product_ids_in_category(category))
    ratings = {}
    for product_id, value in feedback.values_list("product_id", "rating"):
        total = ratings.setdefault(product_id, [0, 0])
        total[0] += value
        total[1] += 1
    ranked = sorted(ratings, key=lambda pk: (-ratings[pk][1], pk))[:RATED_PRODUCTS]
    names = product_names(ranked)
    return {"rows": [
        {
            "product_id": str(pk), "name": names[pk][0], "category": names[pk][1], "feedback": ratings[pk][1],
            "average_rating": rating(ratings[pk][0] / ratings[pk][1]),
        }
        for pk in ranked
    ]}
