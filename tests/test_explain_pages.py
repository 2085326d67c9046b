"""The dashboard's compare choice: the cards and their hint follow it, a bad value is a form message,
and each explainable card's change opens the breakdown."""

import datetime as dt

import pytest

from analytics.rollups import rollups_rebuild
from catalog.tests.factories import ProductFactory
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db
RANGE = "date_from=2025-03-01&date_to=2025-03-07"


@pytest.fixture
def shop():
    product = ProductFactory(category="Books")
    for sold_at, quantity in [((2025, 3, 3), 2), ((2025, 2, 25), 1), ((2024, 3, 2), 4)]:
        SaleFactory(product=product, quantity=quantity, sold_at=dt.datetime(*sold_at, 12, tzinfo=dt.UTC))
    rollups_rebuild()


def kpi(response, key):
    return next(card for card in response.context["kpi_cards"] if card["key"] == key)


def test_cards_compare_with_the_previous_period_by_default(analyst_client, shop):
    response = analyst_client.get(f"/?{RANGE}")
    assert kpi(response, "units")["previous"] == 1
    assert "Compared with 22 Feb 2025 – 28 Feb 2025" in response.content.decode()
    assert 'data-explain="units"' in response.content.decode()
    assert 'data-explain="active_customers"' in response.content.decode()  # by city and country
    dimensions = response.context["explain"]["dimensions"]
    assert dimensions["active_customers"] == dimensions["new_customers"] == ["country", "city"]
    assert "channel" not in dimensions["average_rating"] and "city" in dimensions["units"]


def test_cards_compare_with_a_year_earlier(analyst_client, shop):
    response = analyst_client.get(f"/?{RANGE}&compare=year")
    assert kpi(response, "units")["previous"] == 4
    page = response.content.decode()
    assert "Compared with 1 Mar 2024 – 7 Mar 2024" in page
    assert '<option value="year" selected>' in page
    assert "compare=year" in page  # the presets keep it


def test_a_bad_compare_is_a_form_message(analyst_client, shop):
    response = analyst_client.get(f"/?{RANGE}&compare=decade")
    assert response.status_code == 200
    errors = response.context["filters"].errors
    assert any(error.startswith("Compare with:") for error in errors)
