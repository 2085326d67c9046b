"""Database helpers that behave the same on SQLite and MongoDB."""

import contextlib

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction


def atomic(using=None):
    """All-or-nothing block on either backend.

    Django's ``transaction.atomic()`` does nothing on MongoDB; django-mongodb-backend's own
    ``atomic`` runs a real MongoDB transaction, which needs a replica set or a sharded cluster (the
    README and docker-compose.yml set one up). A standalone server rejects transactions, so there
    the block runs without one: each write is atomic on its own document only.
    """
    if not settings.USING_MONGODB:
        return transaction.atomic(using=using)
    if connections[using or DEFAULT_DB_ALIAS].features._supports_transactions:
        from django_mongodb_backend import transaction as mongo_transaction

        return mongo_transaction.atomic(using)
    return contextlib.nullcontext()


def index_specs(database, name: str) -> list[dict]:
    """MongoDB: the secondary indexes of collection ``name``, as ``createIndexes`` takes them."""
    return [
        {k: v for k, v in spec.items() if k not in ("v", "ns")}
        for spec in database[name].list_indexes() if spec["name"] != "_id_"
    ]


def create_collection_like(database, source: str, name: str, *, indexes: list[dict] | None = None) -> None:
    """MongoDB: create the empty collection ``name`` with the indexes of collection ``source`` (what a
    collection built beside a live one needs before it is renamed over it, or put in its place), or
    with ``indexes`` read from it earlier."""
    indexes = index_specs(database, source) if indexes is None else indexes
    database.create_collection(name)
    if indexes:
        database.command({"createIndexes": name, "indexes": indexes})
