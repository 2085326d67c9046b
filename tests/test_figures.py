"""Every figure against numbers worked out by hand on a small shop."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import CustomerFactory
from analytics.figures import FIGURES, UNKNOWN_FIGURE, customer_summary, figure, product_summary
from analytics.rollups import rollups_rebuild
from catalog.tests.factories import ProductFactory
from core.filters import DateRange
from feedback.tests.factories import FeedbackFactory
from sales.models import Sale
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db

WEEK = DateRange(dt.date(2025, 3, 10), dt.date(2025, 3, 16))
EMPTY = DateRange(dt.date(2020, 1, 1), dt.date(2020, 1, 7))
ONE_SALE = DateRange(dt.date(2025, 3, 11), dt.date(2025, 3, 11))
ALL = DateRange()


def at(day, hour=12):
    return dt.datetime(2025, 3, day, hour, tzinfo=dt.timezone.utc)


@pytest.fixture
def shop():
    c1 = CustomerFactory(city="Lisbon", country="PT", latitude=38.0, longitude=-9.0,
                         joined_at=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))
    c2 = CustomerFactory(city="Berlin", country="DE", latitude=52.5, longitude=13.4, joined_at=at(10, 8))
    c3 = CustomerFactory(city="Lisbon", country="PT", latitude=39.0, longitude=-10.0, joined_at=at(12, 1))
    p1 = ProductFactory(name="Lamp", category="Electronics", price=Decimal("10.00"))
    p2 = ProductFactory(name="Novel", category="Books", price=Decimal("5.00"))
    p3 = ProductFactory(name="Radio", category="Electronics", price=Decimal("20.00"))
    SaleFactory(customer=c1, product=p1, quantity=2, sold_at=at(10))
    SaleFactory(customer=c2, product=p2, quantity=1, sold_at=at(11))
    SaleFactory(customer=c1, product=p3, quantity=1, sold_at=at(12, 23))
    SaleFactory(customer=c3, product=p1, quantity=3, sold_at=at(12), status=Sale.Status.REFUNDED)
    SaleFactory(customer=c2, product=p1, quantity=1, sold_at=at(3))
    FeedbackFactory(customer=c1, product=p1, rating=5, created_at=at(10))
    FeedbackFactory(customer=c2, product=p2, rating=2, created_at=at(11))
    FeedbackFactory(customer=c1, product=p3, rating=4, created_at=at(13))
    rollups_rebuild()  # factories write rows directly, as seed_data does
    return {"c1": c1, "c2": c2, "c3": c3, "p1": p1, "p2": p2, "p3": p3}


def test_kpis_compare_with_the_previous_week(shop):
    result = figure("kpis", date_range=WEEK)
    assert result["revenue"] == {"value": 45.0, "previous": 10.0, "change": 350.0}
    assert result["orders"] == {"value": 3, "previous": 1, "change": 200.0}
    assert result["units"] == {"value": 4, "previous": 1, "change": 300.0}
    assert result["average_order_value"] == {"value": 15.0, "previous": 10.0, "change": 50.0}
    assert result["active_customers"] == {"value": 2, "previous": 1, "change": 100.0}
    assert result["new_customers"] == {"value": 2, "previous": 0, "change": None, "category_applied": False}
    assert result["average_rating"] == {"value": 3.67, "previous": None, "change": None}


def test_kpis_by_category_filter_sales_and_feedback_but_not_new_customers(shop):
    result = figure("kpis", date_range=WEEK, category="Electronics")
    assert result["revenue"]["value"] == 40.0
    assert result["orders"]["value"] == 2
    assert result["units"]["value"] == 3
    assert result["average_order_value"]["value"] == 20.0
    assert result["active_customers"]["value"] == 1
    assert result["new_customers"]["value"] == 2
    assert result["average_rating"]["value"] == 4.5


def test_kpis_open_range_has_no_previous(shop):
    result = figure("kpis", date_range=ALL)
    assert result["revenue"] == {"value": 55.0, "previous": None, "change": None}
    assert result["active_customers"]["value"] == 2
    assert result["new_customers"]["value"] == 3


def test_kpis_of_an_empty_range(shop):
    result = figure("kpis", date_range=EMPTY)
    assert {k: v["value"] for k, v in result.items()} == {
        "revenue": 0.0, "orders": 0, "units": 0, "average_order_value": None, "active_customers": 0,
        "new_customers": 0, "average_rating": None,
    }


def test_kpis_of_a_range_with_one_sale(shop):
    result = figure("kpis", date_range=ONE_SALE)
    assert result["revenue"]["value"] == 5.0
    assert result["orders"]["value"] == 1
    assert result["average_order_value"] == {"value": 5.0, "previous": 20.0, "change": -75.0}


def test_revenue_over_time_fills_every_day(shop):
    result = figure("revenue_over_time", date_range=WEEK)
    assert result["bucket"] == "day"
    assert [p["period"] for p in result["points"]] == [f"2025-03-{d}" for d in range(10, 17)]
    assert result["points"][:4] == [
        {"period": "2025-03-10", "revenue": 20.0, "orders": 1, "units": 2},
        {"period": "2025-03-11", "revenue": 5.0, "orders": 1, "units": 1},
        {"period": "2025-03-12", "revenue": 20.0, "orders": 1, "units": 1},
        {"period": "2025-03-13", "revenue": 0.0, "orders": 0, "units": 0},
    ]


def test_revenue_over_time_open_range_spans_first_to_last_sale(shop):
    result = figure("revenue_over_time", date_range=ALL)
    assert result["points"][0] == {"period": "2025-03-03", "revenue": 10.0, "orders": 1, "units": 1}
    assert result["points"][-1]["period"] == "2025-03-12"
    assert len(result["points"]) == 10


def test_an_open_range_series_is_one_query_ending_on_the_last_day_with_orders(shop):
    """A day whose rollup rows hold no orders (what a refund of its only sale leaves) does not stretch
    an open range; the first and last days come with the daily sums, not from two more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from analytics.figures.sales import revenue_over_time
    from analytics.models import SalesDay

    SalesDay.objects.create(day=dt.date(2025, 3, 20), category="Books", revenue_cents=0, orders=0, units=0)
    with CaptureQueriesContext(connection) as queries:
        result = revenue_over_time(date_range=ALL)
    assert len(queries) == 1
    assert (result["points"][0]["period"], result["points"][-1]["period"]) == ("2025-03-03", "2025-03-12")


