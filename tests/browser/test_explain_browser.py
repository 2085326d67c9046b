"""A KPI card's change opens "why it changed": the waterfall is drawn from the explain API's numbers,
the dimension picker redraws it, ratios show their rate and mix split, and compare=year is kept."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.browser.conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAWN = """() => {
  const chart = Chart.getChart(document.querySelector("[data-explain-chart]"));
  return {labels: chart.data.labels, bars: chart.data.datasets[0].data};
}"""


def open_breakdown(page, kpi: str) -> dict:
    page.locator(f'[data-kpi="{kpi}"] [data-explain]').click()
    page.wait_for_selector('[data-explain-dialog][open][data-state="drawn"]')
    return page.evaluate(DRAWN)


def test_a_kpi_change_opens_its_waterfall(page, live_server, analyst, shop):
    today = timezone.now().date()
    start = today - dt.timedelta(days=29)
    login(page, live_server, next_path=f"/?date_from={start.isoformat()}&date_to={today.isoformat()}")
    # Last 30 days 114.00 against 100.00 in the 30 before: Home & Kitchen +64.00, Electronics −50.00.
    drawn = open_breakdown(page, "revenue")
    assert drawn["labels"] == ["Previous", "Home & Kitchen", "Electronics", "Current"]
    assert drawn["bars"][0][1] == 100.0 and drawn["bars"][-1][1] == 114.0
    assert drawn["bars"][1][1] - drawn["bars"][1][0] == 64.0
    assert drawn["bars"][2][1] - drawn["bars"][2][0] == -50.0
    rows = page.locator("[data-explain-table] [data-explain-row]")
    assert rows.count() == 2
    assert "457.1%" in rows.nth(0).inner_text()  # 64 / 14 of the change
    assert page.locator("canvas[data-explain-chart]").is_visible()
    screenshot(page, "explain-revenue-category")

    page.get_by_label("Break down by").select_option("product")
    page.wait_for_function(
        "() => Chart.getChart(document.querySelector('[data-explain-chart]')).data.labels.includes('Mug')"
    )
    assert page.evaluate(DRAWN)["labels"] == ["Previous", "Desk Lamp", "Mug", "Headphones", "Current"]
    page.get_by_role("button", name="Close").click()
    assert not page.locator("[data-explain-dialog]").is_visible()

    # Average order value: 114.00 / 2 orders... split into rate and mix.
    open_breakdown(page, "average_order_value")
    split = page.locator("[data-explain-split]")
    assert split.is_visible() and "Rate effect" in split.inner_text() and "mix effect" in split.inner_text()
    page.get_by_role("button", name="Close").click()


def test_the_active_customers_card_opens_a_breakdown_by_place(page, live_server, analyst, shop):
    today = timezone.now().date()
    start = today - dt.timedelta(days=29)
    login(page, live_server, next_path=f"/?date_from={start.isoformat()}&date_to={today.isoformat()}")
    # Last 30 days Ana, Carla (Lisbon) and Bruno (Berlin) bought; in the 30 before only Ana.
    drawn = open_breakdown(page, "active_customers")
    options = page.get_by_label("Break down by").locator("option").all_inner_texts()
    assert options == ["Country", "City"]
    assert drawn["labels"] == ["Previous", "DE", "PT", "Current"]
    assert drawn["bars"][0][1] == 1 and drawn["bars"][-1][1] == 3
    page.get_by_label("Break down by").select_option("city")
    page.wait_for_function(
        "() => Chart.getChart(document.querySelector('[data-explain-chart]'))"
        ".data.labels.includes('Berlin, DE')"
    )
    assert page.evaluate(DRAWN)["labels"] == ["Previous", "Berlin, DE", "Lisbon, PT", "Current"]


def test_the_year_comparison_is_kept_and_used_by_the_cards(page, live_server, analyst, shop):
    today = timezone.now().date()
    start = today - dt.timedelta(days=6)
    login(page, live_server, next_path=f"/?date_from={start.isoformat()}&date_to={today.isoformat()}")
    page.get_by_label("Compare with").select_option("year")
    page.wait_for_url(re.compile(r"compare=year"))
    hint = page.locator("#kpi-title + .hint").inner_text()
    assert str(today.year - 1) in hint
    page.get_by_role("link", name="30 days").click()
    page.wait_for_url(re.compile(r"compare=year"))  # the presets keep the comparison
