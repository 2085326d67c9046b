"""Customers: who they are, where they live (real towns), when they joined and how much they buy."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .pools import Place, Pools, email_part
from .timeline import DAY, Window, sample_times

CHUNK = 100_000
EXISTING_SHARE = 0.3  # joined in the two years before the window
# The shop's main markets (share of customers); other countries share the rest by town count.
MARKETS = {"US": 0.35, "GB": 0.08, "DE": 0.07, "CA": 0.05, "FR": 0.05, "AU": 0.04, "IN": 0.04, "BR": 0.03,
           "JP": 0.03, "ES": 0.03, "IT": 0.03, "NL": 0.02}


@dataclass(frozen=True)
class CustomerSet:
    joined: np.ndarray  # sorted; row order (and so ids) follows joined_at
    activity_cdf: np.ndarray  # cumulative purchase propensity, in row order

    def pick(self, rng: np.random.Generator, times: np.ndarray) -> np.ndarray:
        """One customer row per event time, weighted by activity, among those who joined before it."""
        eligible = np.searchsorted(self.joined, times, side="left")  # joined strictly earlier
        if np.any(eligible == 0):
            raise ValueError("an event precedes every customer's joining")
        targets = rng.random(len(times)) * self.activity_cdf[eligible - 1]
        return np.minimum(np.searchsorted(self.activity_cdf, targets, side="right"), eligible - 1)


def generate_customers(
    rng: np.random.Generator, *, pools: Pools, window: Window, n: int
) -> tuple[CustomerSet, Iterator[dict]]:
    """Return the customer set and an iterator of column batches (field attname -> values)."""
    existing = max(1, round(n * EXISTING_SHARE)) if n else 0
    before = window.start - rng.integers(1, 730 * DAY, size=existing)
    joined = np.sort(np.concatenate([before, sample_times(rng, window, n - existing)]))
    # Leave a second after joining for feedback on the window's last second.
    joined = np.minimum(joined, window.end - 2)
    activity = rng.lognormal(0.0, 1.0, size=n)
    customers = CustomerSet(joined=joined, activity_cdf=np.cumsum(activity))
    return customers, _batches(rng, pools, joined)


def _batches(rng, pools: Pools, joined: np.ndarray) -> Iterator[dict]:
    places = pools.places
    place_cdf = _place_cdf(places)
    first, last = pools.first_names, pools.last_names
    first_mail, last_mail = [email_part(x) for x in first], [email_part(x) for x in last]
    for start in range(0, len(joined), CHUNK):
        ids = np.arange(start, min(start + CHUNK, len(joined)))
        m = len(ids)
        f = rng.integers(0, len(first), size=m).tolist()
        s = rng.integers(0, len(last), size=m).tolist()
        streets = rng.integers(0, len(pools.streets), size=m).tolist()
        domains = rng.integers(0, len(pools.domains), size=m).tolist()
        where = np.minimum(np.searchsorted(place_cdf, rng.random(m), side="right"), len(places) - 1).tolist()
        yield {
            "id": ids,
            "name": [f"{first[a]} {last[b]}" for a, b in zip(f, s, strict=True)],
            # The row number makes each email address unique.
            "email": [
                f"{first_mail[a]}.{last_mail[b]}{i + 1}@{pools.domains[d]}"
                for a, b, d, i in zip(f, s, domains, ids.tolist(), strict=True)
            ],
            "address": [pools.streets[k] for k in streets],
            "city": [places[k].city for k in where],
            "country": [places[k].country for k in where],
            "latitude": [places[k].latitude for k in where],
            "longitude": [places[k].longitude for k in where],
            "joined_at": joined[start:start + m],
        }


def _place_cdf(places: tuple[Place, ...]) -> np.ndarray:
    towns = Counter(place.country for place in places)
    elsewhere = sum(n for country, n in towns.items() if country not in MARKETS)
    rest = 1 - sum(MARKETS[c] for c in towns if c in MARKETS)
    weights = np.array([
        MARKETS[p.country] / towns[p.country] if p.country in MARKETS else rest / elsewhere for p in places
    ])
    return np.cumsum(weights) / weights.sum()
