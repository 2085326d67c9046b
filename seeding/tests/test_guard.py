"""seed_data all or nothing without one transaction (seeding.generate.guard), on both backends: a write
failing after some batches, a run killed half-way and found by the next one, a run still going."""

import io
import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection

from seeding.generate import guard, run
from seeding.generate.guard import SET_ASIDE, STILL_RUNNING, seed_in_progress
from seeding.management.commands.seed_data import SEED_FAILED
from seeding.models import SeedRun
from seeding.tests.test_data import UNTIL, counts, dump, indexes, seed

pytestmark = pytest.mark.django_db

BIGGER = {"users": 60, "products": 20, "sales": 500, "feedback": 50}


class BatchesFail:
    """Wraps the real writer: the batch after ``after`` batches raises, as a lost connection would."""

    def __init__(self, writer, *, after: int):
        self.writer, self.after, self.written = writer, after, 0

    def encode(self, model, batch):
        return self.writer.encode(model, batch)

    @contextmanager
    def table(self, model):
        with self.writer.table(model) as insert:
            def failing(rows):
                if self.written == self.after:
                    raise DatabaseError("connection lost (injected)")
                self.written += 1
                return insert(rows)

            yield failing


def failing_after(n: int):
    real = run.writer_for
    return mock.patch.object(run, "writer_for", lambda connection, *, window: BatchesFail(
        real(connection, window=window), after=n))


def state():
    """Everything a failed seed must leave as it found: the records, their indexes, the collections."""
    tables = sorted(connection.introspection.table_names())
    return dump(), counts(), indexes(), tables


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.parametrize("after", [1, 2])
def test_a_batch_failing_half_way_into_an_empty_database_leaves_it_empty(after):
    before = state()
    with failing_after(after), pytest.raises(CommandError) as error:
        seed(**BIGGER)
    assert str(error.value) == SEED_FAILED.format(error="connection lost (injected)")
    assert state() == before
    assert counts() == {"Customer": 0, "Product": 0, "Sale": 0, "Feedback": 0}
    assert not SeedRun.objects.exists()


@pytest.mark.parametrize("after", [1, 3])
def test_a_batch_failing_half_way_through_a_clear_brings_the_old_records_back(after):
    seed()
    before = state()
    with failing_after(after), pytest.raises(CommandError, match="connection lost"):
        seed("--clear", **BIGGER)
    assert state() == before
    assert not SeedRun.objects.exists()
    seed("--clear", **BIGGER)  # and the next run is not hindered by anything left behind
    assert counts() == {"Customer": 60, "Product": 20, "Sale": 500, "Feedback": 50}


def kill_half_way(*args, after: int = 2, **counts):
    """A run that dies after ``after`` batches without undoing anything (as kill -9 would); on SQLite its
    transaction still rolls back, as SQLite does for a dead process. Leaves its marker, as a dead pid."""
    with failing_after(after), mock.patch.object(guard, "undo"), pytest.raises(CommandError):
        seed(*args, **counts)
    assert SeedRun.objects.count() == 1
    SeedRun.objects.update(pid=dead_pid())


def test_the_next_run_undoes_a_killed_clear_first():
    seed()
    before = state()
    kill_half_way("--clear", **BIGGER)
    assert seed_in_progress(using="default")
    if connection.vendor == "mongodb":  # the old records wait aside, the new ones are half in
        assert SET_ASIDE.format(table="sales_sale") in connection.introspection.table_names()
        assert counts() != before[1]
    err = io.StringIO()
    call_command("seed_data", "--if-empty", f"--until={UNTIL}", stdout=io.StringIO(), stderr=err)
    assert "Undid a seed_data that did not finish" in err.getvalue()
    assert state() == before  # undone, and --if-empty then found the old records
    assert not seed_in_progress(using="default")


def test_the_next_run_empties_what_a_killed_run_half_wrote_then_seeds():
    kill_half_way(**BIGGER)
    seed()
    assert counts() == {"Customer": 40, "Product": 15, "Sale": 400, "Feedback": 80}
    assert not SeedRun.objects.exists()


def test_a_marker_of_a_run_still_going_is_left_alone_and_nothing_written():
    from django.utils import timezone

    SeedRun.objects.create(started_at=timezone.now(), host=socket.gethostname(), pid=os.getpid())
    with pytest.raises(CommandError) as error:
        seed()
    assert str(error.value).startswith(STILL_RUNNING.split("(")[0])
    assert counts() == {"Customer": 0, "Product": 0, "Sale": 0, "Feedback": 0}
    assert SeedRun.objects.count() == 1


def test_seed_records_into_tables_with_records_is_refused_without_clear():
    from accounts.tests.factories import CustomerFactory
    from seeding.generate import build_plan, seed_records
    from seeding.generate.options import SeedError

    CustomerFactory()
    before = state()
    with pytest.raises(SeedError, match="already has customers"):
        seed_records(plan=build_plan(today=UNTIL, users=5, products=2, sales=3, feedback=0), clear=False)
    assert state() == before
    assert not SeedRun.objects.exists()
