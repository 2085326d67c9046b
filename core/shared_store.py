"""One small SQLite file that every worker process on the host shares (``settings.SHARED_STORE``, in
``CACHE_DIR``: in memory where the system allows): the API's throttle counts (core.api.throttling)
and the shared versions (core.versions).

Both are read or written on every API request, where the file cache they lived in before cost a file
open, read, inflate and unpickle per value (about 20 us for a version) and a compressed temporary
file and rename per write; a statement on an open SQLite connection costs 5 us to read and 20 us to
write (measured on tmpfs). WAL, so readers and the writer do not wait on each other; no flush, since
these are counts and versions, not records (a lost version is replaced by a new one: core.versions).
"""

import os
import sqlite3
import threading

from django.conf import settings


class SharedStore:
    """One connection per process and thread to ``settings.SHARED_STORE``, with ``schema`` made."""

    def __init__(self, *schema: str):
        self._schema = schema
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        local, path, pid = self._local, str(settings.SHARED_STORE), os.getpid()
        if getattr(local, "where", None) != (path, pid):
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)  # as the file cache makes CACHE_DIR
            # isolation_level=None: each statement is its own transaction (an upsert is atomic).
            connection = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            for statement in self._schema:
                connection.execute(statement)
            local.connection, local.where = connection, (path, pid)
            self.opened()
        return local.connection

    def opened(self) -> None:
        """Called once per new connection (for per-connection state of a subclass)."""
