"""Reads of sales, shared by the API and the pages (product and customer fetched in the same query)."""

from django.db.models import QuerySet

from ecommerce_analytics.filtersets import apply_filters
from sales.filters import SaleFilter
from sales.models import Sale


def sale_list(*, filters: dict | None = None) -> QuerySet[Sale]:
    qs = Sale.objects.select_related("product", "customer")
    return apply_filters(SaleFilter, filters, qs) if filters else qs


def sale_get(*, pk) -> Sale | None:
    return Sale.objects.select_related("product", "customer").filter(pk=pk).first()
