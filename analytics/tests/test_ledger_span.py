"""Each ledger's prefix span (first and last Monday with prefix rows) is a LedgerSpan row the rebuild
writes with the rows, read by key: on both backends, and filled in by the migration for a database
that had prefix rows before."""

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.models import CityJoinLedger, CityLedger, LedgerSpan, ProductLedger
from analytics.rollups import rollups_rebuild
from analytics.rollups.ledger import prefix_span
from analytics.rollups.version import kept_forget
from analytics.tests.test_rollups import Shop

pytestmark = pytest.mark.django_db

LEDGERS = (ProductLedger, CityLedger, CityJoinLedger)


def spans_from_rows() -> dict:
    spans = {}
    for model in LEDGERS:
        days = sorted(set(model.objects.filter(prefix=True).values_list("day", flat=True)))
        spans[model] = (days[0], days[-1]) if days else None
    return spans


def test_there_is_no_span_before_the_first_rebuild():
    Shop(2).populate(sales=20, feedback=5)
    assert {model: prefix_span(model) for model in LEDGERS} == dict.fromkeys(LEDGERS)


def test_the_rebuild_records_each_ledgers_span_and_a_figure_reads_it_by_key():
    Shop(4).populate(sales=40, feedback=10)
    rollups_rebuild()
    spans = spans_from_rows()
    assert all(spans.values())
    with CaptureQueriesContext(connection) as queries:
        for model, (first, last) in spans.items():
            assert first.weekday() == last.weekday() == 0 and first < last
            assert prefix_span(model) == (first, last)
    assert len(queries) == 1  # every ledger's span in one read, kept while the rollups do not change
    rollups_rebuild()  # a second rebuild replaces the rows: one span per ledger, still the same
    assert LedgerSpan.objects.count() == len(LEDGERS)
    assert {model: prefix_span(model) for model in LEDGERS} == spans


def test_the_migration_fills_in_the_spans_of_existing_prefix_rows():
    Shop(6).populate(sales=30, feedback=5)
    rollups_rebuild()
    expected = spans_from_rows()
    LedgerSpan.objects.all().delete()  # a database migrated from before LedgerSpan
    kept_forget()  # the process that serves it starts after the migration
    package = settings.MIGRATION_MODULES.get("analytics", "analytics.migrations")
    importlib.import_module(f"{package}.0013_ledger_span").spans_of_existing_rows(apps, None)
    assert {model: prefix_span(model) for model in LEDGERS} == expected


def test_a_ledger_write_after_the_rebuild_keeps_the_span():
    shop = Shop(3)
    shop.populate()
    rollups_rebuild()
    before = spans_from_rows()
    shop.edit()  # a new product and sales before, inside and after the span
    assert spans_from_rows() == before == {model: prefix_span(model) for model in LEDGERS}


def test_spans_kept_in_memory_follow_the_next_rebuild():
    """The spans are kept under the rollups' version token: a rebuild that moves a span is seen at once."""
    shop = Shop(5)
    shop.populate(sales=30, feedback=5)
    rollups_rebuild()
    kept = {model: prefix_span(model) for model in LEDGERS}
    LedgerSpan.objects.all().delete()  # rows gone under the same token: what is kept answers
    assert {model: prefix_span(model) for model in LEDGERS} == kept
    rollups_rebuild()  # writes them again and moves the token
    with CaptureQueriesContext(connection) as queries:
        read = {model: prefix_span(model) for model in LEDGERS}
    assert len(queries) == 1 and read == kept == spans_from_rows()
    shop.sale()  # any rollup write moves the token too: read again, once
    with CaptureQueriesContext(connection) as queries:
        read = {model: prefix_span(model) for model in LEDGERS}
    assert len(queries) == 1 and read == spans_from_rows()


def estimates_from_rows() -> dict:
    """Per ledger: the keys (prefix rows on the span's last Monday) and the day rows per day of the
    four weeks before it, counted from the rows."""
    import datetime as dt

    found = {}
    for model in LEDGERS:
        _, last = spans_from_rows()[model]
        recent = model.objects.filter(prefix=False, day__gte=last - dt.timedelta(days=28), day__lt=last).count()
        found[model] = (model.objects.filter(prefix=True, day=last).count(), recent / 28)
    return found


@pytest.mark.parametrize("path", ["rollups_rebuild", "orm"])
def test_the_rebuild_writes_each_ledgers_estimates_and_a_range_reads_no_count(path, monkeypatch):
    """LedgerRange weighs a mid-length range's two ways by the span row's estimates, as both rebuilds
    (SQLite's set-based SQL and the ORM's, MongoDB's) write them: no count of the ledger per range."""
    import datetime as dt

    from analytics.figures.shared import place_sums, product_sums
    from analytics.rollups.rebuild import ROLLUP_MODELS, rebuild_orm
    from core.filters import DateRange

    shop = Shop(7)
    shop.populate(sales=60, feedback=10)
    if path == "orm":
        for model in ROLLUP_MODELS:
            model.objects.all().delete()
        rebuild_orm()
        kept_forget()
    else:
        rollups_rebuild()
    expected = estimates_from_rows()
    assert all(keys > 0 for keys, _ in expected.values()) and any(per_day > 0 for _, per_day in expected.values())
    rows = {apps.get_model(label): (keys, per_day) for label, keys, per_day
            in LedgerSpan.objects.values_list("ledger", "keys", "day_rows_per_day")}
    assert rows == expected
    _, last = spans_from_rows()[ProductLedger]
    mid = DateRange(last - dt.timedelta(days=60), last - dt.timedelta(days=30))  # between 14 and 120 days
    from analytics.rollups import ledger

    weighed, weigh = [], ledger._day_rows_cheaper
    monkeypatch.setattr(ledger, "_day_rows_cheaper", lambda *args: weighed.append(args) or weigh(*args))
    with CaptureQueriesContext(connection) as queries:
        product_sums(date_range=mid)
        place_sums(date_range=mid)
    from analytics.models import CityLedger

    assert {args[0] for args in weighed} >= {ProductLedger, CityLedger}  # both ranges were weighed
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()], [q["sql"] for q in queries]


def test_the_migration_fills_in_the_estimates_of_existing_spans():
    Shop(8).populate(sales=40, feedback=5)
    rollups_rebuild()
    expected = estimates_from_rows()
    LedgerSpan.objects.update(keys=0, day_rows_per_day=0.0)  # as the migration adding them leaves them
    package = settings.MIGRATION_MODULES.get("analytics", "analytics.migrations")
    migration = importlib.import_module(f"{package}.0014_ledger_span_estimates")
    migration.estimates_of_existing_rows(apps, None)
    rows = {apps.get_model(label): (keys, per_day) for label, keys, per_day
            in LedgerSpan.objects.values_list("ledger", "keys", "day_rows_per_day")}
    assert rows == expected
