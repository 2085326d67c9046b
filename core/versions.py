"""Shared versions: a fresh unique value in the shared store that a change replaces.

What a worker keeps in its memory (API responses, the tokens and sessions it resolved) is keyed by
versions that every change moves, read once per request from the store every worker process shares
(core.shared_store: one SQLite statement, about 5 us; from the file cache it was about 20 us, three
times per cached API answer). A fresh value, not a count: a lost entry (the store's file removed) is
replaced by a new value, which makes whatever was kept under the old one a miss, never a stale answer.

``version_move`` replaces the value at once (the writing transaction already sees its change) and
again when the transaction commits: a reader that read the old rows in between, not yet committed
over, kept them under a value nobody reads any more, and the request after the change sees it.
"""

import uuid

from django.db import transaction

from core.shared_store import SharedStore

STORE = SharedStore("CREATE TABLE IF NOT EXISTS versions (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
READ = "SELECT value FROM versions WHERE key = ?"


def version_read(key: str) -> str:
    connection = STORE.connection()
    row = connection.execute(READ, (key,)).fetchone()
    if row is None:  # the first reader (or the first since the file went) makes one; a race keeps the first
        connection.execute("INSERT OR IGNORE INTO versions (key, value) VALUES (?, ?)", (key, uuid.uuid4().hex))
        row = connection.execute(READ, (key,)).fetchone()
    return row[0]


def version_replace(key: str) -> None:
    """A new value now (for a change outside any database transaction: the search index)."""
    STORE.connection().execute("INSERT OR REPLACE INTO versions (key, value) VALUES (?, ?)", (key, uuid.uuid4().hex))


def version_move(key: str) -> None:
    """A new value now and another once the current transaction commits (at once outside one)."""
    version_replace(key)
    transaction.on_commit(lambda: version_replace(key))


def versions_clear() -> None:
    """Forget every version (tests: each starts with none, as with a new store)."""
    STORE.connection().execute("DELETE FROM versions")
