"""Slow results derived from the rollups (a fitted forecast), cached by the rollups' version.

A request never waits more than ``WAIT`` (50 ms) for a fit:

1. it reads the rollups' version (one indexed row, analytics.rollups.version) and the cache entry
   ``fit:<name>:<key>``, which holds the last result with the version it was computed at;
2. same version: the result is ``fresh``;
3. otherwise it starts a refit in the background (unless one is already running in any worker: a
   lock entry added with ``cache.add``) and serves the last result marked ``stale``, or nothing
   marked ``pending`` before the first fit ever.

Why a separate process (``manage.py fits_refresh NAME KEY``, ``FITS_REFRESH = "process"``): a fit is
numpy and statsmodels code that holds the GIL for long stretches, so a fit in a thread of the web
worker delayed the request that started it by up to 25 ms past its join's timeout (bench/forecast.py
measured 73 ms for a 50 ms budget); a process shares nothing with the request. ``"thread"`` (waits
up to WAIT for a quick fit) stays for the tests of this module; ``"inline"`` (the test settings)
computes in the request, inside the test's transaction, as IMPORTS_RUN_INLINE does for imports.

Why the version counter: the rollups change on every sale written through the services, so refitting
inside the write's transaction would slow every write by a fit (0.3 s and more per series); deleting
cache entries on write would need the writer to know every derived result. A version bumped in the
same transaction costs one UPDATE and makes every older entry stale at once, on any worker. The
default cache is the file cache under DATA_DIR (settings), which gunicorn's workers and the refit
process share; it does not depend on the database, so MongoDB works the same.
``manage.py trends_refit`` fits everything up front (``make seed`` runs it after seeding).

A result is registered by name (``register``) so the refit process can compute it from the name and
key alone.
"""

import datetime as dt
import hashlib
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from analytics.rollups.version import version_current

WAIT = 0.05            # seconds a request may wait for a refit
# Taken off the join: the refitting thread holds the GIL in stretches, so the request may wake up to
# two of Python's 5 ms switch intervals after its join times out.
SLACK = 0.01
LOCK_SECONDS = 600     # a refit that died (worker killed) frees its lock after this
KEEP_SECONDS = 90 * 24 * 3600
FRESH, STALE, PENDING = "fresh", "stale", "pending"

log = logging.getLogger(__name__)
REGISTRY: dict[str, Callable[[str], object]] = {}
INLINE, THREAD, PROCESS = "inline", "thread", "process"


def register(name: str, compute: Callable[[str], object]) -> None:
    """``compute(key)`` makes the result ``name`` caches under ``key``."""
    REGISTRY[name] = compute


@dataclass(frozen=True)
class Cached:
    value: object | None       # the result, None while pending
    status: str                # FRESH, STALE or PENDING
    version: int               # the rollups' version now
    fitted_version: int | None  # the version the value was computed at
    fitted_at: str | None      # ISO time of that computation (UTC)

    def meta(self) -> dict:
        return {"status": self.status, "version": self.version, "fitted_version": self.fitted_version,
                "fitted_at": self.fitted_at}


def _entry_key(name: str, key: str) -> str:
    # Hashed: a category name may hold spaces or "&", which not every cache backend takes in a key.
    return f"fit:{name}:{hashlib.sha1(key.encode()).hexdigest()[:20]}"


def cached(name: str, key: str, compute: Callable[[], object] | None = None, *, wait: float = WAIT) -> Cached:
    """``compute()``'s result (default: the registered one for ``key``) for the rollups as they are
    now, or the last one while it refits."""
    started = time.perf_counter()
    current = version_current()
    entry = cache.get(_entry_key(name, key))
    if entry is None or entry["version"] != current:
        worker = refresh(name, key, compute, version=current)
        if worker is not None:
            worker.join(max(0.0, wait - SLACK - (time.perf_counter() - started)))
        entry = cache.get(_entry_key(name, key)) or entry
    if entry is None:
        return Cached(None, PENDING, current, None, None)
    status = FRESH if entry["version"] == current else STALE
    return Cached(entry["value"], status, current, entry["version"], entry["fitted_at"])


def fresh(name: str, key: str, compute: Callable[[], object], *, version: int | None = None) -> object:
    """The result for the rollups as they are now (``version``, read here if not given), computed here
    if the cache has none: for commands (trends_digest, trends_refit), which may wait, and for results
    quick enough to compute in a request (analytics.figures.cached)."""
    current = version_current() if version is None else version
    entry = cache.get(_entry_key(name, key))
    if entry is not None and entry["version"] == current:
        return entry["value"]
    value = compute()
    store(name, key, value, version=current)
    return value


def release(name: str, key: str) -> None:
    """Free the refit lock (the fits_refresh process, when it is done)."""
    cache.delete(_lock(name, key))


def refitting(name: str, key: str) -> bool:
    return cache.get(_lock(name, key)) is not None


def store(name: str, key: str, value: object, *, version: int) -> None:
    """Keep ``value`` as computed from the rollups at ``version``."""
    fitted_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    cache.set(_entry_key(name, key), {"version": version, "value": value, "fitted_at": fitted_at}, KEEP_SECONDS)


def _lock(name: str, key: str) -> str:
    return f"{_entry_key(name, key)}:refitting"


def refresh(name: str, key: str, compute: Callable[[], object] | None = None, *, version: int | None = None,
            how: str | None = None) -> threading.Thread | None:
    """Recompute and store, ``how`` (default: settings.FITS_REFRESH) inline, in a thread (returned)
    or in a ``fits_refresh`` process. Returns None unless a thread was started; nothing happens when
    another refit of the same entry is running."""
    how = how or settings.FITS_REFRESH
    lock = _lock(name, key)
    if not cache.add(lock, True, LOCK_SECONDS):
        return None
    version = version_current() if version is None else version
    if how == PROCESS:
        try:
            subprocess.Popen(  # noqa: S603 (our own command, arguments as a list)
                [sys.executable, str(settings.BASE_DIR / "manage.py"), "fits_refresh", name, key,
                 "--rollups-version", str(version)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True,
            )
        except OSError:
            cache.delete(lock)
            log.exception("could not start the refit of %s %r", name, key)
        return None
    compute = compute or (lambda: REGISTRY[name](key))
    inline = how == INLINE

    def run():
        try:
            store(name, key, compute(), version=version)
        except Exception:  # a background fit must not die silently, nor take the worker down
            log.exception("refit of %s %r failed", name, key)
            if inline:
                raise
        finally:
            cache.delete(lock)
            if not inline:
                connections.close_all()  # this thread's own connections

    if inline:
        run()
        return None
    worker = threading.Thread(target=run, name=f"refit {name} {key}", daemon=True)
    worker.start()
    return worker
