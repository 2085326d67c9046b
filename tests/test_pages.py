"""The analyst's pages: access, the filter bar, and the dashboard's figures against a hand-made shop."""

import datetime as dt
import json
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from accounts.tests.factories import CustomerFactory
from analytics.rollups import rollups_rebuild
from catalog.tests.factories import ProductFactory
from core import pages as views
from feedback.tests.factories import FeedbackFactory
from sales.models import Sale
from sales.tests.factories import SaleFactory

UTC = dt.timezone.utc
MARCH = {"date_from": "2025-03-01", "date_to": "2025-03-31"}


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def figure_json(response, script_id: str):
    """The JSON a page rendered with json_script for one chart."""
    match = re.search(rf'<script id="{re.escape(script_id)}" type="application/json">(.*?)</script>',
                      response.content.decode())
    assert match, f"no json_script {script_id}"
    return json.loads(match.group(1))


@pytest.fixture
def shop(db):
    """Two products, two customers, five sales (one refunded, one in February) and three ratings.

    March 2025 by hand: completed sales 2×20 + 1×50 + 3×50 = 240.00 over 3 orders and 6 units,
    2 buyers, 1 customer joined (Bruno, 2 March), ratings 5 and 3 (average 4.0).
    February (the previous 31 days, 29 Jan – 28 Feb): one sale of 20.00, one rating of 2.
    """
    lamp = ProductFactory(name="Desk Lamp", category="Home & Kitchen", price=Decimal("20.00"))
    phones = ProductFactory(name="Headphones", category="Electronics", price=Decimal("50.00"))
    ana = CustomerFactory(name="Ana Lima", city="Lisbon", country="PT", joined_at=at("2025-01-10"))
    bruno = CustomerFactory(name="Bruno Kraus", city="Berlin", country="DE", joined_at=at("2025-03-02", 9))
    SaleFactory(customer=ana, product=lamp, quantity=2, sold_at=at("2025-03-03"))
    SaleFactory(customer=bruno, product=phones, quantity=1, sold_at=at("2025-03-10"))
    SaleFactory(customer=ana, product=phones, quantity=3, sold_at=at("2025-03-20"))
    SaleFactory(customer=bruno, product=lamp, quantity=1, sold_at=at("2025-03-25"),
                status=Sale.Status.REFUNDED)
    SaleFactory(customer=ana, product=lamp, quantity=1, sold_at=at("2025-02-20"))
    FeedbackFactory(customer=ana, product=lamp, rating=5, created_at=at("2025-03-05"))
    FeedbackFactory(customer=bruno, product=phones, rating=3, created_at=at("2025-03-12"))
    FeedbackFactory(customer=bruno, product=phones, rating=2, created_at=at("2025-02-25"))
    rollups_rebuild()  # factories write rows directly; the services would keep the rollups current
    return {"lamp": lamp, "phones": phones, "ana": ana, "bruno": bruno}


def kpis_of(response) -> dict:
    return {card["key"]: card for card in response.context["kpi_cards"]}


# --- Access ------------------------------------------------------------------------------------

PAGES = ["/", "/users/", "/products/", "/sales/", "/feedback/",
         "/users/table/", "/products/table/", "/sales/table/", "/feedback/table/"]


@pytest.mark.access
@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.access
@pytest.mark.parametrize("url", PAGES)
def test_a_login_that_is_neither_analyst_nor_staff_gets_the_403_page(client, plain_user, url):
    client.force_login(plain_user)
    response = client.get(url)
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "analysts" in page
    assert 'aria-label="Main"' not in page  # no navigation to pages that would all refuse them


@pytest.mark.access
@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["analyst_client", "staff_client"])
def test_analysts_and_staff_read_every_page(request, shop, url, who):
    response = request.getfixturevalue(who).get(url)
    assert response.status_code == 200


@pytest.mark.access
@pytest.mark.parametrize("record", ["lamp", "ana"])
def test_record_pages_need_a_reader_too(client, plain_user, shop, record):
    url = shop[record].get_absolute_url()
    assert client.get(url).status_code == 302
    client.force_login(plain_user)
    assert client.get(url).status_code == 403


def test_login_form_signs_in_and_returns_to_the_page_asked_for(client, analyst_user):
    page = client.get("/login/?next=/sales/")
    assert page.status_code == 200
    assert 'name="next" value="/sales/"' in page.content.decode()
    response = client.post("/login/", {"username": "ana", "password": "analyst-pass-123", "next": "/sales/"})
    assert response.status_code == 302 and response["Location"] == "/sales/"


