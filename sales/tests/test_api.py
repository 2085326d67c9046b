"""/api/sales/: names without a query per row, filters, keyset cursor paging, CSV, writes, refund."""

import csv
import datetime as dt
import io
from base64 import b64encode
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import CustomerFactory
from catalog.tests.factories import ProductFactory
from core.api.serializers import NO_SUCH_RECORD
from sales.models import QUANTITY_MIN, SALE_BEFORE_JOIN, Sale
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db
URL = "/api/sales/"


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()


def at(day, hour=12):
    return dt.datetime(2025, 3, day, hour, tzinfo=dt.UTC)


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def walk(client, url, params=None, *, key="next"):
    """Every row of every page, following the links."""
    page = client.get(url, params).json()
    rows, pages = list(page["results"]), 1
    while page[key]:
        page = client.get(page[key]).json()
        rows += page["results"] if key == "next" else page["results"][::-1]
        pages += 1
    return rows, pages


def test_rows_carry_product_and_customer_names(analyst_client):
    product = ProductFactory(name="Lamp", category="Home & Kitchen", price=Decimal("10.00"))
    customer = CustomerFactory(name="Ana")
    sale = SaleFactory(product=product, customer=customer, quantity=3, sold_at=at(2), channel="store")
    row = analyst_client.get(URL).json()["results"][0]
    assert row == {
        "id": str(sale.pk), "url": f"http://testserver{URL}{sale.pk}/", "sold_at": "2025-03-02T12:00:00Z",
        "product": str(product.pk), "product_name": "Lamp", "category": "Home & Kitchen",
        "customer": str(customer.pk), "customer_name": "Ana", "quantity": 3, "unit_price": "10.00",
        "discount": "0.00", "total": "30.00", "channel": "store", "status": "completed", "external_id": "",
        "product_sku": product.sku, "customer_email": customer.email,
    }
    assert analyst_client.get(row["url"]).json() == row


def test_a_page_costs_the_same_queries_for_5_rows_or_50(analyst_client):
    def queries(n):
        Sale.objects.all().delete()
        for _ in range(n):
            SaleFactory()  # a new product and customer each
        analyst_client.get(URL)  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert len(analyst_client.get(URL, {"page_size": 50}).json()["results"]) == n
        return len(ctx)

    assert queries(5) == queries(50)


@pytest.fixture
def sales():
    books, toys = ProductFactory(category="Books"), ProductFactory(category="Toys & Games")
    ana, bob = CustomerFactory(name="Ana Lima", city="Lisbon"), CustomerFactory(name="Bob Stone", city="Oslo")
    return {
        "s1": SaleFactory(product=books, customer=ana, quantity=1, sold_at=at(1), channel="web"),
        "s2": SaleFactory(product=books, customer=bob, quantity=4, sold_at=at(5), channel="store"),
        "s3": SaleFactory(product=toys, customer=ana, quantity=2, sold_at=at(9, 23), channel="mobile",
                          status="refunded"),
        "s4": SaleFactory(product=toys, customer=bob, quantity=7, sold_at=at(10, 0), channel="web"),
        "books": books, "toys": toys, "ana": ana, "bob": bob,
    }


def expect(sales, *names):
    return [str(sales[n].pk) for n in names]


@pytest.mark.parametrize("params, expected", [
    ({}, ["s4", "s3", "s2", "s1"]),
    ({"date_from": "2025-03-05"}, ["s4", "s3", "s2"]),
    ({"date_to": "2025-03-09"}, ["s3", "s2", "s1"]),
    ({"date_from": "2025-03-09", "date_to": "2025-03-09"}, ["s3"]),
    ({"category": "Books"}, ["s2", "s1"]),
    ({"category": "Garden"}, []),
    ({"channel": "web"}, ["s4", "s1"]),
    ({"status": "refunded"}, ["s3"]),
    ({"quantity_min": "2"}, ["s4", "s3", "s2"]),
    ({"quantity_max": "4", "quantity_min": "2"}, ["s3", "s2"]),
    ({"search": "lima"}, ["s3", "s1"]),  # the customer's name
    ({"search": "LISBON"}, ["s3", "s1"]),  # the customer's city
])
def test_filters(analyst_client, sales, params, expected):
    assert ids(analyst_client.get(URL, params)) == expect(sales, *expected)


