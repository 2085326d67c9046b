"""analytics.figures.explain worked out from the Sale and Feedback rows, one row at a time in Python.

Segments are summed from the records (each sale's product category, channel and buyer's city, each
feedback's category and customer's city; distinct buyers and joined customers by city); the
card's numbers come from the KPI oracle (tests.oracles.oracle); the ratios' rate and mix effects are
exact Fractions (the midpoint decomposition), before any rounding.
"""

import functools
from collections import defaultdict
from fractions import Fraction

from accounts.models import Customer
from analytics.figures.common import datetime_filter
from catalog.models import Product
from core.filters import DateRange
from feedback.models import Feedback
from sales.models import Sale
from tests.oracles import oracle

SCALES = {
    "revenue": 100, "orders": 1, "units": 1, "average_order_value": 100, "average_rating": 100,
    "active_customers": 1, "new_customers": 1,
}
FIELDS = ("revenue_cents", "orders", "units", "rating_sum", "feedback", "active_customers", "new_customers")


def _key(dimension, *, category, channel, city, country, product_id) -> str:
    return {
        "category": category,
        "channel": channel,
        "country": country,
        "city": f"{city} / {country}",
        "product": str(product_id),
    }[dimension]


def forget() -> None:
    """Drop the remembered sums (call when the records change)."""
    segments.cache_clear()
    _card.cache_clear()


@functools.cache
def _card(date_range: DateRange, category: str | None, compare: str) -> dict:
    return oracle.kpis(date_range=date_range, category=category, compare=compare)


@functools.cache
def segments(*, dimension: str, date_range: DateRange, category: str | None) -> dict:
    """key → {"revenue_cents", "orders", "units", "rating_sum", "feedback", "active_customers",
    "new_customers"} for the range (new customers ignore ``category``: customers have none)."""
    categories = dict(Product.objects.values_list("pk", "category"))
    places = {
        pk: (city, country) for pk, city, country in Customer.objects.values_list("pk", "city", "country")
    }
    result = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    buyers = defaultdict(set)
    sales = Sale.objects.filter(status=Sale.Status.COMPLETED, **datetime_filter("sold_at", date_range))
    for product_id, customer_id, channel, total, quantity in sales.values_list(
        "product_id",
        "customer_id",
        "channel",
        "total",
        "quantity",
    ):
        if category and categories[product_id] != category:
            continue
        city, country = places[customer_id]
        key = _key(
            dimension,
            category=categories[product_id],
            channel=channel,
            city=city,
            country=country,
            product_id=product_id,
        )
        result[key]["revenue_cents"] += int(total * 100)
        result[key]["orders"] += 1
        result[key]["units"] += quantity
        buyers[key].add(customer_id)
    for key, customers in buyers.items():
        result[key]["active_customers"] = len(customers)
    if dimension != "channel":
        feedback = Feedback.objects.filter(**datetime_filter("created_at", date_range))
        for product_id, customer_id, score in feedback.values_list("product_id", "customer_id", "rating"):
            if category and categories[product_id] != category:
                continue
            city, country = places[customer_id]
            key = _key(
                dimension,
                category=categories[product_id],
                channel="",
                city=city,
                country=country,
                product_id=product_id,
            )
            result[key]["rating_sum"] += score
            result[key]["feedback"] += 1
    if dimension in ("city", "country"):
        joined = Customer.objects.filter(**datetime_filter("joined_at", date_range))
        for city, country in joined.values_list("city", "country"):
            key = _key(dimension, category="", channel="", city=city, country=country, product_id=None)
            result[key]["new_customers"] += 1
    return dict(result)


def explain(
    *, figure: str, dimension: str, date_range: DateRange, category: str | None, compare: str
) -> dict:
    """``{"card", "target", "diffs"}`` and for ratios ``{"rate", "mix"}``: each key's exact effect in
    1/scale of the card's unit; ``target`` is the card's change in the same integers."""
    scale = SCALES[figure]
    card = _card(date_range, category, compare)[figure]
    target = None
    if card["value"] is not None and card["previous"] is not None:
        target = round(card["value"] * scale) - round(card["previous"] * scale)
    compared = date_range.compared(compare)
    # What makes a key a segment: a denominator (ratios) or a value (additive) in that period.
    held = {"average_rating": "feedback", "average_order_value": "orders", "revenue": "revenue_cents"}.get(
        figure, figure
    )
    now = segments(dimension=dimension, date_range=date_range, category=category)
    before = segments(dimension=dimension, date_range=compared, category=category) if compared else {}
    now = {k: v for k, v in now.items() if v[held]}
    before = {k: v for k, v in before.items() if v[held]}
    result = {"card": card, "target": target}
    if figure in ("revenue", "orders", "units", "active_customers", "new_customers"):
        field = {"revenue": "revenue_cents", "orders": "orders", "units": "units"}.get(figure, figure)
        diffs = {k: now.get(k, {}).get(field, 0) - before.get(k, {}).get(field, 0) for k in {*now, *before}}
        result["diffs"] = {k: v for k, v in diffs.items()}
        return result
    top, bottom = (
        ("revenue_cents", "orders") if figure == "average_order_value" else ("rating_sum", "feedback")
    )
    factor = 1 if figure == "average_order_value" else 100
    now_total = sum(v[bottom] for v in now.values())
    before_total = sum(v[bottom] for v in before.values())
    rate, mix = {}, {}
    for key in {*now, *before}:
        n, b = now.get(key, {}).get(bottom, 0), before.get(key, {}).get(bottom, 0)
        if not n and not b:
            continue
        own_now = Fraction(now[key][top] * factor, n) if n else None
        own_before = Fraction(before[key][top] * factor, b) if b else None
        r1 = own_now if own_now is not None else own_before
        r0 = own_before if own_before is not None else own_now
        w1 = Fraction(n, now_total) if now_total else Fraction(0)
        w0 = Fraction(b, before_total) if before_total else Fraction(0)
        rate[key] = (w0 + w1) / 2 * (r1 - r0)
        mix[key] = (w1 - w0) * (r0 + r1) / 2
    result.update(rate=rate, mix=mix, diffs={k: rate[k] + mix[k] for k in rate})
    return result
