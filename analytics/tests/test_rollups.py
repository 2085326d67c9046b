"""The rollup-backed figures equal the direct oracle after every kind of write.

Writes go through the services (which keep the rollups exact); rollups_rebuild() in between puts
Monday prefix rows in place, so both the day-rows-only and the prefix paths are held to the oracle,
including writes before, inside and after the rebuilt span.
"""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.conf import settings

from accounts.services import customer_create, customer_delete, customer_update
from analytics.figures import FIGURES, product_summary
from analytics.models import ProductLedger
from analytics.rollups import rollups_rebuild
from catalog.models import Product
from catalog.services import product_create, product_update
from core.filters import DateRange
from feedback.models import Feedback
from feedback.services import feedback_create, feedback_delete, feedback_update
from sales.models import Sale
from sales.services import sale_create, sale_delete, sale_refund, sale_update
from tests.oracles import oracle
from tests.oracles.oracle import DIRECT_FIGURES

pytestmark = pytest.mark.django_db

CATEGORIES = ["Books", "Toys", "Garden"]
CITIES = [("Lisbon", "PT", 38.7, -9.1), ("Porto", "PT", 41.1, -8.6), ("Osaka", "JP", 34.7, 135.5)]
FIRST_DAY = dt.date(2024, 1, 1)
FIT_META = ("version", "fitted_version", "fitted_at")  # analytics.fits.Cached.meta
DAYS = 600

RANGES = [
    DateRange(),
    DateRange(dt.date(2024, 3, 5), None),
    DateRange(None, dt.date(2024, 11, 20)),
    DateRange(dt.date(2024, 2, 14), dt.date(2024, 2, 14)),
    DateRange(dt.date(2024, 4, 3), dt.date(2024, 4, 30)),
    DateRange(dt.date(2024, 1, 10), dt.date(2024, 9, 30)),
    DateRange(dt.date(2024, 6, 3), dt.date(2025, 6, 1)),  # Monday to Sunday: edges on span Mondays
    DateRange(dt.date(2024, 6, 4), dt.date(2025, 6, 2)),  # Tuesday to Monday
    DateRange(dt.date(2024, 6, 5), dt.date(2024, 6, 9)),  # inside one week
    DateRange(dt.date(2023, 6, 1), dt.date(2026, 3, 1)),  # wider than every record
    DateRange(dt.date(2022, 1, 1), dt.date(2022, 3, 1)),  # before every record
]


def moment(rng: random.Random, *, lo: int = 0, hi: int = DAYS) -> dt.datetime:
    day = FIRST_DAY + dt.timedelta(days=rng.randrange(lo, hi))
    return dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)), tzinfo=dt.timezone.utc)


# On MongoDB each figure is a few round trips to a test server that plans in Python: there the
# sweep takes one range of each shape (all time, open either end, Monday edges, inside a week, before
# every record) and two categories. Which rows a range reads is decided in Python, the same on
# both backends; the embedded pass sweeps every range and category.
MONGODB_RANGES = [RANGES[i] for i in (0, 1, 2, 6, 8, 10)]


def assert_figures_match_oracle():
    ranges, categories = (MONGODB_RANGES, [None, CATEGORIES[0]]) if settings.USING_MONGODB else (
        RANGES, [None, *CATEGORIES])
    for date_range in ranges:
        for category in categories:
            for name, fn in FIGURES.items():
                expected = DIRECT_FIGURES[name](date_range=date_range, category=category)
                assert fn(date_range=date_range, category=category) == expected, (name, date_range, category)
        for product_id in Product.objects.values_list("pk", flat=True):
            expected = oracle.product_summary(product_id=product_id, date_range=date_range)
            assert product_summary(product_id=product_id, date_range=date_range) == expected, date_range


