"""Writes for customers: every path (admin, API, commands) goes through these."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Customer
from core.services import model_create, model_delete, model_update

CUSTOMER_FIELDS = ["name", "email", "address", "city", "country", "latitude", "longitude", "joined_at"]
CUSTOMER_HAS_RECORDS = "This customer has sales or feedback; delete those first."


def normalize_email(email: str) -> str:
    """Emails are compared and stored in lower case (unique whatever the case)."""
    return email.strip().lower() if isinstance(email, str) else email


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
    return model_create(
        model=Customer, name=name, email=normalize_email(email), address=address, city=city, country=country,
        latitude=latitude, longitude=longitude, joined_at=joined_at or timezone.now(),
    )


def customer_update(*, customer: Customer, data: dict) -> Customer:
    if "email" in data:
        data = {**data, "email": normalize_email(data["email"])}
    customer, _changed = model_update(instance=customer, data=data, fields=CUSTOMER_FIELDS)
    return customer


def customer_delete(*, customer: Customer) -> None:
    if customer.sales.exists() or customer.feedback.exists():
        raise ValidationError(CUSTOMER_HAS_RECORDS)
    model_delete(instance=customer)
