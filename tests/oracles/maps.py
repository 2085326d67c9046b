"""The customer map straight from the Customer and Sale rows (the oracle for analytics.figures.maps)."""

from decimal import Decimal

from django.db.models import Count, Sum

from accounts.models import Customer
from analytics.figures.common import completed_sales
from analytics.figures.maps import map_rows
from core.filters import DateRange
from tests.oracles.customers import joined
from tests.oracles.sales import city_coordinates


def customer_map(*, date_range: DateRange, category: str | None = None) -> dict:
    places: dict[tuple[str, str], dict] = {}

    def place(key):
        return places.setdefault(key, {"customers": 0, "revenue_cents": 0, "orders": 0})

    for row in joined(date_range=date_range).values("city", "country").annotate(n=Count("pk")):
        place((row["city"], row["country"]))["customers"] = row["n"]
    per_customer = {
        row["customer_id"]: row
        for row in completed_sales(date_range=date_range, category=category).values("customer_id")
        .annotate(revenue=Sum("total"), orders=Count("pk"))
    }
    for pk, city, country in Customer.objects.filter(pk__in=list(per_customer)).values_list(
        "pk", "city", "country"
    ):
        total = place((city, country))
        total["revenue_cents"] += int(per_customer[pk]["revenue"] * Decimal(100))
        total["orders"] += per_customer[pk]["orders"]
    coordinates = {
        key: (place["latitude"], place["longitude"]) for key, place in city_coordinates(list(places)).items()
        if place["latitude"] is not None and place["longitude"] is not None
    }
    return map_rows(places, coordinates=coordinates)
