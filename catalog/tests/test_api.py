"""/api/products/: filters, ordering, page numbers, CSV, writes through services."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.cache import cache

from catalog.models import PRICE_MIN, Product
from catalog.services import PRODUCT_HAS_RECORDS
from catalog.tests.factories import ProductFactory
from core.filtersets import RANGE_ORDER
from feedback.tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db
URL = "/api/products/"


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()


def skus(response):
    assert response.status_code == 200, response.content
    return [row["sku"] for row in response.json()["results"]]


@pytest.fixture
def catalog():
    return [
        ProductFactory(sku="A", name="Alpha lamp", category="Home & Kitchen", brand="Lumo",
                       price=Decimal("30.00")),
        ProductFactory(sku="B", name="Beta book", category="Books", brand="Penguin", price=Decimal("12.50")),
        ProductFactory(sku="C", name="Gamma phone", category="Electronics", brand="lumo",
                       price=Decimal("499.00")),
        ProductFactory(sku="D", name="Delta drone", category="Electronics", brand="Sky",
                       price=Decimal("89.99"), active=False),
    ]


def test_row_shape(analyst_client, catalog):
    product = catalog[0]
    row = analyst_client.get(f"{URL}{product.pk}/").json()
    assert row == {
        "id": str(product.pk), "url": f"http://testserver{URL}{product.pk}/", "sku": "A",
        "name": "Alpha lamp",
        "description": product.description, "category": "Home & Kitchen", "brand": "Lumo", "price": "30.00",
        "attributes": {"color": "black"}, "active": True, "created_at": "2023-06-01T00:00:00Z",
    }


@pytest.mark.parametrize("params, expected", [
    ({"category": "Electronics"}, ["D", "C"]),
    ({"category": "Home & Kitchen"}, ["A"]),
    ({"brand": "LUMO"}, ["A", "C"]),
    ({"price_min": "30"}, ["A", "D", "C"]),
    ({"price_max": "30"}, ["A", "B"]),
    ({"price_min": "20", "price_max": "100"}, ["A", "D"]),
    ({"active": "false"}, ["D"]),
    ({"active": "true", "category": "Electronics"}, ["C"]),
    ({"search": "lumo"}, ["A", "C"]),
    ({"search": "book"}, ["B"]),
    ({"search": "d"}, ["D"]),  # SKU
])
def test_filters(analyst_client, catalog, params, expected):
    assert skus(analyst_client.get(URL, params)) == expected


@pytest.mark.parametrize("ordering, expected", [
    ("price", ["B", "A", "D", "C"]), ("-price", ["C", "D", "A", "B"]),
    ("name", ["A", "B", "D", "C"]), ("-sku", ["D", "C", "B", "A"]),
    ("category", ["B", "C", "D", "A"]),  # ties (Electronics) in id order
    ("-category", ["A", "D", "C", "B"]),
])
def test_ordering(analyst_client, catalog, ordering, expected):
    assert skus(analyst_client.get(URL, {"ordering": ordering})) == expected


@pytest.mark.parametrize("params, field", [
    ({"price_min": "cheap"}, "price"),
    ({"active": "perhaps"}, "active"),
    ({"ordering": "attributes"}, "ordering"),
    ({"categories": "Books"}, "categories"),
    ({"page": "zero"}, "page"),
])
def test_bad_values_are_400_naming_the_field(analyst_client, catalog, params, field):
    response = analyst_client.get(URL, params)
    if field == "page":  # DRF's page-number paging: an invalid page is "not found"
        assert response.status_code == 404
        return
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_price_min_above_max_is_400(analyst_client):
    response = analyst_client.get(URL, {"price_min": "50", "price_max": "10"})
    assert response.status_code == 400
    assert response.json() == {"price": [RANGE_ORDER.format(low="price_min", high="price_max")]}


def test_format_parameter_does_not_disturb_filters(analyst_client, catalog):
    assert skus(analyst_client.get(URL, {"format": "json", "category": "Books"})) == ["B"]
    assert analyst_client.get(URL, {"format": "xml"}).status_code == 404


def test_csv_exports_every_matching_row_with_the_json_columns(analyst_client, catalog):
    for i in range(3):
        ProductFactory(sku=f"E{i}", category="Electronics", attributes={"size": i, "tags": ["a", "b"]})
    params = {"category": "Electronics", "ordering": "sku"}
    json_rows = analyst_client.get(URL, {**params, "page_size": 100}).json()["results"]
    response = analyst_client.get(URL, {**params, "format": "csv", "page": "2", "page_size": "1"})
    text = b"".join(response.streaming_content).decode()
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    assert header == list(json_rows[0])
    exported = list(reader)
    assert [row[header.index("sku")] for row in exported] == ["C", "D", "E0", "E1", "E2"]
    for row, json_row in zip(exported, json_rows, strict=True):
        assert row[header.index("active")] == ("true" if json_row["active"] else "false")
        assert json_row["attributes"] == __import__("json").loads(row[header.index("attributes")])
        plain = {k: v for k, v in json_row.items() if k not in ("active", "attributes")}
        assert {k: row[header.index(k)] for k in plain} == {k: str(v) for k, v in plain.items()}


def test_csv_of_one_record(analyst_client, catalog):
    response = analyst_client.get(f"{URL}{catalog[1].pk}/", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["sku"] for r in rows] == ["B"]


# --- writes ------------------------------------------------------------------------------------


def test_staff_create_update_delete(staff_client):
    body = {"sku": "NEW", "name": "New", "category": "Books", "price": "9.90", "attributes": {"pages": 120}}
    response = staff_client.post(URL, body, content_type="application/json")
    assert response.status_code == 201, response.content
    product = Product.objects.get(sku="NEW")
    assert product.attributes == {"pages": 120} and product.active is True
    url = response.json()["url"]
    body = {**body, "price": "11.00", "active": False}
    response = staff_client.put(url, body, content_type="application/json")
    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.price, product.active) == (Decimal("11.00"), False)
    assert staff_client.delete(url).status_code == 204
    assert not Product.objects.exists()


@pytest.mark.parametrize("body, field", [
    ({"sku": "X", "name": "X", "category": "Books", "price": "-1"}, "price"),
    ({"sku": "X", "name": "X", "category": "Books", "price": "abc"}, "price"),
    ({"sku": "X", "name": "X", "price": "1"}, "category"),
    ({"sku": "A", "name": "X", "category": "Books", "price": "1"}, "sku"),  # taken
])
def test_invalid_writes_are_400_naming_the_field(staff_client, catalog, body, field):
    response = staff_client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert Product.objects.count() == 4


def test_patch_validates_like_the_admin(staff_client, catalog):
    response = staff_client.patch(f"{URL}{catalog[0].pk}/", {"price": "-5"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"price": [PRICE_MIN]}


def test_deleting_a_product_with_feedback_is_409(staff_client):
    feedback = FeedbackFactory()
    response = staff_client.delete(f"{URL}{feedback.product.pk}/")
    assert response.status_code == 409
    assert response.json() == {"detail": PRODUCT_HAS_RECORDS}
