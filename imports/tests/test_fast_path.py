"""The sales fast path decides exactly as the full checks: the same report, the same records."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import Customer
from catalog.models import Product
from imports import engine
from sales.models import Sale

pytestmark = pytest.mark.django_db

HEADER = "external_id,customer_email,customer_name,product_sku,product_name,category,sold_at,quantity,unit_price,discount,total,channel,status\n"
GOOD = [
    "E1,a@example.com,Ana,SKU-1,Lamp,Home,2024-02-01T10:00:00Z,3,10.00,,30.00,web,completed",
    "E2,A@Example.com,,SKU-1,,,2024-01-15T08:00:00+02:00,1,10.00,,,,",
    "E3,b@example.com,Bo,SKU-2,Atlas,,2024-03-01 12:00:00,2,,,45.00,store,refunded",
    ",b@example.com,,SKU-2,,,2024-03-02,1,22.50,2.50,20.00,mobile,completed",
]
# Each bad in its own way; some also stop the fast pass for the rest of the batch.
BAD = [
    "E4,c@example.com,,SKU-1,,,2024-02-01,1,10.00,,,web,completed",  # unknown customer, no name
    "E1,a@example.com,,SKU-1,,,2024-02-01,1,10.00,,,web,completed",  # duplicate key
    "E5,a@example.com,,SKU-1,,,not a date,1,10.00,,,web,completed",
    "E6,a@example.com,,SKU-1,,,2024-02-01,0,10.00,,,web,completed",
    "E7,a@example.com,,SKU-1,,,2024-02-01,1,-1.00,,,phone,completed",
    "E8,a@example.com,,SKU-1,,,2024-02-01,2,10.00,,25.00,web,completed",
    "E9,a@example.com,,SKU-1,,,2024-02-01,1,10.00,11.00,,web,completed",
    "E10,a@example.com,,SKU-9,,,2024-02-01,1,10.00,,,web,completed",  # unknown product, no name
    "E11,not-an-email,Cy,SKU-1,,,2024-02-01,1,10.00,,,web,completed",
    "E12,d@example.com,Di,SKU-8,Mug,,2024-02-01,1,,,,web,completed",  # new product, no price
    "E13,a@example.com,,SKU-1,,,2024-02-01, 2 ,10.0,,20,web,completed",  # odd but good
    "E14,a@example.com,,SKU-1,,,1899-01-01,1,10.00,,,web,completed",
]


def import_sales(tmp_path, lines, *, fast, args=(), existing=False):
    if existing:  # a customer who joined after some of the file's sales, and a known product
        (tmp_path / "c.csv").write_text("name,email,joined_at\nAna,a@example.com,2024-01-20\n")
        (tmp_path / "p.csv").write_text("sku,name,price,created_at\nSKU-1,Lamp,10.00,2024-01-01\n")
        call_command("import_data", "customers", str(tmp_path / "c.csv"), stdout=io.StringIO())
        call_command("import_data", "products", str(tmp_path / "p.csv"), stdout=io.StringIO())
    path = tmp_path / ("fast.csv" if fast else "slow.csv")
    path.write_text(HEADER + "".join(f"{line}\n" for line in lines))
    err = io.StringIO()
    original = engine.FastSales.check
    with pytest.MonkeyPatch.context() as patch:
        if not fast:
            patch.setattr(engine.FastSales, "check", lambda self, batch: (0, []))
        try:
            call_command("import_data", "sales", str(path), *args, stdout=io.StringIO(), stderr=err)
        except CommandError:
            pass
    assert engine.FastSales.check is original
    report = [line.split(":", 1)[1] for line in err.getvalue().splitlines() if line.startswith(str(path))]
    records = (
        sorted(Customer.objects.values_list("email", "name", "joined_at", "city")),
        sorted(Product.objects.values_list("sku", "name", "category", "price", "created_at")),
        sorted(
            Sale.objects.values_list(
                "external_id", "customer__email", "product__sku", "quantity", "unit_price",
                "discount", "total", "sold_at", "channel", "status",
            )
        ),
    )
    Sale.objects.all().delete()
    Customer.objects.all().delete()
    Product.objects.all().delete()
    return report, records


@pytest.mark.parametrize("existing", [False, True])
@pytest.mark.parametrize("args", [(), ("--skip-invalid",), ("--dry-run",)])
@pytest.mark.parametrize("order", ["good first", "bad first", "mixed"])
def test_fast_and_full_paths_agree(tmp_path, args, order, existing):
    lines = {
        "good first": GOOD + BAD,
        "bad first": BAD + GOOD,
        "mixed": [line for pair in zip(GOOD + GOOD[:0], BAD, strict=False) for line in pair] + BAD[4:],
    }[order]
    fast = import_sales(tmp_path, lines, fast=True, args=args, existing=existing)
    slow = import_sales(tmp_path, lines, fast=False, args=args, existing=existing)
    assert fast == slow
    if args == ("--skip-invalid",):
        assert len(fast[1][2]) >= len(GOOD)  # the good rows were written


def test_fast_path_takes_the_plain_rows(tmp_path, monkeypatch):
    taken = []
    original = engine.FastSales.check

    def check(self, batch):
        done, rows = original(self, batch)
        taken.append(done)
        return done, rows

    monkeypatch.setattr(engine.FastSales, "check", check)
    report, records = import_sales(tmp_path, GOOD, fast=True)
    assert report == [] and taken == [len(GOOD)]
    assert len(records[2]) == len(GOOD) and len(records[0]) == 2 and len(records[1]) == 2


@pytest.mark.embedded_only(reason="the foreign key check before the commit is SQLite's (keys unchecked per row)")
def test_foreign_keys_of_fast_rows_are_checked_before_the_commit(tmp_path):
    from django.db import IntegrityError

    path = tmp_path / "s.csv"
    path.write_text(HEADER + GOOD[0] + "\n")
    original = engine.FastSales.insert

    def dangling(self, accepted):
        original(self, accepted)
        self.run.fast_references[Customer].add(10**9)  # a key no customer has

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine.FastSales, "insert", dangling)
        with pytest.raises(IntegrityError, match="does not exist"):
            call_command("import_data", "sales", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert not Sale.objects.exists() and not Customer.objects.exists()


@pytest.mark.parametrize("batch", [1, 2, 3])
@pytest.mark.parametrize("order", ["as given", "reversed"])
def test_fast_and_full_paths_agree_across_small_batches(tmp_path, monkeypatch, batch, order):
    """Rows of one customer or product in several batches, earlier ones later in the file too:
    each joins (is created) at its first order either way."""
    from imports.management.commands import import_data

    monkeypatch.setattr(import_data, "BATCH", batch)
    lines = [  # later orders first in the file
        "E1,a@example.com,Ana,SKU-1,Lamp,Home,2024-02-01T10:00:00Z,3,10.00,,30.00,web,completed",
        "E2,a@example.com,Ana,SKU-1,Lamp,,2024-01-15T08:00:00Z,1,10.00,,,,",
        "E3,b@example.com,Bo,SKU-2,Atlas,,2024-01-12T08:00:00Z,1,5.00,,,,",
        "E4,a@example.com,Ana,SKU-2,Atlas,,2024-01-10T08:00:00Z,1,5.00,,,,",
        "E5,b@example.com,Bo,SKU-1,Lamp,,2024-01-11T08:00:00Z,1,10.00,,,,",
    ]
    if order == "reversed":
        lines = lines[::-1]
    fast = import_sales(tmp_path, lines, fast=True)
    slow = import_sales(tmp_path, lines, fast=False)
    assert fast == slow
    customers, products, sales = fast[1]
    assert [(email, joined.isoformat()) for email, _name, joined, _city in customers] == [
        ("a@example.com", "2024-01-10T08:00:00+00:00"),
        ("b@example.com", "2024-01-11T08:00:00+00:00"),
    ]
    assert [(sku, created.isoformat()) for sku, _n, _c, _p, created in products] == [
        ("SKU-1", "2024-01-11T08:00:00+00:00"),
        ("SKU-2", "2024-01-10T08:00:00+00:00"),
    ]
    assert len(sales) == 5


def test_many_rows_per_insert_keep_every_row_in_file_order(tmp_path):
    """More rows than one INSERT statement takes (engine.helpers.ROWS_PER_INSERT), with a shorter
    last statement, for the sales and the customers they create: every row once, the sales' ids in
    the file's order, and the same records as the full checks write."""
    from imports.engine.helpers import ROWS_PER_INSERT

    n = 2 * ROWS_PER_INSERT + 7
    lines = [
        f"E{i:04d},c{i % (ROWS_PER_INSERT + 5):03d}@example.com,C {i % (ROWS_PER_INSERT + 5)},SKU-{i % 3},"
        f"P {i % 3},,2024-01-{1 + i % 28:02d}T10:00:00Z,{1 + i % 4},{i % 50}.25,,,web,completed"
        for i in range(n)
    ]
    path = tmp_path / "many.csv"
    path.write_text(HEADER + "".join(f"{line}\n" for line in lines))
    call_command("import_data", "sales", str(path), stdout=io.StringIO())
    ordered = list(Sale.objects.order_by("pk").values_list("external_id", flat=True))
    assert ordered == [f"E{i:04d}" for i in range(n)]
    emails = list(Customer.objects.values_list("email", flat=True))  # created in no particular order
    assert sorted(emails) == [f"c{i:03d}@example.com" for i in range(ROWS_PER_INSERT + 5)]
    Sale.objects.all().delete()
    Customer.objects.all().delete()
    Product.objects.all().delete()
    fast = import_sales(tmp_path, lines, fast=True)
    assert fast[0] == [] and len(fast[1][2]) == n
    assert fast == import_sales(tmp_path, lines, fast=False)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite writer")
def test_columns_of_different_lengths_write_nothing():
    from imports.engine.helpers import insert_columns

    with pytest.raises(ValueError):
        insert_columns(connection, "accounts_customer", ["name", "email"], [["a", "b"], ["a@example.com"]])
    assert not Customer.objects.exists()
