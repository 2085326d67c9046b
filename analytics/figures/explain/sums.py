"""Each segment's sums in both periods, from the rollups: range-first reads, one grouped read per period."""

import datetime as dt

import numpy as np
from django.db.models import Sum

from accounts.models import Customer
from analytics.figures.common import day_filter, product_names
from analytics.figures.explain.kinds import ADDITIVE, RATIOS
from analytics.figures.segments import read_table
from analytics.models import ChannelDay, CityJoinLedger, CityLedger, FeedbackDay, ProductLedger, SalesDay
from analytics.rollups import ledger
from analytics.rollups.active import ALL, bought_between
from analytics.rollups.ledger import ONE_DAY, LedgerRange
from analytics.rollups.version import PLACES, Kept
from core.filters import DateRange
from sales.models import Sale

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
    places = ("city", "country") if dimension == "city" else ("country",)
    if figure == "active_customers":
        return active_sums(ranges=ranges, keys=places, scope=category or ALL)
    if figure == "new_customers":  # customers have no category: the card ignores it, so does this
        return _ledger_sums(CityJoinLedger, ranges=ranges, keys=places, fields=fields)
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
    return _ledger_sums(CityLedger, ranges=ranges, keys=places, fields=fields, category=category or ALL)


# --- Active customers by the buyer's city -------------------------------------------------------------


def active_sums(*, ranges: list, keys: tuple[str, ...], scope: str) -> Sums:
    """Distinct customers with a completed sale (in ``scope``) per city or country, each range: every
    such customer's one row in bought_between (their state on the range's last day), mapped to their
    city through place_codes. A customer has one city, so the cities' counts add up to the card."""
    places, period_codes = place_codes([_bought(date_range, scope) for date_range in ranges])
    if keys == ("country",):
        countries = {country: n for n, country in enumerate(dict.fromkeys(c for _, c in places))}
        country_of = np.array([countries[c] for _, c in places], dtype=np.int64)
        period_codes = [country_of[codes] for codes in period_codes]
        names = [(c,) for c in countries]  # in the order of their codes
    else:
        names = places
    periods = []
    for codes in period_codes:
        counts = np.bincount(codes, minlength=len(names))
        periods.append([(*names[i], int(counts[i])) for i in np.flatnonzero(counts).tolist()])
    return Sums.from_rows(("customers",), periods, len(keys))


def _bought(date_range: DateRange, scope: str):
    """The ids of the customers who bought in ``date_range`` (one row each), as one array: read by a
    bare cursor on SQLite (segments.read_table), like the segments' states."""
    after = date_range.start - ONE_DAY if date_range.start else _NEVER
    return read_table(bought_between, after, date_range.end or _LAST, scope, fields=("customer_id",))[:, 0]


_NEVER = dt.date(1, 1, 1)  # no day_number is below 1
_LAST = dt.date(9999, 12, 30)  # open end: the rows with no later sale (next_day 9999-12-31)


PLACE_MAP = Kept(PLACES, limit=1)  # the customer → city map, by the places' version token


def place_codes(id_arrays: list) -> tuple[list, list]:
    """``(places, codes)``: every (city, country), and for each array of customer ids their indexes in
    it. The map is kept in this process's memory by the places' version (version.PLACES: every
    customer write, seed and import moves it; a sale does not): reading 100k customers' cities took
    137 ms at the large seed, more than the rest of a breakdown, and keyed by the rollups' version
    every sale made the next breakdown pay it again. An id the map does not know (a customer written
    around the services) reads it again."""
    for fresh in (False, True):
        if fresh:
            PLACE_MAP.forget()
        places, by_id = PLACE_MAP.get("places", _read_places)
        codes = [_codes(by_id, ids) for ids in id_arrays]
        if all(c is not None for c in codes):
            return places, codes
    raise LookupError("customers without a row in the customers table")  # a foreign key prevents it


def _codes(codes, wanted):
    """The place codes of ``wanted`` from ``codes`` (_read_places), or None when one is missing."""
    if isinstance(codes, np.ndarray):  # indexed by the id itself
        wanted = np.asarray(wanted, dtype=np.int64)
        if len(wanted) and wanted.max() >= len(codes):
            return None
        found = codes[wanted]
        return None if (found < 0).any() else found
    if any(i not in codes for i in wanted):
        return None
    return np.array([codes[i] for i in wanted], dtype=np.int64)


def _read_places():
    """(places, codes): with integer ids an int64 array of place codes indexed by the id (-1 for none;
    indexing beat a sorted search by 15 ms for 80k ids a period), unless the ids are too sparse for
    one; other ids (MongoDB's ObjectIds) a dict id → code."""
    index, ids, codes = {}, [], []
    rows = Customer.objects.order_by().values_list("pk", "city", "country")
    for pk, city, country in rows.iterator(chunk_size=10_000):
        ids.append(pk)
        codes.append(index.setdefault((city, country), len(index)))
    places = list(index)
    if all(isinstance(pk, int) for pk in ids) and max(ids, default=0) < 4 * len(ids) + 1_000_000:
        by_id = np.full(max(ids, default=0) + 1, -1, dtype=np.int64)
        by_id[np.array(ids, dtype=np.int64)] = codes
        return places, by_id
    return places, dict(zip(ids, codes, strict=True))


def _labels(dimension: str, keys) -> dict:
    if dimension == "product":
        names = product_names(key[0] for key in keys)
        return {key: names.get(key[0], (str(key[0]), ""))[0] for key in keys}
    if dimension == "channel":
        choices = dict(Sale.Channel.choices)
        return {key: choices.get(key[0], key[0]) for key in keys}
    return {key: ", ".join(key) for key in keys}
