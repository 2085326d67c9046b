"""The generated data looks like a shop's: seasonality, growth, popular products, prices, reviews.

These run the generators without a database, on enough rows for the shapes to show.
"""

import datetime as dt
import re
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest
from faker import Faker

from catalog.models import CATEGORIES
from seeding.generate.catalog_data import CATALOG, PERSON
from seeding.generate.customers import generate_customers
from seeding.generate.feedback import feedback_batches
from seeding.generate.pools import build_pools
from seeding.generate.products import MAX_ATTRIBUTES, generate_products
from seeding.generate.sales import choose_reviewed, sale_batches
from seeding.generate.timeline import DAY, HOUR, WINDOW_DAYS, Window, hour_chunks, sample_times

UNTIL = dt.date(2026, 6, 30)
WINDOW = Window(until=UNTIL)
N_PRODUCTS, N_CUSTOMERS, N_SALES, N_FEEDBACK = 300, 3_000, 60_000, 8_000
NEGATIVE_WORDS = {"terrible", "waste", "broken", "worst", "disappointed", "poor", "avoid", "cheap", "flimsy",
                  "never", "money back", "returning"}
POSITIVE_WORDS = {"love", "excellent", "great", "perfect", "recommend", "happy", "good", "solid", "best",
                  "outstanding", "pleased"}


def concat(batches, key):
    return np.concatenate([np.asarray(batch[key]) for batch in batches])


@pytest.fixture(scope="module")
def data():
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(11).spawn(5)]
    pools = build_pools(11)
    products, product_batch = generate_products(rngs[0], pools=pools, window=WINDOW, n=N_PRODUCTS)
    customers, customer_batches = generate_customers(rngs[1], pools=pools, window=WINDOW, n=N_CUSTOMERS)
    customer_batches = list(customer_batches)
    reviewed = choose_reviewed(rngs[2], sales=N_SALES, reviews=N_FEEDBACK)
    sales = list(sale_batches(rngs[3], window=WINDOW, customers=customers, products=products, n=N_SALES,
                              reviewed=reviewed))
    feedback = list(feedback_batches(rngs[4], window=WINDOW, customers=customers, products=products,
                                     reviewed=reviewed, n=N_FEEDBACK))
    return SimpleNamespace(products=products, product=product_batch, customers=customers,
                           customer=customer_batches, sales=sales, feedback=feedback)


def test_catalog_covers_the_product_categories():
    assert set(CATALOG) == set(CATEGORIES)


def test_every_product_kind_has_usable_templates():
    for name, category in CATALOG.items():
        for kind in category.kinds:
            assert len(kind.attributes) <= MAX_ATTRIBUTES
            assert 0 < kind.low < kind.high
            sample = {key: "x" if values is PERSON else values[0] for key, values in kind.attributes.items()}
            fill = {**sample, "brand": "Brand", "model": category.models[0], "title": "The Title"}
            assert kind.name.format(**fill) and kind.blurb.format(**fill), (name, kind.noun)


def test_window_is_three_years_ending_where_the_until_day_starts():
    assert WINDOW.end == int(dt.datetime(2026, 6, 30, tzinfo=dt.UTC).timestamp())
    assert WINDOW.first_day == dt.date(2023, 6, 30)
    assert WINDOW.end - WINDOW.start == WINDOW_DAYS * DAY


def test_hour_chunks_are_consecutive_whole_hours_of_about_the_size():
    counts = np.random.default_rng(1).integers(0, 50, size=500)
    chunks = hour_chunks(counts, 1_000)
    assert chunks[0][0] == 0
    assert [first for first, _ in chunks[1:]] == [last for _, last in chunks[:-1]]
    assert sum(counts[first:last].sum() for first, last in chunks) == counts.sum()
    assert all(1_000 <= counts[first:last].sum() < 1_050 for first, last in chunks[:-1])


def test_sample_times_are_sorted_and_inside_the_window():
    times = sample_times(np.random.default_rng(2), WINDOW, 5_000)
    assert len(times) == 5_000
    assert np.all(np.diff(times) >= 0)
    assert times.min() >= WINDOW.start and times.max() < WINDOW.end


