"""RFM segments: every customer scored 1–5 on recency, frequency and monetary value as of a day, and
named by the R × FM map below. Read from ActiveCustomerDay (scope ""): as of day E each customer who
bought by then has exactly one row with day ≤ E < next_day, holding their last sale day and their
sales and revenue to date (analytics.rollups.active.state_on reads them). tests.oracles.segments computes the same from the Sale rows.

Scores are quintiles of the customers with a completed sale on or before E (n of them): a customer's
score is 1 + ⌊5 × (customers strictly worse) / n⌋, where worse is an earlier last sale (recency),
fewer sales (frequency) or less revenue (monetary). Equal values share a score, so a customer's score
depends only on their value, and the many one-order customers all score F = 1. FM is the mean of F
and M rounded half up, ⌊(F + M + 1) / 2⌋.

The map is the widely used R × FM grid (the one of the popular RFM notebooks: Champions R 5 with
FM 4–5, Loyal R 3–4 with FM 4–5, ...), with Lost split off Hibernating at R = 1:

    FM \\ R   1                2                3                4                    5
    5        Can't lose them  Can't lose them  Loyal            Loyal                Champions
    4        At risk          At risk          Loyal            Loyal                Champions
    3        At risk          At risk          Need attention   Potential loyalists  Potential loyalists
    2        Lost             Hibernating      About to sleep   Potential loyalists  Potential loyalists
    1        Lost             Hibernating      About to sleep   Promising            New
"""

import datetime as dt
import functools
from itertools import chain

import numpy as np
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F

from analytics.figures.periods import cents_to_money
from analytics.rollups.active import bought_between, state_left, state_on
from core.filters import DateRange, today

SEGMENT_MAP = {  # FM score → the segment for R = 1 .. 5
    5: ("Can't lose them", "Can't lose them", "Loyal", "Loyal", "Champions"),
    4: ("At risk", "At risk", "Loyal", "Loyal", "Champions"),
    3: ("At risk", "At risk", "Need attention", "Potential loyalists", "Potential loyalists"),
    2: ("Lost", "Hibernating", "About to sleep", "Potential loyalists", "Potential loyalists"),
    1: ("Lost", "Hibernating", "About to sleep", "Promising", "New"),
}
SEGMENTS = (
    "Champions", "Loyal", "Potential loyalists", "New", "Promising", "Need attention", "About to sleep",
    "At risk", "Can't lose them", "Hibernating", "Lost",
)
NOT_YET = "Not yet a customer"
UNKNOWN_SEGMENT = "Unknown segment. Choose one of: {names}.".format(names=", ".join(SEGMENTS))
# grid[r - 1][fm - 1] → index into SEGMENTS
GRID = np.array([[SEGMENTS.index(SEGMENT_MAP[fm][r - 1]) for fm in range(1, 6)] for r in range(1, 6)])


def segment_name(r: int, fm: int) -> str:
    return SEGMENT_MAP[fm][r - 1]


