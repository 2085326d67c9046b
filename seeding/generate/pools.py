"""Small pools of names, streets, brands and places built with Faker, seeded from --seed.

Faker costs ~0.2 ms a call, so it only fills these pools; numpy picks from them per row.
"""

import functools
import re
from dataclasses import dataclass

import numpy as np
from faker import Faker

POOL_SIZE = 400
STREET_POOL_SIZE = 600


@dataclass(frozen=True)
class Place:
    city: str
    country: str  # ISO 3166 alpha-2, like the rest of the app
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Pools:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    people: tuple[str, ...]  # full names for authors
    streets: tuple[str, ...]
    domains: tuple[str, ...]
    brand_stems: tuple[str, ...]
    places: tuple[Place, ...]


@functools.lru_cache(maxsize=4)
def build_pools(seed: int) -> Pools:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    geo = fake.provider("faker.providers.geo")
    return Pools(
        first_names=tuple(fake.first_name() for _ in range(POOL_SIZE)),
        last_names=tuple(fake.last_name() for _ in range(POOL_SIZE)),
        people=tuple(fake.name() for _ in range(POOL_SIZE)),
        streets=tuple(fake.street_address() for _ in range(STREET_POOL_SIZE)),
        # example.com/.net/.org: seeded addresses never reach a real mailbox.
        domains=tuple(sorted({fake.safe_domain_name() for _ in range(30)})),
        brand_stems=tuple(sorted({fake.last_name() for _ in range(POOL_SIZE)})),
        # Real towns from geonames (Faker's geo provider) so a map of sales by city makes sense.
        places=tuple(
            Place(city, country, float(lat), float(lon)) for lat, lon, city, country, _tz in geo.land_coords
        ),
    )


def email_part(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower()) or "customer"


def zipf_weights(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Weights ∝ 1/rank^exponent with the ranks shuffled: a few items get most of the picks."""
    ranks = rng.permutation(n) + 1
    return 1.0 / ranks**exponent
