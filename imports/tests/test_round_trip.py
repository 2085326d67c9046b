"""The API's CSV export of each list imports back unchanged into an empty database."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import Customer
from accounts.tests.factories import CustomerFactory
from catalog.models import Product
from catalog.tests.factories import ProductFactory
from feedback.models import Feedback
from feedback.services import feedback_create
from sales.models import Sale
from sales.services import sale_create

pytestmark = pytest.mark.django_db
LISTS = (("customers", "users"), ("products", "products"), ("sales", "sales"), ("feedback", "feedback"))
NOT_PORTABLE = {"id", "url", "product", "customer"}  # database ids: the natural keys stand for them


def at(month, day, hour=12):
    return dt.datetime(2025, month, day, hour, 30, 15, tzinfo=dt.UTC)


def make_shop():
    ana = CustomerFactory(
        name='Ana, "the" first',
        email="ana@example.com",
        address="",
        latitude=None,
        longitude=None,
        joined_at=at(1, 2),
    )
    bo = CustomerFactory(name="Bø Berg", email="bo@example.com", city="Malmö", joined_at=at(1, 3))
    lamp = ProductFactory(
        sku="LAMP-1",
        name="Desk lamp",
        brand="",
        attributes={"watts": 40, "tags": ["a", "b"]},
        price=Decimal("19.99"),
        created_at=at(1, 1),
    )
    book = ProductFactory(
        sku="BOOK-1",
        name="Atlas",
        category="Books",
        active=False,
        description="Line 1\nLine 2",
        created_at=at(1, 1),
    )
    sale_create(
        customer=ana,
        product=lamp,
        quantity=3,
        discount=Decimal("4.97"),
        sold_at=at(2, 1),
        external_id="O-1",
        channel="store",
    )
    sale_create(
        customer=bo,
        product=book,
        quantity=1,
        unit_price=Decimal("7.25"),
        sold_at=at(2, 2),
        status="refunded",
        external_id="O-2",
    )
    sale_create(customer=bo, product=lamp, quantity=2, sold_at=at(2, 3, 0))  # no external id
    feedback_create(
        customer=ana,
        product=lamp,
        rating=5,
        comment='Bright, "warm"\nand cheap',
        created_at=at(2, 5),
        external_id="R-1",
    )
    feedback_create(customer=bo, product=book, rating=2, comment="", created_at=at(2, 6))


def export(client, endpoint) -> str:
    response = client.get(f"/api/{endpoint}/", {"format": "csv"})
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def portable(text):
    rows = [
        {k: v for k, v in row.items() if k not in NOT_PORTABLE} for row in csv.DictReader(io.StringIO(text))
    ]
    return sorted(rows, key=lambda row: sorted(row.items()))


def test_every_list_round_trips_through_its_csv_export(analyst_client, tmp_path):
    make_shop()
    exported = {kind: export(analyst_client, endpoint) for kind, endpoint in LISTS}
    for model in (Sale, Feedback, Customer, Product):
        model.objects.all().delete()
    for kind, _endpoint in LISTS:
        path = tmp_path / f"{kind}.csv"
        path.write_text(exported[kind], encoding="utf-8")
        call_command("import_data", kind, str(path), stdout=io.StringIO())
    assert (
        Customer.objects.count(),
        Product.objects.count(),
        Sale.objects.count(),
        Feedback.objects.count(),
    ) == (2, 2, 3, 2)
    for kind, endpoint in LISTS:
        again = export(analyst_client, endpoint)
        assert portable(again) == portable(exported[kind]), kind
        assert len(portable(again)) == len(portable(exported[kind])) > 0
