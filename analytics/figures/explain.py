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
country); the ledgers' range sums through analytics.rollups.ledger, one grouped read per period.
Reading the sales themselves for channel took 0.6 s over 12 months at the large seed. The segments'
sums are int64 arrays (Sums), so differences, totals and the ratios' float ranking are numpy over
10k products; only the shown segments become Python ints and Fractions (a dict per product and a
Python loop over them took most of the 0.1-0.3 s a product breakdown cost).
"""

import functools
import heapq
import math
from fractions import Fraction

import numpy as np
from django.db.models import Sum

from analytics.figures.common import day_filter, product_names
from analytics.figures.periods import cents_to_money, money, rating
from analytics.models import ChannelDay, CityLedger, FeedbackDay, ProductLedger, SalesDay
from analytics.rollups import ledger
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
# Float effects are ranked rounded to 1e-6: any within this of the TOP-th biggest may tie it once rounded.
TIE_MARGIN = 1e-5

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


class Sums:
    """Each segment's sums in the range (period 0) and its comparison period (period 1): ``keys`` (one
    tuple per segment) and an int64 array per period, segments × ``fields``. A key whose sums are all
    0 in both periods is no segment (day rows emptied by a refund, prefix rows cancelling out)."""

    def __init__(self, fields: tuple[str, ...], keys: list, current, previous):
        self.fields, self.keys = fields, keys
        self.periods = (np.asarray(current, dtype=np.int64), np.asarray(previous, dtype=np.int64))

    @classmethod
    def from_rows(cls, fields: tuple[str, ...], periods: list[list], width: int) -> "Sums":
        """From each period's (key..., sum...) rows (a missing period: no rows)."""
        periods = [*periods, []][:2]
        if width == 1 and all(isinstance(rows[0][0], int) for rows in periods if rows):
            return cls._from_ids(fields, periods)
        index = {}
        for rows in periods:
            for row in rows:
                index.setdefault(row[:width], len(index))
        arrays = []
        for rows in periods:
            array = np.zeros((len(index), len(fields)), dtype=np.int64)
            if rows:
                array[[index[row[:width]] for row in rows]] = [row[width:] for row in rows]
            arrays.append(array)
        return cls._live(fields, list(index), *arrays)

    @classmethod
    def _from_ids(cls, fields: tuple[str, ...], periods: list[list]) -> "Sums":
        """Integer keys (product ids) aligned in numpy: a dict over 10k keys per period cost more."""
        tables = [np.array(rows, dtype=np.int64).reshape(len(rows), 1 + len(fields)) for rows in periods]
        ids = np.union1d(tables[0][:, 0], tables[1][:, 0])
        arrays = []
        for table in tables:
            array = np.zeros((len(ids), len(fields)), dtype=np.int64)
            array[np.searchsorted(ids, table[:, 0])] = table[:, 1:]
            arrays.append(array)
        return cls._live(fields, [(key,) for key in ids.tolist()], *arrays)

    @classmethod
    def _live(cls, fields, keys: list, current, previous) -> "Sums":
        live = np.flatnonzero(current.any(axis=1) | previous.any(axis=1))
        return cls(fields, [keys[i] for i in live.tolist()], current[live], previous[live])

    @classmethod
    def from_dicts(cls, fields: tuple[str, ...], current: dict, previous: dict) -> "Sums":
        """From key → {field: sum} per period (a hand-made case)."""
        periods = [[(*key, *(sums[f] for f in fields)) for key, sums in period.items()]
                   for period in (current, previous)]
        return cls.from_rows(fields, periods, len(next(iter(current))) if current else 1)

    def column(self, field: str, period: int):
        return self.periods[period][:, self.fields.index(field)]

    def total(self, field: str, period: int) -> int:
        return int(self.column(field, period).sum())

    def row(self, i: int, period: int) -> dict:
        return {f: int(v) for f, v in zip(self.fields, self.periods[period][i].tolist(), strict=True)}


class _Sum(Sum):
    """Sum whose integers reach Python as the driver returns them: no int() converter call per value
    (a product breakdown reads 10k keys × fields per period)."""

    convert_value = staticmethod(Sum._convert_value_noop)


