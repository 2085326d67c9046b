"""Price spread per category: quartiles interpolate like numpy's default."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from analytics.figures.catalog import price_spread_by_category
from catalog.tests.factories import ProductFactory
from core.filters import DateRange

pytestmark = pytest.mark.django_db

PRICES = ["4.99", "12.00", "7.50", "99.90", "18.25", "3.10", "45.00"]


@pytest.fixture
def products():
    created = dt.datetime(2025, 2, 1, tzinfo=dt.timezone.utc)
    for price in PRICES:
        ProductFactory(category="Books", price=Decimal(price), created_at=created)
    ProductFactory(category="Toys", price=Decimal("20.00"), created_at=created + dt.timedelta(days=40))


def test_quartiles_match_numpy(products):
    (books, toys) = price_spread_by_category(date_range=DateRange())["rows"]
    prices = np.array([float(p) for p in PRICES])
    expected = np.percentile(prices, [25, 50, 75])
    assert books["category"] == "Books" and books["count"] == 7
    assert (books["min"], books["max"]) == (3.10, 99.90)
    assert [books["q1"], books["median"], books["q3"]] == [round(float(v), 2) for v in expected]
    assert toys == {"category": "Toys", "count": 1, "min": 20.0, "q1": 20.0, "median": 20.0, "q3": 20.0,
                    "max": 20.0}


def test_range_applies_to_created_at_and_category_filters(products):
    february = DateRange(dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    assert [r["category"] for r in price_spread_by_category(date_range=february)["rows"]] == ["Books"]
    toys = price_spread_by_category(date_range=DateRange(), category="Toys")
    assert [r["category"] for r in toys["rows"]] == ["Toys"]
    assert price_spread_by_category(date_range=DateRange(), category="Garden") == {"rows": []}
