"""Sales, generated in time order one chunk at a time so memory stays bounded."""

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from sales.models import Sale

from .customers import CustomerSet
from .products import ProductSet
from .timeline import DAY, Window, hour_chunks, hourly_counts, peak_days, times_in_hours

CHUNK = 100_000
MAX_QUANTITY = 10
DISCOUNT_PERCENTS = np.array([5, 10, 15, 20, 25, 30, 40])
DISCOUNT_SHARE = 0.1  # of sales on an ordinary day
PEAK_DISCOUNT_SHARE = 0.4  # on Black Friday, Cyber Monday
# Refund chance: a floor plus a steep rise for poor products (~4% overall).
REFUND_BASE, REFUND_POOR = 0.01, 0.3
CHANNELS = np.array(
    [c.value for c in (Sale.Channel.WEB, Sale.Channel.MOBILE, Sale.Channel.MARKETPLACE, Sale.Channel.STORE)],
    dtype=object,
)
STATUSES = np.array([Sale.Status.COMPLETED.value, Sale.Status.REFUNDED.value], dtype=object)


@dataclass
class ReviewedSales:
    """The sales that get a review: filled in while the sales are generated."""

    rows: np.ndarray  # sorted sale row numbers
    customer: list = field(default_factory=list)
    product: list = field(default_factory=list)
    sold: list = field(default_factory=list)
    refunded: list = field(default_factory=list)

    def take(self, first_row: int, batch: dict, refunded: np.ndarray) -> None:
        n = len(refunded)
        lo, hi = np.searchsorted(self.rows, [first_row, first_row + n])
        local = self.rows[lo:hi] - first_row
        self.customer.append(batch["customer_id"][local])
        self.product.append(batch["product_id"][local])
        self.sold.append(batch["sold_at"][local])
        self.refunded.append(refunded[local])

    def columns(self) -> tuple[np.ndarray, ...]:
        return tuple(
            np.concatenate(parts) if parts else np.empty(0, dtype=dtype)
            for parts, dtype in ((self.customer, np.int64), (self.product, np.int64), (self.sold, np.int64),
                                 (self.refunded, bool))
        )


def choose_reviewed(rng: np.random.Generator, *, sales: int, reviews: int) -> ReviewedSales:
    """Which sales get a review (each at most once while there are enough sales)."""
    rows = rng.choice(sales, size=reviews, replace=reviews > sales) if sales and reviews else np.empty(0, int)
    return ReviewedSales(rows=np.sort(rows))


def sale_batches(
    rng: np.random.Generator,
    *,
    window: Window,
    customers: CustomerSet,
    products: ProductSet,
    n: int,
    reviewed: ReviewedSales,
    day_factors: np.ndarray | None = None,
) -> Iterator[dict]:
    """Yield column batches (field attname -> values) of about CHUNK sales each, in time order;
    ``day_factors`` multiply each day's share of the sales (planted anomalies)."""
    counts = hourly_counts(rng, window, n, day_factors)
    peak = peak_days(window)
    first_row = 0
    for first, last in hour_chunks(counts, CHUNK):
        sold = times_in_hours(rng, window, counts[first:last], first)
        m = len(sold)
        customer = customers.pick(rng, sold)
        product = products.pick(rng, m)
        quantity = np.minimum(rng.geometric(products.quantity_p[product]), MAX_QUANTITY)
        on_sale = rng.random(m) < np.where(peak[(sold - window.start) // DAY], PEAK_DISCOUNT_SHARE,
                                           DISCOUNT_SHARE)
        percent = np.where(on_sale, rng.choice(DISCOUNT_PERCENTS, size=m), 0)
        price = products.price_cents[product]
        # Integer cents throughout: unit price rounded half up, total = quantity × unit price exactly.
        unit_cents = (price * (100 - percent) + 50) // 100
        refunded = rng.random(m) < REFUND_BASE + REFUND_POOR * (1 - products.quality[product]) ** 2
        batch = {
            "id": np.arange(first_row, first_row + m),
            "customer_id": customer,
            "product_id": product,
            "quantity": quantity,
            "unit_price": unit_cents,
            "discount": np.zeros(m, dtype=np.int64),  # the seed's discounts lower the unit price
            "total": quantity * unit_cents,
            "sold_at": sold,
            "channel": CHANNELS[_channel(rng, window.fraction(sold))].tolist(),
            "status": STATUSES[refunded.astype(np.int64)].tolist(),
            "external_id": [""] * m,
        }
        reviewed.take(first_row, batch, refunded)
        first_row += m
        yield batch


def _channel(rng: np.random.Generator, elapsed: np.ndarray) -> np.ndarray:
    """Index into CHANNELS; the mobile app's share grows from 25% to 40% over the window
    (``elapsed``: 0..1), web shrinks as much, marketplace 12% and store the remaining 8%."""
    mobile = 0.25 + 0.15 * elapsed
    web = 0.55 - 0.15 * elapsed
    u = rng.random(len(elapsed))
    return (u >= web).astype(np.int64) + (u >= web + mobile) + (u >= web + mobile + 0.12)