def test_filters_by_product_and_customer_id(analyst_client, sales):
    assert ids(analyst_client.get(URL, {"product": sales["toys"].pk})) == expect(sales, "s4", "s3")
    assert ids(analyst_client.get(URL, {"customer": sales["ana"].pk, "category": "Toys & Games"})) == expect(
        sales, "s3")


def test_search_by_product_name_and_sku(analyst_client, sales):
    assert ids(analyst_client.get(URL, {"search": sales["toys"].sku.lower()})) == expect(sales, "s4", "s3")
    assert ids(analyst_client.get(URL, {"search": sales["books"].name[3:12]})) == expect(sales, "s2", "s1")


@pytest.mark.parametrize("ordering, expected", [
    ("sold_at", ["s1", "s2", "s3", "s4"]),
    ("-quantity", ["s4", "s2", "s3", "s1"]),
    ("quantity", ["s1", "s3", "s2", "s4"]),
    ("total", ["s1", "s3", "s2", "s4"]),
    ("-unit_price", ["s4", "s3", "s2", "s1"]),  # all equal: ties by id, descending
])
def test_ordering(analyst_client, sales, ordering, expected):
    assert ids(analyst_client.get(URL, {"ordering": ordering})) == expect(sales, *expected)


@pytest.mark.parametrize("params, field", [
    ({"date_from": "2025-3-1x"}, "date_from"),
    ({"quantity_min": "lots"}, "quantity"),
    ({"channel": "fax"}, "channel"),
    ({"status": "lost"}, "status"),
    ({"product": "999999"}, "product"),
    ({"customer": "not-an-id"}, "customer"),
    ({"ordering": "product__name"}, "ordering"),
    ({"page": "2"}, "page"),  # sales page by cursor
])
def test_bad_values_are_400_naming_the_field(analyst_client, sales, params, field):
    response = analyst_client.get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


# --- cursor paging -----------------------------------------------------------------------------


