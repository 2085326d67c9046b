"""The analyst's pages in a real Chromium: sign in, read the charts, page and sort, filter, drill down,
download. Each chart's drawn data is compared with /api/analytics/<figure>/ fetched in the same session."""

import csv
import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from django.utils import timezone

from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_PAGES = ["/users/", "/products/", "/sales/", "/feedback/"]
RECORD_PAGE_CHARTS = {"/users/": 3, "/products/": 3, "/sales/": 1, "/feedback/": 1}


def city(row: dict) -> str:
    return f"{row['city']} ({row['country']})"


# What each chart must draw, computed from the API's JSON for its figure:
# renderer → (figure, [expected data of each dataset], expected labels or None).
EXPECTED = {
    "revenue_over_time": ("revenue_over_time", lambda d: (
        [[p["revenue"] for p in d["points"]], [p["orders"] for p in d["points"]]],
        [p["period"] for p in d["points"]])),
    "units_revenue_per_month": ("units_revenue_per_month", lambda d: (
        [[p["revenue"] for p in d["points"]], [p["units"] for p in d["points"]]],
        [p["period"] for p in d["points"]])),
    "revenue_by_category": ("revenue_by_category", lambda d: (
        [[r["revenue"] for r in d["rows"]]], [r["category"] for r in d["rows"]])),
    "top_products_by_revenue": ("top_products", lambda d: (
        [[r["revenue"] for r in d["by_revenue"]]], [r["name"] for r in d["by_revenue"]])),
    "top_products_by_units": ("top_products", lambda d: (
        [[r["units"] for r in d["by_units"]]], [r["name"] for r in d["by_units"]])),
    "rating_distribution": ("rating_distribution", lambda d: (
        [[r["count"] for r in d["rows"]]], [r["rating"] for r in d["rows"]])),
    "average_rating_over_time": ("average_rating_over_time", lambda d: (
        [[p["average_rating"] for p in d["points"]]], [p["period"] for p in d["points"]])),
    "new_customers_over_time": ("new_customers_over_time", lambda d: (
        [[p["count"] for p in d["points"]]], [p["period"] for p in d["points"]])),
    "sales_by_city": ("sales_by_city", lambda d: (
        [[r["revenue"] for r in d["rows"]]], [city(r) for r in d["rows"]])),
    "customers_per_city": ("customers_per_city", lambda d: (
        [[r["count"] for r in d["rows"]]], [city(r) for r in d["rows"]])),
    "quantity_vs_rating": ("quantity_vs_rating", lambda d: (
        [[{"x": p["units"], "y": p["average_rating"]} for p in d["points"]]], None)),
    "price_spread_by_category": ("price_spread_by_category", lambda d: (
        [[[r["min"], r["max"]] for r in d["rows"]], [[r["q1"], r["q3"]] for r in d["rows"]],
         [r["median"] for r in d["rows"]]],
        [r["category"] for r in d["rows"]])),
    "feedback_per_month": ("feedback_per_month", lambda d: (
        [[p["average_rating"] for p in d["points"]], [p["count"] for p in d["points"]]],
        [p["period"] for p in d["points"]])),
    "products_per_category": ("products_per_category", lambda d: (
        [[r["products"] for r in d["rows"]]], [r["category"] for r in d["rows"]])),
    "average_rating_per_product": ("average_rating_per_product", lambda d: (
        [[r["average_rating"] for r in d["rows"]]], [r["name"] for r in d["rows"]])),
}
# Maps draw one measure (the card's data-metric): the countries that have some, and every city.
MAP_EXPECTED = {
    "customer_map_countries": lambda d, metric: ([sorted(
        ({"country": r["country"], "value": r[metric]}
         for r in d["countries"] if r["atlas_key"] and r[metric] > 0),
        key=lambda p: p["country"],
    )], None),
    "customer_map_cities": lambda d, metric: (
        [[{"city": r["city"], "country": r["country"], "value": r[metric], "latitude": r["latitude"],
           "longitude": r["longitude"]} for r in d["cities"]]],
        [city(r) for r in d["cities"]]),
}