def test_revenue_over_time_buckets_by_range_length(shop):
    weeks = figure("revenue_over_time", date_range=DateRange(dt.date(2025, 1, 1), dt.date(2025, 6, 30)))
    assert weeks["bucket"] == "week"
    assert weeks["points"][0]["period"] == "2024-12-30"  # the Monday of 2025-01-01's week
    week_of_10th = next(p for p in weeks["points"] if p["period"] == "2025-03-10")
    assert week_of_10th == {"period": "2025-03-10", "revenue": 45.0, "orders": 3, "units": 4}
    months = figure("revenue_over_time", date_range=DateRange(dt.date(2024, 1, 1), dt.date(2025, 12, 31)))
    assert months["bucket"] == "month"
    assert len(months["points"]) == 24
    march = next(p for p in months["points"] if p["period"] == "2025-03-01")
    assert march == {"period": "2025-03-01", "revenue": 55.0, "orders": 4, "units": 5}


def test_revenue_over_time_of_an_empty_range_is_zeros(shop):
    result = figure("revenue_over_time", date_range=EMPTY)
    assert len(result["points"]) == 7
    assert all(p["revenue"] == 0.0 and p["orders"] == 0 and p["units"] == 0 for p in result["points"])


def test_revenue_by_category(shop):
    assert figure("revenue_by_category", date_range=WEEK) == {"rows": [
        {"category": "Electronics", "revenue": 40.0, "orders": 2, "units": 3},
        {"category": "Books", "revenue": 5.0, "orders": 1, "units": 1},
    ]}
    assert figure("revenue_by_category", date_range=EMPTY) == {"rows": []}


def test_top_products(shop):
    p1, p2, p3 = shop["p1"], shop["p2"], shop["p3"]
    result = figure("top_products", date_range=WEEK)
    assert result["by_revenue"] == [
        {"product_id": str(p1.pk), "name": "Lamp", "category": "Electronics", "revenue": 20.0, "units": 2},
        {"product_id": str(p3.pk), "name": "Radio", "category": "Electronics", "revenue": 20.0, "units": 1},
        {"product_id": str(p2.pk), "name": "Novel", "category": "Books", "revenue": 5.0, "units": 1},
    ]
    assert [r["product_id"] for r in result["by_units"]] == [str(p1.pk), str(p2.pk), str(p3.pk)]
    books = figure("top_products", date_range=WEEK, category="Books")
    assert [r["name"] for r in books["by_revenue"]] == ["Novel"]
    assert figure("top_products", date_range=EMPTY) == {"by_revenue": [], "by_units": []}