@pytest.fixture
def many_sales():
    # Ties on sold_at and on quantity, so pages must break them by id.
    return [SaleFactory(sold_at=at(1 + i // 3), quantity=1 + i % 2) for i in range(11)]


@pytest.mark.parametrize("ordering", ["-sold_at", "sold_at", "quantity", "-quantity", "total"])
def test_cursor_pages_visit_every_row_once_in_order_both_ways(analyst_client, many_sales, ordering):
    expected = ids(analyst_client.get(URL, {"ordering": ordering, "page_size": 100}))
    assert len(expected) == 11
    rows, pages = walk(analyst_client, URL, {"ordering": ordering, "page_size": 3})
    assert [r["id"] for r in rows] == expected
    assert pages == 4
    # ...and back from the last page, following `previous`
    last = analyst_client.get(URL, {"ordering": ordering, "page_size": 3}).json()
    while last["next"]:
        last = analyst_client.get(last["next"]).json()
    back = [r["id"] for r in last["results"]]
    page = last
    while page["previous"]:
        page = analyst_client.get(page["previous"]).json()
        back = [r["id"] for r in page["results"]] + back
    assert back == expected


def test_next_links_keep_the_filters(analyst_client, many_sales):
    first = analyst_client.get(URL, {"quantity_min": "2", "page_size": 2}).json()
    assert "quantity_min=2" in first["next"]
    rows, _ = walk(analyst_client, URL, {"quantity_min": "2", "page_size": 2})
    assert {r["quantity"] for r in rows} == {2} and len(rows) == 5


def test_a_deep_page_is_a_keyset_query_not_an_offset(analyst_client, many_sales):
    page = analyst_client.get(URL, {"page_size": 2}).json()
    for _ in range(3):
        page = analyst_client.get(page["next"]).json()
    with CaptureQueriesContext(connection) as ctx:
        assert len(analyst_client.get(page["next"]).json()["results"]) == 2
    if connection.vendor == "mongodb":  # logged as db.<collection>.aggregate([...pipeline...])
        sale_queries = [q["sql"] for q in ctx if q["sql"].startswith("db.sales_sale.")]
        offset, limit = "'$skip'", "{'$limit': 3}"
    else:
        sale_queries = [q["sql"] for q in ctx if 'FROM "sales_sale"' in q["sql"]]
        offset, limit = "OFFSET", "LIMIT 3"
    assert len(sale_queries) == 1
    assert offset not in sale_queries[0] and limit in sale_queries[0]


@pytest.mark.parametrize("cursor", [
    "not base64!",
    b64encode(b"v=yesterday&k=1").decode(),
    b64encode(b"v=2025-03-01T12:00:00%2B00:00&k=abc").decode(),
    b64encode(b"k=1").decode(),
])
def test_bad_cursors_are_404(analyst_client, many_sales, cursor):
    response = analyst_client.get(URL, {"cursor": cursor})
    assert response.status_code == 404
    assert "cursor" in response.json()["detail"]


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_streams_every_matching_row_equal_to_the_json_rows(analyst_client, many_sales, monkeypatch):
    monkeypatch.setattr("core.api.csv_export.CHUNK_SIZE", 2)  # cross chunk boundaries
    params = {"quantity_min": "2", "ordering": "sold_at"}
    json_rows, _ = walk(analyst_client, URL, {**params, "page_size": 2})
    with CaptureQueriesContext(connection) as ctx:
        response = analyst_client.get(URL, {**params, "format": "csv", "cursor": "ignored"})
        assert response.streaming
        assert not [q for q in ctx if 'FROM "sales_sale"' in q["sql"]]  # nothing read before streaming
    assert response["Content-Disposition"].startswith('attachment; filename="sales-')
    exported = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(exported) == 5
    assert exported == [{k: str(v) for k, v in row.items()} for row in json_rows]


# --- writes ------------------------------------------------------------------------------------


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_create_prices_from_the_product_and_computes_the_total(staff_client):
    product, customer = ProductFactory(price=Decimal("2.50")), CustomerFactory()
    response = post(staff_client, {"product": str(product.pk), "customer": str(customer.pk), "quantity": 4,
                                   "sold_at": "2025-03-01T10:00:00Z", "channel": "mobile"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["unit_price"], body["total"], body["product_name"]) == ("2.50", "10.00", product.name)
    sale = Sale.objects.get(pk=body["id"])
    assert (sale.total, sale.channel) == (Decimal("10.00"), "mobile")


def test_total_is_read_only_and_follows_updates(staff_client):
    sale = SaleFactory(quantity=1)
    response = staff_client.patch(f"{URL}{sale.pk}/", {"quantity": 3, "total": "1.00"},
                                  content_type="application/json")
    assert response.status_code == 200
    assert response.json()["total"] == str(sale.unit_price * 3)


@pytest.mark.parametrize("change, field, message", [
    ({"sold_at": "2023-01-01T00:00:00Z"}, "sold_at", None),
    ({"quantity": 0}, "quantity", QUANTITY_MIN),
    ({"product": "999999"}, "product", NO_SUCH_RECORD.format(pk_value="999999")),
    ({"product": "zz-not-an-id"}, "product", NO_SUCH_RECORD.format(pk_value="zz-not-an-id")),
    ({"customer": 12.5}, "customer", None),
    ({"channel": "fax"}, "channel", None),
])
def test_invalid_sales_are_400_naming_the_field(staff_client, change, field, message):
    product, customer = ProductFactory(), CustomerFactory(joined_at=at(1))
    body = {"product": str(product.pk), "customer": str(customer.pk), "quantity": 1, **change}
    response = post(staff_client, body)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    if message:
        assert response.json()[field] == [message]
    assert not Sale.objects.exists()


def test_sale_before_the_customer_joined_gets_the_models_message(staff_client):
    customer = CustomerFactory(joined_at=at(10))
    response = post(staff_client, {"product": str(ProductFactory().pk), "customer": str(customer.pk),
                                   "quantity": 1, "sold_at": "2025-03-01T00:00:00Z"})
    assert response.json() == {"sold_at": [SALE_BEFORE_JOIN.format(joined=customer.joined_at)]}


def test_refund(staff_client):
    sale = SaleFactory()
    response = staff_client.post(f"{URL}{sale.pk}/refund/")
    assert response.status_code == 200
    assert response.json()["status"] == "refunded"
    sale.refresh_from_db()
    assert sale.status == Sale.Status.REFUNDED
    assert staff_client.post(f"{URL}999999/refund/").status_code == 404


def test_delete(staff_client):
    sale = SaleFactory()
    assert staff_client.delete(f"{URL}{sale.pk}/").status_code == 204
    assert not Sale.objects.exists()
    assert staff_client.delete(f"{URL}{sale.pk}/").status_code == 404