READ_CHARTS = """() => [...document.querySelectorAll('[data-chart]')].map(card => {
  const chart = Chart.getChart(card.querySelector('canvas'));
  const type = chart ? chart.config.type : null;
  // A map's points carry GeoJSON; read what they show instead.
  const point = {
    choropleth: (p) => ({country: p.country, value: p.value}),
    bubbleMap: (p) => ({city: p.city, country: p.country, value: p.value, latitude: p.latitude,
                        longitude: p.longitude}),
  }[type];
  const shown = (data) => type === 'choropleth'
    ? data.filter(p => p.country && p.value !== null).map(point)
        .sort((a, b) => a.country < b.country ? -1 : 1)
    : point ? data.map(point) : data;
  // The revenue chart's forecast band and markers (static/app/trends.js) come after its actual periods.
  const cut = (xs) => card.dataset.actualLabels ? xs.slice(0, Number(card.dataset.actualLabels)) : xs;
  return {
    renderer: card.dataset.chart, figure: card.dataset.figure, state: card.dataset.state,
    metric: card.dataset.metric || null, type,
    emptyShown: !card.querySelector('.empty-state').hidden,
    labels: chart && type !== 'choropleth' ? cut(chart.data.labels) : null,
    datasets: chart ? chart.data.datasets.filter(ds => !ds.trends).map(ds => shown(cut(ds.data))) : null,
  };
})"""


def wait_for_charts(page) -> None:
    page.wait_for_function("() => [...document.querySelectorAll('[data-chart]')].every(c => c.dataset.state)")


def api_figure(page, live_server, figure: str, query: str) -> dict:
    response = page.request.get(f"{live_server.url}/api/analytics/{figure}/?{query}")
    assert response.ok, response.text()
    return response.json()


def assert_charts_match_api(page, live_server) -> list[dict]:
    """Every chart on the page drew what the API returns for the page's filters (or shows its empty state)."""
    wait_for_charts(page)
    query = urlparse(page.url).query
    filters = {k: v for k, v in parse_qs(query).items() if k in ("date_from", "date_to", "category")}
    charts = page.evaluate(READ_CHARTS)
    assert charts
    for chart in charts:
        if chart["renderer"] in MAP_EXPECTED:
            assert chart["figure"] == "customer_map"
            data = api_figure(page, live_server, "customer_map", urlencode(filters, doseq=True))
            datasets, labels = MAP_EXPECTED[chart["renderer"]](data, chart["metric"])
        else:
            figure, expected = EXPECTED[chart["renderer"]]
            assert figure == chart["figure"]
            datasets, labels = expected(api_figure(page, live_server, figure, urlencode(filters, doseq=True)))
        if chart["state"] == "empty":
            assert chart["emptyShown"]
            numbers = [v for data in datasets for v in data if not isinstance(v, (list, dict))]
            assert all(v in (0, None) for v in numbers), chart
            continue
        assert chart["state"] == "drawn"
        assert chart["datasets"] == datasets, chart["renderer"]
        if labels is not None:
            assert chart["labels"] == labels, chart["renderer"]
    return charts


def kpi_text(page, key: str) -> str:
    return page.locator(f'[data-kpi="{key}"] .kpi-value').inner_text()


def table_rows(page, table_id: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"#{table_id} tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))"
    )


def redraw(page, table_id: str, action) -> None:
    """Do ``action`` and wait until the server-side table has drawn its answer."""
    draws = int(page.get_attribute(f"#{table_id}", "data-draws") or 0)
    action()
    page.wait_for_function(
        f"() => Number(document.getElementById('{table_id}').dataset.draws || 0) > {draws}"
    )


def wait_for_table(page, table_id: str) -> None:
    page.wait_for_selector(f"#{table_id}[data-state=ready]")


