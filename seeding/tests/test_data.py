"""manage.py seed_data: counts, repeatability, dates, totals, refusals, bad flags, all-or-nothing."""

import datetime as dt
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F
from django.utils import timezone

from accounts.models import Customer
from accounts.tests.factories import CustomerFactory
from catalog.models import Product
from core.db import atomic
from core.signals import records_seeded
from feedback.models import Feedback
from sales.models import Sale
from sales.tests.factories import SaleFactory
from seeding.generate import options
from seeding.management.commands.seed_data import (
    CANNOT_READ,
    CLEAR_WITH_IF_EMPTY,
    NOT_EMPTY,
    SEED_FAILED,
    SKIPPED,
)

pytestmark = pytest.mark.django_db

UNTIL = dt.date(2026, 6, 30)
TINY = {"users": 40, "products": 15, "sales": 400, "feedback": 80}
SEEDED_MODELS = (Customer, Product, Sale, Feedback)


def seed(*args: str, **counts) -> str:
    counts = counts or TINY
    flags = [f"--{name}={n}" for name, n in counts.items()]
    out = io.StringIO()
    call_command("seed_data", *flags, "--seed=7", f"--until={UNTIL}", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", "accounts.Customer", "catalog.Product", "sales.Sale", "feedback.Feedback",
                 stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in SEEDED_MODELS}


def indexes() -> list[tuple[str, str]]:
    if connection.vendor == "mongodb":
        database = connection.database
        return sorted((f"{name}.{index['name']}", str(index["key"]))
                      for name in database.list_collection_names() for index in database[name].list_indexes())
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
        return cursor.fetchall()


def test_writes_the_requested_counts_and_reports_them():
    out = seed()
    assert counts() == {"Customer": 40, "Product": 15, "Sale": 400, "Feedback": 80}
    assert "40 customers, 15 products, 400 sales, 80 feedback" in out


def test_size_gives_its_counts_and_explicit_counts_override_it():
    small = {"users": 30, "products": 10, "sales": 200, "feedback": 20}
    with mock.patch.dict(options.SIZES, {"small": small}):
        call_command("seed_data", "--size=small", "--sales=50", f"--until={UNTIL}", stdout=io.StringIO())
    assert counts() == {"Customer": 30, "Product": 10, "Sale": 50, "Feedback": 20}


def test_same_seed_and_until_give_identical_dumps_and_another_seed_differs():
    seed()
    first = dump()
    seed("--clear")
    assert dump() == first
    call_command("seed_data", *[f"--{k}={v}" for k, v in TINY.items()], "--seed=8", f"--until={UNTIL}",
                 "--clear", stdout=io.StringIO())
    assert dump() != first


def test_changing_the_sales_count_keeps_customers_and_products():
    def people_and_catalogue() -> str:
        out = io.StringIO()
        call_command("dumpdata", "accounts.Customer", "catalog.Product", stdout=out)
        return out.getvalue()

    seed()
    before = people_and_catalogue()
    seed("--clear", **{**TINY, "sales": 250, "feedback": 30})
    assert people_and_catalogue() == before
    assert counts()["Sale"] == 250


def test_keys_are_consistent():
    seed()
    if connection.vendor == "mongodb":  # ObjectId keys, no foreign key checks: look them up
        customers, products = (set(m.objects.values_list("pk", flat=True)) for m in (Customer, Product))
        for model in (Sale, Feedback):
            assert set(model.objects.values_list("customer_id", flat=True)) <= customers
            assert set(model.objects.values_list("product_id", flat=True)) <= products
        assert Sale.objects.count() == 400
        return
    connection.check_constraints()  # PRAGMA foreign_key_check over every table
    assert list(Sale.objects.order_by("pk").values_list("pk", flat=True)) == list(range(1, 401))


