"""Why a KPI changed: the difference between the range and its comparison period, by segment.

Additive KPIs (revenue, orders, units) split the change into each segment's own difference. Ratios
(average order value = revenue / orders, average rating = rating sum / feedback) split it into a
rate and a mix effect per segment, the symmetric (midpoint, two-factor Shapley) decomposition:
with w the segment's share of the denominator and r its own ratio,

    rate_i = (w_prev + w_cur) / 2 · (r_cur − r_prev)
    mix_i  = (w_cur − w_prev) · (r_prev + r_cur) / 2

and Σ (rate_i + mix_i) = Σ w_cur·r_cur − Σ w_prev·r_prev, the ratio's change, exactly. It treats the
two periods alike (neither is the base). A segment present in one period only takes that period's r
for both, so its whole effect is mix. Sums are integers; the shown segments' effects and the whole
change are exact Fractions (only the rest's rate/mix split is summed in floats); the parts are then
rounded to the card's unit (cents, hundredths of a star) by largest remainder so that they add up to
the card's displayed change (current − previous as the card rounds them), never a cent off.

Explainable: revenue, orders and average order value by category, channel, country, city and
product; units by category, channel and product (the city ledger holds no units); average rating by
category and product (feedback carries no channel, and no rollup holds it per buyer's city). Active
customers are not additive over segments (one customer buys in several) and new customers have no
category, channel or product, so neither is explained.

Sources, all range-first reads of the rollups: SalesDay / FeedbackDay (category), ChannelDay
(channel: SalesDay split by channel, a few rows a day), ProductLedger (product), CityLedger (city,
country); the ledgers' range sums through analytics.rollups.ledger. Reading the sales themselves for
channel took 0.6 s over 12 months at the large seed.
"""

import functools
import heapq
import math
from fractions import Fraction

from django.db.models import Sum

from analytics.figures.common import day_filter, product_names
from analytics.figures.periods import cents_to_money, money, rating
from analytics.models import ChannelDay, CityLedger, FeedbackDay, ProductLedger, SalesDay
from analytics.rollups.active import ALL
from analytics.rollups.ledger import LedgerRange
from core.filters import COMPARE_PREVIOUS, DateRange
from sales.models import Sale

DIMENSIONS = ("category", "channel", "country", "city", "product")
SALES_DIMENSIONS = DIMENSIONS
EXPLAINABLE = {
    "revenue": SALES_DIMENSIONS,
    "orders": SALES_DIMENSIONS,
    "units": ("category", "channel", "product"),
    "average_order_value": SALES_DIMENSIONS,
    "average_rating": ("category", "product"),
}
# (numerator, denominator) of each ratio, and the additive KPIs' one field.
RATIOS = {"average_order_value": ("revenue_cents", "orders"), "average_rating": ("rating_sum", "feedback")}
ADDITIVE = {"revenue": "revenue_cents", "orders": "orders", "units": "units"}
# What the card's number is in, and how many of the parts' integers make one.
UNITS = {
    "revenue": ("money", 100),
    "orders": ("count", 1),
    "units": ("count", 1),
    "average_order_value": ("money", 100),
    "average_rating": ("rating", 100),
}
TOP = 5  # contributors shown each way (up, down); the rest are "other"

UNKNOWN_EXPLAIN_FIGURE = "Unknown figure. Explainable: {names}."
UNKNOWN_DIMENSION = "Unknown dimension. Choose one of: {names}."
NOT_EXPLAINABLE = "{figure} cannot be explained by {dimension}. Choose one of: {names}."


def dimension_error(figure: str, dimension: str) -> tuple[str, str] | None:
    """(field, message) when ``figure`` / ``dimension`` cannot be explained, else None."""
    if figure not in EXPLAINABLE:
        return "figure", UNKNOWN_EXPLAIN_FIGURE.format(names=", ".join(EXPLAINABLE))
    if dimension not in DIMENSIONS:
        return "dimension", UNKNOWN_DIMENSION.format(names=", ".join(DIMENSIONS))
    if dimension not in EXPLAINABLE[figure]:
        names = ", ".join(EXPLAINABLE[figure])
        return "dimension", NOT_EXPLAINABLE.format(figure=figure, dimension=dimension, names=names)
    return None


# --- Segment sums from the rollups ---------------------------------------------------------------


