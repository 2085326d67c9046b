"""The fast SQLite path stores exactly what Django's ORM would for the same rows."""

import datetime as dt
import io
from unittest import mock

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import Customer
from catalog.models import Product
from feedback.models import Feedback
from sales.models import Sale
from seeding.generate.encode import sqlite_values
from seeding.generate.writers import OrmWriter

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.embedded_only(reason="the raw executemany writer is the SQLite path; MongoDB seeds through "
                                     "bulk_create (OrmWriter)"),
]

FLAGS = ["--users=40", "--products=15", "--sales=400", "--feedback=80", "--seed=3", "--until=2026-06-30"]


def stored_rows(model) -> list[tuple]:
    """Each column as SQLite holds it: quote() shows the storage class (12 vs 12.0 vs '12')."""
    columns = ", ".join(f'quote("{field.column}")' for field in model._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT {columns} FROM "{model._meta.db_table}" ORDER BY id')
        return cursor.fetchall()


def test_executemany_stores_what_bulk_create_stores():
    call_command("seed_data", *FLAGS, stdout=io.StringIO())
    fast = {model: stored_rows(model) for model in (Customer, Product, Sale, Feedback)}
    orm = OrmWriter(using="default", key_time=0)
    with mock.patch("seeding.generate.run.writer_for", return_value=orm):
        call_command("seed_data", *FLAGS, "--clear", stdout=io.StringIO())
    for model, rows in fast.items():
        assert stored_rows(model) == rows, model.__name__
    assert len(fast[Sale]) == 400


@pytest.mark.parametrize(
    ("model", "name", "raw", "python"),
    [
        (Sale, "sold_at", [0, 946_684_800, 1_782_863_999],
         [dt.datetime.fromtimestamp(s, dt.UTC) for s in (0, 946_684_800, 1_782_863_999)]),
        (Sale, "total", [0, 5, 50, 1_900, 1_999, 123_456_789], None),
        (Product, "attributes", [{"size": "M", "café": "ü", "w": 1.5, "ok": True, "n": None}], None),
        (Product, "active", np.array([True, False]), [True, False]),
    ],
)
def test_values_match_djangos_own_preparation(model, name, raw, python):
    from decimal import Decimal

    field = model._meta.get_field(name)
    if python is None:
        python = [Decimal(c).scaleb(-2) for c in raw] if name == "total" else raw
    django_values = [field.get_db_prep_save(value, connection) for value in python]
    # sqlite3 binds a Decimal through str() (Django registers that adapter).
    django_values = [str(v) if isinstance(v, Decimal) else v for v in django_values]
    assert sqlite_values(field, raw, connection.ops) == django_values
