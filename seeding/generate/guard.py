"""All or nothing for a seed without one big transaction: a marker first, undone on failure or when stale.

A MongoDB transaction may live at most transactionLifetimeLimitSeconds (60 s by default) and a large
seed takes minutes, so on MongoDB the batches are written each on its own and all-or-nothing comes from
here instead:

1. a ``SeedRun`` marker is written (and committed) before anything else;
2. with --clear, each record collection is renamed aside to ``<name>__seed_previous`` (indexes and all,
   a metadata change) and an empty one with the same indexes takes its place: nothing old is deleted
   until the new records are all in;
3. the batches go in;
4. on success the marker is deleted, then the set-aside collections dropped (one left by a crash
   between the two is dropped by the next run: with no marker it is only garbage).

On failure, or when a later run finds the marker of a process that is gone, ``undo`` puts each
set-aside collection back over the new one, or empties a table that was empty before the run. SQLite
keeps its one transaction (nothing to gain from batches: it has no lifetime limit, rolls back by
itself when the process is killed, and its index drop and rebuild must roll back with the rows); it
still writes the marker, so pages can say a seed is under way and undo has one shape on both.
"""

import datetime as dt
import os
import socket
from contextlib import contextmanager

from django.db import connections

from core.db import create_collection_like
from seeding.models import SeedRun

from .options import SeedError
from .records import SEEDED_MODELS, clear_outside

SET_ASIDE = "{table}__seed_previous"
STILL_RUNNING = (
    "Another seed_data ({run}) is still writing; nothing was done. Wait for it, or stop it and run again "
    "(the next run undoes what it left)."
)


def seed_in_progress(*, using: str) -> bool:
    """Is a seed writing (or was one killed and not yet undone)? One indexed read, for pages."""
    return SeedRun.objects.using(using).exists()


def undo_stale(*, using: str) -> SeedRun | None:
    """Undo what a killed run left (returns its marker), or refuse while its process still runs."""
    run = SeedRun.objects.using(using).order_by("started_at").first()
    if run is None:
        _drop_set_aside(using)
        return None
    if run.host == socket.gethostname() and _alive(run.pid):
        raise SeedError(STILL_RUNNING.format(run=run))
    undo(run, using=using)
    return run


@contextmanager
def guarded(*, cleared: bool, using: str):
    """Around a seed's writes: the marker first, the old records set aside (MongoDB, --clear); undone
    if the block raises, kept (the set-aside dropped) if it does not."""
    run = SeedRun.objects.using(using).create(
        started_at=dt.datetime.now(dt.UTC), cleared=cleared, host=socket.gethostname(), pid=os.getpid(),
    )
    try:
        if cleared and _sets_aside(using):
            _set_aside(using)
        yield run
        if cleared and _sets_aside(using):
            clear_outside(using=using)  # derived rows (ledgers, values) pointing at the old records
    except BaseException:
        undo(run, using=using)
        raise
    run.delete()
    _drop_set_aside(using)


def undo(run: SeedRun, *, using: str) -> None:
    """Put the records back as they were before ``run`` started, then delete its marker.

    Per table: a set-aside one goes back over whatever the run wrote; without one, a run that was not
    clearing found the table empty, so it is emptied again; a clearing run without a set-aside table
    (SQLite, whose transaction already rolled back, or a MongoDB run killed before it got that far)
    left it as it was.
    """
    connection = connections[using]
    for model in SEEDED_MODELS:
        table = model._meta.db_table
        if connection.vendor == "mongodb" and SET_ASIDE.format(table=table) in _collections(using):
            connection.database[SET_ASIDE.format(table=table)].rename(table, dropTarget=True)
        elif not run.cleared:
            model._base_manager.using(using).all()._raw_delete(using)
    SeedRun.objects.using(using).filter(pk=run.pk).delete()


def _sets_aside(using: str) -> bool:
    return connections[using].vendor == "mongodb"


def _collections(using: str) -> set[str]:
    return set(connections[using].database.list_collection_names())


def _set_aside(using: str) -> None:
    database = connections[using].database
    for model in SEEDED_MODELS:
        table, aside = model._meta.db_table, SET_ASIDE.format(table=model._meta.db_table)
        database[table].rename(aside)
        create_collection_like(database, aside, table)


def _drop_set_aside(using: str) -> None:
    if not _sets_aside(using):
        return
    present = _collections(using)
    for model in SEEDED_MODELS:
        name = SET_ASIDE.format(table=model._meta.db_table)
        if name in present:
            connections[using].database.drop_collection(name)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