def _ledger_sums(model, *, date_range: DateRange, keys: tuple[str, ...], fields: tuple[str, ...], **filters):
    span = LedgerRange(model, date_range)
    rows = (
        model.objects.filter(span.rows, **filters)
        .values(*keys)
        .annotate(**{f"sum_{f}": span.total(f) for f in fields})
        .values_list(*keys, *(f"sum_{f}" for f in fields))
    )
    return _by_key(rows, len(keys), fields)


def _day_sums(
    model, *, date_range: DateRange, category: str | None, fields: dict, key: str = "category"
) -> dict:
    rows = model.objects.filter(**day_filter("day", date_range))
    if category:
        rows = rows.filter(category=category)
    grouped = rows.values(key).annotate(**{f"sum_{name}": Sum(f) for name, f in fields.items()})
    return _by_key(grouped.values_list(key, *(f"sum_{name}" for name in fields)), 1, tuple(fields))


def _by_key(rows, width: int, fields: tuple[str, ...]) -> dict:
    """key tuple → {field: sum} from (key..., sum...) rows; keys whose sums are all 0 are left out
    (day rows emptied by a refund, a product's prefix rows cancelling out over the range)."""
    result = {}
    for row in rows:
        sums = [value or 0 for value in row[width:]]
        if any(sums):
            result[row[:width]] = dict(zip(fields, sums, strict=True))
    return result


def segment_sums(*, figure: str, dimension: str, date_range: DateRange, category: str | None) -> dict:
    """Segment key (a tuple) → the sums ``figure`` needs in ``date_range``, from the rollups: only the
    fields it needs (fewer columns to read and convert over 10k products); a key whose sums are all 0
    in the range is no segment there."""
    fields = RATIOS.get(figure) or (ADDITIVE[figure],)
    if dimension == "category":
        if figure == "average_rating":
            names = {"rating_sum": "rating_sum", "feedback": "count"}
            return _day_sums(FeedbackDay, date_range=date_range, category=category, fields=names)
        return _day_sums(SalesDay, date_range=date_range, category=category, fields={f: f for f in fields})
    if dimension == "channel":
        return _day_sums(
            ChannelDay, date_range=date_range, category=category, fields={f: f for f in fields}, key="channel"
        )
    if dimension == "product":
        extra = {"category": category} if category else {}
        return _ledger_sums(
            ProductLedger, date_range=date_range, keys=("product_id",), fields=fields, **extra
        )
    keys = ("city", "country") if dimension == "city" else ("country",)  # city or country
    return _ledger_sums(CityLedger, date_range=date_range, keys=keys, fields=fields, category=category or ALL)


def _labels(dimension: str, keys) -> dict:
    if dimension == "product":
        names = product_names(key[0] for key in keys)
        return {key: names.get(key[0], (str(key[0]), ""))[0] for key in keys}
    if dimension == "channel":
        choices = dict(Sale.Channel.choices)
        return {key: choices.get(key[0], key[0]) for key in keys}
    return {key: ", ".join(key) for key in keys}


# --- The card's numbers ----------------------------------------------------------------------------


def _total(sums: dict, field: str) -> int:
    return sum(v.get(field, 0) for v in sums.values())


def card_value(figure: str, sums: dict):
    """The number the KPI card shows for these sums, rounded the way kpis() rounds it."""
    if figure in ADDITIVE:
        total = _total(sums, ADDITIVE[figure])
        return cents_to_money(total) if figure == "revenue" else total
    numerator, denominator = (_total(sums, f) for f in RATIOS[figure])
    if not denominator:
        return None
    if figure == "average_order_value":
        return money(cents_to_money(numerator) / denominator)
    return rating(numerator / denominator)


def _scaled(value, scale: int) -> int:
    return round(value * scale)


# --- Rounding that keeps the sum ---------------------------------------------------------------------


def apportion(parts: list[Fraction], target: int) -> list[int]:
    """Integers within one of each exact part that add up to ``target`` (largest remainder)."""
    floors = [math.floor(p) for p in parts]
    short = target - sum(floors)
    if not parts:
        return []
    order = sorted(range(len(parts)), key=lambda i: (-(parts[i] - floors[i]), i))
    step = 1 if short > 0 else -1
    if step < 0:
        order.reverse()
    result = list(floors)
    for n in range(abs(short)):
        result[order[n % len(order)]] += step
    return result