def test_dates_follow_joining_and_stop_where_the_until_day_starts():
    """The default --until is today, so stopping at its midnight keeps every date in the past."""
    seed()
    end = dt.datetime.combine(UNTIL, dt.time.min, tzinfo=dt.UTC)
    assert not Sale.objects.filter(sold_at__lte=F("customer__joined_at")).exists()
    assert not Feedback.objects.filter(created_at__lte=F("customer__joined_at")).exists()
    assert not Sale.objects.filter(sold_at__gte=end).exists()
    assert not Feedback.objects.filter(created_at__gte=end).exists()
    assert not Product.objects.filter(created_at__gte=Sale.objects.order_by("sold_at")[0].sold_at).exists()
    start = end - dt.timedelta(days=3 * 365 + 1)
    assert Sale.objects.order_by("sold_at")[0].sold_at >= start
    # Each review follows a purchase of that product by that customer.
    bought = {}
    for customer, product, sold in Sale.objects.values_list("customer_id", "product_id", "sold_at"):
        bought[customer, product] = min(sold, bought.get((customer, product), sold))
    for customer, product, created in Feedback.objects.values_list("customer_id", "product_id", "created_at"):
        assert bought[customer, product] <= created


def test_totals_are_quantity_times_unit_price_and_unit_price_at_most_the_list_price():
    seed()
    for sale in Sale.objects.select_related("product"):
        assert sale.total == Sale.compute_total(sale.quantity, sale.unit_price)
        assert Decimal("0") < sale.unit_price <= sale.product.price
        assert sale.quantity >= 1


def test_values_read_back_as_python_types():
    seed()
    product = Product.objects.order_by("pk").first()
    sale = Sale.objects.order_by("pk").first()
    assert isinstance(product.attributes, dict) and product.attributes
    assert isinstance(product.price, Decimal) and product.price.as_tuple().exponent == -2
    assert product.active in (True, False)
    assert timezone.is_aware(sale.sold_at)
    assert {s.channel for s in Sale.objects.all()} <= set(Sale.Channel.values)
    assert {s.status for s in Sale.objects.all()} <= set(Sale.Status.values)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sales=-5"], options.NEGATIVE.format(flag="sales", value=-5)),
        (["--users=abc"], options.NOT_A_NUMBER.format(flag="users", value="abc")),
        (["--products=1.5"], options.NOT_A_NUMBER.format(flag="products", value="1.5")),
        (["--sales=10000001"], options.TOO_LARGE.format(flag="sales", cap=10_000_000, value=10_000_001)),
        (["--feedback=99999999"],
         options.TOO_LARGE.format(flag="feedback", cap=options.CAPS["feedback"], value=99_999_999)),
        (["--until=2026-13-01"], options.UNTIL_NOT_A_DATE.format(value="2026-13-01")),
        (["--until=yesterday"], options.UNTIL_NOT_A_DATE.format(value="yesterday")),
        (["--until=1999-12-31"], options.UNTIL_TOO_EARLY.format(earliest=options.EARLIEST_UNTIL,
                                                               value=dt.date(1999, 12, 31))),
        (["--seed=-1"], options.BAD_SEED.format(max=options.MAX_SEED, value="-1")),
        (["--users=0", "--sales=10"], options.NEEDS_USERS_AND_PRODUCTS.format(flag="sales", value=10)),
        (["--size=huge"], "invalid choice: 'huge'"),
        (["--clear", "--if-empty"], CLEAR_WITH_IF_EMPTY),
    ],
)
def test_bad_flags_fail_and_write_nothing(args, message):
    with pytest.raises(CommandError) as error:
        call_command("seed_data", "--users=5", "--products=3", "--sales=10", "--feedback=2", *args,
                     stdout=io.StringIO())
    assert message in str(error.value)
    assert counts() == dict.fromkeys(counts(), 0)


def test_until_after_today_is_refused():
    tomorrow = timezone.now().date() + dt.timedelta(days=1)
    with pytest.raises(CommandError, match=r"--until cannot be after today"):
        call_command("seed_data", f"--until={tomorrow}", stdout=io.StringIO())
    assert Sale.objects.count() == 0


def test_keyword_options_are_checked_too():
    with pytest.raises(CommandError, match="--sales cannot be negative"):
        call_command("seed_data", sales=-5, stdout=io.StringIO())


def test_bad_flag_with_clear_leaves_existing_rows_alone():
    seed()
    before = dump()
    with pytest.raises(CommandError, match="--sales cannot be negative"):
        call_command("seed_data", "--clear", "--sales", "-5", stdout=io.StringIO())
    assert dump() == before


def test_refuses_a_database_with_records_unless_cleared():
    SaleFactory()
    before = dump()
    with pytest.raises(CommandError) as error:
        seed()
    assert str(error.value) == NOT_EMPTY.format(tables="customers, products, sales")
    assert dump() == before
    seed("--clear")
    assert counts()["Sale"] == 400


