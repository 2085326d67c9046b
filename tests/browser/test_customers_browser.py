"""The cohorts and segments pages in a real browser: the heat map is drawn (cells tinted by value),
the retention curves show what the API returns, a cell opens its customers, a segment opens its own,
and a customer's page names their segment."""

import pytest

from tests.browser.conftest import login, screenshot, shop  # noqa: F401 (the fixture)
from tests.browser.test_pages_browser import api_figure, table_rows, wait_for_charts, wait_for_table

pytestmark = pytest.mark.browser

CURVES = """() => {
  const chart = Chart.getChart(document.querySelector('[data-chart="cohort_retention"] canvas'));
  return { state: document.querySelector('[data-chart="cohort_retention"]').dataset.state,
           labels: chart.data.datasets.map(d => d.label), data: chart.data.datasets.map(d => d.data) };
}"""
TINTED = """() => [...document.querySelectorAll('[data-heatmap] td.heat')].map(td => ({
  value: Number(td.dataset.value), colour: getComputedStyle(td).backgroundColor,
  cohort: td.dataset.cohort, month: td.dataset.month, week: td.dataset.week }))"""


def test_heat_map_drawn_and_a_cell_opens_its_customers(page, live_server, analyst, shop):
    login(page, live_server, next_path="/users/cohorts/")
    wait_for_charts(page)
    curves = page.evaluate(CURVES)
    figure = api_figure(page, live_server, "cohort_retention", "")
    assert curves["state"] == "drawn"
    assert curves["labels"] == [c["cohort"] for c in figure["cohorts"]]
    assert curves["data"] == [[cell["retention"] for cell in c["cells"]] for c in figure["cohorts"]]
    cells = page.evaluate(TINTED)
    assert len(cells) == sum(len(c["cells"]) for c in figure["cohorts"])
    assert {c["colour"] for c in cells if c["value"]} - {"rgba(0, 0, 0, 0)"}, "tinted cells"
    assert all(c["colour"] == "rgba(59, 111, 216, 0)" for c in cells if not c["value"])
    screenshot(page, "cohorts")
    # A later month with buyers: the customers who came back then.
    target = next(c for c in cells if c["value"] and c["month"] != c["cohort"])
    expected = api_figure(page, live_server, "cohort_customers",
                          f"cohort={target['cohort']}&month={target['month']}")["results"]
    assert expected
    page.locator(f'td[data-cohort="{target["cohort"]}"][data-month="{target["month"]}"] a').click()
    page.wait_for_url(lambda url: "/users/cohorts/customers/" in url)
    wait_for_table(page, "cohort-customers-table")
    assert sorted(row[0] for row in table_rows(page, "cohort-customers-table")) == sorted(
        c["name"] for c in expected)


def test_segments_page_opens_a_segments_customers(page, live_server, analyst, shop):
    login(page, live_server, next_path="/users/segments/")
    figure = api_figure(page, live_server, "rfm_segments", "")
    shown = {
        row.get_attribute("data-segment"): int(row.locator("td").first.inner_text())
        for row in page.locator("[data-segments] tbody tr").all()
    }
    assert shown == {s["segment"]: s["customers"] for s in figure["segments"]}
    name = next(s["segment"] for s in figure["segments"] if s["customers"])
    page.locator(f'[data-segments] tr[data-segment="{name}"] a').click()
    page.wait_for_url(lambda url: "/users/segments/customers/" in url)
    wait_for_table(page, "segment-customers-table")
    names = sorted(row[0] for row in table_rows(page, "segment-customers-table"))
    expected = api_figure(page, live_server, "segment_customers", f"segment={name}")["results"]
    assert names == sorted(c["name"] for c in expected) and names
    page.get_by_role("link", name=names[0]).click()
    page.wait_for_url(lambda url: "/users/" in url and "segments" not in url)
    assert page.locator("[data-customer-segment]").inner_text().startswith(f"RFM segment: {name}")
    screenshot(page, "segments-customer")


