"""Shared versions: a fresh unique value in the shared cache that a change replaces.

What a worker keeps in its memory (API responses, the tokens it resolved) is keyed by versions that
every change moves, read once per request from the cache every worker shares (a file read). A fresh
value, not a count: a lost or evicted entry is replaced by a new value, which makes whatever was kept
under the old one a miss, never a stale answer.

``version_move`` replaces the value at once (the writing transaction already sees its change) and
again when the transaction commits: a reader that read the old rows in between, not yet committed
over, kept them under a value nobody reads any more, and the request after the change sees it.
"""

import uuid

from django.core.cache import cache
from django.db import transaction


def version_read(key: str) -> str:
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        version = cache.get(key)
    return version


def _replace(key: str) -> None:
    cache.set(key, uuid.uuid4().hex, timeout=None)


def version_move(key: str) -> None:
    """A new value now and another once the current transaction commits (at once outside one)."""
    _replace(key)
    transaction.on_commit(lambda: _replace(key))
