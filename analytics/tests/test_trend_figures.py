"""The forecast and anomalies figures on SalesDay rows (the rollup they read), and their API."""

import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from django.core.management import call_command

from analytics.figures import FIGURES
from analytics.figures.trends import daily_sales
from analytics.models import SalesDay
from core.filters import DateRange

pytestmark = pytest.mark.django_db

FIRST = dt.date(2025, 1, 6)
DAYS = 140
SPIKE = FIRST + dt.timedelta(days=100)   # Books only
DROP = FIRST + dt.timedelta(days=60)     # Toys only
GAP = FIRST + dt.timedelta(days=30)      # nothing sold in either: the series has a 0 there, no row


@pytest.fixture
def shop():
    """Two categories of daily sales with a weekday pattern and noise, a spike and a drop."""
    rng = np.random.default_rng(5)
    rows = []
    for i in range(DAYS):
        day = FIRST + dt.timedelta(days=i)
        if day == GAP:
            continue
        for category, level in (("Books", 40), ("Toys", 25)):
            orders = int(rng.poisson(level * (1.3 if day.weekday() >= 5 else 1.0)))
            if (category, day) == ("Books", SPIKE):
                orders = level * 4
            if (category, day) == ("Toys", DROP):
                orders = level // 8
            rows.append(SalesDay(day=day, category=category, orders=orders, units=orders,
                                 revenue_cents=orders * int(rng.integers(1500, 2500))))
    SalesDay.objects.bulk_create(rows)


def test_daily_sales_fills_days_without_rows_with_zero(shop):
    days, values = daily_sales()
    assert days[0] == FIRST and days[-1] == FIRST + dt.timedelta(days=DAYS - 1)
    assert len(days) == DAYS
    assert values["orders"][days.index(GAP)] == 0
    expected = sum(r.orders for r in SalesDay.objects.filter(day=FIRST))
    assert values["orders"][0] == expected
    books_days, books = daily_sales("Books")
    assert books["orders"].sum() == sum(SalesDay.objects.filter(category="Books").values_list("orders", flat=True))


def test_forecast_covers_the_56_days_after_the_last_sale_with_nested_intervals(shop):
    result = FIGURES["forecast"](date_range=DateRange())
    assert result["status"] == "fresh"
    last = FIRST + dt.timedelta(days=DAYS - 1)
    assert result["last_actual"] == last.isoformat()
    for name in ("revenue", "orders"):
        points = result["series"][name]["points"]
        assert [p["period"] for p in points] == [(last + dt.timedelta(days=i + 1)).isoformat() for i in range(56)]
        for p in points:
            assert 0 <= p["lower_95"] <= p["lower_80"] <= p["point"] <= p["upper_80"] <= p["upper_95"]
        assert result["series"][name]["method"] == "sarimax"
    # Orders per day are near 65-85: the forecast is in that range, not off by an order of magnitude.
    mean_point = np.mean([p["point"] for p in result["series"]["orders"]["points"]])
    assert 50 < mean_point < 100


def test_forecast_per_category_fits_that_category(shop):
    books = FIGURES["forecast"](date_range=DateRange(), category="Books")["series"]["orders"]["points"]
    toys = FIGURES["forecast"](date_range=DateRange(), category="Toys")["series"]["orders"]["points"]
    assert np.mean([p["point"] for p in books]) > np.mean([p["point"] for p in toys]) * 1.3


def test_anomalies_find_the_planted_days_with_links(shop):
    books = FIGURES["anomalies"](date_range=DateRange(), category="Books")["rows"]
    spikes = [r for r in books if r["date"] == SPIKE.isoformat() and r["series"] == "orders"]
    assert spikes and spikes[0]["direction"] == "spike"
    assert spikes[0]["value"] > 3 * spikes[0]["expected"]
    sales = urlsplit(spikes[0]["sales_url"])
    assert parse_qs(sales.query) == {"date_from": [SPIKE.isoformat()], "date_to": [SPIKE.isoformat()],
                                     "category": ["Books"]}
    explain = urlsplit(spikes[0]["explain_url"])
    assert explain.path == "/api/analytics/explain/"
    assert parse_qs(explain.query)["figure"] == ["orders"]
    assert parse_qs(explain.query)["date_from"] == [SPIKE.isoformat()]
    toys = FIGURES["anomalies"](date_range=DateRange(), category="Toys")["rows"]
    assert any(r["date"] == DROP.isoformat() and r["direction"] == "drop" for r in toys)
    assert not any(r["date"] == SPIKE.isoformat() for r in toys)


def test_anomalies_keep_to_the_range(shop):
    everything = FIGURES["anomalies"](date_range=DateRange(), category="Books")["rows"]
    assert everything
    before = FIGURES["anomalies"](date_range=DateRange(FIRST, SPIKE - dt.timedelta(days=1)), category="Books")
    assert all(r["date"] < SPIKE.isoformat() for r in before["rows"])
    assert len(before["rows"]) < len(everything)


def test_no_sales_gives_an_empty_forecast_and_no_anomalies():
    result = FIGURES["forecast"](date_range=DateRange())
    assert result["last_actual"] is None and result["series"] == {}
    assert FIGURES["anomalies"](date_range=DateRange())["rows"] == []


def test_api_serves_both_and_rejects_bad_input(shop, analyst_client):
    response = analyst_client.get("/api/analytics/forecast/", {"category": "Books"})
    assert response.status_code == 200
    assert len(response.json()["series"]["revenue"]["points"]) == 56
    response = analyst_client.get("/api/analytics/anomalies/", {"date_from": "2025-02-01", "date_to": "2025-06-30"})
    assert response.status_code == 200
    assert all("2025-02-01" <= r["date"] <= "2025-06-30" for r in response.json()["rows"])
    assert analyst_client.get("/api/analytics/anomalies/", {"date_from": "yesterday"}).status_code == 400
    assert analyst_client.get("/api/analytics/forecast/", {"horizon": "9"}).status_code == 400


def test_trends_refit_leaves_a_fresh_fit_for_the_shop_and_every_category(shop, settings):
    from catalog.tests.factories import ProductFactory

    ProductFactory(category="Books")
    ProductFactory(category="Toys")
    out = io.StringIO()
    call_command("trends_refit", stdout=out)
    assert "Fitted 3 forecasts" in out.getvalue()
    settings.FITS_REFRESH = "thread"  # a request now would refit in the background: it must not need to
    for category in (None, "Books", "Toys"):
        assert FIGURES["forecast"](date_range=DateRange(), category=category)["status"] == "fresh"
