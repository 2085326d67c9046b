"""Why a KPI changed: the difference between the range and its comparison period, by segment.

Additive KPIs (revenue, orders, units, active and new customers) split the change into each segment's
own difference. Ratios (average order value = revenue / orders, average rating = rating sum /
feedback) split it into a rate and a mix effect per segment, the symmetric (midpoint, two-factor
Shapley) decomposition: with w the segment's share of the denominator and r its own ratio,

    rate_i = (w_prev + w_cur) / 2 · (r_cur − r_prev)
    mix_i  = (w_cur − w_prev) · (r_prev + r_cur) / 2

and Σ (rate_i + mix_i) = Σ w_cur·r_cur − Σ w_prev·r_prev, the ratio's change, exactly. It treats the
two periods alike (neither is the base). A segment present in one period only takes that period's r
for both, so its whole effect is mix. Sums are integers; the shown segments' effects and the whole
change are exact Fractions (only the rest's rate/mix split is summed in floats); the parts are then
rounded to the card's unit (cents, hundredths of a star) by largest remainder so that they add up to
the card's displayed change (current − previous as the card rounds them), never a cent off.

Explainable (kinds.EXPLAINABLE): revenue, orders, units and average order value by category, channel,
country, city and product; average rating by category, country, city (the feedback's customer's) and
product, not by channel (feedback carries none); active and new customers by country and city only (a
customer has one city; one customer buys in several categories, channels and products, and joining
has none of them, so those parts would not add up to the card). Each refusal's 400 says why.

Sources, all range-first reads of the rollups: SalesDay / FeedbackDay (category), ChannelDay
(channel: SalesDay split by channel, a few rows a day), ProductLedger (product), CityLedger (city,
country: sales and feedback by the buyer's city), CityJoinLedger (new customers); the ledgers' range
sums through analytics.rollups.ledger, one grouped read per period. Active customers: each period's
ActiveCustomerDay rows of bought_between (one per customer who bought in it), mapped to cities by a
customer → city array kept in process memory by the places' version (sums.place_codes); at
the large seed 12 months' buyers are 80k rows a period, so these are the slowest breakdowns. Reading the
sales themselves for channel took 0.6 s over 12 months at the large seed. The segments' sums are
int64 arrays (Sums), so differences, totals and the ratios' float ranking are numpy over 10k
products; only the shown segments become Python ints and Fractions.

Modules: kinds (what is explainable, the refusals), sums (the rollup reads), parts (the arithmetic).
"""

from analytics.figures.explain.kinds import (
    ADDITIVE,
    DIMENSIONS,
    EXPLAINABLE,
    NO_CATEGORY,
    NOT_EXPLAINABLE,
    RATIOS,
    UNITS,
    UNKNOWN_DIMENSION,
    UNKNOWN_EXPLAIN_FIGURE,
    WHY_NOT,
    dimension_error,
)
from analytics.figures.explain.parts import TOP, _additive, _key, _pick, _ratio, _unscale, apportion
from analytics.figures.explain.sums import Sums, segment_sums
from analytics.figures.periods import cents_to_money, money, rating
from core.filters import COMPARE_PREVIOUS, DateRange

__all__ = [
    "ADDITIVE", "DIMENSIONS", "EXPLAINABLE", "NOT_EXPLAINABLE", "RATIOS", "TOP", "UNITS",
    "UNKNOWN_DIMENSION", "UNKNOWN_EXPLAIN_FIGURE", "WHY_NOT", "Sums", "_key", "_pick", "_ratio", "apportion",
    "card_value", "dimension_error", "explain", "segment_sums",
]


def card_value(figure: str, sums: Sums, period: int):
    """The number the KPI card shows for ``period``'s sums, rounded the way kpis() rounds it."""
    if figure in ADDITIVE:
        total = sums.total(ADDITIVE[figure], period)
        return cents_to_money(total) if figure == "revenue" else total
    numerator, denominator = (sums.total(f, period) for f in RATIOS[figure])
    if not denominator:
        return None
    if figure == "average_order_value":
        return money(cents_to_money(numerator) / denominator)
    return rating(numerator / denominator)


def _scaled(value, scale: int) -> int:
    return round(value * scale)


def explain(
    *,
    figure: str,
    dimension: str,
    date_range: DateRange,
    category: str | None = None,
    compare: str = COMPARE_PREVIOUS,
) -> dict:
    """Why ``figure`` changed between ``date_range`` and its comparison period, by ``dimension``.

    Returns ``{"figure", "dimension", "compare", "kind": "additive"|"ratio", "unit": "money"|"count"|
    "rating", "scale", "category_applied", "range", "comparison_range", "current", "previous", "change",
    "change_scaled", "segments", "contributors", "other"}`` and for ratios ``"rate_effect", "mix_effect"``
    (+ ``_scaled``).
    ``current`` / ``previous`` / ``change`` are the KPI card's (``change`` = current − previous, in the
    card's unit); every ``*_scaled`` is the same number as an integer in 1/scale of the unit (cents,
    hundredths of a star), and the contributors' and ``other``'s ``change_scaled`` add up to
    ``change_scaled`` exactly (likewise rate and mix). ``contributors``: at most 5 segments up and 5
    down, biggest first, each ``{"key", "label", "current", "previous", "change", "change_scaled",
    "share"}`` (share: percent of the change; ratios add weights, rates and the two effects);
    ``other``: the remaining segments' sum. Without a comparison period (an open range) or a ratio
    without a denominator on either side, ``change`` is None and there are no contributors.
    ``category_applied`` is false for new customers (customers have no category; like their card).
    """
    unit, scale = UNITS[figure]
    compared = date_range.compared(compare)
    ranges = [date_range, compared] if compared else [date_range]
    sums = segment_sums(figure=figure, dimension=dimension, ranges=ranges, category=category)
    kind = "ratio" if figure in RATIOS else "additive"
    result = {
        "figure": figure,
        "dimension": dimension,
        "compare": compare,
        "kind": kind,
        "unit": unit,
        "scale": scale,
        "category_applied": figure not in NO_CATEGORY,
        "range": _range(date_range),
        "comparison_range": _range(compared) if compared else None,
        "current": card_value(figure, sums, 0),
        "previous": card_value(figure, sums, 1) if compared else None,
        "change": None,
        "change_scaled": None,
        "segments": len(sums.keys),
        "contributors": [],
        "other": None,
    }
    if kind == "ratio":
        result.update(rate_effect=None, mix_effect=None, rate_effect_scaled=None, mix_effect_scaled=None)
    if compared is None or result["current"] is None or result["previous"] is None:
        return result
    target = _scaled(result["current"], scale) - _scaled(result["previous"], scale)
    result.update(change=_unscale(target, scale), change_scaled=target)
    if kind == "additive":
        result.update(_additive(figure, dimension, sums, target, scale))
    else:
        result.update(_ratio(figure, dimension, sums, target, scale))
    return result


def _range(date_range: DateRange) -> dict:
    return {
        "date_from": date_range.start.isoformat() if date_range.start else None,
        "date_to": date_range.end.isoformat() if date_range.end else None,
    }