def _read(qs, keys: tuple[str, ...], sums: dict) -> list:
    """(key..., sum...) tuples of ``qs`` grouped by ``keys``."""
    return list(qs.values(*keys).annotate(**sums).values_list(*keys, *sums))


def _ledger_sums(model, *, ranges: list, keys: tuple[str, ...], fields: tuple[str, ...], **filters) -> Sums:
    # One read per period: ORing both periods' day spans into one query made SQLite give up the
    # covering index (MULTI-INDEX OR reads the table) and its per-period CASEs cost more than a
    # second range read (measured at the large seed).
    periods, prefixes = [], ledger.prefix_span(model)  # once for both periods
    for date_range in ranges:
        span = LedgerRange(model, date_range, span=prefixes)
        sums = {f"sum_{f}": span.total(f, _Sum) for f in fields}
        periods.append(_read(model.objects.filter(span.rows, **filters), keys, sums))
    return Sums.from_rows(fields, periods, len(keys))


def _day_sums(model, *, ranges: list, category: str | None, fields: dict, key: str = "category") -> Sums:
    periods = []
    for date_range in ranges:
        rows = model.objects.filter(**day_filter("day", date_range))
        if category:
            rows = rows.filter(category=category)
        periods.append(_read(rows, (key,), {f"sum_{name}": _Sum(f) for name, f in fields.items()}))
    return Sums.from_rows(tuple(fields), periods, 1)


def segment_sums(*, figure: str, dimension: str, ranges: list, category: str | None) -> Sums:
    """Both periods' sums (``ranges``: the range, then its comparison period if any) from the rollups,
    only the fields ``figure`` needs (fewer columns to read over 10k products)."""
    fields = RATIOS.get(figure) or (ADDITIVE[figure],)
    if dimension == "category":
        if figure == "average_rating":
            names = {"rating_sum": "rating_sum", "feedback": "count"}
            return _day_sums(FeedbackDay, ranges=ranges, category=category, fields=names)
        return _day_sums(SalesDay, ranges=ranges, category=category, fields={f: f for f in fields})
    if dimension == "channel":
        return _day_sums(ChannelDay, ranges=ranges, category=category, fields={f: f for f in fields},
                         key="channel")
    if dimension == "product":
        extra = {"category": category} if category else {}
        return _ledger_sums(ProductLedger, ranges=ranges, keys=("product_id",), fields=fields, **extra)
    keys = ("city", "country") if dimension == "city" else ("country",)  # city or country
    return _ledger_sums(CityLedger, ranges=ranges, keys=keys, fields=fields, category=category or ALL)


def _labels(dimension: str, keys) -> dict:
    if dimension == "product":
        names = product_names(key[0] for key in keys)
        return {key: names.get(key[0], (str(key[0]), ""))[0] for key in keys}
    if dimension == "channel":
        choices = dict(Sale.Channel.choices)
        return {key: choices.get(key[0], key[0]) for key in keys}
    return {key: ", ".join(key) for key in keys}


# --- The card's numbers ----------------------------------------------------------------------------


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


def _unscale(value: int, scale: int):
    return value if scale == 1 else round(value / scale, 2)


def _share(part: int, total: int) -> float | None:
    return round(part / total * 100, 2) if total else None


def _pick(keys: list, effects, *, places: int | None = None) -> tuple[list, list]:
    """Indices of the TOP biggest rises and falls in ``effects`` (an array, one per key), biggest
    first, ties to the lower key; float effects ranked rounded to ``places`` decimals."""

    def best(values) -> list:
        candidates = np.flatnonzero(values > 0)
        if len(candidates) > TOP:  # the TOP-th biggest and everything that may tie it once rounded
            cut = np.partition(values[candidates], -TOP)[-TOP]
            candidates = candidates[values[candidates] >= cut - (TIE_MARGIN if places is not None else 0)]
        ranked = []
        for i in candidates.tolist():
            value = values[i].item()
            value = round(value, places) if places is not None else value
            if value > 0:
                ranked.append((-value, _key(keys[i]), i))
        return [i for *_, i in heapq.nsmallest(TOP, ranked)]

    return best(effects), best(-effects)


