"""Shared fixtures, and which tests run in which pass of `make test`.

`make test` runs pytest twice: first in the embedded mode (SQLite), then with MONGODB_URI set,
where only `mongodb_pipeline` tests (compiled without a server) and `requires_mongodb` tests
(skipped unless a server answers) are collected.
"""

import pytest
from django.conf import settings

MONGO_ONLY_MARKERS = ("mongodb_pipeline", "requires_mongodb")


def pytest_collection_modifyitems(config, items):
    mongo_mode = settings.USING_MONGODB
    keep, drop = [], []
    for item in items:
        mongo_test = any(item.get_closest_marker(m) for m in MONGO_ONLY_MARKERS)
        (keep if mongo_test == mongo_mode else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def _repeatable_factories():
    """Factories draw from Faker: seed it so a test sees the same names on every run."""
    import factory.random

    factory.random.reseed_random("ecommerce-analytics")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The in-memory cache holds throttle history; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def analyst_user(db, django_user_model):
    from django.contrib.auth.models import Group

    from core.groups import ANALYSTS

    user = django_user_model.objects.create_user("ana", "ana@example.com", "analyst-pass-123")
    user.groups.add(Group.objects.get(name=ANALYSTS))
    return user


@pytest.fixture
def staff_user(db, django_user_model):
    return django_user_model.objects.create_superuser("sam", "sam@example.com", "staff-pass-123")


@pytest.fixture
def plain_user(db, django_user_model):
    """Logged in, but neither an analyst nor staff."""
    return django_user_model.objects.create_user("pat", "pat@example.com", "plain-pass-123")


@pytest.fixture
def analyst_client(client, analyst_user):
    client.force_login(analyst_user)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def mongo_pipelines():
    """Run real query code against django-mongodb-backend without a server.

    Every query is compiled to its aggregation pipeline by the real compiler; the cursor is
    replaced by an empty one. Yields the list of ``(collection, pipeline)`` that ran.
    """
    from unittest import mock

    from django_mongodb_backend.query import MongoQuery

    assert settings.USING_MONGODB, "mongodb_pipeline tests run in the MongoDB-mode pass"
    captured = []

    class EmptyCursor:
        def __iter__(self):
            return iter(())

        def next(self):
            raise StopIteration

    def get_cursor(query):
        captured.append((query.compiler.collection_name, query.get_pipeline()))
        return EmptyCursor()

    with mock.patch.object(MongoQuery, "get_cursor", get_cursor):
        yield captured