def test_signs_in_and_every_page_draws_what_the_api_returns(page, live_server, analyst, shop):
    login(page, live_server)
    charts = assert_charts_match_api(page, live_server)
    assert {c["renderer"] for c in charts} == {
        "revenue_over_time", "revenue_by_category", "top_products_by_revenue", "top_products_by_units",
        "sales_by_city", "rating_distribution", "average_rating_over_time", "new_customers_over_time",
        "quantity_vs_rating", "customer_map_countries",
    }
    assert all(c["state"] == "drawn" for c in charts)
    # Seven KPI cards, formatted for a person (currency, thousands).
    assert kpi_text(page, "revenue") == "$474.00"
    assert kpi_text(page, "orders") == "35"
    screenshot(page, "dashboard")
    for path in RECORD_PAGES:
        page.goto(f"{live_server.url}{path}")
        charts = assert_charts_match_api(page, live_server)
        assert len(charts) == RECORD_PAGE_CHARTS[path]
        assert all(chart["state"] == "drawn" for chart in charts), charts
        table_id = path.strip("/") + "-table"
        wait_for_table(page, table_id)
        assert table_rows(page, table_id)
        screenshot(page, path.strip("/"))


def test_sales_table_pages_and_sorts_on_the_server(page, live_server, analyst, shop):
    login(page, live_server, next_path="/sales/")
    wait_for_table(page, "sales-table")
    rows = table_rows(page, "sales-table")
    assert len(rows) == 25
    assert rows[0][1] == "Headphones"  # newest first
    assert "Showing 1 to 25 of 35 entries" in page.locator(".dt-info").inner_text()

    with page.expect_request(re.compile(r"/sales/table/\?.*start=25")):
        redraw(page, "sales-table", lambda: page.locator(".dt-paging").get_by_text("2", exact=True).click())
    assert len(table_rows(page, "sales-table")) == 10
    assert "Showing 26 to 35 of 35 entries" in page.locator(".dt-info").inner_text()

    with page.expect_request(re.compile(r"order%5B0%5D%5Bcolumn%5D=6&order%5B0%5D%5Bdir%5D=asc")):
        redraw(page, "sales-table", lambda: page.locator("#sales-table thead th", has_text="Total").click())
    totals = [row[6] for row in table_rows(page, "sales-table")]
    assert totals[:2] == ["$8.00", "$8.00"] and len(totals) == 25
    redraw(page, "sales-table", lambda: page.locator("#sales-table thead th", has_text="Total").click())
    assert [row[6] for row in table_rows(page, "sales-table")][:3] == ["$100.00", "$50.00", "$40.00"]

    redraw(page, "sales-table", lambda: page.get_by_placeholder("Type to search…").fill("headphones"))
    assert [row[1] for row in table_rows(page, "sales-table")] == ["Headphones", "Headphones"]
    assert "filtered from 35 total entries" in page.locator(".dt-info").inner_text()
    screenshot(page, "sales-searched")


def test_changing_the_date_range_changes_the_figures(page, live_server, analyst, shop):
    login(page, live_server)
    wait_for_charts(page)
    assert kpi_text(page, "revenue") == "$474.00"
    page.get_by_role("link", name="7 days").click()
    page.wait_for_url(re.compile(r"date_from="))
    today = timezone.now().date()
    params = parse_qs(urlparse(page.url).query)
    week_ago = today - dt.timedelta(days=6)
    assert params == {"date_from": [week_ago.isoformat()], "date_to": [today.isoformat()]}
    assert kpi_text(page, "revenue") == "$90.00"
    assert kpi_text(page, "orders") == "2"
    charts = assert_charts_match_api(page, live_server)
    over_time = next(c for c in charts if c["renderer"] == "revenue_over_time")
    assert len(over_time["labels"]) == 7 and sum(over_time["datasets"][0]) == 90.0

    # A category narrows at once; a custom range waits for Apply.
    page.get_by_label("Category", exact=True).select_option("Electronics")
    page.wait_for_url(re.compile(r"category=Electronics"))
    assert kpi_text(page, "revenue") == "$50.00"
    page.get_by_label("From", exact=True).fill((today - dt.timedelta(days=29)).isoformat())
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"date_from=" + (today - dt.timedelta(days=29)).isoformat()))
    assert kpi_text(page, "revenue") == "$50.00"
    page.get_by_label("Category", exact=True).select_option("")
    page.wait_for_url(lambda url: "category" not in url)
    assert kpi_text(page, "revenue") == "$114.00"
    assert_charts_match_api(page, live_server)
    screenshot(page, "dashboard-30-days")


