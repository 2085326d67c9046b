"""The app on a real MongoDB: runs in the MongoDB pass of `make test`, against the server at MONGODB_URI
(tools/with_mongodb.py starts one); no server is a failure, never a skip. Writes, reads, figures,
seeding and the API, end to end."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from analytics.figures import FIGURES
from core.filters import DateRange


pytestmark = [
    pytest.mark.requires_mongodb,
    pytest.mark.django_db(transaction=True),
]

UNTIL = dt.date(2026, 6, 30)


def test_services_write_and_selectors_read_with_object_ids():
    from bson import ObjectId

    from accounts.services import customer_create
    from catalog.services import product_create
    from core.selectors import attach_related
    from sales.models import Sale
    from sales.selectors import sale_list
    from sales.services import sale_create, sale_refund

    customer = customer_create(name="Ana", email="ana@example.com", city="Lisbon", country="PT",
                               joined_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    product = product_create(sku="L-1", name="Lamp", category="Home & Kitchen", price=Decimal("12.50"),
                             attributes={"watts": 9})
    assert isinstance(customer.pk, ObjectId)
    sale = sale_create(customer=customer, product=product, quantity=2,
                       sold_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    sale_refund(sale=sale)
    page = attach_related(sale_list(filters={"category": "Home & Kitchen", "status": "refunded"})[:10],
                          "product", "customer")
    assert [(s.product.name, s.customer.city, s.total) for s in page] == [("Lamp", "Lisbon", Decimal("25.00"))]
    assert Sale.objects.get(pk=str(sale.pk)).status == Sale.Status.REFUNDED


def test_seeded_figures_match_the_direct_aggregates():
    from sales.models import Sale
    from tests.oracles import oracle

    call_command("seed_data", "--users=60", "--products=12", "--sales=400", "--feedback=40", "--seed=3",
                 f"--until={UNTIL}", stdout=io.StringIO(), stderr=io.StringIO())
    assert Sale.objects.count() == 400
    assert set(oracle.DIRECT_FIGURES) == set(FIGURES)
    for date_range in (DateRange(), DateRange(dt.date(2026, 1, 1), dt.date(2026, 3, 31))):
        for name, direct in oracle.DIRECT_FIGURES.items():
            assert FIGURES[name](date_range=date_range) == direct(date_range=date_range), name


def test_api_lists_sales_with_string_object_ids(client, django_user_model):
    from sales.tests.factories import SaleFactory

    sale = SaleFactory()
    staff = django_user_model.objects.create_superuser("sam", "sam@example.com", "staff-pass-123")
    client.force_login(staff)
    body = client.get("/api/sales/", {"category": sale.product.category}).json()
    assert [row["id"] for row in body["results"]] == [str(sale.pk)]
    assert client.get(f"/api/sales/{sale.pk}/").json()["product_name"] == sale.product.name
    assert client.get("/api/sales/not-an-object-id/").status_code == 404
