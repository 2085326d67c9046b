"""The customer map: customers, revenue and orders per country and per city.

Customers joined in range come from CityJoinLedger, completed sales from CityLedger (both read
through LedgerRange), the cities' positions from the City rollup (the mean of their customers'
coordinates): one read of the three (shared.place_sums). tests.oracles.maps computes the same from
the Customer and Sale rows.
"""

from analytics.figures.common import MAP_CITIES
from analytics.figures.countries import atlas_key, country_name
from analytics.figures.periods import cents_to_money
from analytics.figures.shared import place_sums
from core.filters import DateRange

NOTHING = {"customers": 0, "revenue_cents": 0, "orders": 0}


def customer_map(*, date_range: DateRange, category: str | None = None) -> dict:
    """Customers, revenue and orders per country and per city, for the customer map.

    Returns ``{"countries": [{"country", "name", "atlas_key", "customers", "revenue", "orders"}],
    "cities": [{"city", "country", "latitude", "longitude", "customers", "revenue", "orders"}],
    "category_applied": ["revenue", "orders"]}``. ``customers`` counts those who joined in range
    (customers have no category, so ``category`` narrows revenue and orders only); revenue and
    orders are completed sales in range, by the buyer's city. Countries: every one with customers
    or orders, the most customers first (then revenue, then code); ``atlas_key`` is the
    world-atlas feature (None when the map has no shape for it). Cities: the 300 with the most
    customers (then revenue, city, country) among those with coordinates.
    """
    sums = place_sums(date_range=date_range, category=category)
    places: dict[tuple[str, str], dict] = {}
    for key, customers in sums.joined.items():
        places.setdefault(key, dict(NOTHING))["customers"] = customers
    for key, (revenue_cents, orders) in sums.sales.items():
        places.setdefault(key, dict(NOTHING)).update(revenue_cents=revenue_cents, orders=orders)
    return map_rows(places, coordinates=sums.located)


def map_rows(places: dict[tuple[str, str], dict], *, coordinates: dict) -> dict:
    """The figure from (city, country) → {"customers", "revenue_cents", "orders"} and the cities'
    (latitude, longitude); shared with the oracle so both rank and cap alike. Only the rows shown
    are rounded (4 dp for coordinates, as sales_by_city)."""
    countries: dict[str, dict] = {}
    for (_city, country), place in places.items():
        total = countries.setdefault(country, {"customers": 0, "revenue_cents": 0, "orders": 0})
        for key in total:
            total[key] += place[key]
    country_rows = [
        {
            "country": code, "name": country_name(code), "atlas_key": atlas_key(code),
            "customers": total["customers"], "revenue": cents_to_money(total["revenue_cents"]),
            "orders": total["orders"],
        }
        for code, total in sorted(
            countries.items(), key=lambda item: (-item[1]["customers"], -item[1]["revenue_cents"], item[0]),
        )
    ]
    located = sorted(
        (key for key in places if key in coordinates),
        key=lambda key: (-places[key]["customers"], -places[key]["revenue_cents"], key[0], key[1]),
    )
    city_rows = [
        {
            "city": city, "country": country,
            "latitude": round(coordinates[(city, country)][0], 4),
            "longitude": round(coordinates[(city, country)][1], 4),
            "customers": places[(city, country)]["customers"],
            "revenue": cents_to_money(places[(city, country)]["revenue_cents"]),
            "orders": places[(city, country)]["orders"],
        }
        for city, country in located[:MAP_CITIES]
    ]
    return {"countries": country_rows, "cities": city_rows, "category_applied": ["revenue", "orders"]}