def click_bar(page, renderer: str, label: str) -> None:
    """Click the bar drawn for ``label`` in the chart drawn by ``renderer``."""
    card = page.locator(f'[data-chart="{renderer}"]')
    card.scroll_into_view_if_needed()
    point = page.evaluate(
        """([renderer, label]) => {
          const canvas = document.querySelector(`[data-chart="${renderer}"] canvas`);
          const chart = Chart.getChart(canvas);
          const bar = chart.getDatasetMeta(0).data[chart.data.labels.indexOf(label)];
          const box = canvas.getBoundingClientRect();
          return {x: box.left + (bar.x + bar.base) / 2, y: box.top + bar.y};
        }""",
        [renderer, label],
    )
    page.mouse.click(point["x"], point["y"])


def test_drill_down_from_a_category_to_its_sales_and_from_a_product_to_its_customer(
    page, live_server, analyst, shop
):
    login(page, live_server)
    page.get_by_role("link", name="30 days").click()
    page.wait_for_url(re.compile(r"date_from="))
    wait_for_charts(page)
    range_params = parse_qs(urlparse(page.url).query)

    click_bar(page, "revenue_by_category", "Home & Kitchen")
    page.wait_for_url(re.compile(r"/sales/\?"))
    assert parse_qs(urlparse(page.url).query) == {**range_params, "category": ["Home & Kitchen"]}
    wait_for_table(page, "sales-table")
    rows = table_rows(page, "sales-table")
    assert sorted(row[1] for row in rows) == ["Desk Lamp", "Mug"]
    assert {row[2] for row in rows} == {"Home & Kitchen"}

    page.go_back()
    wait_for_charts(page)
    click_bar(page, "top_products_by_revenue", "Headphones")
    page.wait_for_url(re.compile(rf"/products/{shop['phones'].pk}/\?"))
    assert page.locator("h1").inner_text() == "Headphones"
    assert page.locator('[data-stat="revenue"] .kpi-value').inner_text() == "$50.00"
    wait_for_table(page, "product-sales-table")
    page.locator("#product-sales-table").get_by_role("link", name="Ana Lima").click()
    page.wait_for_url(re.compile(rf"/users/{shop['ana'].pk}/"))
    assert page.locator("h1").inner_text() == "Ana Lima"
    wait_for_table(page, "customer-orders-table")
    assert [row[1] for row in table_rows(page, "customer-orders-table")] == ["Headphones"]
    screenshot(page, "customer")


def test_csv_download_holds_what_the_table_shows(page, live_server, analyst, shop):
    login(page, live_server, next_path="/sales/?category=Home+%26+Kitchen")
    wait_for_table(page, "sales-table")
    redraw(page, "sales-table", lambda: page.get_by_placeholder("Type to search…").fill("bruno"))
    redraw(page, "sales-table", lambda: page.locator("#sales-table thead th", has_text="Total").click())
    shown = [(row[1], row[3], row[6]) for row in table_rows(page, "sales-table")]
    assert shown == [("Desk Lamp", "Bruno Kraus", "$20.00"), ("Desk Lamp", "Bruno Kraus", "$40.00")]

    link = page.get_by_role("link", name="Download CSV")
    assert parse_qs(urlparse(link.get_attribute("href")).query) == {
        "category": ["Home & Kitchen"], "format": ["csv"], "search": ["bruno"], "ordering": ["total"],
    }
    with page.expect_download() as download_info:
        link.click()
    path = download_info.value.path()
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [(r["product_name"], r["customer_name"], r["total"]) for r in rows] == [
        ("Desk Lamp", "Bruno Kraus", "20.00"), ("Desk Lamp", "Bruno Kraus", "40.00"),
    ]


