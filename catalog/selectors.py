"""Reads of products, shared by the API and the pages."""

from django.db.models import QuerySet

from catalog.filters import ProductFilter
from catalog.models import Product
from core.filtersets import apply_filters
from core.selectors import get_or_none


def product_list(*, filters: dict | None = None) -> QuerySet[Product]:
    qs = Product.objects.all()
    return apply_filters(ProductFilter, filters, qs) if filters else qs


def product_get(*, pk) -> Product | None:
    return get_or_none(Product.objects.all(), pk)


def category_list() -> list[str]:
    """Every category in the catalog, sorted (for filter drop-downs)."""
    return sorted(set(Product.objects.values_list("category", flat=True).order_by()))


def product_ids_in_category(category: str) -> list:
    """Ids of the category's products, fetched first so sales and feedback filter on their own
    collection (a join into products would be a $lookup per row on MongoDB)."""
    return list(Product.objects.filter(category=category).values_list("pk", flat=True))
