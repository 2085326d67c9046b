"""Writes for products: every path (admin, API, commands) goes through these."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.models import Product
from core.services import model_create, model_delete, model_update

PRODUCT_FIELDS = ["sku", "name", "description", "category", "brand", "price", "attributes", "active", "created_at"]
PRODUCT_HAS_RECORDS = "This product has sales or feedback; deactivate it instead."


def product_create(
    *,
    sku: str,
    name: str,
    category: str,
    price: Decimal,
    description: str = "",
    brand: str = "",
    attributes: dict | None = None,
    active: bool = True,
    created_at: dt.datetime | None = None,
) -> Product:
    return model_create(
        model=Product, sku=sku, name=name, category=category, price=price, description=description,
        brand=brand, attributes=attributes or {}, active=active, created_at=created_at or timezone.now(),
    )


def product_update(*, product: Product, data: dict) -> Product:
    product, _changed = model_update(instance=product, data=data, fields=PRODUCT_FIELDS)
    return product


def product_delete(*, product: Product) -> None:
    if product.sales.exists() or product.feedback.exists():
        raise ValidationError(PRODUCT_HAS_RECORDS)
    model_delete(instance=product)
