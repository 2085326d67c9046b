"""Keeping the index in step: signals after commit, the pending queue, bulk re-index after seeding."""

from unittest import mock

import pytest

from catalog.services import product_update
from core.db import atomic
from core.signals import records_seeded
from sales.services import sale_delete
from search import sync
from search.sync import apply_or_queue
from search.backends import SearchQuery
from search.models import PendingUpdate


@pytest.fixture
def indexed(embedded_backend, dataset):
    embedded_backend.rebuild()
    return dataset


def found(backend, text):
    return {(h.type, h.id) for h in backend.search(SearchQuery(text=text, page_size=100)).hits}


def test_nothing_changes_before_commit(embedded_backend, indexed, django_capture_on_commit_callbacks):
    # An outer block, as a caller's: the service's own transaction commits only with it. (On SQLite
    # the test's transaction would do; MongoDB runs tests without one.)
    with atomic():
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            product_update(product=indexed.shoes, data={"name": "Harbour Sandals"})
        assert found(embedded_backend, "harbour") == set()
    # The index's own callback, one for the update (the other moves the response cache's version).
    assert [getattr(c, "func", None) for c in callbacks].count(apply_or_queue) == 1


def test_rolled_back_changes_never_reach_the_index(
    embedded_backend, indexed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), atomic():
            product_update(product=indexed.shoes, data={"name": "Harbour Sandals"})
            raise RuntimeError("abort")
    assert callbacks == []
    assert found(embedded_backend, "harbour") == set()


def test_delete_removes_the_document(embedded_backend, indexed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sale_delete(sale=indexed.sale_espresso)
    assert found(embedded_backend, "espresso") == indexed.keys(indexed.espresso, indexed.fb_espresso)


def test_updates_before_the_index_exists_are_not_queued(
    embedded_backend, dataset, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        product_update(product=dataset.shoes, data={"name": "Harbour Sandals"})
    assert not embedded_backend.exists()
    assert PendingUpdate.objects.count() == 0


def test_a_failing_engine_never_fails_the_save(embedded_backend, indexed, django_capture_on_commit_callbacks):
    with (
        mock.patch("search.sync.apply", side_effect=RuntimeError("engine exploded")),
        mock.patch("search.sync.queue", side_effect=RuntimeError("database gone too")),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            product_update(product=indexed.shoes, data={"name": "Harbour Sandals"})
    indexed.shoes.refresh_from_db()
    assert indexed.shoes.name == "Harbour Sandals"


def test_queue_keeps_one_row_per_record_and_remembers_cascade(db):
    sync.queue([sync.Change("product", "7", cascade=True)], RuntimeError("down"))
    sync.queue([sync.Change("product", "7", cascade=False)], RuntimeError("still down"))
    (row,) = PendingUpdate.objects.all()
    assert (row.cascade, row.attempts, row.last_error) == (True, 2, "still down")


def test_drain_stops_at_failure_and_keeps_the_rows(embedded_backend, indexed):
    sync.queue([sync.Change("product", str(indexed.shoes.pk))], RuntimeError("down"))
    with mock.patch("search.sync.apply", side_effect=RuntimeError("still down")), pytest.raises(RuntimeError):
        sync.drain()
    assert PendingUpdate.objects.get().last_error == "still down"
    assert sync.drain() == 1 and sync.pending_count() == 0


def test_drain_applies_deletes_of_records_that_are_gone(embedded_backend, indexed):
    pk = str(indexed.fb_shoes.pk)
    with mock.patch("search.sync.apply_or_queue"):  # the index misses the delete: it still has it
        indexed.fb_shoes.delete()
    assert ("feedback", pk) in found(embedded_backend, "soles")
    sync.queue([sync.Change("feedback", pk)], RuntimeError("down"))
    sync.drain()
    assert found(embedded_backend, "soles") == set()


@pytest.mark.outage
def test_seeding_reindexes_an_existing_index_in_bulk(embedded_backend, indexed):
    from catalog.models import Product

    Product.objects.filter(pk=indexed.thriller.pk).update(name="Quiet Harbour")  # bulk: no signals
    assert found(embedded_backend, "harbour") == set()
    records_seeded.send(sender=None, counts={}, cleared=False)
    assert found(embedded_backend, "harbour") == indexed.keys(indexed.thriller)


def test_seeding_does_not_create_a_missing_index(embedded_backend, dataset):
    records_seeded.send(sender=None, counts={}, cleared=False)
    assert not embedded_backend.exists()


def test_changes_during_a_rebuild_are_reapplied_after_it(
    embedded_backend, indexed, django_capture_on_commit_callbacks
):
    from search.backends.embedded import EmbeddedBackend

    real_rebuild = EmbeddedBackend.rebuild

    def rebuild_with_a_save_in_the_middle(self, **kwargs):
        from catalog.models import Product

        stale = Product.objects.get(pk=indexed.shoes.pk)  # the rebuild's read happened before the save
        with django_capture_on_commit_callbacks(execute=True):
            product_update(product=indexed.shoes, data={"name": "Harbour Sandals"})
        Product.objects.filter(pk=stale.pk).update(name=stale.name)
        counts = real_rebuild(self, **kwargs)
        Product.objects.filter(pk=stale.pk).update(name="Harbour Sandals")
        return counts

    from django.core.management import call_command

    with mock.patch.object(EmbeddedBackend, "rebuild", rebuild_with_a_save_in_the_middle):
        call_command("search_index", "--rebuild", "-f")
    assert found(embedded_backend, "harbour") == indexed.keys(
        indexed.shoes, indexed.sale_shoes, indexed.fb_shoes
    )
    assert sync.pending_count() == 0 and PendingUpdate.objects.count() == 0
