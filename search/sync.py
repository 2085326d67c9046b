"""Keep the search backend in step with the database.

Writes the services announce (``core.signals``) are applied after their transaction commits. When the
engine is down (or the embedded writer is busy with a rebuild) the change is recorded as a
`PendingUpdate` and the save goes on: a later successful update, a rebuild, or
`manage.py search_index --drain` applies what is pending.
"""

import contextlib
import logging
import time
from dataclasses import dataclass
from functools import partial

from django.db import transaction

from core.versions import version_read, version_replace
from search import records
from search.backends import BaseSearchBackend, get_search_backend
from search.backends.base import DocumentRejected
from search.models import PendingUpdate

logger = logging.getLogger(__name__)
DRAIN_BATCH = 500
# A PendingUpdate row of this type marks a rebuild in progress: changes applied meanwhile may be missed
# by the rebuild's read of the database, so they are also queued and re-applied once it has finished.
REBUILDING = "rebuilding"
DURING_REBUILD = "changed during a rebuild"
# A shared version (core.versions): a new value after every change to the index, for what is cached
# by it (core.api.cache). A fresh unique value, not a count: a lost entry can never bring back a value
# an older index state was cached under.
INDEX_VERSION = "search:index-version"
_version_seen = None
# Errors that belong to one record (a value the engine or a conversion refuses), not to the engine:
# the drain sets such a record aside instead of letting it block the queue.
RECORD_ERRORS = (DocumentRejected, ValueError, TypeError, ArithmeticError)


@dataclass(frozen=True)
class Change:
    record_type: str
    record_id: str
    cascade: bool = False


def apply(changes: list[Change], *, backend: BaseSearchBackend | None = None) -> None:
    """Index the records that exist, delete those that don't, and refresh their carriers.

    Raises the backend's errors (SearchUnavailable…); callers decide whether to queue.
    """
    backend = backend or get_search_backend()
    try:
        _apply(changes, backend)
    finally:  # even a failure part way may have changed some documents
        index_changed()


def _apply(changes: list[Change], backend: BaseSearchBackend) -> None:
    by_type: dict[str, set[str]] = {}
    for change in changes:
        by_type.setdefault(change.record_type, set()).add(change.record_id)
    for name, ids in by_type.items():
        documents = list(records.documents(name, pk__in=list(ids)))
        backend.index(name, documents)
        backend.delete(name, ids - {record_id for record_id, _ in documents})
    # The carriers of every cascading change, one write per carrier type (a drain's batch may hold
    # hundreds of renamed products: one commit each would take minutes).
    carried: dict[tuple[str, str], set[str]] = {}
    for change in changes:
        if change.cascade:
            for carrier, foreign_key in records.carriers(change.record_type, None):
                carried.setdefault((carrier.name, foreign_key), set()).add(change.record_id)
    for (name, foreign_key), ids in carried.items():
        backend.index(name, records.documents(name, **{f"{foreign_key}__in": sorted(ids)}))


def index_changed() -> None:
    """Called after anything changed the index (an update, a rebuild, a drop)."""
    version_replace(INDEX_VERSION)


def index_version() -> str:
    """The index's current version. When another process moved it, this process's reader reloads
    first (the embedded reader would otherwise catch up on its own a little later), so whatever is
    searched next and cached under this version saw the change."""
    global _version_seen
    version = version_read(INDEX_VERSION)
    if version != _version_seen:
        get_search_backend().reload()
        _version_seen = version
    return version


def queue(changes: list[Change], error: Exception) -> None:
    for change in changes:
        pending, created = PendingUpdate.objects.get_or_create(
            record_type=change.record_type,
            record_id=change.record_id,
            defaults={"cascade": change.cascade, "last_error": str(error)[:1000], "attempts": 1},
        )
        if not created:
            pending.cascade = pending.cascade or change.cascade
            pending.attempts += 1
            pending.last_error = str(error)[:1000]
            pending.failed_reason = ""  # changed again: worth another try
            pending.save(update_fields=["cascade", "attempts", "last_error", "failed_reason", "updated_at"])


def apply_or_queue(changes: list[Change]) -> bool:
    """Runs after commit: never raises, so a save never fails because of search. True if applied."""
    try:
        apply(changes)
    except Exception as exc:
        logger.warning(
            "Search update of %s deferred: %r", [f"{c.record_type}:{c.record_id}" for c in changes], exc
        )
        try:
            queue(changes, exc)
        except Exception:
            logger.exception("Could not record the deferred search update; rebuild the index to recover.")
        return False
    try:
        if PendingUpdate.objects.exists():
            if PendingUpdate.objects.filter(record_type=REBUILDING).exists():
                queue(changes, RuntimeError(DURING_REBUILD))
            else:
                drain()
    except Exception:
        logger.exception("Retrying pending search updates failed; they stay queued.")
    return True


