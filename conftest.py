"""Shared fixtures, and which tests run in which pass of `make test`.

`make test` runs pytest twice. The embedded pass (SQLite, tantivy) runs every test except the
MongoDB-only ones (`mongodb_pipeline`, `requires_mongodb`). The MongoDB pass runs with MONGODB_URI
naming a live server (tools/with_mongodb.py starts one when none is given) and runs EVERY test:
the whole suite on MongoDB, the `mongodb_pipeline` shape checks (compiled by the real compiler,
against a mocked cursor) and the `requires_mongodb` end-to-end tests. Only tests marked
`embedded_only(reason=...)` are skipped there, with that reason.
"""

import datetime as dt

import pytest
from django.conf import settings

MONGO_ONLY_MARKERS = ("mongodb_pipeline", "requires_mongodb")
# From this many documents a test's collection is dropped and made again, not emptied (MongoDB pass).
DROP_FROM = 300


def pytest_collection_modifyitems(config, items):
    if settings.USING_MONGODB:
        for item in items:
            marker = item.get_closest_marker("embedded_only")
            if marker:
                reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
                assert reason, f"{item.nodeid}: embedded_only needs a reason"
                item.add_marker(pytest.mark.skip(reason=f"embedded only: {reason}"))
        return
    keep, drop = [], []
    for item in items:
        (drop if any(item.get_closest_marker(m) for m in MONGO_ONLY_MARKERS) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


# MongoDB pass: the documents each database holds once migrated, by alias and collection.
MIGRATED: dict[str, dict[str, list]] = {}
_BUILT: dict[str, tuple] = {}


def collections(connection):
    names = connection.introspection.django_table_names(only_existing=True, include_views=False)
    return [name for name in names if not name.startswith("system.")]


def documents(connection) -> dict[str, list]:
    """Every document of every collection, in `_id` order."""
    return {name: list(connection.database[name].find({}, sort=[("_id", 1)])) for name in collections(connection)}


def put_back(collection, rows: list) -> None:
    """Empty `collection` and insert `rows` into it."""
    collection.delete_many({})
    if rows:
        collection.insert_many(rows)


@pytest.fixture
def built_once_on_mongodb(db):
    """`built_once_on_mongodb(key, build)`: build()'s records for this test, and what build returned.

    On SQLite it just calls build(). On MongoDB, where a shop written through the services costs
    minutes on the test server, the first test builds it and keeps its documents; a later test
    asking for the same key gets those documents put back (and the same return value) instead.
    """
    from django.db import connection

    def get(key: str, build):
        if not settings.USING_MONGODB:
            return build()
        if key not in _BUILT:
            value = build()
            _BUILT[key] = (value, documents(connection))
            return value
        value, built = _BUILT[key]
        migrated = MIGRATED[connection.alias]
        for name, rows in built.items():
            if rows != migrated.get(name, []):
                put_back(connection.database[name], rows)
        return value

    return get


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On MongoDB, tests end by restoring the freshly migrated database instead of Django's flush.

    django-mongodb-backend runs no test transactions (`supports_transactions = False`), so every `db`
    test ends as a `transaction=True` one does: Django's flush empties every collection, then sends
    post_migrate to recreate content types and permissions (about 0.5 s a test on the test server),
    and what data migrations wrote (the `analysts` group and its permissions) is gone. Instead: keep
    the documents the migrations left, and after each test empty the other collections and put
    those documents back, byte for byte (same ids, so ContentType's cache stays right). A collection
    left with many documents is dropped and made again with the indexes it had after migrating.
    """
    if not settings.USING_MONGODB:
        yield
        return
    from django.db import connections
    from django.test import TransactionTestCase

    from core.db import create_collection_like, index_specs

    baseline, indexes = MIGRATED, {}
    with django_db_blocker.unblock():
        for alias in connections:
            connection = connections[alias]
            docs = documents(connection)
            baseline[alias] = {name: rows for name, rows in docs.items() if rows}
            indexes[alias] = {name: index_specs(connection.database, name) for name in docs}

    def restore_migrated_state(self):
        for alias in self._databases_names(include_mirrors=False):
            connection = connections[alias]
            for name in collections(connection):
                collection = connection.database[name]
                rows = baseline[alias].get(name)
                present = len(list(collection.find({}, {"_id": 1}).limit(DROP_FROM)))
                if present >= DROP_FROM and name in indexes[alias]:
                    # Many documents (a seed, a rebuild): dropping the collection and building its
                    # indexes again costs a fraction of deleting them one by one.
                    collection.drop()
                    create_collection_like(connection.database, name, name, indexes=indexes[alias][name])
                    if rows:
                        collection.insert_many(rows)
                elif not rows:
                    if present:
                        collection.delete_many({})
                elif list(collection.find({}, sort=[("_id", 1)])) != rows:
                    put_back(collection, rows)

    original = TransactionTestCase._fixture_teardown
    TransactionTestCase._fixture_teardown = restore_migrated_state
    yield
    TransactionTestCase._fixture_teardown = original


def _runs_in_a_test_transaction(request) -> bool:
    """Whether pytest-django runs this test inside a transaction it rolls back (a plain `db` test)."""
    names = request.fixturenames
    if {"transactional_db", "live_server", "django_db_reset_sequences"} & set(names):
        return False
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return "db" in names
    return not marker.kwargs.get("transaction", marker.args[0] if marker.args else False)


@pytest.fixture(autouse=True)
def _on_commit_waits_as_in_a_test_transaction(request):
    """MongoDB pass: a plain `db` test gets the on-commit rule it has on SQLite.

    There it runs inside a transaction that is rolled back, so its on-commit callbacks never run
    unless the test captures them and runs them (`django_capture_on_commit_callbacks(execute=True)`).
    django-mongodb-backend runs tests in no transaction, so every callback ran at once: each seed
    rebuilt the rollups, each write updated the search index; work, and behaviour, the embedded
    pass never has. Here each callback waits in `connection.run_on_commit`, where the capture
    finds it, and a MongoDB transaction's commit runs none; a rollback drops those registered
    inside it only, as a savepoint's does.
    """
    if not settings.USING_MONGODB or not _runs_in_a_test_transaction(request):
        yield
        return
    from django.db import connections

    connection = connections["default"]
    original_start, original_rollback = connection.start_transaction_mongo, connection.rollback_mongo
    opened_at = []

    def on_commit(func, robust=False):
        if not callable(func):
            raise TypeError("on_commit()'s callback must be a callable.")
        connection.run_on_commit.append(([], func, robust))

    def start_transaction_mongo():
        opened_at[:] = [len(connection.run_on_commit)]
        original_start()

    def rollback_mongo():
        kept = connection.run_on_commit[:opened_at[0] if opened_at else 0]
        original_rollback()
        connection.run_on_commit = kept

    patches = {
        "on_commit": on_commit,
        "start_transaction_mongo": start_transaction_mongo,
        "rollback_mongo": rollback_mongo,
        "run_and_clear_commit_hooks": lambda: None,  # the test's own transaction never commits
    }
    vars(connection).update(patches)
    try:
        yield
    finally:
        for name in patches:
            vars(connection).pop(name, None)
        connection.run_on_commit = []


@pytest.fixture(autouse=True)
def _repeatable_factories():
    """Factories draw from Faker: seed it so a test sees the same names on every run."""
    import factory.random

    factory.random.reseed_random("ecommerce-analytics")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The in-memory cache, the shared store (throttle counts, versions), and each worker's memory of API responses
    (core.api.cache, both keys), tokens (core.api.authentication), signed-in browsers (core.page_cache) and what the figures keep by a version
    token (analytics.rollups.version.Kept: a rolled-back test's token comes again with other rows);
    each test starts with none of them."""
    from django.core.cache import cache

    from analytics.rollups.version import kept_forget
    from core.api.authentication import TOKENS
    from core.api.cache import REPLAYS, RESPONSES
    from core.api.throttling import THROTTLES
    from core.page_cache import BROWSERS
    from core.versions import versions_clear

    for store in (cache, THROTTLES, RESPONSES, REPLAYS, TOKENS, BROWSERS):
        store.clear()
    kept_forget()
    versions_clear()
    yield
    for store in (cache, THROTTLES, RESPONSES, REPLAYS, TOKENS, BROWSERS):
        store.clear()
    kept_forget()
    versions_clear()


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


REBUILT_SPAN = (dt.date(2023, 7, 3), dt.date(2026, 7, 6))


@pytest.fixture
def rebuilt_span(monkeypatch):
    """Every ledger as a rebuild over REBUILT_SPAN left it (the large seed's shape: 10k keys, 900 day
    rows a day), without reading LedgerSpan: a pipeline test sees the figures' own reads, prefix rows
    included. Yields the span."""

    class EveryLedger(dict):
        def get(self, ledger, default=None):
            return (*REBUILT_SPAN, 10_000, 900)

    monkeypatch.setattr("analytics.rollups.ledger._spans", EveryLedger)
    return REBUILT_SPAN


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
