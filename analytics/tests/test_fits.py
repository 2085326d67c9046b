"""analytics.fits: results cached by the rollups' version, refitted in the background."""

import datetime as dt
import threading

import pytest
from django.core.cache import cache

from accounts.tests.factories import CustomerFactory
from analytics import fits
from analytics.rollups import rollups_rebuild
from analytics.rollups.version import version_bump, version_current
from catalog.tests.factories import ProductFactory
from sales.services import sale_create

pytestmark = pytest.mark.django_db


class Gate:
    """A compute that blocks until released, counting its calls."""

    def __init__(self, value):
        self.value, self.calls, self.release = value, 0, threading.Event()

    def __call__(self):
        self.calls += 1
        assert self.release.wait(10)
        return self.value


def wait_for_refits():
    for worker in [t for t in threading.enumerate() if t.name.startswith("refit ")]:
        worker.join(10)


@pytest.fixture
def background(settings):
    settings.FITS_REFRESH = "thread"
    yield
    wait_for_refits()


def test_a_sale_written_through_the_service_bumps_the_version():
    before = version_current()
    sale_create(customer=CustomerFactory(), product=ProductFactory(), quantity=2,
                sold_at=dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC))
    assert version_current() == before + 1


def test_a_rebuild_bumps_the_version():
    before = version_current()
    rollups_rebuild()
    assert version_current() == before + 1


def test_first_request_is_pending_then_fresh_then_stale_after_a_rollup_change(background):
    gate = Gate({"n": 1})
    first = fits.cached("test", "all", gate)
    assert (first.status, first.value) == ("pending", None)
    again = fits.cached("test", "all", gate)  # the refit is still running: no second one starts
    assert again.status == "pending"
    gate.release.set()
    wait_for_refits()
    assert gate.calls == 1
    fresh = fits.cached("test", "all", gate)
    assert (fresh.status, fresh.value, fresh.fitted_version) == ("fresh", {"n": 1}, version_current())

    version_bump()
    gate.value, gate.release = {"n": 2}, threading.Event()
    stale = fits.cached("test", "all", gate)
    assert (stale.status, stale.value) == ("stale", {"n": 1})
    assert stale.fitted_version == stale.version - 1
    gate.release.set()
    wait_for_refits()
    assert fits.cached("test", "all", gate).value == {"n": 2}
    assert gate.calls == 2


def test_a_quick_refit_is_served_fresh_in_the_same_request(background):
    result = fits.cached("test", "quick", lambda: {"quick": True}, wait=5)
    assert (result.status, result.value) == ("fresh", {"quick": True})


def test_a_failed_refit_keeps_the_last_result_and_frees_the_lock(background):
    fits.cached("test", "k", lambda: "old", wait=5)
    version_bump()

    def broken():
        raise RuntimeError("fit failed")

    assert fits.cached("test", "k", broken, wait=5).value == "old"
    wait_for_refits()
    assert fits.cached("test", "k", lambda: "new", wait=5).value == "new"


def test_keys_are_separate():
    fits.cached("test", "a", lambda: "A")
    fits.cached("test", "b", lambda: "B")
    assert fits.cached("test", "a", lambda: "x").value == "A"
    cache.clear()
    assert fits.cached("test", "a", lambda: "x").value == "x"


def test_the_web_process_starts_a_fits_refresh_process_and_returns_at_once(settings, monkeypatch):
    settings.FITS_REFRESH = "process"
    started = []
    monkeypatch.setattr(fits.subprocess, "Popen", lambda args, **kwargs: started.append(args))
    result = fits.cached("trends", "Books")
    assert result.status == "pending"
    (args,) = started
    assert args[1].endswith("manage.py") and args[2:] == ["fits_refresh", "trends", "Books", "--rollups-version",
                                                          str(version_current())]
    assert fits.refitting("trends", "Books")
    fits.cached("trends", "Books")
    assert len(started) == 1  # the lock holds while that process runs


def test_fits_refresh_stores_the_result_and_frees_the_lock(shop_days):
    from django.core.management import call_command

    version = version_current()
    cache.add(fits._lock("trends", "Books"), True)  # as the web process took it
    call_command("fits_refresh", "trends", "Books", "--rollups-version", str(version))
    assert not fits.refitting("trends", "Books")
    result = fits.cached("trends", "Books")
    assert result.status == "fresh"
    assert result.value["last_actual"] == "2025-03-02"


@pytest.fixture
def shop_days():
    from analytics.models import SalesDay

    SalesDay.objects.bulk_create([
        SalesDay(day=dt.date(2025, 2, 1) + dt.timedelta(days=i), category="Books", orders=10 + i % 7,
                 units=10, revenue_cents=1000 * (10 + i % 7))
        for i in range(30)
    ])
