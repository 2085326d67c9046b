"""Search fixtures: a throw-away embedded index per test, osmem-server for the Elasticsearch backend,
a real cluster when ELASTICSEARCH_URL is set, and one small data set every backend is tested on."""

import datetime as dt
import os
import uuid
from decimal import Decimal

import pytest
from elasticsearch.dsl.connections import connections
from osmem_server import OsmemServer

from accounts.tests.factories import CustomerFactory
from catalog.tests.factories import ProductFactory
from feedback.tests.factories import FeedbackFactory
from sales.tests.factories import SaleFactory
from search import records
from search.backends import get_search_backend
from search.tests.osmem import PlainJsonNode


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def search_index_dir(settings, tmp_path):
    """Every search test writes its embedded index under its own tmp dir, never ./var."""
    from django.core.cache import cache

    cache.clear()  # API throttle counts: these tests make many requests as the same user
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    settings.SEARCH_BACKEND = "embedded"
    return settings.SEARCH_INDEX_DIR


@pytest.fixture(scope="session")
def osmem_server():
    """Overrides osmem's own fixture: no Japanese dictionary to load; a failure to start fails the tests."""
    server = OsmemServer.start(japanese=False)
    yield server
    server.close()


def _use_elasticsearch(settings, connection: dict):
    original = dict(settings.ELASTICSEARCH_DSL)
    settings.ELASTICSEARCH_DSL = {"default": connection}
    settings.SEARCH_BACKEND = "elasticsearch"
    connections.configure(**settings.ELASTICSEARCH_DSL)
    return original


@pytest.fixture
def osmem_backend(settings, osmem_clone):
    """The Elasticsearch backend against a fresh osmem clone."""
    original = _use_elasticsearch(settings, {"hosts": osmem_clone.url, "node_class": PlainJsonNode})
    yield get_search_backend()
    connections.configure(default=original["default"])


@pytest.fixture
def real_elasticsearch_backend(settings):
    """The Elasticsearch backend against ELASTICSEARCH_URL, under a prefix of its own (removed after)."""
    url = os.environ.get("ELASTICSEARCH_URL", "").strip()
    if not url:
        pytest.skip("ELASTICSEARCH_URL is not set")
    original = _use_elasticsearch(settings, {"hosts": url})
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    indices = [rt.document._index for rt in records.RECORD_TYPES.values()]
    names = [i._name for i in indices]
    for index, name in zip(indices, names, strict=True):
        index._name = f"{prefix}-{name}"
    backend = get_search_backend()
    try:
        backend.client.info()
    except Exception as exc:  # a set URL that does not answer is a failure, not a skip
        pytest.fail(f"ELASTICSEARCH_URL={url} does not answer: {exc}")
    yield backend
    backend.drop()
    for index, name in zip(indices, names, strict=True):
        index._name = name
    connections.configure(default=original["default"])


@pytest.fixture
def embedded_backend(settings):
    settings.SEARCH_BACKEND = "embedded"
    return get_search_backend()


class Dataset:
    """Three customers, four products, three sales, three feedback: every contract test's records."""

    def __init__(self):
        self.alice = CustomerFactory(
            name="Alice Moreau",
            email="alice@example.com",
            city="Lisbon",
            country="PT",
            address="Rua Augusta 12",
            joined_at=utc(2024, 1, 10),
        )
        self.bruno = CustomerFactory(
            name="Bruno Keller",
            email="bruno@example.com",
            city="Berlin",
            country="DE",
            address="Torstrasse 5",
            joined_at=utc(2024, 2, 1),
        )
        self.chiara = CustomerFactory(
            name="Chiara Rossi",
            email="chiara@example.com",
            city="Osaka",
            country="JP",
            address="Dotonbori 3",
            joined_at=utc(2024, 3, 1),
        )
        self.espresso = ProductFactory(
            sku="SKU-100001",
            name="Espresso Machine Deluxe",
            category="Home & Kitchen",
            brand="Brewtech",
            price=Decimal("249.00"),
            description="Fifteen bar pump with a steam wand for cappuccino",
            attributes={"color": "silver"},
            created_at=utc(2023, 5, 1),
        )
        self.shoes = ProductFactory(
            sku="SKU-100002",
            name="Trail Running Shoes",
            category="Shoes",
            brand="Fleetfoot",
            price=Decimal("89.90"),
            description="Lightweight shoes with aggressive grip for muddy trails",
            attributes={"size": "42"},
            created_at=utc(2023, 7, 1),
        )
        self.headphones = ProductFactory(
            sku="SKU-100003",
            name="Noise Cancelling Headphones",
            category="Electronics",
            brand="Sonique",
            price=Decimal("199.00"),
            description="Over-ear headphones with thirty hours of battery <b>bold</b>",
            attributes={},
            created_at=utc(2024, 3, 1),
        )
        self.thriller = ProductFactory(
            sku="SKU-100004",
            name="Paperback Thriller",
            category="Books",
            brand="Penfold",
            price=Decimal("12.50"),
            description="A detective story set in Lisbon",
            attributes={},
            created_at=utc(2022, 11, 1),
        )
        self.sale_espresso = SaleFactory(
            customer=self.alice, product=self.espresso, sold_at=utc(2025, 1, 5, 10)
        )
        self.sale_shoes = SaleFactory(
            customer=self.bruno, product=self.shoes, quantity=2, sold_at=utc(2025, 2, 10, 15)
        )
        self.sale_headphones = SaleFactory(
            customer=self.chiara, product=self.headphones, sold_at=utc(2025, 3, 15, 9)
        )
        self.fb_espresso = FeedbackFactory(
            customer=self.alice,
            product=self.espresso,
            rating=5,
            comment="Perfect crema every morning",
            created_at=utc(2025, 1, 20, 8),
        )
        self.fb_shoes = FeedbackFactory(
            customer=self.bruno,
            product=self.shoes,
            rating=2,
            comment="Soles wore out after a month",
            created_at=utc(2025, 2, 28, 23, 30),
        )
        self.fb_headphones = FeedbackFactory(
            customer=self.chiara,
            product=self.headphones,
            rating=4,
            comment="Great sound, comfortable fit",
            created_at=utc(2025, 3, 30, 18),
        )

    @staticmethod
    def key(obj) -> tuple[str, str]:
        return records.record_type_of(type(obj)).name, str(obj.pk)

    def keys(self, *objs) -> set[tuple[str, str]]:
        return {self.key(o) for o in objs}


@pytest.fixture
def dataset(db) -> Dataset:
    return Dataset()
