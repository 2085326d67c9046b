"""Feedback: mostly reviews of a sale some days after it, rated by the product's hidden quality."""

from collections.abc import Iterator

import numpy as np

from .customers import CustomerSet
from .phrases import CLOSERS, OPENERS
from .products import ProductSet
from .sales import ReviewedSales
from .timeline import DAY, Window

CHUNK = 100_000
RATING_SPREAD = 0.9
RATING_SLOPE = 4.4  # expected stars = 1 + slope × hidden quality (0..1)
CLOSER_SHARE = 0.6


def feedback_batches(
    rng: np.random.Generator,
    *,
    window: Window,
    customers: CustomerSet,
    products: ProductSet,
    reviewed: ReviewedSales,
    n: int,
) -> Iterator[dict]:
    """Yield column batches (field attname -> values) in time order.

    With sales, each review follows one of them (``reviewed``); with none, a customer rates a
    product some time after both existed.
    """
    if not n:
        return
    customer, product, after, refunded = reviewed.columns()
    if not len(customer):
        activity = customers.activity_cdf
        customer = np.searchsorted(activity, rng.random(n) * activity[-1], "right")
        customer = np.minimum(customer, len(activity) - 1)
        product = products.pick(rng, n)
        # A second after both existed, so created_at is strictly after joined_at.
        after = np.maximum(customers.joined[customer], products.created[product]) + 1
        refunded = np.zeros(n, dtype=bool)
    delay = (rng.gamma(1.5, 4 * DAY, size=n)).astype(np.int64)
    created = np.minimum(after + delay, window.end - 1)  # never after the --until day
    noise = rng.normal(0.0, RATING_SPREAD, size=n) - refunded * rng.integers(1, 3, size=n)
    rating = np.clip(np.rint(1 + RATING_SLOPE * products.quality[product] + noise), 1, 5).astype(np.int64)
    comment = _comments(rng, rating, [products.nouns[p] for p in product.tolist()])

    order = np.argsort(created, kind="stable")
    for start in range(0, n, CHUNK):
        rows = order[start:start + CHUNK]
        yield {
            "id": np.arange(start, start + len(rows)),
            "customer_id": customer[rows],
            "product_id": product[rows],
            "rating": rating[rows],
            "comment": [comment[i] for i in rows.tolist()],
            "created_at": created[rows],
            "external_id": [""] * len(rows),
        }


def _comments(rng: np.random.Generator, rating: np.ndarray, nouns: list[str]) -> list[str]:
    """An opener matching the rating's tone, often followed by a short closer."""
    n = len(rating)
    opener_u, closer_u, with_closer = rng.random(n), rng.random(n), rng.random(n) < CLOSER_SHARE
    comments = []
    draws = zip(
        rating.tolist(), nouns, opener_u.tolist(), closer_u.tolist(), with_closer.tolist(), strict=True
    )
    for r, noun, a, b, more in draws:
        text = OPENERS[r][int(a * len(OPENERS[r]))].format(noun=noun)
        if more:
            text = f"{text} {CLOSERS[r][int(b * len(CLOSERS[r]))]}"
        comments.append(text)
    return comments