def test_if_empty_skips_a_database_with_records_and_seeds_an_empty_one():
    CustomerFactory()
    out = seed("--if-empty")
    assert out.strip() == SKIPPED.format(tables="customers")
    assert counts() == {"Customer": 1, "Product": 0, "Sale": 0, "Feedback": 0}
    Customer.objects.all().delete()
    seed("--if-empty")
    assert counts()["Sale"] == 400


@pytest.fixture
def received():
    """What records_seeded receivers get; the other apps' receivers (rollups, search) are left out."""
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    with mock.patch.object(records_seeded, "receivers", []):
        records_seeded.connect(receiver)
        yield calls


def test_records_seeded_is_sent_after_commit_with_the_counts(received, django_capture_on_commit_callbacks):
    with atomic():  # an outer block: seed_data's transaction commits with it
        with django_capture_on_commit_callbacks() as callbacks:
            seed()
        assert received == []  # not before the transaction commits
    assert len(callbacks) == 1
    for callback in callbacks:  # the test's own transaction never commits: run it by hand
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        seed("--clear")
    sent = {"customers": 40, "products": 15, "sales": 400, "feedback": 80}
    assert [(r["counts"], r["cleared"]) for r in received] == [(sent, False), (sent, True)]


def test_a_failing_receiver_is_reported_and_the_seed_kept(received, django_capture_on_commit_callbacks):
    def broken(sender, **kwargs):
        raise RuntimeError("index offline")

    records_seeded.connect(broken)
    err = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_data", *[f"--{k}={v}" for k, v in TINY.items()], f"--until={UNTIL}",
                     stdout=io.StringIO(), stderr=err)
    assert "index offline" in err.getvalue()
    assert len(received) == 1  # the other receivers still ran
    assert counts()["Sale"] == 400


@pytest.mark.embedded_only(reason="a CHECK constraint fails the insert half-way; MongoDB has none "
                                  "(the generation-error test checks the all-or-nothing seed there)")
def test_a_database_error_half_way_changes_nothing(received, django_capture_on_commit_callbacks):
    seed()
    before, before_indexes = dump(), indexes()
    # Sales get quantity 0: the CHECK constraint fails on the first sales insert, after the
    # clear and after customers and products went in.
    with mock.patch("seeding.generate.sales.MAX_QUANTITY", 0), pytest.raises(CommandError) as error:
        with django_capture_on_commit_callbacks(execute=True):
            seed("--clear", users=60, products=20, sales=500, feedback=50)
    assert str(error.value).startswith(SEED_FAILED.format(error="")[:40])
    assert dump() == before
    assert indexes() == before_indexes
    assert received == []


def test_a_generation_error_half_way_changes_nothing():
    seed()
    before, before_indexes = dump(), indexes()
    with mock.patch("seeding.generate.feedback._comments", side_effect=RuntimeError("boom")):
        with pytest.raises(RuntimeError, match="boom"):
            seed("--clear", users=60, products=20, sales=500, feedback=50)
    assert dump() == before
    assert indexes() == before_indexes


def test_indexes_are_back_after_seeding():
    before = indexes()
    seed()
    assert indexes() == before


def test_verbosity_zero_prints_nothing():
    out = io.StringIO()
    call_command("seed_data", *[f"--{k}={v}" for k, v in TINY.items()], f"--until={UNTIL}", verbosity=0,
                 stdout=out)
    call_command("seed_data", "--if-empty", verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert counts()["Sale"] == 400


@pytest.mark.embedded_only(reason="drops a SQLite table inside the test's transaction; MongoDB creates a "
                                  "collection on first write, so no missing-table error exists")
def test_a_missing_table_is_a_clear_error():
    table = Feedback._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{table}"')  # rolled back with the test's transaction
    with pytest.raises(CommandError) as error:
        seed()
    assert str(error.value) == CANNOT_READ.format(error=f"no such table: {table}")


@pytest.mark.embedded_only(reason="integer key sequences; MongoDB keys are ObjectIds "
                                  "(sales/tests/test_seed_mongodb.py checks those)")
def test_records_added_after_seeding_get_the_next_ids():
    seed()
    sale = SaleFactory()  # with a new customer and product
    assert (sale.pk, sale.customer.pk, sale.product.pk) == (401, 41, 16)