def test_a_wrong_password_shows_a_message_on_the_login_page(client, analyst_user):
    response = client.post("/login/", {"username": "ana", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


def test_logout_is_a_post_form_in_the_navigation(analyst_client, shop):
    page = analyst_client.get("/").content.decode()
    assert re.search(
        r'<form method="post" action="/logout/">\s*<input type="hidden" name="csrfmiddlewaretoken"', page
    )
    assert analyst_client.get("/logout/").status_code == 405
    response = analyst_client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert analyst_client.get("/").status_code == 302


def test_navigation_links_every_page_and_marks_the_current_one(analyst_client, shop):
    page = analyst_client.get("/sales/").content.decode()
    for url in ("/", "/users/", "/products/", "/sales/", "/feedback/", "/search/"):
        assert f'href="{url}"' in page
    assert '<a href="/sales/" aria-current="page">Sales</a>' in page


def test_kibana_link_only_when_configured(analyst_client, shop, settings):
    settings.KIBANA_URL = ""
    assert "Kibana" not in analyst_client.get("/").content.decode()
    settings.KIBANA_URL = "https://kibana.example.com"
    assert 'href="https://kibana.example.com"' in analyst_client.get("/").content.decode()


@pytest.mark.parametrize("url", ["/users/99999/", "/products/99999/", "/sales/99999/", "/feedback/99999/",
                                 "/users/not-an-id/", "/sales/0x1/"])
def test_unknown_records_are_the_404_page(analyst_client, db, url):
    response = analyst_client.get(url)
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]


def test_the_500_page_renders_without_a_request(db):
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert "Something went wrong" in html and "/static/app/app.css" in html


# --- Filter bar --------------------------------------------------------------------------------


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: dt.date(2025, 3, 31))


def test_presets_are_links_that_keep_the_category(analyst_client, shop, fixed_today):
    response = analyst_client.get("/", {"category": "Electronics"})
    presets = {p["key"]: p["query"] for p in response.context["presets"]}
    assert presets["7d"] == "date_from=2025-03-25&date_to=2025-03-31&category=Electronics"
    assert presets["30d"] == "date_from=2025-03-02&date_to=2025-03-31&category=Electronics"
    assert presets["90d"] == "date_from=2025-01-01&date_to=2025-03-31&category=Electronics"
    assert presets["12m"] == "date_from=2024-04-01&date_to=2025-03-31&category=Electronics"
    assert presets["all"] == "category=Electronics"
    link = 'href="/?date_from=2025-03-25&amp;date_to=2025-03-31&amp;category=Electronics"'
    assert link in response.content.decode()


@pytest.mark.parametrize(("params", "active"), [
    ({}, "all"),
    ({"date_from": "2025-03-25", "date_to": "2025-03-31"}, "7d"),
    ({"date_from": "2025-01-01", "date_to": "2025-03-31"}, "90d"),
    ({"date_from": "2025-03-02", "date_to": "2025-03-09"}, "custom"),
    ({"date_from": "2025-03-02"}, "custom"),
])
def test_the_active_preset_follows_the_dates_in_the_url(analyst_client, shop, fixed_today, params, active):
    assert analyst_client.get("/", params).context["active_preset"] == active


def test_category_choices_come_from_the_catalog(analyst_client, shop):
    page = analyst_client.get("/", {"category": "Electronics"}).content.decode()
    assert '<option value="Electronics" selected>Electronics</option>' in page
    assert '<option value="Home &amp; Kitchen">Home &amp; Kitchen</option>' in page


@pytest.mark.parametrize("url", ["/", "/users/", "/products/", "/sales/", "/feedback/"])
@pytest.mark.parametrize(("params", "message"), [
    ({"date_from": "2025-13-01"}, "From: Enter a valid date."),
    ({"date_from": "2025-03-31", "date_to": "2025-03-01"}, "To: date_from must be on or before date_to."),
    ({"category": "x" * 101}, "Category: Ensure this value has at most 100 characters (it has 101)."),
])
def test_a_bad_filter_is_a_message_not_an_error(analyst_client, shop, url, params, message):
    response = analyst_client.get(url, params)
    assert response.status_code == 200
    errors = response.context["filters"].errors
    assert errors == [message, views.FILTER_IGNORED]
    assert message in response.content.decode()