@contextlib.contextmanager
def rebuilding():
    """Mark a rebuild in progress (see REBUILDING); drain what was queued meanwhile after it."""
    marker, _ = PendingUpdate.objects.get_or_create(record_type=REBUILDING, record_id="index")
    try:
        yield
    finally:
        PendingUpdate.objects.filter(pk=marker.pk).delete()
        index_changed()


def _waiting():
    return PendingUpdate.objects.filter(record_type__in=records.TYPES, failed_reason="")


def drain(*, backend: BaseSearchBackend | None = None) -> int:
    """Apply pending updates, oldest first; returns how many.

    Trouble with the engine stops the drain (raising it): what was not applied stays queued. An error
    that belongs to a record (RECORD_ERRORS) has the batch retried one record at a time, and a record
    that still fails is set aside (``failed_reason``) so it never blocks the others.
    """
    backend = backend or get_search_backend()
    done, applied = 0, set()
    while True:
        queued = _waiting().order_by("created_at", "pk")
        batch = [p for p in queued[:DRAIN_BATCH] if (p.pk, p.updated_at) not in applied]
        if not batch:
            return done
        changes = [Change(p.record_type, p.record_id, p.cascade) for p in batch]
        try:
            apply(changes, backend=backend)
        except RECORD_ERRORS:
            batch = _apply_one_by_one(batch, backend)
        except Exception as exc:
            PendingUpdate.objects.filter(pk__in=[p.pk for p in batch]).update(last_error=str(exc)[:1000])
            raise
        # Delete only the rows applied: a row re-queued meanwhile has a newer updated_at.
        for p in batch:
            PendingUpdate.objects.filter(pk=p.pk, updated_at=p.updated_at).delete()
            applied.add((p.pk, p.updated_at))
        done += len(batch)


def _apply_one_by_one(batch: list[PendingUpdate], backend: BaseSearchBackend) -> list[PendingUpdate]:
    """Apply each pending row alone; set aside those that fail. Returns the rows applied."""
    ok = []
    for p in batch:
        try:
            apply([Change(p.record_type, p.record_id, p.cascade)], backend=backend)
        except RECORD_ERRORS as exc:
            reason = f"{type(exc).__name__}: {exc}"[:1000]
            logger.warning("Search update of %s set aside: %s", p, reason)
            PendingUpdate.objects.filter(pk=p.pk, updated_at=p.updated_at).update(
                failed_reason=reason, last_error=reason
            )
        except Exception as exc:
            PendingUpdate.objects.filter(pk=p.pk).update(last_error=str(exc)[:1000])
            raise
        else:
            ok.append(p)
    return ok


def pending_count() -> int:
    """Updates waiting to be applied (not counting those set aside)."""
    return _waiting().count()


def failed_updates():
    """The updates set aside because their record could not be indexed, oldest first."""
    return (
        PendingUpdate.objects.filter(record_type__in=records.TYPES).exclude(failed_reason="")
        .order_by("created_at", "pk")
    )


# --- Receivers of what the services announce (connected in SearchConfig.ready) -----------------


def record_changed(sender, *, old, new, fields, **kwargs):
    """A service wrote a record (``core.signals.record_changed``): index it, or delete its document,
    once the transaction commits. Carriers follow when a field they copy changed."""
    rt = records.record_type_of(sender)
    if rt is None:
        return
    record = new if new is not None else old
    cascade = new is not None and bool(records.carriers(rt.name, fields))
    change = Change(rt.name, str(record.pk), cascade=cascade)
    transaction.on_commit(partial(apply_or_queue, [change]), using=record._state.db, robust=True)


def records_seeded(sender, **kwargs):
    """seed_data wrote rows in bulk (no model signals): re-index everything, in bulk.

    Only an index that exists is refreshed; `make run` / `search_index --rebuild --if-missing`
    builds a missing one.
    """
    backend = get_search_backend()
    try:
        if not backend.exists():
            logger.info("No search index yet; `manage.py search_index --rebuild` builds it.")
            return
        started = time.perf_counter()
        with rebuilding():
            counts = backend.rebuild()
        drain(backend=backend)
        logger.info("Search index rebuilt after seeding in %.1f s: %s", time.perf_counter() - started, counts)
    except Exception as exc:
        logger.warning(
            "Search index not refreshed after seeding (%s); run `manage.py search_index --rebuild`.", exc
        )