def test_rating_distribution_lists_all_five(shop):
    assert figure("rating_distribution", date_range=WEEK) == {"rows": [
        {"rating": 1, "count": 0}, {"rating": 2, "count": 1}, {"rating": 3, "count": 0},
        {"rating": 4, "count": 1}, {"rating": 5, "count": 1},
    ]}
    electronics = figure("rating_distribution", date_range=WEEK, category="Electronics")
    assert [r["count"] for r in electronics["rows"]] == [0, 0, 0, 1, 1]
    assert [r["count"] for r in figure("rating_distribution", date_range=EMPTY)["rows"]] == [0] * 5


def test_average_rating_over_time(shop):
    result = figure("average_rating_over_time", date_range=WEEK)
    assert result["bucket"] == "day"
    assert result["points"][:4] == [
        {"period": "2025-03-10", "average_rating": 5.0, "count": 1},
        {"period": "2025-03-11", "average_rating": 2.0, "count": 1},
        {"period": "2025-03-12", "average_rating": None, "count": 0},
        {"period": "2025-03-13", "average_rating": 4.0, "count": 1},
    ]


def test_new_customers_over_time_ignores_category(shop):
    result = figure("new_customers_over_time", date_range=WEEK, category="Books")
    assert result["category_applied"] is False
    assert [p["count"] for p in result["points"]] == [1, 0, 1, 0, 0, 0, 0]


def test_sales_by_city(shop):
    assert figure("sales_by_city", date_range=WEEK) == {"rows": [
        {"city": "Lisbon", "country": "PT", "latitude": 38.5, "longitude": -9.5, "revenue": 40.0,
         "orders": 2},
        {"city": "Berlin", "country": "DE", "latitude": 52.5, "longitude": 13.4, "revenue": 5.0, "orders": 1},
    ]}
    assert figure("sales_by_city", date_range=WEEK, category="Books")["rows"][0]["city"] == "Berlin"


def test_quantity_vs_rating(shop):
    p1, p2, p3 = shop["p1"], shop["p2"], shop["p3"]
    assert figure("quantity_vs_rating", date_range=WEEK) == {"points": [
        {"product_id": str(p1.pk), "name": "Lamp", "units": 2, "average_rating": 5.0},
        {"product_id": str(p2.pk), "name": "Novel", "units": 1, "average_rating": 2.0},
        {"product_id": str(p3.pk), "name": "Radio", "units": 1, "average_rating": 4.0},
    ]}


def test_customers_per_city(shop):
    result = figure("customers_per_city", date_range=WEEK, category="Books")
    assert result == {"rows": [
        {"city": "Berlin", "country": "DE", "count": 1}, {"city": "Lisbon", "country": "PT", "count": 1},
    ], "category_applied": False}
    top = figure("customers_per_city", date_range=ALL)["rows"][0]
    assert top == {"city": "Lisbon", "country": "PT", "count": 2}


def test_price_spread_by_category(shop):
    ProductFactory(category="Electronics", price=Decimal("30.00"))
    ProductFactory(category="Electronics", price=Decimal("60.00"))
    assert figure("price_spread_by_category", date_range=ALL) == {"rows": [
        {"category": "Books", "count": 1, "min": 5.0, "q1": 5.0, "median": 5.0, "q3": 5.0, "max": 5.0},
        # 10, 20, 30, 60: positions 0.75, 1.5, 2.25
        {"category": "Electronics", "count": 4, "min": 10.0, "q1": 17.5, "median": 25.0, "q3": 37.5,
         "max": 60.0},
    ]}
    assert figure("price_spread_by_category", date_range=EMPTY) == {"rows": []}


def test_units_revenue_per_month(shop):
    assert figure("units_revenue_per_month", date_range=WEEK) == {
        "bucket": "month", "points": [{"period": "2025-03-01", "units": 4, "revenue": 45.0}],
    }


def test_feedback_per_month(shop):
    assert figure("feedback_per_month", date_range=WEEK) == {
        "bucket": "month", "points": [{"period": "2025-03-01", "count": 3, "average_rating": 3.67}],
    }


