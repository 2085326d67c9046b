"""A database created and filled before the layers move (rollups in the sales app) migrates to the new
layout (rollups in analytics) with its records and rollups intact: the tables keep their names."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Customer
from analytics.models import ProductLedger, SalesDay
from sales.models import Sale

BEFORE_THE_MOVE = [("sales", "0003_indexes_for_ranges_and_pages"), ("analytics", None)]
DAY = dt.date(2025, 3, 10)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


@pytest.mark.django_db(transaction=True)
def test_rollups_written_before_the_move_are_read_after_it():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    old = _migrate(BEFORE_THE_MOVE)
    customer = old.get_model("accounts", "Customer").objects.create(
        name="Ana", email="ana@example.com", city="Lisbon", country="PT",
        joined_at=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc),
    )
    product = old.get_model("catalog", "Product").objects.create(
        sku="LAMP-1", name="Lamp", category="Home & Kitchen", price=Decimal("12.50"),
        created_at=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc),
    )
    old.get_model("sales", "Sale").objects.create(
        customer=customer, product=product, quantity=2, unit_price=Decimal("12.50"), total=Decimal("25.00"),
        sold_at=dt.datetime(2025, 3, 10, 9, tzinfo=dt.timezone.utc),
    )
    old.get_model("sales", "SalesDay").objects.create(
        day=DAY, category="Home & Kitchen", revenue_cents=2500, orders=1, units=2,
    )
    old.get_model("sales", "ProductLedger").objects.create(
        prefix=False, day=DAY, product=product, category="Home & Kitchen", revenue_cents=2500, units=2, orders=1,
    )

    _migrate(latest)

    assert list(SalesDay.objects.values_list("day", "category", "revenue_cents", "orders", "units")) == [
        (DAY, "Home & Kitchen", 2500, 1, 2)
    ]
    ledger = ProductLedger.objects.get()
    assert (ledger.product_id, ledger.revenue_cents, ledger.prefix) == (product.pk, 2500, False)
    assert Sale.objects.get().customer == Customer.objects.get(email="ana@example.com")
