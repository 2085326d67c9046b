"""Writes for customers: every path (admin, API, commands) goes through these."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Customer
from ecommerce_analytics.db import atomic
from ecommerce_analytics.services import model_create, model_update
from sales import rollups

CUSTOMER_FIELDS = ["name", "email", "address", "city", "country", "latitude", "longitude", "joined_at"]
CUSTOMER_HAS_RECORDS = "This customer has sales or feedback; delete those first."


def customer_create(
    *,
    name: str,
    email: str,
    city: str,
    country: str,
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    joined_at: dt.datetime | None = None,
) -> Customer:
    with atomic():
        customer = model_create(
            model=Customer, name=name, email=email, address=address, city=city, country=country,
            latitude=latitude, longitude=longitude, joined_at=joined_at or timezone.now(),
        )
        rollups.customer_added(customer=customer)
    return customer


def customer_update(*, customer: Customer, data: dict) -> Customer:
    with atomic():
        old = Customer.objects.get(pk=customer.pk)
        customer, changed = model_update(instance=customer, data=data, fields=CUSTOMER_FIELDS)
        if changed:
            rollups.customer_changed(old=old, new=Customer.objects.get(pk=customer.pk))
    return customer


def customer_delete(*, customer: Customer) -> None:
    if customer.sales.exists() or customer.feedback.exists():
        raise ValidationError(CUSTOMER_HAS_RECORDS)
    with atomic():
        old = Customer.objects.get(pk=customer.pk)
        customer.delete()
        rollups.customer_removed(customer=old)