class Shop:
    """Random records written through the services only."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.customers, self.products = [], []

    def customer(self, **overrides):
        city, country, lat, lon = self.rng.choice(CITIES)
        values = dict(
            name=f"Customer {len(self.customers)}",
            email=f"c{len(self.customers)}-{self.rng.random()}@example.com",
            city=city, country=country, latitude=lat, longitude=lon,
            joined_at=dt.datetime(2023, 12, 1, tzinfo=dt.timezone.utc)
            + dt.timedelta(days=self.rng.randrange(30)),
        )
        customer = customer_create(**{**values, **overrides})
        self.customers.append(customer)
        return customer

    def product(self):
        product = product_create(
            sku=f"SKU-{len(self.products)}-{self.rng.randrange(10**6)}", name=f"Product {len(self.products)}",
            category=self.rng.choice(CATEGORIES),
            price=Decimal(self.rng.choice(["9.99", "15.50", "0.00", "120.00"])),
        )
        self.products.append(product)
        return product

    def sale(self, **window):
        return sale_create(
            customer=self.rng.choice(self.customers), product=self.rng.choice(self.products),
            quantity=self.rng.randint(1, 4), sold_at=moment(self.rng, **window),
            status=self.rng.choice([Sale.Status.COMPLETED] * 4 + [Sale.Status.REFUNDED]),
        )

    def feedback(self, **window):
        return feedback_create(
            customer=self.rng.choice(self.customers), product=self.rng.choice(self.products),
            rating=self.rng.randint(1, 5), created_at=moment(self.rng, **window),
        )

    def populate(self, *, customers=8, products=6, sales=60, feedback=25):
        for _ in range(customers):
            self.customer()
        for _ in range(products):
            self.product()
        for _ in range(sales):
            self.sale(hi=400)
        for _ in range(feedback):
            self.feedback(hi=400)

    def edit(self):
        rng = self.rng
        sales = list(Sale.objects.order_by("pk"))
        for sale in rng.sample(sales, 8):
            sale_update(sale=sale, data=rng.choice([
                {"quantity": rng.randint(1, 6)},
                {"sold_at": moment(rng)},
                {"product": rng.choice(self.products)},
                {"customer": rng.choice(self.customers)},
                {"unit_price": Decimal("3.25"), "status": Sale.Status.COMPLETED},
                {"status": Sale.Status.COMPLETED},
            ]))
        for sale in rng.sample(sales, 4):
            sale_refund(sale=sale)
        for sale in rng.sample(sales, 5):
            sale_delete(sale=sale)
        feedback = list(Feedback.objects.order_by("pk"))
        for item in rng.sample(feedback, 4):
            feedback_update(feedback=item, data=rng.choice([
                {"rating": rng.randint(1, 5)}, {"created_at": moment(rng)},
                {"product": rng.choice(self.products)},
            ]))
        for item in rng.sample(feedback, 3):
            feedback_delete(feedback=item)
        city, country, lat, lon = CITIES[2]
        customer_update(customer=self.customers[0], data={"city": city, "country": country, "latitude": lat})
        customer_update(customer=self.customers[1], data={
            "joined_at": dt.datetime(2023, 11, 2, tzinfo=dt.timezone.utc), "longitude": None,
        })
        lonely = self.customer(city="Reykjavik", country="IS")
        customer_delete(customer=lonely)
        self.customers.remove(lonely)
        product = self.products[0]
        product_update(product=product, data={
            "category": next(c for c in CATEGORIES if c != product.category),
        })
        self.product()  # a product new since the rebuild, selling inside and after the span
        for _ in range(6):
            self.sale(lo=-40, hi=DAYS + 30)
        for _ in range(4):
            self.feedback(lo=0, hi=DAYS + 30)


@pytest.mark.parametrize("seed", [1])
def test_rollups_follow_every_write_without_a_rebuild(seed):
    shop = Shop(seed)
    shop.populate()
    assert_figures_match_oracle()
    shop.edit()
    assert not ProductLedger.objects.filter(prefix=True).exists()
    assert_figures_match_oracle()


@pytest.mark.parametrize("seed", [3])
def test_rollups_follow_every_write_after_a_rebuild(seed):
    shop = Shop(seed)
    shop.populate()
    rollups_rebuild()
    assert ProductLedger.objects.filter(prefix=True).exists()
    assert_figures_match_oracle()
    shop.edit()
    assert_figures_match_oracle()


def test_rebuild_gives_what_the_writes_kept():
    shop = Shop(5)
    shop.populate(sales=30, feedback=10)
    shop.edit()
    def figures():  # the fits' cache versions move with a rebuild; what they say must not
        return {name: {k: v for k, v in fn(date_range=RANGES[0]).items() if k not in FIT_META}
                for name, fn in FIGURES.items()}

    before = figures()
    rollups_rebuild()
    assert figures() == before


def test_a_rollup_write_fails_with_its_sale(monkeypatch):
    shop = Shop(6)
    shop.populate(sales=5, feedback=0)
    before = FIGURES["kpis"](date_range=RANGES[0])

    def broken(**kwargs):
        raise RuntimeError("rollup down")

    monkeypatch.setattr("analytics.rollups.writes.active_refresh", broken)
    with pytest.raises(RuntimeError):
        sale_create(customer=shop.customers[0], product=shop.products[0], quantity=1,
                    sold_at=moment(shop.rng))
    assert Sale.objects.count() == 5
    assert FIGURES["kpis"](date_range=RANGES[0]) == before


def test_a_day_emptied_before_a_category_change_counts_in_the_new_category():
    shop = Shop(7)
    shop.populate(customers=2, products=1, sales=0, feedback=0)
    rollups_rebuild()
    product, customer = shop.products[0], shop.customers[0]
    day = dt.datetime(2024, 5, 8, 12, tzinfo=dt.timezone.utc)
    sale_delete(sale=sale_create(customer=customer, product=product, quantity=2, sold_at=day))
    new_category = next(c for c in CATEGORIES if c != product.category)
    product_update(product=product, data={"category": new_category})
    sale_create(customer=customer, product=product, quantity=3, sold_at=day)
    assert_figures_match_oracle()
    held = ProductLedger.objects.filter(product=product, units__gt=0)
    assert set(held.values_list("category", flat=True)) == {new_category}