def test_cohort_channel_is_in_the_main_filter_bar(page, live_server, analyst, shop):
    login(page, live_server, next_path="/users/cohorts/?category=Home+%26+Kitchen")
    assert page.locator("form.filterbar").count() == 1
    select = page.locator("[data-filter-bar] select#filter-channel")
    channel = select.locator("option").nth(1).get_attribute("value")
    select.select_option(channel)  # submits with the rest of the bar: the category stays
    page.wait_for_url(lambda url: f"channel={channel}" in url and "category=Home" in url)
    figure = api_figure(page, live_server, "cohort_retention", f"category=Home+%26+Kitchen&channel={channel}")
    cells = page.evaluate(TINTED)
    assert [(c["cohort"], c["month"], c["value"]) for c in cells] == [
        (c["cohort"], cell["month"], cell["retention"]) for c in figure["cohorts"] for cell in c["cells"]]
    assert all(f"channel={channel}" in a.get_attribute("href") for a in page.locator("[data-preset][href]").all())
    csv = page.request.get(live_server.url + page.locator("[data-csv]").get_attribute("href"))
    assert csv.ok and csv.text().splitlines()[0].startswith("cohort,cohort_customers,offset,month")
    assert len(csv.text().splitlines()) == 1 + len(cells)
    # Cohorts by ISO week: the heat map and the curves follow, the category and channel stay.
    page.locator("[data-filter-bar] select#filter-period").select_option("week")
    page.wait_for_url(lambda url: "period=week" in url and f"channel={channel}" in url and "category=Home" in url)
    wait_for_charts(page)
    weekly = api_figure(page, live_server, "cohort_retention",
                        f"category=Home+%26+Kitchen&channel={channel}&period=week")
    cells = page.evaluate(TINTED)
    assert cells and [(c["cohort"], c["week"], c["value"]) for c in cells] == [
        (c["cohort"], cell["week"], cell["retention"]) for c in weekly["cohorts"] for cell in c["cells"]]
    assert all("-W" in c["cohort"] for c in cells)
    assert {c["colour"] for c in cells if c["value"]} - {"rgba(0, 0, 0, 0)"}, "tinted cells"
    curves = page.evaluate(CURVES)
    assert curves["state"] == "drawn" and curves["labels"] == [c["cohort"] for c in weekly["cohorts"]][-12:]
    assert page.get_by_role("heading", name="Weeks since the first purchase").is_visible()


def test_a_movement_cell_opens_the_customers_who_moved(page, live_server, analyst, shop):
    import datetime as dt

    end = dt.date.today()
    start = end - dt.timedelta(days=29)
    query = f"date_from={start.isoformat()}&date_to={end.isoformat()}"
    login(page, live_server, next_path=f"/users/segments/?{query}")
    movement = api_figure(page, live_server, "segment_movement", query)
    links = page.locator("[data-movement] td a")
    shown = {(link.locator("xpath=ancestor::tr").get_attribute("data-from"),
              link.locator("xpath=ancestor::td").get_attribute("data-to")): int(link.inner_text())
             for link in links.all()}
    assert shown == {(row["from"], to): n for row in movement["rows"] for to, n in row["to"].items() if n}
    moved, count = next((cell, n) for cell, n in shown.items() if cell[0] != "Not yet a customer")
    page.locator(f'[data-movement] tr[data-from="{moved[0]}"] td[data-to="{moved[1]}"] a').click()
    page.wait_for_url(lambda url: "/users/segments/customers/" in url and "moved_from=" in url)
    wait_for_table(page, "segment-customers-table")
    names = sorted(row[0] for row in table_rows(page, "segment-customers-table"))
    params = page.url.split("?", 1)[1]
    expected = api_figure(page, live_server, "segment_customers", params)["results"]
    assert names == sorted(c["name"] for c in expected) and len(names) == count
    assert page.locator("h1").inner_text() == f"{moved[0]} → {moved[1]}"
    screenshot(page, "segment-movers")
