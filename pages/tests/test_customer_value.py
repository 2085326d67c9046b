"""The customer value page (/users/value/): the fit, its quality and the valuable-and-slipping list,
on the CDNOW sample fitted through 1997-09-30 with its holdout; and what it says before any fit."""

import datetime as dt
import io
import math

import pytest
from django.core.management import call_command

from accounts.models import Customer
from analytics.customer_value import NO_FIT, SLIP_DROP
from analytics.models import CustomerValueFit
from analytics.tests.test_customer_value import _load_cdnow_sample
from sales.models import Sale

pytestmark = pytest.mark.django_db
PAGE, TABLE = "/users/value/", "/users/value/table/"
CALIBRATION_END, BEFORE = dt.date(1997, 9, 30), dt.date(1997, 7, 2)  # 90 days earlier


@pytest.fixture
def fitted(db):
    _load_cdnow_sample()
    call_command("clv_fit", "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30",
                 stdout=io.StringIO())
    return CustomerValueFit.objects.get()


def rows(client, **params):
    response = client.get(TABLE, {"draw": 1, "start": 0, "length": 100, **params})
    assert response.status_code == 200, response.content
    return response.json()


def p_alive(params, days: list[dt.date], end: dt.date) -> float:
    """P(alive) of Fader, Hardie & Lee (2008) from a customer's distinct purchase days up to ``end``."""
    days = sorted(d for d in set(days) if d <= end)
    x, t_x, T = len(days) - 1, (days[-1] - days[0]).days / 7, (end - days[0]).days / 7
    if x == 0:
        return 1.0
    r, alpha, a, b = (params[k] for k in ("r", "alpha", "a", "b"))
    return 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))


def test_without_a_fit_the_page_says_how_to_make_one(analyst_client):
    page = analyst_client.get(PAGE).content.decode()
    assert NO_FIT.split(":")[0] in page and "manage.py clv_fit" in page
    assert 'id="customer-value-table"' not in page
    assert analyst_client.get("/api/analytics/customer_values/fit/").status_code == 404
    assert analyst_client.get("/api/analytics/customer_values/").json()["count"] == 0


def test_the_page_shows_the_fit_and_its_holdout(analyst_client, fitted):
    page = analyst_client.get(PAGE).content.decode()
    for text in ("r = 0.243", "α = 4.414", "a = 0.793", "b = 2.426", "p = 6.25", "q = 3.74", "γ = 15.44"):
        assert text in page, text
    assert 'data-value="-9582.4' in page  # the log-likelihood card
    assert 'data-value="2357"' in page  # customers fitted
    assert "30 Sep 1997" in page
    assert f'data-holdout-actual>{fitted.holdout["actual"]:,}<' in page or \
        f'data-holdout-actual>{fitted.holdout["actual"]}<' in page
    assert page.count("<tr><td>") >= 39 + 2  # 39 holdout weeks, two models
    assert '<a href="/users/value/" aria-current="page">Customer value</a>' in page
    assert '<a href="/users/">Customers</a>' in page  # not also marked current


def test_valuable_and_slipping_ranks_falling_customers_by_value(analyst_client, fitted):
    table = rows(analyst_client)
    data = table["data"]
    assert data and table["recordsTotal"] == table["recordsFiltered"] < 2357
    values = [float(r["predicted_value_12m"]) for r in data]
    assert values == sorted(values, reverse=True)
    assert all(r["probability_alive_change"] <= -SLIP_DROP for r in data)
    # Each change checked from the customer's own sales with the closed form.
    emails, by_email = dict(Customer.objects.values_list("pk", "email")), {}
    for sold_at, customer in Sale.objects.values_list("sold_at", "customer_id"):
        by_email.setdefault(emails[customer], []).append(sold_at.date())
    for row in data[:20]:
        days = by_email[row["email"]]
        now, then = p_alive(fitted.bgnbd, days, CALIBRATION_END), p_alive(fitted.bgnbd, days, BEFORE)
        assert row["probability_alive"] == pytest.approx(now, rel=1e-9)
        assert row["probability_alive_change"] == pytest.approx(now - then, rel=1e-6)
    # Every customer with such a fall is on the list, none without.
    falls = 0
    for days in by_email.values():
        if min(days) <= BEFORE:
            change = p_alive(fitted.bgnbd, days, CALIBRATION_END) - p_alive(fitted.bgnbd, days, BEFORE)
            falls += change <= -SLIP_DROP and not math.isclose(change, -SLIP_DROP)
    assert table["recordsTotal"] == falls


def test_all_customers_and_the_csv(analyst_client, fitted):
    everyone = rows(analyst_client, show="all")
    assert everyone["recordsTotal"] == 2357
    page = analyst_client.get(PAGE, {"show": "all"}).content.decode()
    assert "All customers by predicted value" in page
    # The table and its CSV link carry the choice (the table asks /users/value/table/ on its own).
    assert "/api/analytics/customer_values/?slipping=false&amp;format=csv" in page
    assert rows(analyst_client, slipping="false")["recordsTotal"] == 2357
    csv = analyst_client.get("/api/analytics/customer_values/", {"format": "csv", "slipping": "true"})
    assert csv.status_code == 200
    lines = b"".join(csv.streaming_content).decode().splitlines()
    assert lines[0].startswith("customer,customer_name,customer_email,predicted_value_12m,probability_alive,")
    assert len(lines) - 1 == rows(analyst_client)["recordsTotal"]


def test_a_bad_sort_is_a_400_naming_it(analyst_client):  # refused before any row is read
    response = analyst_client.get(TABLE, {"order[0][column]": "0", "order[0][dir]": "asc"})
    assert response.status_code == 400 and response.json()["field"] == "order[0][column]"


@pytest.mark.access
def test_visitors_are_sent_to_the_login(client):
    assert client.get(PAGE).status_code == 302
    assert client.get(TABLE).status_code == 302