def test_sales_are_in_time_order_inside_the_window(data):
    sold = concat(data.sales, "sold_at")
    assert len(sold) == N_SALES
    assert np.all(np.diff(sold) >= 0)
    assert sold.min() >= WINDOW.start and sold.max() < WINDOW.end
    assert np.array_equal(concat(data.sales, "id"), np.arange(N_SALES))


def test_weekly_and_yearly_seasonality_and_growth(data):
    sold = concat(data.sales, "sold_at")
    days = sold.astype("datetime64[s]").astype("datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    per_weekday = np.bincount(weekday, minlength=7)
    assert per_weekday[6] > 1.15 * per_weekday[5]  # Sunday busier than Saturday
    month = days.astype("datetime64[M]").astype(np.int64) % 12
    per_month = np.bincount(month, minlength=12)
    assert per_month[11] > 1.4 * per_month[1]  # December vs February
    first_year = np.count_nonzero(sold < WINDOW.start + 365 * DAY)
    last_year = np.count_nonzero(sold >= WINDOW.end - 365 * DAY)
    assert last_year > 1.6 * first_year
    hour = (sold % DAY) // HOUR
    assert np.bincount(hour, minlength=24)[20] > 4 * np.bincount(hour, minlength=24)[4]


def test_a_few_products_sell_most(data):
    per_product = np.sort(np.bincount(concat(data.sales, "product_id"), minlength=N_PRODUCTS))[::-1]
    assert per_product[: N_PRODUCTS // 10].sum() > 0.45 * N_SALES
    assert per_product[0] < 0.2 * N_SALES


def test_customers_bought_after_joining(data):
    customer, sold = concat(data.sales, "customer_id"), concat(data.sales, "sold_at")
    assert np.all(sold > data.customers.joined[customer])
    assert len(np.unique(customer)) > N_CUSTOMERS // 2


def test_prices_totals_and_discounts(data):
    product, quantity = concat(data.sales, "product_id"), concat(data.sales, "quantity")
    unit, total = concat(data.sales, "unit_price"), concat(data.sales, "total")
    price = data.products.price_cents[product]
    assert np.array_equal(total, quantity * unit)
    assert np.all((unit <= price) & (unit >= price * 0.6 - 0.5) & (unit > 0))  # at most 40% off
    discounted = np.mean(unit < price)
    assert 0.05 < discounted < 0.25
    assert np.all((quantity >= 1) & (quantity <= 10)) and np.mean(quantity == 1) > 0.6


def test_prices_follow_the_category(data):
    categories = np.array(data.product["category"])
    price = data.product["price"] / 100
    median = {c: np.median(price[categories == c]) for c in set(categories)}
    assert median["Books"] < median["Clothing"] < median["Electronics"]
    assert median["Grocery"] < median["Home & Kitchen"] < median["Computers"]
    for name, category in CATALOG.items():
        low = min(kind.low for kind in category.kinds) - 0.51
        high = max(kind.high for kind in category.kinds) + 1
        assert np.all((price[categories == name] >= low) & (price[categories == name] <= high)), name


def test_products_have_unique_skus_category_attributes_and_predate_the_window(data):
    product = data.product
    assert len(set(product["sku"])) == N_PRODUCTS
    assert np.all(product["created_at"] < WINDOW.start)
    expected_keys = {name: [set(kind.attributes) for kind in c.kinds] for name, c in CATALOG.items()}
    for category, attributes in zip(product["category"], product["attributes"], strict=True):
        assert set(attributes) in expected_keys[category]
    books = [a for c, a in zip(product["category"], product["attributes"], strict=True) if c == "Books"]
    assert all(isinstance(a["pages"], int) and a["author"] for a in books)
    clothes = [a for c, a in zip(product["category"], product["attributes"], strict=True) if c == "Clothing"]
    assert all("fabric" in a and "color" in a for a in clothes)


def test_refunds_are_a_few_percent_and_more_for_poor_products(data):
    product = concat(data.sales, "product_id")
    refunded = concat(data.sales, "status") == "refunded"
    assert 0.03 <= refunded.mean() <= 0.05
    quality = data.products.quality[product]
    poor, good = quality < np.quantile(quality, 0.25), quality > np.quantile(quality, 0.75)
    assert refunded[poor].mean() > 2 * refunded[good].mean()


def test_channel_mix(data):
    channels = Counter(concat(data.sales, "channel").tolist())
    assert set(channels) == {"web", "mobile", "marketplace", "store"}
    assert channels["web"] > channels["mobile"] > channels["marketplace"] > channels["store"]


def test_ratings_follow_product_quality_and_comments_match_the_rating(data):
    rating, product = concat(data.feedback, "rating"), concat(data.feedback, "product_id")
    quality = data.products.quality[product]
    assert quality[rating <= 2].mean() + 0.1 < quality[rating >= 4].mean()
    share = np.bincount(rating, minlength=6)[1:] / len(rating)
    assert share[4] > share[3] > share[2] > share[0]  # mostly good, some bad: like real reviews
    for stars, comment in zip(rating.tolist(), concat(data.feedback, "comment").tolist(), strict=True):
        text = comment.lower()
        words = set(re.findall(r"[a-z]+", text)) | {phrase for phrase in NEGATIVE_WORDS if phrase in text}
        if stars <= 2:
            assert not words & POSITIVE_WORDS, comment
        if stars >= 4:
            assert not words & NEGATIVE_WORDS, comment


def test_feedback_follows_its_purchase_and_ends_with_the_window(data):
    created = concat(data.feedback, "created_at")
    customer = concat(data.feedback, "customer_id")
    assert np.all(np.diff(created) >= 0)
    assert np.all(created > data.customers.joined[customer])
    assert created.max() < WINDOW.end
    first_purchase = {}
    for key in zip(concat(data.sales, "customer_id").tolist(), concat(data.sales, "product_id").tolist(),
                   concat(data.sales, "sold_at").tolist(), strict=True):
        first_purchase.setdefault(key[:2], key[2])  # sales come in time order
    pairs = zip(customer.tolist(), concat(data.feedback, "product_id").tolist(), strict=True)
    for pair, when in zip(pairs, created.tolist(), strict=True):
        assert first_purchase[pair] <= when


def test_feedback_without_sales_still_follows_joining_and_product_launch():
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(3).spawn(5)]
    pools = build_pools(3)
    products, _ = generate_products(rngs[0], pools=pools, window=WINDOW, n=20)
    customers, _ = generate_customers(rngs[1], pools=pools, window=WINDOW, n=50)
    reviewed = choose_reviewed(rngs[2], sales=0, reviews=100)
    (batch,) = feedback_batches(rngs[4], window=WINDOW, customers=customers, products=products,
                                reviewed=reviewed, n=100)
    assert np.all(batch["created_at"] > customers.joined[batch["customer_id"]])
    assert np.all(batch["created_at"] > products.created[batch["product_id"]])
    assert batch["created_at"].max() < WINDOW.end


def test_customers_are_unique_and_live_in_real_places(data):
    rows = {key: [v for batch in data.customer for v in batch[key]] for key in data.customer[0]}
    assert len(set(rows["email"])) == N_CUSTOMERS
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\d+@example\.(com|net|org)", e) for e in rows["email"])
    real = {(city, country, float(lat), float(lon))
            for lat, lon, city, country, _tz in Faker().provider("faker.providers.geo").land_coords}
    places = set(zip(rows["city"], rows["country"], rows["latitude"], rows["longitude"], strict=True))
    assert places <= real
    assert Counter(rows["country"]).most_common(1)[0][0] == "US"
    joined = data.customers.joined
    assert np.all(np.diff(joined) >= 0) and joined.max() < WINDOW.end
    assert WINDOW.start - 730 * DAY <= joined.min() < WINDOW.start
