"""manage.py trends_digest: the week's changes and their categories, unusual days and the forecast."""

import datetime as dt
import io

import numpy as np
import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from analytics.models import SalesDay

pytestmark = pytest.mark.django_db

LAST = dt.date(2025, 6, 29)          # a Sunday: the digest's week is 23-29 June
SPIKE = dt.date(2025, 6, 25)


@pytest.fixture
def shop():
    """Ten weeks; in the last one Books sell 10 more a day and Toys 5 fewer, and Garden spikes once."""
    rng = np.random.default_rng(1)
    rows = []
    for i in range(70):
        day = LAST - dt.timedelta(days=69 - i)
        last_week = day > LAST - dt.timedelta(days=7)
        for category, orders, price in (("Books", 40 + 10 * last_week, 2000), ("Toys", 25 - 5 * last_week, 3000),
                                        ("Garden", int(rng.poisson(30)), 1000)):
            if (category, day) == ("Garden", SPIKE):
                orders = 150
            rows.append(SalesDay(day=day, category=category, orders=orders, units=orders,
                                 revenue_cents=orders * price))
    SalesDay.objects.bulk_create(rows)
    garden = {r.day: r.orders for r in rows if r.category == "Garden"}
    week = [LAST - dt.timedelta(days=k) for k in range(7)]
    before = [d - dt.timedelta(days=7) for d in week]
    return sum(garden[d] for d in week) - sum(garden[d] for d in before)


def test_prints_the_changes_with_their_categories_the_unusual_day_and_the_forecast(shop):
    out = io.StringIO()
    call_command("trends_digest", stdout=out)
    text = out.getvalue()
    assert "week 2025-06-23 – 2025-06-29" in text
    assert "Compared with 2025-06-16 – 2025-06-22." in text
    # Books +70 orders, Toys −35, Garden whatever it drew (planted spike included).
    total = 70 - 35 + shop
    assert f"Books +70 ({70 / total:.0%} of the change)" in text
    assert f"Toys −35 ({-35 / total:.0%} of the change)" in text
    assert "Books +1,400.00" in text  # 70 more orders at 20.00
    assert f"2025-06-25 orders spike: {50 + 20 + 150}" in text  # Books, Toys, the Garden spike
    assert "sales: http://127.0.0.1:8000/sales/?date_from=2025-06-25&date_to=2025-06-25" in text
    assert "why: http://127.0.0.1:8000/api/analytics/explain/?figure=orders&date_from=2025-06-25" in text
    assert "NEXT WEEK'S FORECAST" in text and "2025-06-30" in text and "2025-07-06" in text
    assert "2025-07-07" not in text


def test_mails_text_and_html(shop):
    call_command("trends_digest", "--email", "boss@example.com", "--base-url", "https://shop.example",
                 stdout=io.StringIO(), stderr=io.StringIO())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["boss@example.com"]
    assert message.subject == "Trends digest, week 2025-06-23 – 2025-06-29"
    assert "Books +70" in message.body
    (html, mimetype), = message.alternatives
    assert mimetype == "text/html"
    assert "<strong>Orders:" in html
    assert 'href="https://shop.example/sales/?date_from=2025-06-25&amp;date_to=2025-06-25"' in html


def test_an_empty_shop_says_so():
    out = io.StringIO()
    call_command("trends_digest", stdout=out)
    assert "No completed sales yet" in out.getvalue()


@pytest.mark.parametrize(("args", "message"), [
    (["--email", "not-an-address"], "--email must be an email address"),
    (["--base-url", "ftp://x"], r"--base-url must be an http\(s\) URL"),
])
def test_bad_options_fail_and_send_nothing(shop, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("trends_digest", *args, stdout=io.StringIO())
    assert mail.outbox == []
