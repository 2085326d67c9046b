"""The SQLite rebuild (set-based SQL) and the portable ORM rebuild write the same rollup rows."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import CustomerFactory
from analytics.rollups import rebuild
from catalog.tests.factories import ProductFactory
from feedback.tests.factories import FeedbackFactory
from sales.models import Sale
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    """Every rollup row as a tuple of its values (ids left out), sorted."""
    tables = {}
    for model in rebuild.ROLLUP_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        tables[model.__name__] = sorted(model.objects.values_list(*fields))
    return tables


@pytest.fixture
def records():
    customers = [
        CustomerFactory(city="Lisbon", country="PT", latitude=38.7, longitude=-9.1),
        CustomerFactory(city="Lisbon", country="PT", latitude=None, longitude=None),
        CustomerFactory(city="Osaka", country="JP", latitude=34.7, longitude=135.5,
                        joined_at=dt.datetime(2024, 2, 29, 23, 59, tzinfo=dt.timezone.utc)),
    ]
    products = [
        ProductFactory(category="Books", price=Decimal("7.35")),
        ProductFactory(category="Toys", price=Decimal("0.10")),
        ProductFactory(category="Books", price=Decimal("1234.56")),
    ]
    start = dt.datetime(2024, 3, 1, 23, 30, tzinfo=dt.timezone.utc)
    for i in range(40):
        SaleFactory(customer=customers[i % 3], product=products[i % 4 % 3], quantity=1 + i % 3,
                    channel=Sale.Channel.values[i % 5 % 4],
                    sold_at=start + dt.timedelta(days=i * 5 % 97, hours=i % 5),
                    status=Sale.Status.REFUNDED if i % 7 == 0 else Sale.Status.COMPLETED)
    for i in range(15):
        FeedbackFactory(customer=customers[i % 3], product=products[i % 3], rating=1 + i % 5,
                        created_at=start + dt.timedelta(days=i * 11 % 120))


def test_sqlite_and_orm_rebuilds_agree(records, monkeypatch):
    rebuild.rollups_rebuild()
    fast = snapshot()
    assert all(fast.values()), "every rollup table has rows"
    monkeypatch.setattr("analytics.rollups.rebuild.connection.vendor", "other")
    rebuild.rollups_rebuild()
    slow = snapshot()
    for name in fast:
        only_orm, only_sql = set(slow[name]) - set(fast[name]), set(fast[name]) - set(slow[name])
        assert (sorted(only_orm)[:3], sorted(only_sql)[:3]) == ([], []), name
        assert len(slow[name]) == len(fast[name]), name


def test_rebuild_replaces_what_was_there(records):
    rebuild.rollups_rebuild()
    first = snapshot()
    rebuild.rollups_rebuild()
    assert snapshot() == first