def test_readable_on_a_phone(phone_page, live_server, analyst, shop):
    login(phone_page, live_server)
    wait_for_charts(phone_page)
    for path in ["/", "/sales/"]:
        phone_page.goto(f"{live_server.url}{path}")
        wait_for_charts(phone_page)
        # Nothing wider than the screen: tables scroll inside their card.
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
        screenshot(phone_page, f"phone-{path.strip('/') or 'dashboard'}")


def map_point(page, renderer: str, *, match: dict | None = None, lonlat: tuple | None = None) -> dict:
    """Where on the screen the map drawn by ``renderer`` shows the point whose data has ``match``,
    or the place at ``lonlat`` (a spot well inside a country, which its centroid need not be)."""
    page.locator(f'[data-chart="{renderer}"]').scroll_into_view_if_needed()
    return page.evaluate(
        """([renderer, match, lonlat]) => {
          const canvas = document.querySelector(`[data-chart="${renderer}"] canvas`);
          const chart = Chart.getChart(canvas);
          let center;
          if (lonlat) {
            const [x, y] = chart.scales.projection.projection(lonlat);
            center = {x, y};
          } else {
            const index = chart.data.datasets[0].data
              .findIndex(p => Object.entries(match).every(([k, v]) => p[k] === v));
            center = chart.getDatasetMeta(0).data[index].getCenterPoint();
          }
          const box = canvas.getBoundingClientRect();
          return {x: box.left + center.x, y: box.top + center.y};
        }""",
        [renderer, match, list(lonlat) if lonlat else None],
    )


def test_customer_map_draws_the_customers_and_a_click_opens_those_there(page, live_server, analyst, shop):
    from accounts.tests.factories import CustomerFactory
    from analytics.rollups import rollups_rebuild

    # A third country, big enough on a world map to click without aiming.
    CustomerFactory(name="Dana Reed", city="Denver", country="US", latitude=39.74, longitude=-104.99,
                    joined_at=timezone.now() - dt.timedelta(days=100))
    rollups_rebuild()
    login(page, live_server, next_path="/users/")
    charts = {c["renderer"]: c for c in assert_charts_match_api(page, live_server)}
    countries = charts["customer_map_countries"]
    assert countries["type"] == "choropleth" and countries["metric"] == "customers"
    assert countries["datasets"] == [[
        {"country": "DE", "value": 1}, {"country": "PT", "value": 2}, {"country": "US", "value": 1},
    ]]
    assert charts["customer_map_cities"]["type"] == "bubbleMap"
    assert {p["city"] for p in charts["customer_map_cities"]["datasets"][0]} == {"Lisbon", "Berlin", "Denver"}
    # Every shape of the atlas is drawn (the outline), ours in colour.
    shapes = page.evaluate(
        "() => Chart.getChart(document.querySelector('[data-chart=customer_map_countries] canvas'))"
        ".data.labels.length"
    )
    assert shapes > 150
    screenshot(page, "users-map")

    # Revenue instead of customers: the same map, redrawn with the measure.
    page.locator('[data-chart="customer_map_countries"] [data-metric-choice="revenue"]').click()
    page.wait_for_function(
        "() => document.querySelector('[data-chart=customer_map_countries]').dataset.metric === 'revenue'"
    )
    charts = {c["renderer"]: c for c in assert_charts_match_api(page, live_server)}
    # Dana bought nothing.
    assert {p["country"] for p in charts["customer_map_countries"]["datasets"][0]} == {"DE", "PT"}

    point = map_point(page, "customer_map_countries", lonlat=(-100, 40))  # Kansas
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(re.compile(r"/users/\?country=US$"))
    wait_for_table(page, "users-table")
    assert [row[0] for row in table_rows(page, "users-table")] == ["Dana Reed"]

    page.go_back()
    wait_for_charts(page)
    point = map_point(page, "customer_map_cities", match={"city": "Lisbon"})
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(re.compile(r"/users/\?"))
    assert parse_qs(urlparse(page.url).query) == {"city": ["Lisbon"], "country": ["PT"]}
    wait_for_table(page, "users-table")
    assert sorted(row[0] for row in table_rows(page, "users-table")) == ["Ana Lima", "Carla Sousa"]


