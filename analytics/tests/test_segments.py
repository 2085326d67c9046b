"""RFM segments: the scores by hand on a small shop, the figures against the Sale rows (tests.oracles
.segments) before and after writes, and the R × FM map covering every cell once."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import CustomerFactory
from analytics.figures.segments import (
    SEGMENT_MAP,
    SEGMENTS,
    Scores,
    quintile_scores,
    rfm_segments,
    segment_movement,
)
from catalog.tests.factories import ProductFactory
from core.filters import DateRange
from sales.models import Sale
from sales.services import sale_create, sale_delete, sale_refund, sale_update
from tests.oracles import segments as oracle

D = dt.date


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.timezone.utc)


def test_the_map_names_every_cell_and_uses_every_segment():
    assert sorted(SEGMENT_MAP) == [1, 2, 3, 4, 5] and all(len(row) == 5 for row in SEGMENT_MAP.values())
    assert {name for row in SEGMENT_MAP.values() for name in row} == set(SEGMENTS)
    assert SEGMENT_MAP[5][4] == "Champions" and SEGMENT_MAP[1][4] == "New" and SEGMENT_MAP[1][0] == "Lost"


def test_quintiles_share_a_score_on_ties():
    import numpy as np

    assert quintile_scores(np.array([1, 1, 1, 2, 3])).tolist() == [1, 1, 1, 4, 5]
    assert quintile_scores(np.array([10, 20, 30, 40, 50])).tolist() == [1, 2, 3, 4, 5]


def test_quintiles_equal_their_definition_on_random_values():
    """1 + ⌊5 × (values strictly below) / n⌋, counted one value at a time, for few and many values, with
    and without ties."""
    import numpy as np

    rng = np.random.default_rng(5)
    for _ in range(300):
        values = rng.integers(0, int(rng.choice([2, 6, 1000, 10 ** 12])), int(rng.integers(0, 40)))
        n = len(values)
        expected = [1 + 5 * int((values < value).sum()) // n for value in values]
        assert quintile_scores(values).tolist() == expected, values


def test_segment_of_finds_each_id_the_same_way_for_integer_and_object_ids():
    """The by-id array (integer ids, SQLite) and the sort (ObjectIds, MongoDB) agree with a dict, for ids
    found and not, sparse and dense, and for ids too large for the array."""
    import numpy as np

    from analytics.figures.segments import segment_of

    rng = np.random.default_rng(3)
    for top in (5, 1000, 10 ** 12):
        for _ in range(50):
            ids = rng.choice(top, size=int(rng.integers(0, min(top, 60))), replace=False)
            segments = rng.integers(0, len(SEGMENTS), len(ids))
            wanted = rng.integers(0, top, int(rng.integers(0, 40)))
            expected = [dict(zip(ids.tolist(), segments.tolist())).get(w, len(SEGMENTS)) for w in wanted.tolist()]
            assert segment_of(ids, segments, wanted).tolist() == expected
            as_objects = segment_of(ids.astype(object), segments, wanted.astype(object))
            assert as_objects.tolist() == expected


@pytest.mark.embedded_only(reason="the text of numbers per column is SQLite's read; on MongoDB read_table takes "
                            "the ORM's rows themselves")
@pytest.mark.django_db
def test_the_state_table_is_the_orm_rows(shop):
    """read_table's SQLite text of numbers per column gives the ORM's rows, row for row, on every reader."""
    import numpy as np

    from analytics.figures.segments import STATE, _union, read_table
    from analytics.rollups.active import bought_between, state_left, state_on

    fields = (*STATE, "customer_id")
    checked = 0
    for reader, args in [(state_on, (D(2025, 2, 1),)), (state_on, (D(2024, 12, 31), D(2025, 2, 1))),
                         (state_left, (D(2024, 12, 31), D(2025, 2, 1))), (bought_between, (D(2025, 1, 10), D(2025, 2, 1))),
                         (state_on, (D(2020, 1, 1),))]:
        table = read_table(reader, *args, fields=fields)
        rows = sorted(map(tuple, np.array(list(_union(reader, args, fields)), dtype=object).reshape(-1, 3).tolist()))
        assert sorted(map(tuple, table.tolist())) == rows
        checked += len(rows)
    assert checked >= 8  # the shop's five buyers on the day, and three of them bought in January


@pytest.fixture
def shop(db):
    product = ProductFactory(category="Books", price=Decimal("10.00"))
    people = [CustomerFactory(joined_at=at(D(2024, 1, 1))) for _ in range(6)]
    made = []
    # Customer i buys i + 1 times (i + 1 units each), the last time on 1 January + 5·i days: the later
    # and the more, the better.
    for i, person in enumerate(people[:5]):
        for k in range(i + 1):
            made.append(sale_create(customer=person, product=product, quantity=1 + i,
                                    sold_at=at(D(2025, 1, 1) + dt.timedelta(days=5 * i - k))))
    made.append(sale_create(customer=people[5], product=product, quantity=1, sold_at=at(D(2025, 3, 1)),
                            status=Sale.Status.REFUNDED))
    return {"people": people, "product": product, "sales": made}


RANGES = [DateRange(None, D(2025, 2, 1)), DateRange(D(2025, 1, 15), D(2025, 2, 1)),
          DateRange(D(2025, 1, 1), D(2025, 1, 1)), DateRange(None, D(2024, 6, 1)), DateRange()]


def assert_like_oracle():
    for date_range in RANGES:
        assert rfm_segments(date_range=date_range) == oracle.rfm_segments(date_range=date_range), date_range
        assert segment_movement(date_range=date_range) == oracle.segment_movement(date_range=date_range)


@pytest.mark.django_db
def test_hand_scored(shop):
    scores = Scores(D(2025, 2, 1))
    people = shop["people"]
    best, worst = scores.of(people[4].pk), scores.of(people[0].pk)
    assert (best["r"], best["f"], best["m"], best["segment"]) == (5, 5, 5, "Champions")
    assert (worst["r"], worst["f"], worst["m"], worst["segment"]) == (1, 1, 1, "Lost")
    assert (best["sales"], best["revenue"], best["last_sale_day"]) == (5, 250.0, "2025-01-21")
    assert scores.of(people[2].pk)["segment"] == "Need attention"  # R 3, F 3, M 3
    assert scores.of(people[5].pk) is None  # only a refunded sale
    result = rfm_segments(date_range=DateRange(None, D(2025, 2, 1)))
    assert result["customers"] == 5
    sizes = {s["segment"]: s["customers"] for s in result["segments"]}
    assert sizes["Champions"] == 1 and sizes["Lost"] == 1 and sum(sizes.values()) == 5
    moved = segment_movement(date_range=DateRange(D(2025, 1, 15), D(2025, 2, 1)))
    newcomers = next(row for row in moved["rows"] if row["from"] == "Not yet a customer")
    assert newcomers["customers"] == 1  # customer 4 first bought on 17 January


@pytest.mark.django_db
def test_matches_the_sale_rows_after_writes(shop):
    assert_like_oracle()
    sales, people = shop["sales"], shop["people"]
    sale_delete(sale=sales[-2])
    sale_refund(sale=sales[0])
    sale_update(sale=sales[3], data={"customer": people[5], "sold_at": at(D(2025, 1, 20))})
    sale_create(customer=people[0], product=shop["product"], quantity=9, sold_at=at(D(2025, 1, 30)))
    assert_like_oracle()


@pytest.mark.django_db
def test_customer_states_after_writes_equal_a_rebuild(shop):
    from analytics.models import ActiveCustomerDay
    from analytics.rollups import rollups_rebuild
    from catalog.services import product_update

    sales, people = shop["sales"], shop["people"]
    sale_update(sale=sales[5], data={"sold_at": at(D(2024, 12, 1))})  # a customer's first day moves back
    sale_delete(sale=sales[2])
    sale_update(sale=sales[7], data={"quantity": 7})  # revenue to date changes from that day on
    product_update(product=shop["product"], data={"category": "Comics"})

    def states():
        return sorted(ActiveCustomerDay.objects.values_list(
            "scope", "customer_id", "day", "prev_day", "next_day", "sales", "sales_to_date", "cents_to_date",
            "day_number", "span"))

    written = states()
    assert any(row[6] > 1 for row in written)
    rollups_rebuild()
    assert states() == written


@pytest.mark.django_db
def test_many_customers_over_years_match_the_sale_rows():
    """Twenty-five customers with gaps from a day to years between purchases (every span of the customer
    states), checked on ranges from a day to all time: the movement reads the customers without a
    sale in the range once and matches only those who bought."""
    import random

    rnd = random.Random(12)
    product = ProductFactory(category="Books", price=Decimal("3.00"))
    for _ in range(25):
        person = CustomerFactory(joined_at=at(D(2018, 1, 1)))
        day = D(2018, 1, 1) + dt.timedelta(days=rnd.randrange(0, 1500))
        while day < D(2025, 6, 1):
            sale_create(customer=person, product=product, quantity=rnd.randint(1, 4), sold_at=at(day))
            day += dt.timedelta(days=rnd.choice([1, 2, 5, 20, 90, 400, 1200, 3000]))
    for date_range in [DateRange(D(2021, 3, 1), D(2021, 3, 1)), DateRange(D(2020, 1, 1), D(2022, 12, 31)),
                       DateRange(D(2024, 6, 1), D(2025, 5, 31)), DateRange(D(2018, 1, 1), D(2025, 6, 30)),
                       DateRange(None, D(2023, 1, 1))]:
        assert rfm_segments(date_range=date_range) == oracle.rfm_segments(date_range=date_range), date_range
        assert segment_movement(date_range=date_range) == oracle.segment_movement(date_range=date_range)
