"""Filters never 500: a date outside the window of sane dates is a 400 naming the field on the API
and a message on the pages; a record stored out of the window never breaks a page or a figure."""

import datetime as dt

import pytest
from django.core.management import call_command

from accounts.tests.factories import CustomerFactory
from core import pages as views
from core.dates import FILTER_DATE_OUT_OF_RANGE, latest_date
from sales.models import Sale
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


@pytest.fixture
def far_future_sale(db):
    """A sale stored on 9999-12-31 past validation (as an old database might hold), rollups rebuilt."""
    customer = CustomerFactory(joined_at=dt.datetime(2024, 1, 1, tzinfo=UTC))
    normal = SaleFactory(customer=customer, sold_at=dt.datetime(2025, 3, 15, 12, tzinfo=UTC))
    odd = SaleFactory(customer=customer, product=normal.product)
    Sale.objects.filter(pk=odd.pk).update(sold_at=dt.datetime(9999, 12, 31, 12, tzinfo=UTC))
    call_command("rebuild_rollups", verbosity=0)
    return normal


@pytest.mark.parametrize("url", [
    "/", "/sales/", "/api/analytics/revenue_over_time/", "/api/analytics/new_customers_over_time/",
    "/api/analytics/units_revenue_per_month/", "/api/analytics/kpis/",
])
def test_a_stored_sale_dated_9999_never_breaks_a_page_or_figure(analyst_client, far_future_sale, url):
    response = analyst_client.get(url)
    assert response.status_code == 200


def test_series_over_an_open_range_stop_at_today(analyst_client, far_future_sale):
    points = analyst_client.get("/api/analytics/revenue_over_time/").json()["points"]
    assert points[0]["period"] == "2025-03-01"
    assert points[-1]["period"] == latest_date().replace(day=1).isoformat()
    assert sum(p["revenue"] for p in points) == float(far_future_sale.total)


def test_kpis_over_the_earliest_days_have_no_previous_period_before_year_one(analyst_client, settings):
    settings.EARLIEST_DATE = dt.date(1, 1, 1)
    params = {"date_from": "0001-01-01", "date_to": "0001-01-03"}
    response = analyst_client.get("/api/analytics/kpis/", params)
    assert response.status_code == 200
    assert response.json()["revenue"]["previous"] is None


def test_a_stored_sale_dated_9999_does_not_stretch_the_weekly_ledgers(far_future_sale):
    from analytics.models import CityLedger, ProductLedger
    from core.dates import latest_date

    for ledger in (ProductLedger, CityLedger):
        last_monday = ledger.objects.filter(prefix=True).order_by("-day").values_list("day", flat=True)[0]
        # Every week up to today's has its prefix rows, and none goes on towards 9999.
        assert latest_date() - dt.timedelta(days=7) <= last_monday <= latest_date() + dt.timedelta(days=7)
        assert ledger.objects.filter(prefix=True).count() < 1000


def test_the_record_pages_of_a_sale_dated_9999_answer(analyst_client, far_future_sale):
    """The product, its buyer and the sale itself: their pages chart and list the stored 9999 sale."""
    odd = Sale.objects.get(sold_at__year=9999)
    for record in (far_future_sale.product, far_future_sale.customer, odd):
        response = analyst_client.get(record.get_absolute_url())
        assert response.status_code == 200, (record.get_absolute_url(), response.content[:300])
