"""Reads of sales, shared by the API and the pages.

Lists are not joined: page first, then ``attach_related(page, "product", "customer")`` —
two queries per page on both backends, never a join over every matching row.
"""

from django.db.models import QuerySet

from core.filtersets import apply_filters
from core.selectors import attach_related, get_or_none
from sales.filters import SaleFilter
from sales.models import Sale


def sale_list(*, filters: dict | None = None) -> QuerySet[Sale]:
    qs = Sale.objects.all()
    return apply_filters(SaleFilter, filters, qs) if filters else qs


def sale_get(*, pk) -> Sale | None:
    obj = get_or_none(Sale.objects.all(), pk)
    return attach_related([obj], "product", "customer")[0] if obj else None
