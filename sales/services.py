"""Writes for sales: every path (admin, API, commands) goes through these."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import Customer
from catalog.models import Product
from core.services import model_create, model_delete, model_update
from sales.models import Sale

SALE_FIELDS = [
    "customer", "product", "quantity", "unit_price", "discount", "sold_at", "channel", "status", "external_id",
]


def sale_create(
    *,
    customer: Customer,
    product: Product,
    quantity: int,
    sold_at: dt.datetime | None = None,
    unit_price: Decimal | None = None,
    channel: str = Sale.Channel.WEB,
    status: str = Sale.Status.COMPLETED,
    discount: Decimal | None = None,
    external_id: str = "",
) -> Sale:
    """Record a sale; the unit price defaults to the product's current price, the discount to 0.

    The total is always quantity × unit price − discount (``Sale.clean`` sets and checks it).
    """
    unit_price = product.price if unit_price is None else unit_price
    discount = Decimal("0") if discount is None else discount
    total = None
    if quantity is not None and unit_price is not None:
        total = max(Sale.compute_total(quantity, unit_price, discount), Decimal("0"))  # clean() checks it
    return model_create(
        model=Sale, customer=customer, product=product, quantity=quantity, unit_price=unit_price,
        discount=discount, total=total, sold_at=sold_at or timezone.now(), channel=channel, status=status,
        external_id=external_id or "",
    )


def sale_update(*, sale: Sale, data: dict) -> Sale:
    """Change a sale; the total follows quantity, unit price and discount."""
    data = dict(data)
    quantity = data.get("quantity", sale.quantity)
    unit_price = data.get("unit_price", sale.unit_price)
    discount = data.get("discount", sale.discount)
    if quantity is not None and unit_price is not None and discount is not None:
        data["total"] = max(Sale.compute_total(quantity, unit_price, discount), Decimal("0"))
    sale, _changed = model_update(instance=sale, data=data, fields=[*SALE_FIELDS, "total"])
    return sale


def sale_refund(*, sale: Sale) -> Sale:
    return sale_update(sale=sale, data={"status": Sale.Status.REFUNDED})


def sale_delete(*, sale: Sale) -> None:
    model_delete(instance=sale)
