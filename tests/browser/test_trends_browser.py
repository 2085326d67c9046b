"""The dashboard's revenue chart draws the forecast band after the last actual point and marks the
unusual days of a seed with planted anomalies; a click on a marker opens that day's sales."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

PLANTED = re.compile(r"^  (\d{4}-\d{2}-\d{2}) (spike|drop)", re.M)

READ_REVENUE_CHART = """() => {
  const card = document.querySelector('[data-chart="revenue_over_time"]');
  const chart = Chart.getChart(card.querySelector('canvas'));
  const ds = (label) => chart.data.datasets.find(d => d.label === label);
  const lastIndex = (xs) => xs.reduce((last, v, i) => (v !== null && v !== undefined ? i : last), -1);
  const firstIndex = (xs) => xs.findIndex(v => v !== null && v !== undefined);
  const markers = ds('Unusual day');
  const meta = chart.getDatasetMeta(chart.data.datasets.indexOf(markers));
  const marked = markers.data.map((v, i) => v === null ? null : i).filter(i => i !== null);
  const box = card.querySelector('canvas').getBoundingClientRect();
  return {
    labels: chart.data.labels, actualLabels: Number(card.dataset.actualLabels),
    revenueLast: lastIndex(chart.data.datasets[0].data.map((v, i) => (v ? v : null))),
    band80: [firstIndex(ds('Forecast 80%').data), lastIndex(ds('Forecast 80%').data)],
    band95: [firstIndex(ds('Forecast 95%').data), lastIndex(ds('Forecast 95%').data)],
    lower80: ds('Forecast 80%').data, upper80: ds('80% upper').data,
    lower95: ds('Forecast 95%').data, upper95: ds('95% upper').data,
    marked, markerAt: marked.length ? [box.x + meta.data[marked[0]].x, box.y + meta.data[marked[0]].y] : null,
  };
}"""


@pytest.fixture
def planted(transactional_db):
    """A small shop (40,000 sales to today) with 20 planted spikes and drops; the rollups rebuilt."""
    out = io.StringIO()
    call_command("seed_data", "--size=small", "--sales=40000", "--anomalies=20", stdout=out, stderr=io.StringIO())
    return [dt.date.fromisoformat(day) for day, _ in PLANTED.findall(out.getvalue())]


@pytest.mark.embedded_only(reason="seeds 40,000 sales with planted anomalies: more than 10 minutes on the "
                                  "SecantusDB test server (the rollup rebuild's writes), a few seconds on SQLite")
def test_forecast_band_follows_the_last_actual_point_and_unusual_days_are_marked(page, live_server, analyst,
                                                                                  planted):
    last = planted[-1]
    yesterday = dt.date.today() - dt.timedelta(days=1)
    path = f"/?date_from={last - dt.timedelta(days=20)}&date_to={yesterday}"
    login(page, live_server, next_path=path)
    # The test settings fit in the request (FITS_REFRESH = "inline"): a few seconds on a busy machine.
    page.wait_for_selector('[data-chart="revenue_over_time"][data-forecast="drawn"]', timeout=90_000)
    chart = page.evaluate(READ_REVENUE_CHART)
    screenshot(page, "dashboard-forecast")

    end = chart["revenueLast"]
    assert end == chart["actualLabels"] - 1  # the range ends at the last day with sales
    # Both bands start at the last actual point (joining the line) and run on after it, 8 weeks of days
    # or whole weeks; nothing of them lies before it.
    for first, band_last in (chart["band80"], chart["band95"]):
        assert first == end
        assert band_last > end
    assert len(chart["labels"]) > chart["actualLabels"]
    assert all(label > chart["labels"][end] for label in chart["labels"][end + 1:])
    for i in range(end + 1, len(chart["labels"])):
        assert chart["lower95"][i] <= chart["lower80"][i] < chart["upper80"][i] <= chart["upper95"][i]

    assert chart["marked"], "no unusual-day marker on the chart"
    # A marked period (a day, or a week from Monday) holds a planted day.
    periods = [(dt.date.fromisoformat(chart["labels"][i]), dt.date.fromisoformat(chart["labels"][i + 1]))
               for i in chart["marked"]]
    assert any(start <= day < after for start, after in periods for day in planted), (periods, planted)

    page.mouse.click(*chart["markerAt"])
    page.wait_for_url(re.compile(r"/sales/\?"))
    start, after = periods[0]
    day = dt.date.fromisoformat(re.search(r"date_from=([0-9-]+)", page.url)[1])
    assert start <= day < after and f"date_to={day}" in page.url  # that one day's sales


@pytest.mark.parametrize("days_ago", [(3, 2, 1), (20, 11, 1)], ids=["three days", "three days in three weeks"])
def test_a_shop_with_under_two_weeks_of_sales_gets_no_forecast_band(page, live_server, analyst, days_ago):
    """Three days of sales, in a row or three weeks apart: the forecast falls back on "short" (a mean of
    the last values), and the chart draws no band from it; the card's hint says why."""
    from decimal import Decimal

    from accounts.tests.factories import CustomerFactory
    from catalog.tests.factories import ProductFactory
    from sales.services import sale_create

    product, customer = ProductFactory(price=Decimal("10.00")), CustomerFactory()
    today = dt.datetime.now(dt.UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    for ago, quantity in zip(days_ago, (1, 2, 3), strict=True):
        sale_create(customer=customer, product=product, quantity=quantity, sold_at=today - dt.timedelta(days=ago))
    yesterday = dt.date.today() - dt.timedelta(days=1)
    login(page, live_server, next_path=f"/?date_from={yesterday - dt.timedelta(days=29)}&date_to={yesterday}")
    page.wait_for_selector('[data-chart="revenue_over_time"][data-forecast="short"]', timeout=90_000)
    labels = page.evaluate("""() => {
      const chart = Chart.getChart(document.querySelector('[data-chart="revenue_over_time"] canvas'));
      return chart.data.datasets.map(d => d.label);
    }""")
    assert not [label for label in labels if "Forecast" in label], labels
    hint = page.locator('[data-chart="revenue_over_time"] .hint').inner_text()
    assert "no forecast yet" in hint and "shaded" not in hint
    screenshot(page, f"dashboard-short-history-{days_ago[0]}")
