"""/sales/table/: DataTables' server-side protocol over sale_list (filter, search, sort, page)."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import CustomerFactory
from catalog.tests.factories import ProductFactory
from core import pages as views
from sales.models import Sale
from sales.tests.factories import SaleFactory

UTC = dt.timezone.utc
URL = "/sales/table/"
# Column indexes as the page's table declares them (sales.views.TABLE).
SOLD_AT, PRODUCT, QUANTITY, TOTAL = 0, 1, 4, 6


@pytest.fixture
def sales(db):
    lamp = ProductFactory(name="Desk Lamp", sku="LAMP-1", category="Home & Kitchen", price=Decimal("20.00"))
    phones = ProductFactory(name="Headphones", sku="HP-1", category="Electronics", price=Decimal("50.00"))
    ana = CustomerFactory(name="Ana Lima", email="ana@shop.test")
    bruno = CustomerFactory(name="Bruno Kraus", email="bruno@shop.test")
    rows = [
        SaleFactory(product=lamp, customer=ana, quantity=2, sold_at=dt.datetime(2025, 3, 3, tzinfo=UTC)),
        SaleFactory(product=phones, customer=bruno, quantity=1, sold_at=dt.datetime(2025, 3, 10, tzinfo=UTC),
                    channel=Sale.Channel.STORE),
        SaleFactory(product=phones, customer=ana, quantity=3, sold_at=dt.datetime(2025, 3, 20, tzinfo=UTC)),
        SaleFactory(product=lamp, customer=bruno, quantity=1, sold_at=dt.datetime(2025, 4, 2, tzinfo=UTC),
                    status=Sale.Status.REFUNDED),
    ]
    return {"lamp": lamp, "phones": phones, "ana": ana, "bruno": bruno, "rows": rows}


def table(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_first_draw_is_newest_first_with_links_and_raw_numbers(analyst_client, sales):
    body = table(analyst_client, draw=1, start=0, length=25)
    assert (body["draw"], body["recordsTotal"], body["recordsFiltered"], body["capped"]) == (1, 4, 4, False)
    days = [r["sold_at"][:10] for r in body["data"]]
    assert days == ["2025-04-02", "2025-03-20", "2025-03-10", "2025-03-03"]
    newest = body["data"][0]
    assert newest == {
        "sold_at": "2025-04-02T00:00:00+00:00", "sold_at_url": sales["rows"][3].get_absolute_url(),
        "product": "Desk Lamp", "product_url": sales["lamp"].get_absolute_url(), "category": "Home & Kitchen",
        "customer": "Bruno Kraus", "customer_url": sales["bruno"].get_absolute_url(),
        "quantity": 1, "unit_price": 20.0, "total": 20.0, "channel": "Web", "status": "refunded",
    }


def test_pages_through_the_rows(analyst_client, sales):
    first = table(analyst_client, draw=2, start=0, length=2)
    second = table(analyst_client, draw=3, start=2, length=2)
    assert [r["total"] for r in first["data"]] == [20.0, 150.0]
    assert [r["total"] for r in second["data"]] == [50.0, 40.0]
    assert first["recordsFiltered"] == second["recordsFiltered"] == 4


@pytest.mark.parametrize(("column", "direction", "totals"), [
    (TOTAL, "asc", [20.0, 40.0, 50.0, 150.0]),
    (TOTAL, "desc", [150.0, 50.0, 40.0, 20.0]),
    (QUANTITY, "desc", [150.0, 40.0, 20.0, 50.0]),  # 3, 2, then the two 1s, higher id first
    (SOLD_AT, "asc", [40.0, 50.0, 150.0, 20.0]),
])
def test_sorts_on_whitelisted_columns(analyst_client, sales, column, direction, totals):
    body = table(analyst_client, **{"order[0][column]": column, "order[0][dir]": direction})
    assert [r["total"] for r in body["data"]] == totals


def test_searches_product_and_customer_names(analyst_client, sales):
    body = table(analyst_client, **{"search[value]": "headphones"})
    assert {r["product"] for r in body["data"]} == {"Headphones"}
    assert (body["recordsFiltered"], body["recordsTotal"]) == (2, 4)
    body = table(analyst_client, **{"search[value]": "bruno"})
    assert {r["customer"] for r in body["data"]} == {"Bruno Kraus"} and body["recordsFiltered"] == 2


def test_applies_the_filter_bar_and_page_filters(analyst_client, sales):
    body = table(analyst_client, date_from="2025-03-05", date_to="2025-03-31", category="Electronics")
    assert [r["total"] for r in body["data"]] == [150.0, 50.0]
    body = table(analyst_client, customer=sales["bruno"].pk, status="refunded")
    assert [r["total"] for r in body["data"]] == [20.0]
    body = table(analyst_client, channel="store")
    assert [r["channel"] for r in body["data"]] == ["Store"]


def test_page_length_is_capped(analyst_client, sales):
    SaleFactory.create_batch(
        105, product=sales["lamp"], customer=sales["ana"], sold_at=dt.datetime(2025, 1, 1, tzinfo=UTC)
    )
    assert len(table(analyst_client, length=1000)["data"]) == views.MAX_PAGE_LENGTH
    assert len(table(analyst_client, length=-1)["data"]) == views.MAX_PAGE_LENGTH


def test_counts_stop_at_the_cap(analyst_client, sales, monkeypatch):
    monkeypatch.setattr(views, "COUNT_CAP", 3)
    body = table(analyst_client, length=2)
    assert (body["recordsFiltered"], body["recordsTotal"], body["capped"]) == (3, 3, True)
    assert len(body["data"]) == 2
    body = table(analyst_client, **{"search[value]": "lamp"})
    assert (body["recordsFiltered"], body["capped"], body["totalCapped"]) == (2, False, True)


@pytest.mark.parametrize(("params", "field"), [
    ({"draw": "x"}, "draw"),
    ({"start": "-1"}, "start"),
    ({"length": "ten"}, "length"),
    ({"order[0][column]": PRODUCT}, "order[0][column]"),
    ({"order[0][column]": 99}, "order[0][column]"),
    ({"order[0][column]": TOTAL, "order[0][dir]": "sideways"}, "order[0][dir]"),
    ({"product": "99999"}, "product"),
    ({"channel": "fax"}, "channel"),
    ({"search[value]": "x" * 101}, "search"),
])
def test_bad_parameters_are_a_400_naming_the_field(analyst_client, sales, params, field):
    response = analyst_client.get(URL, params)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert field in response.json()["error"]


def test_a_bad_date_is_a_400_with_the_filter_message(analyst_client, sales):
    response = analyst_client.get(URL, {"date_from": "2025-02-30"})
    assert response.status_code == 400
    assert response.json() == {"error": "From: Enter a valid date."}


def test_sale_page(analyst_client, sales):
    sale = sales["rows"][2]
    response = analyst_client.get(sale.get_absolute_url())
    assert response.status_code == 200 and response.context["sale"] == sale
    page = response.content.decode()
    assert "Headphones" in page and "Ana Lima" in page
    assert f'href="/sales/?product={sales["phones"].pk}"' in page


def test_a_page_costs_the_same_queries_whatever_its_length(analyst_client, sales):
    """Each row names its product and customer: loaded once per page, not once per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(length):
        with CaptureQueriesContext(connection) as captured:
            assert len(table(analyst_client, length=length)["data"]) == length
        return len(captured)

    assert queries(4) == queries(1)
