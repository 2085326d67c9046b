"""Database helpers that behave the same on SQLite and MongoDB."""

from django.conf import settings
from django.db import transaction


def atomic(using=None):
    """All-or-nothing block on either backend.

    Django's ``transaction.atomic()`` does nothing on MongoDB; django-mongodb-backend's own
    ``atomic`` runs a real MongoDB transaction, which needs a replica set or sharded cluster
    (the deployment README asks for one). On a standalone server writes are not atomic.
    """
    if settings.USING_MONGODB:
        from django_mongodb_backend import transaction as mongo_transaction

        return mongo_transaction.atomic(using)
    return transaction.atomic(using=using)

