"""Figures are cached by the rollups' version (analytics.figures.cached): a repeated dashboard request
reads the cache, and a write through the services shows at once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import CustomerFactory
from analytics.rollups.version import version_current
from catalog.services import product_create, product_update
from catalog.tests.factories import ProductFactory
from sales.services import sale_create, sale_delete

pytestmark = pytest.mark.django_db
SOLD_AT = dt.datetime(2025, 3, 3, 12, tzinfo=dt.UTC)
RANGE = {"date_from": "2025-03-01", "date_to": "2025-03-31"}


@pytest.fixture
def shop():
    product = ProductFactory(category="Books", price=Decimal("10.00"))
    customer = CustomerFactory()
    sale_create(customer=customer, product=product, quantity=2, sold_at=SOLD_AT)
    return customer, product


def queries(client, url, params=None) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:300]
    return len(captured), response


def revenue(client) -> float:
    return float(client.get("/api/analytics/kpis/", RANGE).json()["revenue"]["value"])


def test_a_repeated_dashboard_request_reads_the_cache_not_the_rollups(analyst_client, shop):
    first, page = queries(analyst_client, "/", RANGE)
    again, page_again = queries(analyst_client, "/", RANGE)
    assert again < first, (again, first)
    assert again <= 3, again  # the session, the user; no rollup read
    assert page_again.context["kpi_cards"] == page.context["kpi_cards"]


def test_a_sale_written_through_the_services_shows_at_once(analyst_client, shop):
    customer, product = shop
    assert revenue(analyst_client) == 20.0
    before = version_current()
    sale = sale_create(customer=customer, product=product, quantity=1, sold_at=SOLD_AT)
    assert version_current() > before
    assert revenue(analyst_client) == 30.0
    sale_delete(sale=sale)
    assert revenue(analyst_client) == 20.0


def test_a_product_added_or_renamed_shows_at_once(analyst_client, shop):
    def books() -> int:
        rows = analyst_client.get("/api/analytics/products_per_category/").json()["rows"]
        return next(row["products"] for row in rows if row["category"] == "Books")

    def top_names() -> list[str]:
        return [row["name"] for row in analyst_client.get("/api/analytics/top_products/", RANGE).json()["by_revenue"]]

    assert books() == 1
    product_create(sku="NEW-1", name="A new book", category="Books", price=Decimal("5.00"))
    assert books() == 2
    assert top_names() == [shop[1].name]
    product_update(product=shop[1], data={"name": "Renamed"})
    assert top_names() == ["Renamed"]


def test_a_cold_dashboard_request_reads_each_rollup_once_per_period(analyst_client, shop):
    """The figures of one request share their reads (analytics.figures.shared): the series, the KPIs and
    the rating distribution one day read per rollup and period, the product and city figures one ledger
    read and one names read; the browser's session once (the expiry with it: core.sessions), the user
    with their groups once (core.auth), and the version by its token, no query."""
    import re
    from collections import Counter

    from django.core.cache import cache

    from analytics.rollups import rollups_rebuild
    from analytics.rollups.version import kept_forget

    rollups_rebuild()  # the ledgers' prefix rows and spans, as after seeding
    analyst_client.get("/")  # signed in and remembered; the cold request is the next one
    cache.clear()
    kept_forget()
    with CaptureQueriesContext(connection) as captured:
        response = analyst_client.get("/", {**RANGE, "category": "Books"})  # a month: against the month before
    assert response.status_code == 200
    # The table read: FROM "t" in SQL, db.t.aggregate(...) as django-mongodb-backend logs a command.
    table = re.compile(r'FROM "(\w+)"|^db\.(\w+)\.')
    tables = Counter(
        next(filter(None, table.search(q["sql"]).groups())) for q in captured.captured_queries
    )
    # one day read per day rollup for both periods (shared.together); the range's category sums
    # (revenue by category); one read of each ledger, the cities, the spans; the names and the filter
    # bar's categories; active customers, one read for both periods
    most = {
        "django_session": 1, "auth_user": 1, "sales_salesday": 2, "sales_feedbackday": 1,
        "sales_customerjoinday": 1, "sales_productledger": 1, "sales_cityledger": 1, "sales_cityjoinledger": 1,
        "sales_city": 1, "analytics_ledgerspan": 1, "catalog_product": 2,
        "sales_activecustomercell": 1,  # its union with the start months' day rows: two reads on MongoDB
        "sales_activecustomerday": 1 if connection.vendor == "mongodb" else 0,
    }
    over = {table: n for table, n in tables.items() if n > most.get(table, 0)}
    assert not over, (over, [q["sql"][:120] for q in captured.captured_queries])
    assert sum(tables.values()) <= (13 if connection.vendor == "mongodb" else 12)


@pytest.mark.parametrize("compare", ["previous", "year"])
def test_a_range_and_its_comparison_read_each_day_rollup_once(shop, compare):
    """shared.together: the KPIs of both periods from one read per day rollup, the same numbers as
    reading each period alone (the previous period touches the range: one range; a year earlier: two)."""
    from analytics.figures.kpis import kpis
    from analytics.rollups.version import kept_forget
    from core.filters import DateRange

    customer, product = shop
    sale_create(customer=customer, product=product, quantity=3, sold_at=dt.datetime(2025, 2, 20, tzinfo=dt.UTC))
    sale_create(customer=customer, product=product, quantity=5, sold_at=dt.datetime(2024, 3, 9, tzinfo=dt.UTC))
    date_range = DateRange(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    kept_forget()
    with CaptureQueriesContext(connection) as captured:
        both = kpis(date_range=date_range, category="Books", compare=compare)
    day_reads = [q["sql"] for q in captured.captured_queries if "salesday" in q["sql"] or "feedbackday" in q["sql"]
                 or "customerjoinday" in q["sql"]]
    assert len(day_reads) == 3, day_reads  # sales, feedback, joined customers
    active_reads = [q["sql"] for q in captured.captured_queries if "activecustomer" in q["sql"]]
    # the cells and the start months' day rows of both periods: one union (two reads on MongoDB)
    assert len(active_reads) == (2 if connection.vendor == "mongodb" else 1), active_reads
    assert both["units"]["value"] == 2
    assert both["units"]["previous"] == {"previous": 3, "year": 5}[compare]

    def alone(r):
        kept_forget()
        from analytics.figures.kpis import rollup_kpi_values
        return rollup_kpi_values(date_range=r, category="Books")

    current, previous = alone(date_range), alone(date_range.compared(compare))
    for name, entry in both.items():
        assert (entry["value"], entry["previous"]) == (current[name], previous[name]), name


@pytest.mark.parametrize("url", ["/", "/sales/", "/products/", "/feedback/", "/users/cohorts/"])
def test_a_new_category_shows_in_the_filter_bar_at_once(analyst_client, shop, url):
    """The filter bar's categories are kept under the rollups' token (shared.kept_categories), which
    every product write moves: a second request reads none, a new category shows on the next one."""
    assert "Garden" not in analyst_client.get(url).context["categories"]
    with CaptureQueriesContext(connection) as captured:
        analyst_client.get(url)
    # catalog.selectors.category_list: every product's category, no filter or grouping (SQL or MQL)
    listed = [sql for sql in (q["sql"] for q in captured.captured_queries) if "catalog_product" in sql
              and not any(word in sql for word in ("WHERE", "GROUP BY", "$match", "$group"))]
    assert not listed, listed
    product_create(sku="NEW-2", name="A spade", category="Garden", price=Decimal("5.00"))
    assert "Garden" in analyst_client.get(url).context["categories"]