def test_a_bad_page_filter_is_dropped_with_a_message(analyst_client, shop):
    response = analyst_client.get("/sales/", {"product": "99999", "date_from": "2025-03-01"})
    assert response.status_code == 200
    filters = response.context["filters"]
    assert filters.extra == {}
    assert filters.params() == {"date_from": "2025-03-01"}
    # SQLite: "Select a valid choice…"; MongoDB: "“99999” is not a valid Object Id."
    assert any(e.startswith("product: ") and ("Select a valid choice" in e or "99999" in e)
               for e in filters.errors)


def test_page_filters_show_as_removable_chips(analyst_client, shop):
    lamp = shop["lamp"]
    params = {"product": lamp.pk, "channel": "web", "date_from": "2025-03-01"}
    response = analyst_client.get("/sales/", params)
    chips = {c["label"]: c for c in response.context["extra_chips"]}
    assert chips["Product"]["value"] == "Desk Lamp"
    assert chips["Channel"]["value"] == "Web"
    assert chips["Product"]["remove_query"] == "date_from=2025-03-01&channel=web"
    # The filter form carries them on when the dates change.
    assert f'<input type="hidden" name="product" value="{lamp.pk}">' in response.content.decode()


# --- Dashboard figures -------------------------------------------------------------------------


def test_dashboard_kpis_match_the_hand_computed_month(analyst_client, shop):
    cards = kpis_of(analyst_client.get("/", MARCH))
    expected = {
        # key: (value, previous, change %)
        "revenue": (240.0, 20.0, 1100.0),
        "orders": (3, 1, 200.0),
        "units": (6, 1, 500.0),
        "average_order_value": (80.0, 20.0, 300.0),
        "active_customers": (2, 1, 100.0),
        "new_customers": (1, 0, None),
        "average_rating": (4.0, 2.0, 100.0),
    }
    assert {k: (c["value"], c["previous"], c["change"]) for k, c in cards.items()} == expected


def test_dashboard_renders_kpis_for_the_page_script_to_format(analyst_client, shop):
    page = analyst_client.get("/", MARCH).content.decode()
    revenue = re.search(r'data-kpi="revenue">(.*?)</article>', page, re.S).group(1)
    assert 'data-format="money" data-value="240.0"' in revenue
    assert 'data-format="change" data-value="1100.0"' in revenue
    assert "Compared with 29 Jan 2025 – 28 Feb 2025" in page


def test_dashboard_charts_hold_exactly_what_the_api_returns(analyst_client, shop):
    response = analyst_client.get("/", {**MARCH, "category": "Electronics"})
    for name, script_id in [
        ("revenue_over_time", "fig-revenue_over_time"), ("revenue_by_category", "fig-revenue_by_category"),
        ("top_products", "fig-top_products"), ("rating_distribution", "fig-rating_distribution"),
        ("average_rating_over_time", "fig-average_rating_over_time"),
        ("new_customers_over_time", "fig-new_customers_over_time"), ("sales_by_city", "fig-sales_by_city"),
        ("quantity_vs_rating", "fig-quantity_vs_rating"), ("customer_map", "fig-customer_map"),
    ]:
        api = analyst_client.get(f"/api/analytics/{name}/", {**MARCH, "category": "Electronics"})
        assert api.status_code == 200
        assert figure_json(response, script_id) == api.json(), name


def test_dashboard_figures_by_hand(analyst_client, shop):
    response = analyst_client.get("/", MARCH)
    by_category = figure_json(response, "fig-revenue_by_category")["rows"]
    assert [(r["category"], r["revenue"], r["orders"], r["units"]) for r in by_category] == [
        ("Electronics", 200.0, 2, 4), ("Home & Kitchen", 40.0, 1, 2),
    ]
    top = figure_json(response, "fig-top_products")
    by_revenue = [(r["name"], r["revenue"]) for r in top["by_revenue"]]
    assert by_revenue == [("Headphones", 200.0), ("Desk Lamp", 40.0)]
    assert [(r["name"], r["units"]) for r in top["by_units"]] == [("Headphones", 4), ("Desk Lamp", 2)]
    ratings = figure_json(response, "fig-rating_distribution")["rows"]
    assert [r["count"] for r in ratings] == [0, 0, 1, 0, 1]
    over_time = figure_json(response, "fig-revenue_over_time")
    assert over_time["bucket"] == "day" and len(over_time["points"]) == 31
    assert {p["period"]: p["revenue"] for p in over_time["points"] if p["revenue"]} == {
        "2025-03-03": 40.0, "2025-03-10": 50.0, "2025-03-20": 150.0,
    }
    cities = figure_json(response, "fig-sales_by_city")["rows"]
    assert [(r["city"], r["revenue"]) for r in cities] == [("Lisbon", 190.0), ("Berlin", 50.0)]


