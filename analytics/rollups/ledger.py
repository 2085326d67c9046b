"""Range sums by key over day rows plus Monday prefix rows (see analytics.models).

Inside the rebuilt span a range reads two prefix rows per key and at most seven days of day rows at
each end (LedgerRange). Days written outside the span since the last rebuild are read from their
day rows, which stays right, only slower as they accumulate.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Case, F, Q, Sum, When

from analytics.models import LedgerSpan
from analytics.rollups.version import Kept
from core.filters import DateRange

ONE_DAY = dt.timedelta(days=1)
ONE_WEEK = dt.timedelta(days=7)
# Ranges under two weeks read their day rows (fewer than two prefix rows per key); ranges over four
# months the prefix rows; in between LedgerRange counts which is fewer (about four weeks at the
# large seed size: 10k products, ~900 product-days a day).
SHORT_RANGE_DAYS = 14
LONG_RANGE_DAYS = 120
RECENT_DAYS = dt.timedelta(days=28)  # the rebuild's day rows per day: of the span's last four weeks


def cents(amount: Decimal | float | int) -> int:
    return int((Decimal(str(amount)) * 100).to_integral_value(ROUND_HALF_UP))


def monday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def mondays(first: dt.date, last: dt.date) -> list[dt.date]:
    weeks, week = [], first
    while week <= last:
        weeks.append(week)
        week += ONE_WEEK
    return weeks


def bump(model: type[models.Model], *, lookup: dict, values: dict, attrs: dict | None = None) -> None:
    """Add ``values`` (field → delta) to the row at ``lookup``, creating it when missing; ``attrs``
    (a key's current category) are written either way."""
    attrs = attrs or {}
    updated = model.objects.filter(**lookup).update(**attrs, **{f: F(f) + v for f, v in values.items()})
    if not updated:
        model.objects.create(**lookup, **attrs, **values)


KEPT = Kept()  # the ledgers' spans and row estimates, while the rollups' version token stands


def prefix_span(model: type[models.Model]) -> tuple[dt.date, dt.date] | None:
    """First and last Monday with prefix rows, None before the first rebuild (LedgerSpan)."""
    found = _spans().get(model._meta.label_lower)
    return found and found[:2]


def _spans() -> dict:
    """ledger → (first, last, keys, day rows per day): every ledger's LedgerSpan row in one query (a few
    rows, no sort), kept under the rollups' version token: only a rebuild writes them, and it moves it."""
    return KEPT.get("spans", lambda: {
        row[0]: row[1:] for row in LedgerSpan.objects.values_list("ledger", "first", "last", "keys", "day_rows_per_day")
    })


def ledger_add(
    model: type[models.Model], *, key: dict, day: dt.date, values: dict, attrs: dict | None = None
) -> None:
    """Add ``values`` (negative to take away) for ``key`` on ``day``: its day row, every later prefix row."""
    attrs = attrs or {}
    bump(model, lookup={**key, "prefix": False, "day": day}, values=values, attrs=attrs)
    span = prefix_span(model)
    if span is None:
        return
    if not model.objects.filter(**key, prefix=True).exists():
        # A key new since the rebuild had nothing before: zero prefix rows keep the span dense.
        model.objects.bulk_create([model(**key, **attrs, prefix=True, day=w) for w in mondays(*span)])
    model.objects.filter(**key, prefix=True, day__gt=day).update(**{f: F(f) + v for f, v in values.items()})


LOOK_UP = object()  # LedgerRange's span: not given, read it


class LedgerRange:
    """The rows to read for ``date_range``, and which of them count negative.

    With R(b) = the sums of every day ≤ b and L(a) = those of every day < a, a range sums to
    R(b) − L(a). R(b) is the prefix row at the last Monday ``hi`` ≤ b plus the day rows of [hi, b]:
    every row dated in [hi, b] (the only prefix rows there are hi's). Likewise L(a) is every row
    dated in [lo, a − 1] for the last Monday ``lo`` ≤ a − 1. So a range reads two spans of at most
    seven days from the (day, …) covering index and subtracts the first. Ranges holding no Monday
    of the rebuilt span, and short ranges (see SHORT_RANGE_DAYS), read their day rows only.
    ``span``: prefix_span(model) when the caller has it already (reading several ranges).
    """

    def __init__(self, model: type[models.Model], date_range: DateRange, span=LOOK_UP):
        start, end = date_range.start, date_range.end
        self.rows, self.minus = Q(prefix=False, **_days(start, end)), None
        if start and end and (end - start).days < SHORT_RANGE_DAYS:
            return  # fewer day rows than the two prefix rows per key
        span = prefix_span(model) if span is LOOK_UP else span
        if span is None:
            return
        first, last = span
        hi = last if end is None else min(last, monday_on_or_before(end))
        if hi < first or (start is not None and hi < start):
            return  # no Monday of the span in the range: day rows only
        if start is None:
            self.rows = Q(**_days(hi, end))
            return
        if start <= first:
            lo, before = None, Q(prefix=False, day__lt=start)  # nothing before the span but day rows
        else:
            lo = min(last, monday_on_or_before(start - ONE_DAY))
            before = Q(**_days(lo, start - ONE_DAY))
        mid_length = lo and end and (end - start).days < LONG_RANGE_DAYS
        if mid_length and _day_rows_cheaper(model, start, end, lo, hi):
            return
        self.rows = Q(**_days(hi, end)) | before
        self.minus = Q(day__lt=start)

    def total(self, field: str, aggregate: type[Sum] = Sum) -> Sum:
        """Sum(field) over the rows, L(a)'s rows subtracted (``aggregate``: Sum or a subclass)."""
        if self.minus is None:
            return aggregate(field)
        signed = Case(
            When(self.minus, then=-F(field)), default=F(field), output_field=models.BigIntegerField(),
        )
        return aggregate(signed)


def _day_rows_cheaper(model, start: dt.date, end: dt.date, lo: dt.date, hi: dt.date) -> bool:
    """Whether [start, end]'s day rows are fewer than the prefix path's rows, estimated from the
    rebuild's keys and day rows per day (LedgerSpan; two counts per ledger and range before). Both
    ways are exact; this only picks the cheaper."""
    found = _spans().get(model._meta.label_lower)
    if not found:
        return False
    _, _, keys, per_day = found
    edge_days = (end - hi).days + 1 + (start - lo).days
    return ((end - start).days + 1) * per_day <= 2 * keys + edge_days * per_day


def _days(start: dt.date | None, end: dt.date | None) -> dict:
    """Both bounds always: SQLite's planner guesses a one-sided range keeps a quarter of the rows and may
    then skip-scan the whole index for ``category``; a two-sided one it reads as the short range it is."""
    return {"day__gte": start or dt.date.min, "day__lte": end or dt.date.max}
