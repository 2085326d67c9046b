"""Active customers (distinct buyers in a range) from the linked customer days, per scope."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import CustomerFactory
from analytics.models import NO_EARLIER_DAY, ActiveCustomerDay
from analytics.rollups.active import active_customers, active_customers_of, state_on
from catalog.tests.factories import ProductFactory
from core.filters import DateRange
from sales.models import Sale
from sales.services import sale_create, sale_delete, sale_refund, sale_update
from tests.oracles.sales import sales_totals

pytestmark = pytest.mark.django_db
D = dt.date


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=dt.timezone.utc)


@pytest.fixture
def buyers():
    ann, bob = CustomerFactory(), CustomerFactory()
    book = ProductFactory(category="Books", price=Decimal("8.00"))
    toy = ProductFactory(category="Toys", price=Decimal("12.00"))
    sales = {
        "ann_jan": sale_create(customer=ann, product=book, quantity=1, sold_at=at(D(2025, 1, 20))),
        "ann_feb": sale_create(customer=ann, product=toy, quantity=1, sold_at=at(D(2025, 2, 3))),
        "ann_feb_again": sale_create(customer=ann, product=book, quantity=2, sold_at=at(D(2025, 2, 3))),
        "bob_feb": sale_create(customer=bob, product=toy, quantity=1, sold_at=at(D(2025, 2, 10))),
        "bob_mar": sale_create(customer=bob, product=book, quantity=1, sold_at=at(D(2025, 3, 2))),
    }
    return {"ann": ann, "bob": bob, "book": book, "toy": toy, **sales}


def counts(*, date_range, category=None):
    return (
        active_customers(date_range=date_range, scope=category or ""),
        sales_totals(date_range=date_range, category=category)["active_customers"],
    )


RANGES = [
    DateRange(),
    DateRange(D(2025, 2, 1), D(2025, 2, 28)),  # prev days in January: counted by the cells
    DateRange(D(2025, 2, 4), D(2025, 3, 31)),  # Ann's previous day in the range's own month
    DateRange(D(2025, 1, 21), D(2025, 2, 2)),  # nobody
    DateRange(None, D(2025, 1, 31)),
    DateRange(D(2025, 3, 1), None),
]


@pytest.mark.parametrize("date_range", RANGES)
@pytest.mark.parametrize("category", [None, "Books", "Toys"])
def test_matches_count_distinct(buyers, date_range, category):
    fast, direct = counts(date_range=date_range, category=category)
    assert fast == direct


@pytest.mark.parametrize("category", [None, "Books", "Toys"])
def test_ranges_counted_together_match_each_counted_alone(buyers, category):
    """active_customers_of: every pair and the whole list of RANGES in one query (the cells and the
    day rows as parts of a union, filtered aggregates), each the oracle's count of its range alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    scope = category or ""
    expected = {r: sales_totals(date_range=r, category=category)["active_customers"] for r in RANGES}
    assert any(expected.values())
    groups = [(a, b) for i, a in enumerate(RANGES) for b in RANGES[i + 1:]] + [tuple(RANGES)]
    for ranges in groups:
        with CaptureQueriesContext(connection) as captured:
            together = active_customers_of(ranges, scope=scope)
        assert together == [expected[r] for r in ranges], ranges
        # one query; two on MongoDB, where a union cannot open with an aggregate (analytics.rollups.active)
        starts = any(r.start for r in ranges)
        assert len(captured.captured_queries) == (2 if connection.vendor == "mongodb" and starts else 1), ranges


def test_hand_counted(buyers):
    assert counts(date_range=DateRange(D(2025, 2, 1), D(2025, 2, 28))) == (2, 2)
    assert counts(date_range=DateRange(D(2025, 2, 1), D(2025, 2, 28)), category="Books") == (1, 1)
    assert counts(date_range=DateRange(D(2025, 2, 4), D(2025, 3, 31))) == (1, 1)
    # Two sales on one day make one linked day.
    ann_days = ActiveCustomerDay.objects.filter(scope="", customer=buyers["ann"]).order_by("day")
    assert [(d.day, d.prev_day, d.sales) for d in ann_days] == [
        (D(2025, 1, 20), NO_EARLIER_DAY, 1), (D(2025, 2, 3), D(2025, 1, 20), 2),
    ]


def test_refund_delete_and_move_relink_the_days(buyers):
    sale_refund(sale=buyers["ann_feb"])
    sale_delete(sale=buyers["ann_jan"])
    sale_update(sale=buyers["bob_feb"], data={"sold_at": at(D(2025, 3, 20)), "customer": buyers["ann"]})
    for date_range in RANGES:
        for category in (None, "Books", "Toys"):
            fast, direct = counts(date_range=date_range, category=category)
            assert fast == direct, (date_range, category)
    assert Sale.objects.filter(status=Sale.Status.COMPLETED).count() == 3
    assert counts(date_range=DateRange(D(2025, 3, 1), None)) == (2, 2)


@pytest.mark.parametrize("rebuilt", [False, True])
def test_the_state_on_a_day_is_the_one_row_holding_it_whatever_the_gap(rebuilt):
    """Gaps of 1, 2, 3, 9, 700 and 3,000 days put the rows in different spans (the last one past every
    bounded span); on every day around the sales exactly the row with day ≤ E < next_day is read."""
    from analytics.rollups import rollups_rebuild

    ann = CustomerFactory(joined_at=at(D(2009, 1, 1)))
    book = ProductFactory(category="Books", price=Decimal("8.00"))
    first = D(2010, 1, 1)
    days = [first]
    for gap in (1, 2, 3, 9, 700, 3000):
        days.append(days[-1] + dt.timedelta(days=gap))
    for day in days:
        sale_create(customer=ann, product=book, quantity=1, sold_at=at(day))
    if rebuilt:
        rollups_rebuild()
    assert sorted(ActiveCustomerDay.objects.filter(scope="").values_list("span", flat=True)) == [0, 1, 2, 4, 10, 12, 12]
    probes = {d + dt.timedelta(days=k) for d in days for k in (-1, 0, 1, 2, 5, 365)}
    for probe in sorted(probes):
        held = [(row.day, row.sales_to_date) for part in state_on(probe) for row in part]
        expected = [(d, i + 1) for i, d in enumerate(days) if d <= probe < (days + [D(9999, 12, 31)])[i + 1]]
        assert held == expected, probe
        assert [row.day_number for part in state_on(probe) for row in part] == [d.toordinal() for d, _ in held]
