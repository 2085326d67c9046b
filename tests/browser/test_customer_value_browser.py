"""The customer value page in a real browser: the slipping customers' table drawn from the server,
formatted for a person, and the switch to every customer."""

import io
import re

import pytest
from django.core.management import call_command

from analytics.models import CustomerValue
from analytics.tests.test_customer_value import _load_cdnow_sample
from tests.browser.conftest import login, screenshot
from tests.browser.test_pages_browser import table_rows, wait_for_table

pytestmark = pytest.mark.browser


@pytest.fixture
def fitted(transactional_db):
    _load_cdnow_sample()
    call_command("clv_fit", "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30",
                 stdout=io.StringIO())


def test_the_slipping_list_draws_and_switches_to_everyone(page, live_server, analyst, fitted):
    login(page, live_server, next_path="/users/value/")
    wait_for_table(page, "customer-value-table")
    rows = table_rows(page, "customer-value-table")
    top = CustomerValue.objects.filter(probability_alive_change__lte=-0.1).order_by("-predicted_value_12m").first()
    assert len(rows) == min(25, CustomerValue.objects.filter(probability_alive_change__lte=-0.1).count())
    customer, _email, value, alive, change, orders, _repeats = rows[0]
    assert customer == top.customer.name and value == f"${top.predicted_value_12m:,}"
    assert alive.endswith("%") and re.fullmatch(r"▼ \d+\.\d pts", change) and float(orders) >= 0
    assert f"{abs(top.probability_alive_change) * 100:.1f}" in change
    screenshot(page, "customer-value")
    page.get_by_role("link", name="All customers").click()
    page.wait_for_url(re.compile(r"show=all"))
    wait_for_table(page, "customer-value-table")
    assert "of 2,357 entries" in page.locator(".dt-info").inner_text()
    assert page.locator("nav.nav a[aria-current=page]").inner_text() == "Customer value"