def test_dashboard_with_a_category_narrows_sales_and_feedback(analyst_client, shop):
    cards = kpis_of(analyst_client.get("/", {**MARCH, "category": "Home & Kitchen"}))
    values = (cards["revenue"]["value"], cards["orders"]["value"], cards["average_rating"]["value"])
    assert values == (40.0, 1, 5.0)
    # Customers have no category: new customers say so on the card.
    assert cards["new_customers"]["category_applied"] is False


def test_dashboard_for_a_range_with_one_sale(analyst_client, shop):
    response = analyst_client.get("/", {"date_from": "2025-03-10", "date_to": "2025-03-10"})
    cards = kpis_of(response)
    assert (cards["revenue"]["value"], cards["orders"]["value"], cards["units"]["value"]) == (50.0, 1, 1)
    assert cards["average_order_value"]["value"] == 50.0
    assert (cards["revenue"]["previous"], cards["revenue"]["change"]) == (0.0, None)
    assert figure_json(response, "fig-revenue_over_time")["points"] == [
        {"period": "2025-03-10", "revenue": 50.0, "orders": 1, "units": 1}
    ]


def test_dashboard_for_an_empty_range_shows_empty_states(analyst_client, shop):
    response = analyst_client.get("/", {"date_from": "2024-06-01", "date_to": "2024-06-30"})
    assert response.status_code == 200
    cards = kpis_of(response)
    assert (cards["revenue"]["value"], cards["orders"]["value"]) == (0.0, 0)
    assert cards["average_order_value"]["value"] is None and cards["average_rating"]["value"] is None
    assert figure_json(response, "fig-revenue_by_category") == {"rows": []}
    page = response.content.decode()
    assert page.count('class="empty-state" hidden') == 10  # one per chart card, shown by the script
    assert "No sales in this range" in page


def test_dashboard_drill_down_links_carry_the_range(analyst_client, shop):
    response = analyst_client.get("/", {**MARCH, "category": "Electronics"})
    drill = figure_json(response, "drill-links")
    assert drill["category"] == "/sales/?date_from=2025-03-01&date_to=2025-03-31"
    assert drill["product"] == "/products/{id}/?date_from=2025-03-01&date_to=2025-03-31"
    assert drill["city"] == "/users/"


def test_dashboard_without_dates_compares_nothing(analyst_client, shop):
    response = analyst_client.get("/")
    cards = kpis_of(response)
    assert cards["revenue"]["value"] == 260.0 and cards["revenue"]["change"] is None
    assert "Choose a bounded date range" in response.content.decode()


# --- Record pages ------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "figure", "script_id", "table_id"), [
    ("/users/", "customers_per_city", "fig-customers_per_city", "users-table-config"),
    ("/products/", "price_spread_by_category", "fig-price_spread_by_category", "products-table-config"),
    ("/sales/", "units_revenue_per_month", "fig-units_revenue_per_month", "sales-table-config"),
    ("/feedback/", "feedback_per_month", "fig-feedback_per_month", "feedback-table-config"),
])
def test_record_pages_chart_the_api_figure_and_configure_a_server_side_table(
    analyst_client, shop, url, figure, script_id, table_id
):
    response = analyst_client.get(url, MARCH)
    assert figure_json(response, script_id) == analyst_client.get(f"/api/analytics/{figure}/", MARCH).json()
    config = figure_json(response, table_id)
    assert config["url"] == f"{url}table/"
    # No rows in the page: the table asks the server for each page.
    assert "<tbody></tbody>" in response.content.decode()


@pytest.mark.parametrize(("url", "figure", "script_id", "query"), [
    ("/users/", "customer_map", "fig-customer_map", MARCH),
    ("/users/", "customer_map", "fig-customer_map-cities", MARCH),
    ("/products/", "products_per_category", "fig-products_per_category", {"category": "Electronics"}),
    ("/products/", "average_rating_per_product", "fig-average_rating_per_product",
     {**MARCH, "category": "Electronics"}),
])
def test_record_pages_more_charts_hold_the_api_figure(analyst_client, shop, url, figure, script_id, query):
    response = analyst_client.get(url, query)
    expected = analyst_client.get(f"/api/analytics/{figure}/", query).json()
    assert figure_json(response, script_id) == expected
    assert expected[next(iter(expected))], expected  # the shop has something to draw


