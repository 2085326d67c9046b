"""Filters never 500: a date outside the window of sane dates is a 400 naming the field on the API
and a message on the pages."""

import datetime as dt

import pytest

from core.dates import FILTER_DATE_OUT_OF_RANGE, latest_date
from core import pages as views
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db
UTC = dt.timezone.utc
OUT_OF_RANGE = [
    ({"date_to": "9999-12-31"}, "date_to"),
    ({"date_from": "0001-01-01"}, "date_from"),
    ({"date_from": "0001-01-01", "date_to": "2025-01-03"}, "date_from"),
    ({"date_from": "1899-12-31"}, "date_from"),
]


def message() -> str:
    return FILTER_DATE_OUT_OF_RANGE.format(earliest=dt.date(1900, 1, 1), latest=latest_date())


@pytest.mark.parametrize("url", ["/api/sales/", "/api/users/", "/api/analytics/kpis/",
                                 "/api/analytics/revenue_over_time/"])
@pytest.mark.parametrize(("params", "field"), OUT_OF_RANGE)
def test_api_filter_dates_outside_the_window_are_400_naming_the_field(analyst_client, url, params, field):
    SaleFactory()
    response = analyst_client.get(url, params)
    assert response.status_code == 400, response.content
    assert response.json()[field] == [message()]


@pytest.mark.parametrize("url", ["/", "/sales/", "/users/"])
@pytest.mark.parametrize(("params", "field"), OUT_OF_RANGE)
def test_page_filter_dates_outside_the_window_are_a_message(analyst_client, url, params, field):
    SaleFactory()
    response = analyst_client.get(url, params)
    assert response.status_code == 200
    label = {"date_from": "From", "date_to": "To"}[field]
    assert response.context["filters"].errors == [f"{label}: {message()}", views.FILTER_IGNORED]


def test_the_window_edges_are_accepted(analyst_client):
    SaleFactory()
    params = {"date_from": "1900-01-01", "date_to": latest_date().isoformat()}
    for url in ["/api/sales/", "/api/analytics/kpis/", "/", "/sales/"]:
        response = analyst_client.get(url, params)
        assert response.status_code == 200, (url, response.content[:300])


def test_kpis_over_the_earliest_days_have_no_previous_period_before_year_one(analyst_client, settings):
    settings.EARLIEST_DATE = dt.date(1, 1, 1)
    response = analyst_client.get("/api/analytics/kpis/", {"date_from": "0001-01-01", "date_to": "0001-01-03"})
    assert response.status_code == 200
    assert response.json()["revenue"]["previous"] is None
