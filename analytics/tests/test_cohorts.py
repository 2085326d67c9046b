"""Cohort retention and repeat purchase: the rollup-backed figures against the Sale rows (tests.oracles
.cohorts), by hand on a small shop, and exact under every kind of write (equal to a rebuild)."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import CustomerFactory
from analytics.figures.cohorts import cohort_retention, repeat_purchase
from analytics.models import CohortCell, CohortWeekCell, RepeatGapCell
from analytics.rollups import rollups_rebuild
from catalog.services import product_update
from catalog.tests.factories import ProductFactory
from core.filters import DateRange
from sales.models import Sale
from sales.services import sale_create, sale_delete, sale_refund, sale_update
from tests.oracles import cohorts as oracle

pytestmark = pytest.mark.django_db
D = dt.date


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone.utc)


@pytest.fixture
def shop():
    ann, bob, cy = (CustomerFactory(joined_at=at(D(2024, 12, 1))) for _ in range(3))
    book = ProductFactory(category="Books", price=Decimal("8.00"))
    toy = ProductFactory(category="Toys", price=Decimal("12.50"))
    made = {
        "ann_jan": sale_create(customer=ann, product=book, quantity=1, sold_at=at(D(2025, 1, 20))),
        "ann_jan2": sale_create(customer=ann, product=toy, quantity=1, sold_at=at(D(2025, 1, 31), 23),
                                channel=Sale.Channel.MOBILE),
        "ann_mar": sale_create(customer=ann, product=book, quantity=2, sold_at=at(D(2025, 3, 1), 0)),
        "bob_jan": sale_create(customer=bob, product=toy, quantity=1, sold_at=at(D(2025, 1, 5))),
        "bob_feb": sale_create(customer=bob, product=toy, quantity=3, sold_at=at(D(2025, 2, 10)),
                               channel=Sale.Channel.STORE),
        "cy_feb": sale_create(customer=cy, product=book, quantity=1, sold_at=at(D(2025, 2, 14))),
        "cy_refunded": sale_create(customer=cy, product=toy, quantity=1, sold_at=at(D(2025, 1, 2)),
                                   status=Sale.Status.REFUNDED),
    }
    return {"ann": ann, "bob": bob, "cy": cy, "book": book, "toy": toy, **made}


RANGES = [
    DateRange(),
    DateRange(D(2025, 1, 15), D(2025, 1, 16)),  # touches January: the January cohort
    DateRange(D(2025, 2, 1), None),
    DateRange(None, D(2025, 1, 31)),
    DateRange(D(2026, 1, 1), D(2026, 2, 1)),  # no cohort
]
SCOPES = [(None, None), ("Books", None), ("Toys", None), (None, "web"), ("Toys", "store"), ("Books", "store")]


def assert_like_oracle():
    for date_range in RANGES:
        for category, channel in SCOPES:
            args = {"date_range": date_range, "category": category, "channel": channel}
            assert cohort_retention(**args) == oracle.cohort_retention(**args), args
            assert repeat_purchase(**args) == oracle.repeat_purchase(**args), args
            weekly = {**args, "period": "week"}
            assert cohort_retention(**weekly) == oracle.cohort_retention(**weekly), weekly


def cells() -> dict:
    """Every non-empty cell of both tables (a cell emptied by writes counts nothing)."""
    return {
        model.__name__: sorted(
            row for row in model.objects.values_list(*[f.attname for f in model._meta.concrete_fields][1:])
            if row[4]
        )
        for model in (CohortCell, RepeatGapCell, CohortWeekCell)
    }


def test_matches_the_sale_rows(shop):
    assert_like_oracle()


def test_hand_counted(shop):
    result = cohort_retention(date_range=DateRange())
    assert result["months"] == 3
    january, february = result["cohorts"]
    assert (january["cohort"], january["customers"]) == ("2025-01", 2)  # Ann and Bob; Cy's was refunded
    assert [c["customers"] for c in january["cells"]] == [2, 1, 1]  # Bob in Feb, Ann in Mar
    assert [c["repeat_rate"] for c in january["cells"]] == [0.0, 0.5, 1.0]
    assert [c["revenue_per_customer"] for c in january["cells"]] == [16.5, 35.25, 43.25]  # (20.5 + 12.5) / 2, + 37.5, + 16
    assert (february["cohort"], february["customers"], len(february["cells"])) == ("2025-02", 1, 2)
    books = cohort_retention(date_range=DateRange(), category="Books")
    assert [(c["cohort"], c["customers"]) for c in books["cohorts"]] == [("2025-01", 1), ("2025-02", 1)]
    repeat = repeat_purchase(date_range=DateRange(None, D(2025, 1, 31)))
    # Ann: Jan 20 → Jan 31 (11 days); Bob: Jan 5 → Feb 10 (36 days).
    assert (repeat["customers"], repeat["repeat_customers"], repeat["orders"]) == (2, 2, 5)
    assert [b["customers"] for b in repeat["days_to_second"]][:5] == [0, 1, 0, 1, 0]
    assert repeat["mean_days_to_second"] == 23.5
    mobile = repeat_purchase(date_range=DateRange(), channel="mobile")
    assert (mobile["customers"], mobile["repeat_customers"]) == (1, 0)


def test_weekly_hand_counted(shop):
    result = cohort_retention(date_range=DateRange(), period="week")
    # Bob 5 January 2025 (a Sunday: ISO week 2025-W01), Ann Monday 20 January (W04), Cy 14 February (W07).
    assert [(c["cohort"], c["customers"]) for c in result["cohorts"]] == [("2025-W01", 1), ("2025-W04", 1),
                                                                          ("2025-W07", 1)]
    bob, ann, _ = result["cohorts"]
    assert result["period"] == "week" and result["weeks"] == len(bob["cells"]) == 9  # W01 .. W09 (1 March)
    assert [c["week"] for c in ann["cells"]][:3] == ["2025-W04", "2025-W05", "2025-W06"]
    # Ann: 20 January (W04), 31 January (W05), 1 March (W09).
    assert [c["customers"] for c in ann["cells"]] == [1, 1, 0, 0, 0, 1]
    assert [c["returned"] for c in ann["cells"]] == [0, 1, 0, 0, 0, 0]
    # The range picks the weeks it touches: Tuesday 21 January is in Ann's week.
    picked = cohort_retention(date_range=DateRange(D(2025, 1, 21), D(2025, 1, 21)), period="week")
    assert [c["cohort"] for c in picked["cohorts"]] == ["2025-W04"]
    with pytest.raises(ValueError):
        cohort_retention(date_range=DateRange(), period="day")


def test_iso_week_labels_cross_the_year():
    from analytics.figures.cohorts import week_label, week_start

    assert week_start(D(2026, 1, 1)) == D(2025, 12, 29) and week_label(D(2025, 12, 29)) == "2026-W01"
    assert week_label(week_start(D(2021, 1, 3))) == "2020-W53"


def test_every_write_keeps_the_cells_equal_to_a_rebuild(shop):
    sale_delete(sale=shop["ann_jan"])  # Ann's first sale gone: still January (the 31st)
    sale_update(sale=shop["ann_jan2"], data={"sold_at": at(D(2025, 2, 1))})  # her first month moves
    sale_refund(sale=shop["bob_feb"])
    sale_update(sale=shop["cy_refunded"], data={"status": Sale.Status.COMPLETED})  # Cy's first moves back
    sale_update(sale=shop["cy_feb"], data={"customer": shop["bob"], "channel": Sale.Channel.MARKETPLACE})
    sale_create(customer=shop["cy"], product=shop["book"], quantity=4, sold_at=at(D(2024, 12, 30)),
                channel=Sale.Channel.STORE)
    product_update(product=shop["toy"], data={"category": "Games"})
    written = cells()
    assert_like_oracle()
    rollups_rebuild()
    assert cells() == written
