"""Active customers (distinct buyers in a range) from the linked customer days, per scope."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import CustomerFactory
from analytics.models import NO_EARLIER_DAY, ActiveCustomerDay
from analytics.rollups.active import active_customers
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