def quintile_scores(values: np.ndarray) -> np.ndarray:
    """1 + ⌊5 × (values strictly below each) / n⌋ (higher values score higher).

    A score is at least k + 1 when at least t_k = ⌈k·n / 5⌉ values lie below, that is when the value
    exceeds the t_k-th smallest: four order statistics (a partition, not a sort) and four comparisons."""
    n = len(values)
    scores = np.ones(n, dtype=np.int64)
    if n:
        ranks = [(k * n + 4) // 5 - 1 for k in range(1, 5)]
        for threshold in np.partition(values, ranks)[ranks]:
            scores += values > threshold
    return scores


# A state as two numbers: its day and sales to date in one (day_number + sales_to_date · 2^22: ordinals stay
# under 2^22 up to year 9999), and its revenue to date. Every column read costs, more than unpacking it.
DAY_BITS = 22
DAY_SALES = F("day_number") + F("sales_to_date") * (1 << DAY_BITS)
STATE = ("day_sales", "cents_to_date")


def _union(reader, args: tuple, fields: tuple):
    first, *rest = (part.annotate(day_sales=DAY_SALES).values_list(*fields) for part in reader(*args))
    return first.union(*rest, all=True) if rest else first  # one query, each part its own index range


@functools.lru_cache(maxsize=128)
def _sqlite_sql(reader, args: tuple, fields: tuple) -> tuple[str, tuple]:
    """The SQL of ``_union(reader, args, fields)``: a function of the arguments only (dates, not data), and
    building the querysets of a dozen spans cost as much as scoring a day."""
    return _union(reader, args, fields).query.sql_with_params()


def read_table(reader, *args, fields: tuple) -> np.ndarray:
    """The rows of the querysets ``reader(*args)`` (one per span, analytics.rollups.active) as one
    (rows × fields) array: int64, or objects where the ids are ObjectIds (MongoDB)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite":
        return _sqlite_table(*_sqlite_sql(reader, args, fields), width=len(fields))
    rows = list(_union(reader, args, fields))
    try:  # one conversion for the whole table
        table = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * len(fields))
    except TypeError:
        table = np.array(rows, dtype=object)
    return table.reshape(len(rows), len(fields))


def _sqlite_table(sql: str, params: tuple, *, width: int) -> np.ndarray:
    """The integer rows of ``sql`` as one text of numbers per column, joined by SQLite and parsed by numpy:
    a Python tuple and int objects per row were two thirds of reading the 100k states (of 60 ms, at the
    large seed), and one text per row (``a || ',' || b``) costs twice as much as one per column. The
    columns stay aligned: one aggregate step feeds every group_concat the same row, and none is NULL.
    SQLite strings hold up to a billion bytes, some 80 million rows."""
    names = [f"c{i}" for i in range(width)]
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(f"WITH t({', '.join(names)}) AS ({sql}) SELECT "
                       + ", ".join(f"group_concat({name})" for name in names) + " FROM t", params)
        texts = cursor.fetchone()
    columns = [np.fromstring(text or "", dtype=np.int64, sep=",") for text in texts]
    return np.stack(columns, axis=1) if columns[0].size else np.zeros((0, width), dtype=np.int64)


class Scores:
    """Every customer's state and scores as of ``as_of`` (their ids too unless ``ids`` is false: the
    counts need none, and they are a third of what is read). ``table`` gives the state rows
    (STATE[, customer_id]) instead of reading them."""

    def __init__(self, as_of: dt.date, *, ids: bool = True, table: np.ndarray | None = None):
        self.as_of = as_of
        if table is None:
            table = read_table(state_on, as_of, fields=(*STATE, *(("customer_id",) if ids else ())))
        day_sales, self.cents = (table[:, i].astype(np.int64) for i in range(2))
        self.last_day, self.sales = day_sales & ((1 << DAY_BITS) - 1), day_sales >> DAY_BITS
        self.customer_ids = table[:, 2] if table.shape[1] > 2 else None
        self.r = quintile_scores(self.last_day)
        self.f = quintile_scores(self.sales)
        self.m = quintile_scores(self.cents)
        self.fm = (self.f + self.m + 1) // 2
        self.segment = GRID[self.r - 1, self.fm - 1]

    def __len__(self) -> int:
        return len(self.segment)

    def of(self, customer_id) -> dict | None:
        found = np.flatnonzero(self.customer_ids == customer_id)
        if not len(found):
            return None
        i = found[0]
        return {
            "segment": SEGMENTS[self.segment[i]], "r": int(self.r[i]), "f": int(self.f[i]), "m": int(self.m[i]),
            "last_sale_day": dt.date.fromordinal(int(self.last_day[i])).isoformat(),
            "sales": int(self.sales[i]), "revenue": cents_to_money(int(self.cents[i])),
        }

    def members(self, segment: str) -> list:
        return self.customer_ids[self.segment == SEGMENTS.index(segment)].tolist()


def as_of_day(date_range: DateRange) -> dt.date:
    return date_range.end or today()


def rfm_segments(*, date_range: DateRange, category: str | None = None) -> dict:
    """Customers per RFM segment as of the range's last day (today when open).

    Returns ``{"as_of", "customers", "segments": [{"segment", "customers", "share", "revenue"}],
    "grid": [{"r", "fm", "segment", "customers"}], "category_applied": false}``: ``revenue`` is the
    segment's customers' completed sales up to ``as_of``; every segment is listed, in the map's order;
    ``grid`` counts the 25 R × FM cells. Scores as in analytics.figures.segments; ``category`` is
    ignored (a customer's segment is about all they bought).
    """
    scores = Scores(as_of_day(date_range), ids=False)
    n = len(scores)
    sizes = np.bincount(scores.segment, minlength=len(SEGMENTS))
    revenue = np.bincount(scores.segment, weights=scores.cents, minlength=len(SEGMENTS))
    cells = np.bincount((scores.r - 1) * 5 + scores.fm - 1, minlength=25)
    return {
        "as_of": scores.as_of.isoformat(), "customers": n,
        "segments": [
            {"segment": name, "customers": int(sizes[i]), "share": round(int(sizes[i]) / n, 4) if n else 0.0,
             "revenue": cents_to_money(int(round(revenue[i])))}
            for i, name in enumerate(SEGMENTS)
        ],
        "grid": [
            {"r": r, "fm": fm, "segment": segment_name(r, fm), "customers": int(cells[(r - 1) * 5 + fm - 1])}
            for r in range(1, 6) for fm in range(1, 6)
        ],
        "category_applied": False,
    }


def segment_movement(*, date_range: DateRange, category: str | None = None) -> dict:
    """How customers moved between RFM segments over the range: from the day before ``date_from``
    to ``date_to`` (today when open; with no ``date_from``, everyone starts as not yet a customer).

    Returns ``{"from", "to", "segments", "rows": [{"from", "to": {segment: customers}, "customers"}],
    "category_applied": false}``: one row per segment at the start, plus "Not yet a customer" for those
    who first bought in the range; ``to`` counts where those customers are at the end.
    """
    end = as_of_day(date_range)
    start = date_range.start - dt.timedelta(days=1) if date_range.start else None
    names = (*SEGMENTS, NOT_YET)
    counts = np.zeros((len(names), len(SEGMENTS)), dtype=np.int64)
    if start is None or start >= end:
        counts[len(SEGMENTS)] += np.bincount(Scores(end, ids=False).segment, minlength=len(SEGMENTS))
    else:
        _moves(start, end, counts)
    return {
        "from": start.isoformat() if start else None, "to": end.isoformat(), "segments": list(SEGMENTS),
        "rows": [
            {"from": name, "to": {to: int(counts[i, j]) for j, to in enumerate(SEGMENTS)},
             "customers": int(counts[i].sum())}
            for i, name in enumerate(names)
        ],
        "category_applied": False,
    }


def _moves(start: dt.date, end: dt.date, counts: np.ndarray) -> None:
    """Add (segment on ``start``, segment on ``end``) per customer to ``counts``. A customer with no sale
    in between holds one row on both days, read once and without their id; only those who bought in
    between are matched by id, their row on ``start`` (if any) to their row on ``end``."""
    kept = read_table(state_on, start, end, fields=STATE)
    left = read_table(state_left, start, end, fields=(*STATE, "customer_id"))
    came = read_table(bought_between, start, end, fields=(*STATE, "customer_id"))
    state = [0, 1]
    before = Scores(start, table=np.concatenate((kept, left[:, state])).astype(np.int64))
    after = Scores(end, table=np.concatenate((kept, came[:, state])).astype(np.int64))
    origin = np.concatenate((before.segment[:len(kept)], segment_of(left[:, 2], before.segment[len(kept):], came[:, 2])))
    counts += np.bincount(origin * len(SEGMENTS) + after.segment, minlength=counts.size).reshape(counts.shape)


def segment_of(ids: np.ndarray, segments: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The segment of each of ``wanted`` among ``ids`` (scored ``segments``), "Not yet a customer"
    (len(SEGMENTS)) for those not among them."""
    found_segments = np.full(len(wanted), len(SEGMENTS))
    if not len(ids) or not len(wanted):
        return found_segments
    if ids.dtype.kind == "i" and wanted.dtype.kind == "i":
        # Integer keys (SQLite): one array indexed by id, a pass instead of a sort (9 -> 1 ms for 50k).
        top = int(max(ids.max(), wanted.max()))
        if ids.min() >= 0 and wanted.min() >= 0 and top <= 8 * (len(ids) + len(wanted)) + (1 << 20):
            by_id = np.full(top + 1, len(SEGMENTS))
            by_id[ids] = segments
            return by_id[wanted]
    order = np.argsort(ids)  # ids are unique; ObjectIds (MongoDB) sort as objects
    known = ids[order]
    at = np.minimum(np.searchsorted(known, wanted), len(known) - 1)
    found = known[at] == wanted
    found_segments[found] = segments[order][at[found]]
    return found_segments


def movers(*, date_range: DateRange, moved_from: str, segment: str) -> list:
    """The ids of the customers in segment_movement's cell ``moved_from`` → ``segment`` for
    ``date_range`` (``moved_from`` may be "Not yet a customer")."""
    end = as_of_day(date_range)
    start = date_range.start - dt.timedelta(days=1) if date_range.start else None
    after = Scores(end)
    origin = np.full(len(after), len(SEGMENTS))
    if start is not None and start < end:
        before = Scores(start)
        origin = segment_of(before.customer_ids, before.segment, after.customer_ids)
    chosen = (origin == (*SEGMENTS, NOT_YET).index(moved_from)) & (after.segment == SEGMENTS.index(segment))
    return after.customer_ids[chosen].tolist()