KPI_FIT = """() => [...document.querySelectorAll('[data-kpi]')].map(card => {
  const value = card.querySelector('.kpi-value');
  return {
    key: card.dataset.kpi, text: value.innerText, title: value.title,
    fits: value.scrollWidth <= value.clientWidth && card.scrollWidth <= card.clientWidth,
    titles: [...card.querySelectorAll('[data-format="money"], [data-format="count"]')]
      .filter(el => el.dataset.value !== '').map(el => el.title),
  };
})"""


def assert_kpis_fit(page) -> dict:
    cards = page.evaluate(KPI_FIT)
    assert len(cards) == 7
    for card in cards:
        assert card["fits"], card
        assert all(card["titles"]), card  # every money and count figure has its exact value in the title
    return {card["key"]: card for card in cards}


@pytest.mark.parametrize("width", [1280, 1920])
def test_kpi_values_fit_their_cards_with_the_exact_figure_in_the_title(
    chromium, live_server, analyst, shop, width
):
    from analytics.rollups import rollups_rebuild
    from catalog.tests.factories import ProductFactory
    from sales.tests.factories import SaleFactory
    from tests.browser.conftest import _open_page

    yacht = ProductFactory(name="Yacht", category="Sports", price="9918061.72")
    for days in (3, 40):  # in the last 30 days and the 30 before, so the value and "prev." are both large
        SaleFactory(
            product=yacht, customer=shop["bruno"], quantity=2,
            sold_at=timezone.now() - dt.timedelta(days=days),
        )
    rollups_rebuild()
    context, page, problems = _open_page(chromium, width=width, height=1000)
    try:
        login(page, live_server)
        cards = assert_kpis_fit(page)
        # 2 × 2 × 9,918,061.72 + 474.00, compact on the card and exact in its title (en-US Chromium).
        assert (cards["revenue"]["text"], cards["revenue"]["title"]) == ("$39.7M", "$39,672,720.88")
        assert (cards["orders"]["text"], cards["orders"]["title"]) == ("37", "37")
        screenshot(page, f"dashboard-kpis-{width}")

        page.get_by_role("link", name="30 days").click()
        page.wait_for_url(re.compile(r"date_from="))
        cards = assert_kpis_fit(page)
        assert (cards["revenue"]["text"], cards["revenue"]["title"]) == ("$19.8M", "$19,836,237.44")
        assert cards["average_order_value"]["title"] == "$4,959,059.36"  # 4 orders
        assert cards["average_order_value"]["text"].endswith("M")
        assert len(cards["revenue"]["titles"]) == 2  # the value and "prev."
        screenshot(page, f"dashboard-kpis-30-days-{width}")
    finally:
        context.close()
    assert problems == [], problems


def test_products_page_charts_open_a_category_and_a_product(page, live_server, analyst, shop):
    login(page, live_server, next_path="/products/")
    wait_for_charts(page)
    click_bar(page, "average_rating_per_product", "Desk Lamp")
    page.wait_for_url(re.compile(rf"/products/{shop['lamp'].pk}/"))
    assert page.locator("h1").inner_text() == "Desk Lamp"
    page.go_back()
    wait_for_charts(page)
    click_bar(page, "products_per_category", "Electronics")
    page.wait_for_url(re.compile(r"/products/\?category=Electronics$"))
    wait_for_table(page, "products-table")
    assert [row[1] for row in table_rows(page, "products-table")] == ["Headphones"]