def test_users_page_map_ignores_the_category_the_page_has_not(analyst_client, shop):
    """Customers have no category: the users page drops it, so its map shows every category's sales."""
    response = analyst_client.get("/users/", {**MARCH, "category": "Electronics"})
    everything = analyst_client.get("/api/analytics/customer_map/", MARCH).json()
    assert figure_json(response, "fig-customer_map") == everything
    html = response.content.decode()
    assert 'data-link="/users/"' in html and "countries-110m.json" in html
    assert "chartjs-chart-geo-4.3.6/index.umd.min.js" in html


def test_record_page_figures_by_hand(analyst_client, shop):
    two_months = {"date_from": "2025-02-01", "date_to": "2025-03-31"}
    sales = figure_json(analyst_client.get("/sales/", two_months), "fig-units_revenue_per_month")
    assert sales["points"] == [
        {"period": "2025-02-01", "units": 1, "revenue": 20.0},
        {"period": "2025-03-01", "units": 6, "revenue": 240.0},
    ]
    feedback = figure_json(analyst_client.get("/feedback/", two_months), "fig-feedback_per_month")
    assert [(p["count"], p["average_rating"]) for p in feedback["points"]] == [(1, 2.0), (2, 4.0)]
    users = figure_json(analyst_client.get("/users/"), "fig-customers_per_city")
    assert {(r["city"], r["count"]) for r in users["rows"]} == {("Lisbon", 1), ("Berlin", 1)}


@pytest.mark.parametrize(("url", "api", "carried"), [
    # Only what each list's API takes: customers have no category, products no dates (yet).
    ("/users/", "/api/users/", MARCH),
    ("/products/", "/api/products/", {"category": "Electronics"}),
    ("/sales/", "/api/sales/", {**MARCH, "category": "Electronics"}),
    ("/feedback/", "/api/feedback/", {**MARCH, "category": "Electronics"}),
])
def test_csv_button_exports_the_same_filters(analyst_client, shop, url, api, carried):
    response = analyst_client.get(url, {**MARCH, "category": "Electronics"})
    config = figure_json(response, url.strip("/") + "-table-config")
    assert (config["csv_url"], config["params"]) == (api, carried)
    href = response.context["table"]["csv_href"]
    assert href == f"{api}?" + urlencode({**carried, "format": "csv"})
    # The API answers the link (it refuses parameters it does not know).
    export = analyst_client.get(href)
    assert export.status_code == 200, export.content
    assert export["Content-Type"].startswith("text/csv")


def test_product_page_shows_its_totals_trends_and_tables(analyst_client, shop):
    lamp = shop["lamp"]
    response = analyst_client.get(lamp.get_absolute_url(), MARCH)
    summary = response.context["summary"]
    assert summary["totals"] == {
        "revenue": 40.0, "orders": 1, "units": 2, "feedback": 1, "average_rating": 5.0,
    }
    assert figure_json(response, "fig-product-sales") == summary["sales"]
    assert figure_json(response, "fig-product-ratings") == summary["ratings"]
    sales = figure_json(response, "product-sales-table-config")
    assert sales["params"] == {**MARCH, "product": str(lamp.pk)}
    feedback = figure_json(response, "product-feedback-table-config")
    assert feedback["params"] == {**MARCH, "product": str(lamp.pk)} and feedback["page_length"] == 10


def test_customer_page_shows_their_orders_and_feedback(analyst_client, shop):
    bruno = shop["bruno"]
    response = analyst_client.get(bruno.get_absolute_url(), MARCH)
    summary = response.context["summary"]
    assert (summary["orders"], summary["revenue"], summary["refunded"]) == (1, 50.0, 1)
    for table_id in ("customer-orders-table-config", "customer-feedback-table-config"):
        assert figure_json(response, table_id)["params"] == {**MARCH, "customer": str(bruno.pk)}


def test_sale_and_feedback_pages_link_their_product_and_customer(analyst_client, shop):
    sale = Sale.objects.get(quantity=3)
    page = analyst_client.get(sale.get_absolute_url()).content.decode()
    assert f'href="{shop["phones"].get_absolute_url()}"' in page
    assert f'href="{shop["ana"].get_absolute_url()}"' in page
    assert 'data-value="150.00"' in page
    feedback = shop["lamp"].feedback.get()
    page = analyst_client.get(feedback.get_absolute_url()).content.decode()
    assert f'href="{shop["lamp"].get_absolute_url()}"' in page and "5 of 5" in page

