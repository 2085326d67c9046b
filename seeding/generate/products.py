"""Products: category, kind, brand, price and specs; plus the hidden quality and popularity that
drive sales, refunds and ratings."""

import math
from dataclasses import dataclass

import numpy as np

from .catalog_data import CATALOG, PERSON, TITLE_ADJECTIVES, TITLE_NOUNS
from .pools import Pools, zipf_weights
from .timeline import DAY, Window

INACTIVE_SHARE = 0.03
POPULARITY_EXPONENT = 0.85
PRICE_ENDINGS = (1, 51, 0)  # cents below the dollar: 24.99, 24.49, 25.00
MAX_ATTRIBUTES = 8


@dataclass(frozen=True)
class ProductSet:
    """What sales and feedback need to know about each product (index = row number)."""

    price_cents: np.ndarray
    quality: np.ndarray  # hidden, 0..1
    popularity_cdf: np.ndarray
    quantity_p: np.ndarray  # P(quantity = 1)
    created: np.ndarray
    nouns: list[str]

    def pick(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` product rows by popularity (Zipf-like: a few products sell most)."""
        picks = np.searchsorted(self.popularity_cdf, rng.random(n), side="right")
        return np.minimum(picks, len(self.popularity_cdf) - 1)


def generate_products(
    rng: np.random.Generator, *, pools: Pools, window: Window, n: int
) -> tuple[ProductSet, dict]:
    """Return the product set and one batch of column values (field attname -> values)."""
    categories = list(CATALOG)
    shares = np.array([CATALOG[name].share for name in categories])
    category_of = rng.choice(len(categories), size=n, p=shares / shares.sum())
    brands = _brands(rng, pools, categories, category_of)
    uniform = rng.random((n, 6 + MAX_ATTRIBUTES))
    endings = rng.choice(PRICE_ENDINGS, size=n, p=(0.7, 0.15, 0.15))
    quality = rng.beta(4, 1.5, size=n)
    active = rng.random(n) >= INACTIVE_SHARE
    # Everything on sale before the window opens; row order (and so ids) follows created_at.
    created = np.sort(window.start - rng.integers(30 * DAY, 730 * DAY, size=n))
    popularity = zipf_weights(rng, n, POPULARITY_EXPONENT) * (0.5 + quality)

    columns = {key: [] for key in ("sku", "name", "description", "category", "brand", "attributes")}
    price_cents, quantity_p, nouns = np.empty(n, dtype=np.int64), np.empty(n), []
    for i in range(n):
        category_name = categories[category_of[i]]
        category = CATALOG[category_name]
        u = uniform[i]
        kind = category.kinds[int(u[0] * len(category.kinds))]
        attributes = {}
        for j, (key, values) in enumerate(kind.attributes.items()):
            values = pools.people if values is PERSON else values
            attributes[key] = values[int(u[6 + j] * len(values))]
        brand = brands[category_name][int(u[1] * len(brands[category_name]))]
        title = f"The {_pick(TITLE_ADJECTIVES, u[2])} {_pick(TITLE_NOUNS, u[3])}"
        fill = {**attributes, "brand": brand, "model": _pick(category.models, u[4]), "title": title}
        dollars = math.ceil(kind.low * (kind.high / kind.low) ** u[5])
        price_cents[i] = dollars * 100 - endings[i]
        quantity_p[i] = category.quantity_p
        nouns.append(kind.noun)
        columns["sku"].append(f"{category.code}-{i + 1:06d}")
        columns["name"].append(kind.name.format(**fill))
        columns["description"].append(f"{kind.blurb.format(**fill)} {_pick(category.closings, u[3])}")
        columns["category"].append(category_name)
        columns["brand"].append(brand)
        columns["attributes"].append(attributes)

    products = ProductSet(
        price_cents=price_cents, quality=quality,
        popularity_cdf=np.cumsum(popularity) / popularity.sum() if n else np.empty(0),
        quantity_p=quantity_p, created=created, nouns=nouns,
    )
    batch = {"id": np.arange(n), **columns, "price": price_cents, "created_at": created, "active": active}
    return products, batch


def _pick(values, u: float):
    return values[int(u * len(values))]


def _brands(rng, pools: Pools, categories: list[str], category_of: np.ndarray) -> dict[str, list[str]]:
    """A handful of brands per category, more for bigger catalogues."""
    brands = {}
    for index, name in enumerate(categories):
        count = int(np.clip(np.count_nonzero(category_of == index) // 6 + 1, 3, 40))
        stems = rng.choice(len(pools.brand_stems), size=count, replace=False)
        suffixes = CATALOG[name].brand_suffixes
        endings = rng.integers(0, len(suffixes), size=count).tolist()
        brands[name] = [
            f"{pools.brand_stems[stem]}{suffixes[k]}" for stem, k in zip(stems.tolist(), endings, strict=True)
        ]
    return brands
