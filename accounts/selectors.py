"""Reads of customers, shared by the API and the pages."""

from django.db.models import QuerySet

from accounts.filters import CustomerFilter
from accounts.models import Customer
from core.filtersets import apply_filters
from core.selectors import get_or_none


def customer_list(*, filters: dict | None = None) -> QuerySet[Customer]:
    """Customers matching the shared filters; a bad filter value raises ValidationError naming the field."""
    qs = Customer.objects.all()
    return apply_filters(CustomerFilter, filters, qs) if filters else qs


def customer_get(*, pk) -> Customer | None:
    return get_or_none(Customer.objects.all(), pk)
