"""/api/analytics/explain/: the breakdown for the filters, and a 400 naming the field for bad input."""

import datetime as dt

import pytest
from django.core.cache import cache

from analytics.figures.explain import explain
from analytics.figures.explain.kinds import CUSTOMERS_BUY_IN_SEVERAL, CUSTOMERS_HAVE_NONE, NO_RATING_CHANNEL
from analytics.rollups import rollups_rebuild
from catalog.tests.factories import ProductFactory
from core.filters import DateRange
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db
URL = "/api/analytics/explain/"
RANGE = {"date_from": "2025-01-15", "date_to": "2025-01-28"}


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()


@pytest.fixture
def shop():
    books, toys = ProductFactory(category="Books"), ProductFactory(category="Toys")
    for day, product, quantity in [
        (3, books, 1),
        (10, toys, 2),
        (20, books, 3),
        (24, toys, 1),
        (25, toys, 2),
    ]:
        SaleFactory(
            product=product,
            quantity=quantity,
            sold_at=dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC) + dt.timedelta(days=day),
        )
    rollups_rebuild()  # factories write rows directly


def test_explain_answers_what_the_figure_computes(analyst_client, shop):
    response = analyst_client.get(URL, {"figure": "units", "dimension": "category", **RANGE})
    assert response.status_code == 200
    body = response.json()
    expected = explain(
        figure="units", dimension="category", date_range=DateRange(dt.date(2025, 1, 15), dt.date(2025, 1, 28))
    )
    assert body == expected
    assert body["comparison_range"] == {"date_from": "2025-01-01", "date_to": "2025-01-14"}
    assert body["change_scaled"] == 6 - 3
    assert {row["label"]: row["change"] for row in body["contributors"]} == {"Toys": 1, "Books": 2}


def test_explain_compares_with_a_year_earlier(analyst_client, shop):
    body = analyst_client.get(URL, {"figure": "revenue", "compare": "year", **RANGE}).json()
    assert body["compare"] == "year"
    assert body["comparison_range"] == {"date_from": "2024-01-15", "date_to": "2024-01-28"}
    assert body["previous"] == 0.0


@pytest.mark.parametrize(
    "params, field",
    [
        ({"figure": "profit"}, "figure"),
        ({}, "figure"),
        ({"figure": "revenue", "dimension": "colour"}, "dimension"),
        ({"figure": "average_rating", "dimension": "channel"}, "dimension"),
        ({"figure": "active_customers", "dimension": "product"}, "dimension"),
        ({"figure": "new_customers", "dimension": "category"}, "dimension"),
        ({"figure": "revenue", "compare": "decade"}, "compare"),
        ({"figure": "revenue", "date_from": "2025-02-30"}, "date_from"),
        ({"figure": "revenue", "date_from": "2025-02-01", "date_to": "2025-01-01"}, "date_to"),
        ({"figure": "revenue", "bucket": "week"}, "bucket"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(analyst_client, params, field):
    response = analyst_client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json(), response.json()


@pytest.mark.parametrize(
    "figure, dimension, why",
    [
        ("average_rating", "channel", NO_RATING_CHANNEL),
        ("active_customers", "channel", CUSTOMERS_BUY_IN_SEVERAL.format(dimensions="channels")),
        ("active_customers", "category", CUSTOMERS_BUY_IN_SEVERAL.format(dimensions="categories")),
        ("new_customers", "product", CUSTOMERS_HAVE_NONE.format(dimension="product")),
    ],
)
def test_a_pair_that_cannot_be_explained_says_why(analyst_client, figure, dimension, why):
    response = analyst_client.get(URL, {"figure": figure, "dimension": dimension})
    assert response.status_code == 400
    (message,) = response.json()["dimension"]
    assert why in message and "Choose one of: " in message


def test_customer_figures_default_to_a_dimension_they_have(analyst_client, shop):
    body = analyst_client.get(URL, {"figure": "active_customers", **RANGE}).json()
    assert body["dimension"] == "country"
    # Each of the shop's five sales has its own customer: three in range (21, 25, 26 Jan), two before.
    assert body["current"] == 3 and body["previous"] == 2
    assert sum(row["change_scaled"] for row in body["contributors"]) + body["other"]["change_scaled"] == 1
    body = analyst_client.get(URL, {"figure": "new_customers", "category": "Books", **RANGE}).json()
    assert body["dimension"] == "country" and body["category_applied"] is False


def test_explain_needs_an_analyst(client):
    assert client.get(URL, {"figure": "revenue"}).status_code in (401, 403)
