"""The API's throttles, counted in one store every worker process shares: a small SQLite file.

REST framework's throttles keep each client's history (one timestamp per request, up to the rate's
count) in the cache and rewrite it on every request: with the shared file cache that was a read, an
unpickle, a pickle, a compressed temporary file, a rename and a listing of the cache folder. Here a
client's count is one row (key, start of its window, requests in it) in the shared store
(core.shared_store: a SQLite file in ``CACHE_DIR``), moved by one ``INSERT … ON CONFLICT DO UPDATE …
RETURNING`` statement: atomic, so concurrent workers never lose a count, and one write.

The window is fixed and starts with a client's first request: ``N/min`` allows N requests in the
minute after it, the next one is a 429 whose ``Retry-After`` says when that minute ends, and the
first request after it starts a new window. Unlike the sliding history this allows up to 2N over a
window boundary (N at the end of one, N at the start of the next); never more. Refused requests are
counted too, which changes nothing about when the window ends.

A window that has ended is dead weight: every client (each address a bad token came from, say) would
keep its row for ever. So each connection deletes the ended windows once a minute (``PURGE_EVERY``):
one pass over the table, the rows' ``ends`` beside their start (the rate's duration is known only to
the throttle that counted them).

Several hosts (app containers on different machines) would each count for themselves; they share a
budget only when they see the same ``CACHE_DIR`` on one host's file system.
"""

import math
import time

from rest_framework import throttling

from core.shared_store import SharedStore

# "windows", not the first version's "throttle" table, which had no ends column (a store file in
# /dev/shm can outlive a deploy).
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS windows "
    "(key TEXT PRIMARY KEY, start REAL NOT NULL, ends REAL NOT NULL, count INTEGER NOT NULL) WITHOUT ROWID"
)
# SET's right-hand sides all read the row as it was, so each sees the old start.
COUNT = (
    "INSERT INTO windows (key, start, ends, count) VALUES (:key, :now, :now + :duration, 1) "
    "ON CONFLICT (key) DO UPDATE SET "
    "start = CASE WHEN :now >= start + :duration THEN :now ELSE start END, "
    "ends = CASE WHEN :now >= start + :duration THEN :now ELSE start END + :duration, "
    "count = CASE WHEN :now >= start + :duration THEN 1 ELSE count + 1 END "
    "RETURNING start, count"
)
PURGE = "DELETE FROM windows WHERE ends <= :now"
PURGE_EVERY = 60.0  # seconds of the clock (time.monotonic), per connection


class ThrottleStore(SharedStore):
    """The windows, in the shared store (core.shared_store)."""

    def __init__(self):
        super().__init__(SCHEMA)

    def opened(self) -> None:
        self._local.purged = time.monotonic()

    def count(self, key: str, *, now: float, duration: int) -> tuple[float, int]:
        """Count one request for ``key``: (start of its window, requests in the window so far)."""
        connection = self.connection()
        if time.monotonic() - self._local.purged >= PURGE_EVERY:
            self.purge(now=now)
        return connection.execute(COUNT, {"key": key, "now": now, "duration": duration}).fetchone()

    def purge(self, *, now: float) -> int:
        """Delete the windows that ended by ``now`` (the throttles' clock); how many."""
        self._local.purged = time.monotonic()
        return self.connection().execute(PURGE, {"now": now}).rowcount

    def keys(self) -> list[str]:
        return [key for (key,) in self.connection().execute("SELECT key FROM windows ORDER BY key")]

    def clear(self) -> None:
        self.connection().execute("DELETE FROM windows")


THROTTLES = ThrottleStore()


class SharedRateThrottle(throttling.SimpleRateThrottle):
    """REST framework's rate throttle (scopes, rates, cache keys) counted in ``THROTTLES``."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        self.start, count = THROTTLES.count(self.key, now=self.now, duration=self.duration)
        return count <= self.num_requests

    def wait(self):
        """Whole seconds until the window ends (``Retry-After`` drops the fraction)."""
        return max(1, math.ceil(self.start + self.duration - self.now))


class AnonRateThrottle(SharedRateThrottle, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(SharedRateThrottle, throttling.UserRateThrottle):
    pass
