"""seed_data on MongoDB, checked without a server: the emptiness check's queries and the ObjectId keys
the bulk_create path assigns. (It needs no transactions, so a standalone server seeds too: see
seeding.generate.guard and test_guard.py.)"""

import datetime as dt
from unittest import mock

import numpy as np
import pytest
from bson import ObjectId
from django.db import connection

from accounts.models import Customer
from sales.models import Sale
from seeding.generate import SeedError, build_plan, seed_records, tables_with_records
from seeding.generate.timeline import Window
from seeding.generate.writers import OrmWriter

pytestmark = pytest.mark.mongodb_pipeline

WINDOW = Window(until=dt.date(2026, 6, 30))


def test_emptiness_check_asks_each_collection_for_one_document(mongo_pipelines):
    assert tables_with_records(using="default") == []
    collections = [collection for collection, _pipeline in mongo_pipelines]
    assert collections == ["accounts_customer", "catalog_product", "sales_sale", "feedback_feedback"]
    for _collection, pipeline in mongo_pipelines:
        stages = [next(iter(stage)) for stage in pipeline]
        assert "$lookup" not in stages
        assert {"$limit": 1} in pipeline


def test_bulk_create_rows_get_repeatable_object_ids_that_foreign_keys_share():
    writer = OrmWriter(using="default", key_time=WINDOW.end)
    customers = writer.encode(Customer, {
        "id": np.arange(3), "name": ["A", "B", "C"], "email": ["a@x.org", "b@x.org", "c@x.org"],
        "city": ["Lisbon"] * 3, "country": ["PT"] * 3, "joined_at": np.array([10, 20, 30]) + WINDOW.start,
    })
    sales = writer.encode(Sale, {
        "id": np.arange(2), "customer_id": np.array([2, 0]), "product_id": np.array([0, 0]),
        "quantity": np.array([1, 2]), "unit_price": np.array([999, 1999]), "total": np.array([999, 3998]),
        "sold_at": np.array([40, 50]) + WINDOW.start, "channel": ["web", "store"],
        "status": ["completed"] * 2,
    })
    assert all(isinstance(c.pk, ObjectId) for c in customers)
    assert len({c.pk for c in customers}) == 3
    assert [s.customer_id for s in sales] == [customers[2].pk, customers[0].pk]
    assert customers[0].pk.generation_time == dt.datetime(2026, 6, 30, tzinfo=dt.UTC)  # the window end
    again = writer.encode(Customer, {"id": np.arange(3)})
    assert [c.pk for c in again] == [c.pk for c in customers]
    assert str(sales[1].total) == "39.98" and sales[0].sold_at.tzinfo is not None