def test_unknown_figure_names_itself():
    with pytest.raises(KeyError, match=UNKNOWN_FIGURE.format(name="nope")):
        figure("nope", date_range=ALL)


@pytest.mark.parametrize("name", sorted(FIGURES))
@pytest.mark.parametrize("date_range", [ALL, EMPTY, WEEK], ids=["all", "empty", "week"])
def test_every_figure_returns_json_types(shop, name, date_range):
    import json

    result = figure(name, date_range=date_range, category="Electronics")
    assert json.loads(json.dumps(result)) == result


def test_product_summary(shop):
    result = product_summary(product_id=shop["p1"].pk, date_range=WEEK)
    assert result["totals"] == {
        "revenue": 20.0, "orders": 1, "units": 2, "feedback": 1, "average_rating": 5.0,
    }
    assert result["sales"]["points"][0] == {"period": "2025-03-10", "revenue": 20.0, "orders": 1, "units": 2}
    assert [f["rating"] for f in result["latest_feedback"]] == [5]


def test_customer_summary(shop):
    result = customer_summary(customer_id=shop["c1"].pk, date_range=ALL)
    assert (result["orders"], result["units"], result["revenue"], result["refunded"]) == (2, 3, 40.0, 0)
    assert [o["product_name"] for o in result["latest_orders"]] == ["Radio", "Lamp"]
    assert [f["rating"] for f in result["latest_feedback"]] == [4, 5]
    refunded = customer_summary(customer_id=shop["c3"].pk, date_range=ALL)
    latest_status = refunded["latest_orders"][0]["status"]
    assert (refunded["orders"], refunded["refunded"], latest_status) == (0, 1, "refunded")


def test_customer_map_by_country_and_city(shop):
    result = figure("customer_map", date_range=WEEK)
    assert result["countries"] == [
        {"country": "PT", "name": "Portugal", "atlas_key": "620", "customers": 1, "revenue": 40.0,
         "orders": 2},
        {"country": "DE", "name": "Germany", "atlas_key": "276", "customers": 1, "revenue": 5.0,
         "orders": 1},
    ]
    assert result["cities"] == [
        {"city": "Lisbon", "country": "PT", "latitude": 38.5, "longitude": -9.5, "customers": 1,
         "revenue": 40.0, "orders": 2},
        {"city": "Berlin", "country": "DE", "latitude": 52.5, "longitude": 13.4, "customers": 1,
         "revenue": 5.0, "orders": 1},
    ]
    assert result["category_applied"] == ["revenue", "orders"]


def test_customer_map_category_narrows_sales_not_customers(shop):
    result = figure("customer_map", date_range=WEEK, category="Books")
    assert [(r["country"], r["customers"], r["revenue"], r["orders"]) for r in result["countries"]] == [
        ("DE", 1, 5.0, 1), ("PT", 1, 0.0, 0),
    ]
    everyone = figure("customer_map", date_range=ALL)
    assert [(r["country"], r["customers"]) for r in everyone["countries"]] == [("PT", 2), ("DE", 1)]
    assert figure("customer_map", date_range=EMPTY) == {
        "countries": [], "cities": [], "category_applied": ["revenue", "orders"],
    }


def test_products_per_category(shop):
    assert figure("products_per_category", date_range=ALL) == {"rows": [
        {"category": "Electronics", "products": 2}, {"category": "Books", "products": 1},
    ]}
    assert figure("products_per_category", date_range=ALL, category="Books") == {"rows": [
        {"category": "Books", "products": 1},
    ]}
    assert figure("products_per_category", date_range=EMPTY) == {"rows": []}


def test_average_rating_per_product(shop):
    p1, p2, p3 = shop["p1"], shop["p2"], shop["p3"]
    rows = figure("average_rating_per_product", date_range=WEEK)["rows"]
    assert rows == [
        {"product_id": str(p.pk), "name": p.name, "category": p.category, "feedback": 1,
         "average_rating": stars}
        for p, stars in ((p1, 5.0), (p2, 2.0), (p3, 4.0))
    ]
    electronics = figure("average_rating_per_product", date_range=WEEK, category="Electronics")
    assert [r["name"] for r in electronics["rows"]] == ["Lamp", "Radio"]
    assert figure("average_rating_per_product", date_range=EMPTY) == {"rows": []}
