"""Catalog figures: read straight from the products (10k rows at most, indexed by category and price)."""

from decimal import Decimal

from django.db.models import Count, Max, Min

from analytics.figures.common import datetime_filter
from analytics.figures.periods import money
from catalog.models import Product
from core.filters import DateRange

QUARTILES = {"q1": Decimal("0.25"), "median": Decimal("0.5"), "q3": Decimal("0.75")}


def _products(*, date_range: DateRange, category: str | None):
    products = Product.objects.filter(**datetime_filter("created_at", date_range))
    return products.filter(category=category) if category else products


def products_per_category(*, date_range: DateRange, category: str | None = None) -> dict:
    """Products per category, for products created in ``date_range``.

    Returns ``{"rows": [{"category", "products"}]}``, the most products first, ties by category.
    """
    rows = (
        _products(date_range=date_range, category=category).values("category")
        .annotate(products=Count("pk"))
        .order_by("-products", "category")
    )
    return {"rows": [dict(row) for row in rows]}


def price_spread_by_category(*, date_range: DateRange, category: str | None = None) -> dict:
    """Spread of product prices per category, for products created in ``date_range``.

    Returns ``{"rows": [{"category", "count", "min", "q1", "median", "q3", "max"}]}`` sorted by
    category; quartiles interpolate linearly between the two nearest prices (numpy's default).
    """
    products = _products(date_range=date_range, category=category)
    groups = (
        products.values("category").annotate(count=Count("pk"), min=Min("price"), max=Max("price"))
        .order_by("category")
    )
    rows = []
    for group in groups:
        prices = products.filter(category=group["category"]).order_by("price").values_list("price", flat=True)
        row = {"category": group["category"], "count": group["count"], "min": money(group["min"])}
        for key, fraction in QUARTILES.items():
            row[key] = money(_quantile(prices, count=group["count"], fraction=fraction))
        row["max"] = money(group["max"])
        rows.append(row)
    return {"rows": rows}


def _quantile(prices, *, count: int, fraction: Decimal) -> Decimal:
    """Linear interpolation at position (count - 1) × fraction, reading two rows by offset."""
    position = (count - 1) * fraction
    index = int(position)
    pair = list(prices[index:index + 2])
    low = Decimal(pair[0])
    if len(pair) == 1:
        return low
    return low + (Decimal(pair[1]) - low) * (position - index)
