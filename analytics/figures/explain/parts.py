"""The change's parts: each segment's own difference (additive KPIs) or its rate and mix effects (ratios),
rounded to the card's unit so that they add up to the card's change."""

import functools
import heapq
import math
from fractions import Fraction

import numpy as np

from analytics.figures.explain.kinds import ADDITIVE, RATIOS
from analytics.figures.explain.sums import Sums, _labels

TOP = 5  # contributors shown each way (up, down); the rest are "other"
# Float effects are ranked rounded to 1e-6: any within this of the TOP-th biggest may tie it once rounded.
TIE_MARGIN = 1e-5


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
