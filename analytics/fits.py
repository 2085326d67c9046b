"""Slow results derived from the rollups (a fitted forecast), cached by the rollups' version.

A request never waits more than ``WAIT`` (50 ms) for a fit:

1. it reads the rollups' version (one indexed row, analytics.rollups.version) and the cache entry
   ``fit:<name>:<key>``, which holds the last result with the version it was computed at;
2. same version: the result is ``fresh``;
3. otherwise it starts a refit in a background thread (unless one is already running in any worker:
   a lock entry added with ``cache.add``) and waits for it up to what is left of ``WAIT``; a fit that
   is quicker (a short series) is served fresh, else the last result is served marked ``stale``, or
   nothing marked ``pending`` before the first fit ever.

Why a thread and the version counter: the rollups change on every sale written through the services,
so refitting inside the write's transaction would slow every write by a fit (0.3 s and more per series);
deleting cache entries on write would need the writer to know every derived result. A version bumped
in the same transaction costs one UPDATE and makes every older entry stale at once, on any worker.
The default cache is the file cache under DATA_DIR (settings), which gunicorn's workers share, so one
worker's fit serves them all; it does not depend on the database, so MongoDB works the same.
``manage.py trends_refit`` fits everything up front (``make seed`` runs it after seeding).

``FITS_INLINE = True`` (the test settings) computes in the request instead, inside the test's
transaction, as ``IMPORTS_RUN_INLINE`` does for imports.
"""

import datetime as dt
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connections

from analytics.rollups.version import version_current

WAIT = 0.05            # seconds a request may wait for a refit
LOCK_SECONDS = 600     # a refit that died (worker killed) frees its lock after this
KEEP_SECONDS = 90 * 24 * 3600
FRESH, STALE, PENDING = "fresh", "stale", "pending"

log = logging.getLogger(__name__)


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


def cached(name: str, key: str, compute: Callable[[], object], *, wait: float = WAIT) -> Cached:
    """``compute()``'s result for the rollups as they are now, or the last one while it refits."""
    started = time.perf_counter()
    current = version_current()
    entry = cache.get(_entry_key(name, key))
    if entry is None or entry["version"] != current:
        worker = refresh(name, key, compute, version=current)
        if worker is not None:
            worker.join(max(0.0, wait - (time.perf_counter() - started)))
        entry = cache.get(_entry_key(name, key)) or entry
    if entry is None:
        return Cached(None, PENDING, current, None, None)
    status = FRESH if entry["version"] == current else STALE
    return Cached(entry["value"], status, current, entry["version"], entry["fitted_at"])


def fresh(name: str, key: str, compute: Callable[[], object]) -> object:
    """The result for the rollups as they are now, computed here if the cache has none: for commands
    (trends_digest, trends_refit), which may wait."""
    current = version_current()
    entry = cache.get(_entry_key(name, key))
    if entry is not None and entry["version"] == current:
        return entry["value"]
    value = compute()
    store(name, key, value, version=current)
    return value


def store(name: str, key: str, value: object, *, version: int) -> None:
    """Keep ``value`` as computed from the rollups at ``version``."""
    fitted_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    cache.set(_entry_key(name, key), {"version": version, "value": value, "fitted_at": fitted_at}, KEEP_SECONDS)


def refresh(name: str, key: str, compute: Callable[[], object], *, version: int | None = None,
            inline: bool | None = None) -> threading.Thread | None:
    """Recompute and store; in a thread (returned) unless ``inline`` (default: FITS_INLINE).
    Returns None when computed inline or when another refit of the same entry is running."""
    lock = f"{_entry_key(name, key)}:refitting"
    if not cache.add(lock, True, LOCK_SECONDS):
        return None
    version = version_current() if version is None else version
    inline = settings.FITS_INLINE if inline is None else inline

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