# --- The explanation ---------------------------------------------------------------------------------


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
    "rating", "scale", "range", "comparison_range", "current", "previous", "change", "change_scaled",
    "segments", "contributors", "other"}`` and for ratios ``"rate_effect", "mix_effect"`` (+ ``_scaled``).
    ``current`` / ``previous`` / ``change`` are the KPI card's (``change`` = current − previous, in the
    card's unit); every ``*_scaled`` is the same number as an integer in 1/scale of the unit (cents,
    hundredths of a star), and the contributors' and ``other``'s ``change_scaled`` add up to
    ``change_scaled`` exactly (likewise rate and mix). ``contributors``: at most 5 segments up and 5
    down, biggest first, each ``{"key", "label", "current", "previous", "change", "change_scaled",
    "share"}`` (share: percent of the change; ratios add weights, rates and the two effects);
    ``other``: the remaining segments' sum. Without a comparison period (an open range) or a ratio
    without a denominator on either side, ``change`` is None and there are no contributors.
    """
    unit, scale = UNITS[figure]
    compared = date_range.compared(compare)
    current = segment_sums(figure=figure, dimension=dimension, date_range=date_range, category=category)
    previous = (
        segment_sums(figure=figure, dimension=dimension, date_range=compared, category=category)
        if compared
        else {}
    )
    kind = "ratio" if figure in RATIOS else "additive"
    result = {
        "figure": figure,
        "dimension": dimension,
        "compare": compare,
        "kind": kind,
        "unit": unit,
        "scale": scale,
        "range": _range(date_range),
        "comparison_range": _range(compared) if compared else None,
        "current": card_value(figure, current),
        "previous": card_value(figure, previous) if compared else None,
        "change": None,
        "change_scaled": None,
        "segments": len(set(current) | set(previous)),
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
        result.update(_additive(figure, dimension, current, previous, target, scale))
    else:
        result.update(_ratio(figure, dimension, current, previous, target, scale))
    return result


def _range(date_range: DateRange) -> dict:
    return {
        "date_from": date_range.start.isoformat() if date_range.start else None,
        "date_to": date_range.end.isoformat() if date_range.end else None,
    }


def _unscale(value: int, scale: int):
    return value if scale == 1 else round(value / scale, 2)


def _share(part: int, total: int) -> float | None:
    return round(part / total * 100, 2) if total else None


def _pick(effects: dict) -> tuple[list, list]:
    """The TOP biggest rises and falls (keys), biggest first; ties to the lower key."""
    ups = heapq.nsmallest(TOP, (k for k, v in effects.items() if v > 0), key=lambda k: (-effects[k], _key(k)))
    downs = heapq.nsmallest(
        TOP, (k for k, v in effects.items() if v < 0), key=lambda k: (effects[k], _key(k))
    )
    return ups, downs


def _values(sums: dict, field: str) -> dict:
    return {key: values[field] for key, values in sums.items()}


def _additive(figure, dimension, current, previous, target, scale) -> dict:
    field = ADDITIVE[figure]
    # The rollups hold cents and counts: the same integers the card is rounded from (scale 100 ↔ cents).
    now_values, before_values = _values(current, field), _values(previous, field)
    diffs = dict(now_values)
    for key, value in before_values.items():
        diffs[key] = diffs.get(key, 0) - value
    ups, downs = _pick(diffs)
    shown = ups + downs
    labels = _labels(dimension, shown)
    rows = []
    for key in shown:
        now, before = now_values.get(key, 0), before_values.get(key, 0)
        rows.append(
            {
                "key": _key(key),
                "label": labels[key],
                "current": _unscale(now, scale),
                "previous": _unscale(before, scale),
                "change": _unscale(diffs[key], scale),
                "change_scaled": diffs[key],
                "share": _share(diffs[key], target),
            }
        )
    rest = target - sum(diffs[k] for k in shown)
    other = {
        "segments": len(diffs) - len(shown),
        "change": _unscale(rest, scale),
        "change_scaled": rest,
        "share": _share(rest, target),
    }
    return {"contributors": rows, "other": other}


def _split(c: dict, p: dict, *, top: str, bottom: str, factor: int, totals: tuple, number) -> tuple | None:
    """(rate, mix, w_cur, w_prev, own r_cur, own r_prev) of one segment, in ``number`` (float or
    Fraction); None when it has no denominator on either side."""
    cur_total, prev_total = totals
    n_cur, n_prev = c.get(bottom, 0), p.get(bottom, 0)
    if not n_cur and not n_prev:
        return None
    w_cur = number(n_cur) / cur_total
    w_prev = number(n_prev) / prev_total
    own_cur = number(c[top] * factor) / n_cur if n_cur else None
    own_prev = number(p[top] * factor) / n_prev if n_prev else None
    r_cur = own_prev if own_cur is None else own_cur
    r_prev = own_cur if own_prev is None else own_prev
    return (
        (w_prev + w_cur) / 2 * (r_cur - r_prev),
        (w_cur - w_prev) * (r_prev + r_cur) / 2,
        w_cur,
        w_prev,
        own_cur,
        own_prev,
    )


def _ratio(figure, dimension, current, previous, target, scale) -> dict:
    top, bottom = RATIOS[figure]
    # Ratios in the card's unit × scale: AOV in cents (the sums already are), ratings in hundredths.
    factor = 1 if figure == "average_order_value" else scale
    totals = (_total(current, bottom), _total(previous, bottom))
    split = functools.partial(_split, top=top, bottom=bottom, factor=factor, totals=totals)
    # Every segment in floats to rank them (Fractions over 10k products took seconds); the shown ones
    # exact; the rest's change exact as the whole change less the shown ones, only its rate/mix split
    # summed in floats. Ranked on the effect rounded to 1e-6 units, so exact ties go to the lower key.
    approx, empty = {}, {top: 0, bottom: 0}
    n_all, p_all = totals
    for key in {*current, *previous}:  # _split in floats, inline: this loop runs once per product
        c, p = current.get(key, empty), previous.get(key, empty)
        n_cur, n_prev = c[bottom], p[bottom]
        if not n_cur and not n_prev:
            continue
        r_cur = c[top] * factor / n_cur if n_cur else p[top] * factor / n_prev
        r_prev = p[top] * factor / n_prev if n_prev else r_cur
        w_cur, w_prev = n_cur / n_all, n_prev / p_all
        approx[key] = ((w_prev + w_cur) / 2 * (r_cur - r_prev), (w_cur - w_prev) * (r_prev + r_cur) / 2)
    ups, downs = _pick({k: round(v[0] + v[1], 6) for k, v in approx.items()})
    shown = ups + downs
    segments = {key: split(current.get(key, {}), previous.get(key, {}), number=Fraction) for key in shown}
    whole = Fraction(_total(current, top) * factor, totals[0]) - Fraction(
        _total(previous, top) * factor, totals[1]
    )
    rest = [k for k in approx if k not in segments]
    rest_rate = Fraction(math.fsum(approx[k][0] for k in rest))
    rest_change = whole - sum((segments[k][0] + segments[k][1] for k in shown), Fraction(0))
    exact = [part for key in shown for part in segments[key][:2]] + [rest_rate, rest_change - rest_rate]
    rounded = apportion(exact, target)
    labels = _labels(dimension, shown)
    rows = []
    for n, key in enumerate(shown):
        rate, mix = rounded[2 * n], rounded[2 * n + 1]
        _, _, w_cur, w_prev, r_cur, r_prev = segments[key]
        rows.append(
            {
                "key": _key(key),
                "label": labels[key],
                "current_weight": round(float(w_cur), 4),
                "previous_weight": round(float(w_prev), 4),
                "current": _rate(r_cur, scale),
                "previous": _rate(r_prev, scale),
                **_effects(rate, mix, scale, target),
            }
        )
    other = {"segments": len(rest), **_effects(rounded[-2], rounded[-1], scale, target)}
    rate_total, mix_total = sum(rounded[0::2]), sum(rounded[1::2])
    return {
        "contributors": rows,
        "other": other,
        "rate_effect": _unscale(rate_total, scale),
        "mix_effect": _unscale(mix_total, scale),
        "rate_effect_scaled": rate_total,
        "mix_effect_scaled": mix_total,
    }


def _rate(value, scale: int) -> float | None:
    return None if value is None else round(float(value) / scale, 2)


def _effects(rate: int, mix: int, scale: int, target: int) -> dict:
    return {
        "rate_effect": _unscale(rate, scale),
        "mix_effect": _unscale(mix, scale),
        "rate_effect_scaled": rate,
        "mix_effect_scaled": mix,
        "change": _unscale(rate + mix, scale),
        "change_scaled": rate + mix,
        "share": _share(rate + mix, target),
    }


def _key(key: tuple) -> str:
    return " / ".join(str(part) for part in key)
