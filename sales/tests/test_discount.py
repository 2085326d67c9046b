"""Discounts and external ids: total = quantity × unit price − discount on every write path."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import CustomerFactory
from catalog.tests.factories import ProductFactory
from sales.models import Sale
from sales.services import sale_create, sale_update

pytestmark = pytest.mark.django_db


def _sale(**kwargs):
    product = ProductFactory(price=Decimal("10.00"))
    return sale_create(customer=CustomerFactory(), product=product, quantity=3, **kwargs)


def test_total_is_gross_minus_discount():
    sale = _sale(discount=Decimal("4.50"))
    sale.refresh_from_db()
    assert (sale.discount, sale.total) == (Decimal("4.50"), Decimal("25.50"))


def test_discount_defaults_to_zero_and_update_keeps_total_in_step():
    sale = _sale()
    assert sale.discount == 0 and sale.total == Decimal("30.00")
    sale = sale_update(sale=sale, data={"discount": Decimal("5.00")})
    assert Sale.objects.get(pk=sale.pk).total == Decimal("25.00")
    sale = sale_update(sale=sale, data={"quantity": 1})
    assert Sale.objects.get(pk=sale.pk).total == Decimal("5.00")


@pytest.mark.parametrize("discount, field", [(Decimal("-1"), "discount"), (Decimal("30.01"), "discount")])
def test_bad_discount_is_a_field_error(discount, field):
    with pytest.raises(ValidationError) as info:
        _sale(discount=discount)
    assert field in info.value.message_dict
    assert not Sale.objects.exists()


def test_external_id_unique_when_present():
    _sale(external_id="A-1")
    _sale()
    _sale()  # blank external ids never clash
    with pytest.raises(ValidationError) as info:
        _sale(external_id="A-1")
    assert "Another sale already has this external id." in str(info.value)


def test_api_exposes_discount_external_id_and_natural_keys(staff_client):
    customer, product = CustomerFactory(), ProductFactory(price=Decimal("10.00"))
    response = staff_client.post("/api/sales/", {
        "customer": str(customer.pk), "product": str(product.pk), "quantity": 2, "discount": "1.50",
        "external_id": "ORD-7", "sold_at": "2025-01-02T10:00:00Z",
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["total"] == "18.50" and body["discount"] == "1.50" and body["external_id"] == "ORD-7"
    assert body["product_sku"] == product.sku and body["customer_email"] == customer.email
