"""Active customers by place: the kept customer → city map follows every customer write and no sale.

The map (analytics.figures.explain.sums.place_codes) is read once per places' version: a customer
written through the services moves it, a sale does not, and a customer the map does not know (one
written around the services) makes it read again rather than count them nowhere.
"""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from accounts.services import customer_create, customer_update
from accounts.tests.factories import CustomerFactory
from analytics.figures.explain import explain, sums
from catalog.services import product_create
from core.filters import DateRange
from sales.services import sale_create

pytestmark = pytest.mark.django_db

UTC = dt.timezone.utc
RANGE = DateRange(dt.date(2025, 3, 10), dt.date(2025, 3, 16))
JOINED = dt.datetime(2024, 1, 1, tzinfo=UTC)


def _sale(customer, product, day=12):
    return sale_create(customer=customer, product=product, quantity=1, unit_price=Decimal("5.00"),
                       sold_at=dt.datetime(2025, 3, day, 12, tzinfo=UTC))


def _by_city() -> dict:
    result = explain(figure="active_customers", dimension="city", date_range=RANGE)
    return {s["key"]: s["current"] for s in result["contributors"]}


@pytest.fixture
def shop():
    product = product_create(sku="P-1", name="Lamp", category="Home", price=Decimal("5.00"))
    lisbon = customer_create(name="A", email="a@example.com", city="Lisbon", country="PT", joined_at=JOINED)
    berlin = customer_create(name="B", email="b@example.com", city="Berlin", country="DE", joined_at=JOINED)
    _sale(lisbon, product)
    _sale(berlin, product)
    return product, lisbon, berlin


def test_a_customer_who_moves_counts_in_their_new_city_at_once(shop):
    product, lisbon, _ = shop
    assert _by_city() == {"Lisbon / PT": 1, "Berlin / DE": 1}
    customer_update(customer=lisbon, data={"city": "Porto"})
    assert _by_city() == {"Porto / PT": 1, "Berlin / DE": 1}


def test_a_sale_keeps_the_map_and_a_new_customer_reads_it_again(shop):
    product, lisbon, _ = shop
    _by_city()
    with mock.patch.object(sums, "_read_places", wraps=sums._read_places) as read:
        _sale(lisbon, product, day=14)
        assert _by_city() == {"Lisbon / PT": 1, "Berlin / DE": 1}
        assert read.call_count == 0
        osaka = customer_create(name="C", email="c@example.com", city="Osaka", country="JP", joined_at=JOINED)
        _sale(osaka, product)
        assert _by_city() == {"Lisbon / PT": 1, "Berlin / DE": 1, "Osaka / JP": 1}
        assert read.call_count == 1


def test_a_customer_written_around_the_services_is_still_counted(shop):
    product, _, _ = shop
    _by_city()
    outside = CustomerFactory(city="Austin", country="US")  # no announcement: the places' version stays
    _sale(outside, product)
    assert _by_city() == {"Lisbon / PT": 1, "Berlin / DE": 1, "Austin / US": 1}