def _additive(figure, dimension, sums: Sums, target, scale) -> dict:
    field = ADDITIVE[figure]
    # The rollups hold cents and counts: the same integers the card is rounded from (scale 100 ↔ cents).
    now_values, before_values = sums.column(field, 0), sums.column(field, 1)
    diffs = now_values - before_values
    ups, downs = _pick(sums.keys, diffs)
    shown = ups + downs
    labels = _labels(dimension, [sums.keys[i] for i in shown])
    rows = []
    for i in shown:
        key, now, before, diff = sums.keys[i], int(now_values[i]), int(before_values[i]), int(diffs[i])
        rows.append(
            {
                "key": _key(key),
                "label": labels[key],
                "current": _unscale(now, scale),
                "previous": _unscale(before, scale),
                "change": _unscale(diff, scale),
                "change_scaled": diff,
                "share": _share(diff, target),
            }
        )
    rest = target - sum(int(diffs[i]) for i in shown)
    other = {
        "segments": len(sums.keys) - len(shown),
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


def _approx_effects(top_cur, n_cur, top_prev, n_prev, totals: tuple):
    """Every segment's (rate, mix) in float64 arrays: _split's arithmetic, in its order, per element
    (so the same floats as _split(number=float)); ``live``: the segments with a denominator."""
    n_all, p_all = totals
    with np.errstate(divide="ignore", invalid="ignore"):  # the own ratio of a side with no denominator
        own_cur, own_prev = top_cur / n_cur, top_prev / n_prev
    r_cur = np.where(n_cur != 0, own_cur, own_prev)
    r_prev = np.where(n_prev != 0, own_prev, r_cur)
    w_cur, w_prev = n_cur / n_all, n_prev / p_all
    live = (n_cur != 0) | (n_prev != 0)
    return (w_prev + w_cur) / 2 * (r_cur - r_prev), (w_cur - w_prev) * (r_prev + r_cur) / 2, live


def _ratio(figure, dimension, sums: Sums, target, scale) -> dict:
    top, bottom = RATIOS[figure]
    # Ratios in the card's unit × scale: AOV in cents (the sums already are), ratings in hundredths.
    factor = 1 if figure == "average_order_value" else scale
    totals = (sums.total(bottom, 0), sums.total(bottom, 1))
    split = functools.partial(_split, top=top, bottom=bottom, factor=factor, totals=totals)
    # Every segment in floats to rank them (Fractions over 10k products took seconds); the shown ones
    # exact; the rest's change exact as the whole change less the shown ones, only its rate/mix split
    # summed in floats. Ranked on the effect rounded to 1e-6 units, so exact ties go to the lower key.
    rate, mix, live = _approx_effects(
        sums.column(top, 0) * factor, sums.column(bottom, 0), sums.column(top, 1) * factor,
        sums.column(bottom, 1), totals,
    )
    live = np.flatnonzero(live)
    keys = [sums.keys[i] for i in live.tolist()]
    rate, mix = rate[live], mix[live]
    ups, downs = _pick(keys, rate + mix, places=6)
    shown = ups + downs
    segments = {i: split(sums.row(live[i], 0), sums.row(live[i], 1), number=Fraction) for i in shown}
    whole = Fraction(sums.total(top, 0) * factor, totals[0]) - Fraction(
        sums.total(top, 1) * factor, totals[1]
    )
    rest = np.ones(len(keys), dtype=bool)
    rest[shown] = False
    rest_rate = Fraction(math.fsum(rate[rest].tolist()))
    rest_change = whole - sum((segments[i][0] + segments[i][1] for i in shown), Fraction(0))
    exact = [part for i in shown for part in segments[i][:2]] + [rest_rate, rest_change - rest_rate]
    rounded = apportion(exact, target)
    labels = _labels(dimension, [keys[i] for i in shown])
    rows = []
    for n, i in enumerate(shown):
        rate_n, mix_n = rounded[2 * n], rounded[2 * n + 1]
        _, _, w_cur, w_prev, r_cur, r_prev = segments[i]
        rows.append(
            {
                "key": _key(keys[i]),
                "label": labels[keys[i]],
                "current_weight": round(float(w_cur), 4),
                "previous_weight": round(float(w_prev), 4),
                "current": _rate(r_cur, scale),
                "previous": _rate(r_prev, scale),
                **_effects(rate_n, mix_n, scale, target),
            }
        )
    other = {"segments": int(rest.sum()), **_effects(rounded[-2], rounded[-1], scale, target)}
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
