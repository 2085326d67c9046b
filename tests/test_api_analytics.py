"""/api/analytics/: every dashboard figure, computed by the apps' analytics, with the shared filters."""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from rest_framework.renderers import JSONRenderer

from analytics.figures import FIGURES, UNKNOWN_FIGURE
from catalog.tests.factories import ProductFactory
from core.filters import DATE_ORDER, DateRange
from feedback.tests.factories import FeedbackFactory
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db
DASHBOARD = ("kpis", "revenue_over_time", "revenue_by_category", "top_products", "rating_distribution",
             "average_rating_over_time", "new_customers_over_time", "sales_by_city")


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()


@pytest.fixture
def shop():
    books, toys = ProductFactory(category="Books"), ProductFactory(category="Toys & Games")
    for day, product, quantity in [(3, books, 1), (10, toys, 2), (20, books, 3), (40, toys, 1)]:
        sold_at = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC) + dt.timedelta(days=day)
        SaleFactory(product=product, quantity=quantity, sold_at=sold_at)
        FeedbackFactory(product=product, rating=1 + day % 5, created_at=sold_at)


def as_json(data):
    return json.loads(JSONRenderer().render(data))


def test_index_lists_every_figure(analyst_client):
    figures = analyst_client.get("/api/analytics/").json()["figures"]
    assert [f["name"] for f in figures] == list(FIGURES)
    assert set(DASHBOARD) <= set(FIGURES)
    for figure in figures:
        assert figure["url"] == f"http://testserver/api/analytics/{figure['name']}/"
        assert figure["summary"]


@pytest.mark.parametrize("name", list(FIGURES))
@pytest.mark.parametrize("params", [
    {},
    {"date_from": "2025-01-05", "date_to": "2025-01-31"},
    {"category": "Books", "date_from": "2025-01-01"},
])
def test_each_figure_is_the_registrys_result_for_the_filters(analyst_client, shop, name, params):
    response = analyst_client.get(f"/api/analytics/{name}/", params)
    assert response.status_code == 200, response.content
    date_range = DateRange(
        dt.date.fromisoformat(params["date_from"]) if "date_from" in params else None,
        dt.date.fromisoformat(params["date_to"]) if "date_to" in params else None,
    )
    assert response.json() == as_json(FIGURES[name](date_range=date_range, category=params.get("category")))


def test_the_parsed_filters_reach_the_figure(analyst_client, monkeypatch):
    def echo(*, date_range, category):
        return {"start": str(date_range.start), "end": str(date_range.end), "category": category}

    monkeypatch.setitem(FIGURES, "top_products", echo)
    url = "/api/analytics/top_products/"
    assert analyst_client.get(url).json() == {"start": "None", "end": "None", "category": None}
    params = {"date_from": "2025-01-05", "date_to": "2025-02-01", "category": "Books"}
    response = analyst_client.get(url, params)
    assert response.json() == {"start": "2025-01-05", "end": "2025-02-01", "category": "Books"}
    assert analyst_client.get(url, {"category": ""}).json()["category"] is None


@pytest.mark.parametrize("params, field, message", [
    ({"date_from": "2025-01-32"}, "date_from", None),
    ({"date_to": "June"}, "date_to", None),
    ({"date_from": "2025-02-01", "date_to": "2025-01-01"}, "date_to", DATE_ORDER),
    ({"category": "x" * 101}, "category", None),
    ({"start": "2025-01-01"}, "start", None),
])
def test_bad_parameters_are_400_naming_the_field(analyst_client, params, field, message):
    response = analyst_client.get("/api/analytics/revenue_over_time/", params)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    if message:
        assert response.json()[field] == [message]


def test_unknown_figure_is_a_json_404(analyst_client):
    response = analyst_client.get("/api/analytics/profit_forecast/")
    assert response.status_code == 404
    assert response.json() == {"detail": UNKNOWN_FIGURE.format(name="profit_forecast")}
