"""Hardening of the search box and the index: one-sided date ranges, unknown parameters, dates out of
the window (as a filter and as stored), and a record that cannot be indexed never blocks the queue."""

import datetime as dt
from unittest import mock

import pytest
from django.core.management import call_command

from accounts.models import Customer
from core.dates import FILTER_DATE_OUT_OF_RANGE, latest_date
from sales.models import Sale
from search import records, sync
from search.backends import SearchQuery
from search.forms import UNKNOWN_PARAMETER
from search.management.commands.search_index import FAILED_HEADER
from search.models import PendingUpdate

API = "/api/search/"
UTC = dt.timezone.utc


@pytest.fixture
def indexed(embedded_backend, dataset):
    embedded_backend.rebuild()
    return dataset


def ids(response, kind):
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"] if r["type"] == kind}


def test_a_start_without_an_end_and_an_end_without_a_start(analyst_client, indexed):
    d = indexed
    response = analyst_client.get(API, {"q": "espresso", "date_from": "2025-01-01"})
    assert ids(response, "sale") == {str(d.sale_espresso.pk)}
    assert ids(response, "product") == set()  # created in 2023
    response = analyst_client.get(API, {"q": "espresso", "date_to": "2024-01-01"})
    assert ids(response, "product") == {str(d.espresso.pk)}
    assert ids(response, "sale") == set()


def test_the_search_page_takes_a_range_open_at_either_end(analyst_client, indexed):
    """The page's form sends what a person leaves: a From without a To, or a To without a From."""
    d = indexed
    response = analyst_client.get("/search/", {"q": "espresso", "date_from": "2025-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert d.sale_espresso.get_absolute_url() in html
    assert "search-hit-sale" in html and "search-hit-product" not in html  # the product is from 2023
    response = analyst_client.get("/search/", {"q": "espresso", "date_to": "2024-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "search-hit-product" in html and "search-hit-sale" not in html


@pytest.mark.parametrize(("params", "field"), [
    ({"date_to": "9999-12-31"}, "date_to"),
    ({"date_from": "0001-01-01"}, "date_from"),
])
def test_filter_dates_outside_the_window_are_400_naming_the_field(analyst_client, indexed, params, field):
    response = analyst_client.get(API, {"q": "espresso", **params})
    assert response.status_code == 400
    assert response.json() == {
        field: [FILTER_DATE_OUT_OF_RANGE.format(earliest=dt.date(1900, 1, 1), latest=latest_date())]
    }


def test_unknown_parameters_are_400_naming_them(analyst_client, indexed):
    response = analyst_client.get(API, {"q": "espresso", "catgory": "Books", "date": "2025-01-01"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"catgory", "date"}
    assert body["catgory"][0].startswith(UNKNOWN_PARAMETER.split("{")[0])
    assert "date_from" in body["catgory"][0]
    assert analyst_client.get(API, {"q": "espresso", "format": "json"}).status_code == 200


def test_records_stored_outside_the_window_do_not_break_a_rebuild_or_drain(embedded_backend, dataset):
    d = dataset
    Customer.objects.filter(pk=d.alice.pk).update(joined_at=dt.datetime(100, 1, 1, tzinfo=UTC))
    Sale.objects.filter(pk=d.sale_shoes.pk).update(sold_at=dt.datetime(9999, 12, 31, tzinfo=UTC))
    call_command("search_index", "--rebuild", "-f")
    found = embedded_backend.search(SearchQuery(text="alice", page_size=100))
    assert (records.CUSTOMER, str(d.alice.pk)) in {(h.type, h.id) for h in found.hits}
    changes = [
        sync.Change(records.CUSTOMER, str(d.alice.pk)), sync.Change(records.SALE, str(d.sale_shoes.pk))
    ]
    sync.queue(changes, RuntimeError("down"))
    call_command("search_index", "--drain")
    assert PendingUpdate.objects.count() == 0


def test_a_record_that_cannot_be_indexed_is_set_aside_and_never_blocks_the_others(
    embedded_backend, indexed, capsys
):
    d = indexed
    bad, good = str(d.alice.pk), str(d.bruno.pk)
    sync.queue([sync.Change(records.CUSTOMER, bad)], RuntimeError("down"))
    sync.queue([sync.Change(records.CUSTOMER, good)], RuntimeError("down"))
    Customer.objects.filter(pk=d.bruno.pk).update(city="Coimbra")
    real = records.documents

    def documents(name, **filters):
        for record_id, doc in real(name, **filters):
            if record_id == bad:
                raise ValueError("field date: datetime is out of range")
            yield record_id, doc

    with mock.patch.object(records, "documents", documents):
        assert sync.drain() == 1
        assert sync.drain() == 0  # set aside: not retried in front of the others
    found = embedded_backend.search(SearchQuery(text="coimbra"))
    assert {h.id for h in found.hits} == {good}
    (row,) = PendingUpdate.objects.all()
    assert row.record_id == bad
    assert row.failed_reason == "ValueError: field date: datetime is out of range"
    assert sync.pending_count() == 0
    call_command("search_index", "--status")
    out = capsys.readouterr().out
    assert FAILED_HEADER.format(n=1) in out
    assert f"customer:{bad}: ValueError: field date: datetime is out of range" in out
    # A new change to the record makes it worth another try.
    sync.queue([sync.Change(records.CUSTOMER, bad)], RuntimeError("down"))
    assert PendingUpdate.objects.get().failed_reason == ""
    assert sync.drain() == 1 and PendingUpdate.objects.count() == 0
