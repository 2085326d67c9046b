"""/products/table/ and the product page."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import CustomerFactory
from analytics.rollups import rollups_rebuild
from catalog.tests.factories import ProductFactory
from feedback.tests.factories import FeedbackFactory
from sales.tests.factories import SaleFactory

UTC = dt.timezone.utc
URL = "/products/table/"
SKU, NAME, CATEGORY, BRAND, PRICE, ACTIVE, ADDED = range(7)


@pytest.fixture
def products(db):
    return {
        "lamp": ProductFactory(name="Desk Lamp", sku="LAMP-1", category="Home & Kitchen", brand="Lumo",
                               price=Decimal("20.00")),
        "kettle": ProductFactory(name="Kettle", sku="KET-9", category="Home & Kitchen", brand="Boil",
                                 price=Decimal("35.50")),
        "phones": ProductFactory(name="Headphones", sku="HP-1", category="Electronics", brand="Lumo",
                                 price=Decimal("50.00"), active=False),
    }


def names(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["data"]]


def test_lists_products_by_name(analyst_client, products):
    body = analyst_client.get(URL).json()
    assert [r["name"] for r in body["data"]] == ["Desk Lamp", "Headphones", "Kettle"]
    assert body["data"][1]["active"] is False and body["data"][1]["price"] == 50.0


def test_category_brand_search_and_sort(analyst_client, products):
    assert names(analyst_client, category="Home & Kitchen") == ["Desk Lamp", "Kettle"]
    assert names(analyst_client, brand="lumo") == ["Desk Lamp", "Headphones"]
    assert names(analyst_client, **{"search[value]": "ket-9"}) == ["Kettle"]
    assert names(analyst_client, **{"order[0][column]": PRICE, "order[0][dir]": "desc"}) == [
        "Headphones", "Kettle", "Desk Lamp",
    ]


def test_active_is_not_sortable(analyst_client, products):
    response = analyst_client.get(URL, {"order[0][column]": ACTIVE})
    assert response.status_code == 400 and response.json()["field"] == "order[0][column]"


def test_product_page_with_sales_and_feedback(analyst_client, products):
    lamp = products["lamp"]
    buyer = CustomerFactory(joined_at=dt.datetime(2025, 1, 1, tzinfo=UTC))
    SaleFactory(product=lamp, customer=buyer, quantity=3, sold_at=dt.datetime(2025, 3, 3, tzinfo=UTC))
    FeedbackFactory(product=lamp, customer=buyer, rating=4, created_at=dt.datetime(2025, 3, 4, tzinfo=UTC))
    rollups_rebuild()
    march = {"date_from": "2025-03-01", "date_to": "2025-03-31"}
    response = analyst_client.get(lamp.get_absolute_url(), march)
    assert response.status_code == 200
    totals = response.context["summary"]["totals"]
    assert totals == {"revenue": 60.0, "orders": 1, "units": 3, "feedback": 1, "average_rating": 4.0}
    page = response.content.decode()
    assert "Desk Lamp" in page and "LAMP-1" in page
    assert 'data-chart="product_sales"' in page and 'data-chart="product_ratings"' in page
