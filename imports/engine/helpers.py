"""Small helpers the checks, the writer and the fast pass share."""

import datetime as dt
import re
from itertools import repeat
from decimal import ROUND_CEILING

from ..cells import EMPTY, MEMO_LIMIT, Cleaner
from .kinds import CENT, LOOKUP_CHUNK


PLAIN_TYPES = (
    "CharField",
    "EmailField",
    "TextField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "IntegerField",
    "BooleanField",
    "FloatField",
)


def _prepare_column(field, values: list, connection) -> list:
    """One column's values as ``get_db_prep_save`` gives them on SQLite, without a call per value
    for the plain types (the values are already the field's Python type)."""
    internal = field.get_internal_type()
    if internal in PLAIN_TYPES or field.is_relation:
        return values
    if internal == "DecimalField":
        return [None if v is None else str(v) for v in values]  # SQLite's Decimal adapter is str
    if internal == "DateTimeField":
        # What Django stores for an aware datetime: made naive in UTC, then str().
        return [None if v is None else str(v.astimezone(dt.UTC).replace(tzinfo=None)) for v in values]
    return [field.get_db_prep_save(v, connection) for v in values]


def _unit_from_total(values):
    """total / quantity rounded up to the cent (the rest is the line's discount), when both are there."""
    quantity, total = values.get("quantity"), values.get("total")
    if quantity in (None, EMPTY) or total in (None, EMPTY) or quantity < 1:
        return None
    return (total / quantity).quantize(CENT, rounding=ROUND_CEILING)


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _cleaners(model, names, tz):
    return {name: Cleaner(model._meta.get_field(name), timezone=tz) for name in names}


def _first_dates(model, date_field, customer_ids, using) -> dict:
    from django.db.models import Min

    found = {}
    for start in range(0, len(customer_ids), LOOKUP_CHUNK):
        rows = (
            model._base_manager.using(using)
            .filter(customer_id__in=customer_ids[start : start + LOOKUP_CHUNK])
            .values("customer_id")
            .annotate(first=Min(date_field))
            .values_list("customer_id", "first")
        )
        found.update(rows)
    return found


DECIMAL_TEXT = "^[0-9]{{1,{whole}}}(?:\\.[0-9]{{1,{places}}})?$"
# Timestamps as most exports write them, in UTC: their stored text is the cell with "T" → " " and
# no "Z", so a whole column is converted with two replaces instead of a format call per value.
PLAIN_UTC = re.compile(r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\n)*")
OPTIONAL = {str, type(None)}
REQUIRED_TEXT = {str}


def _first(values, limit, bad) -> int:
    """The index of the first value (before ``limit``) for which ``bad(value)`` is true, else limit."""
    for i in range(limit):
        if bad(values[i]):
            return i
    return limit


def _mapped(values, cut, memo, clean, *, limit) -> list:
    """``values[:cut]`` through ``clean`` (memoised in ``memo`` up to ``limit`` entries), up to the
    first value it refuses (None)."""
    fresh = {v: clean(v) for v in set(values[:cut]) - memo.keys()}
    if None in fresh.values():
        cut = _first(values, cut, lambda v: fresh.get(v, "") is None)
        fresh = {v: value for v, value in fresh.items() if value is not None}
    if len(memo) + len(fresh) <= limit:
        memo.update(fresh)
        return list(map(memo.__getitem__, values[:cut]))
    return [fresh[v] if v in fresh else memo[v] for v in values[:cut]]


def _memoised(memo: dict, fresh: dict) -> dict:
    """``memo`` with ``fresh`` added (kept in it while under MEMO_LIMIT, else in a copy for this batch)."""
    if len(memo) + len(fresh) <= MEMO_LIMIT:
        memo.update(fresh)
        return memo
    return {**memo, **fresh}


def _truncate(columns, cut) -> None:
    for values in columns.values():
        if values.__class__ is list:
            del values[cut:]


def _first_rows(keys) -> dict:
    """Each key → the index of its first row (a dict built backwards: the earliest write wins)."""
    return dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))


def _earliest(keys, moments) -> dict:
    """Each key → its earliest moment among the rows."""
    if moments == sorted(moments):  # in time order, as exports usually are: the first row's
        return dict(zip(reversed(keys), reversed(moments), strict=True))
    earliest = {}
    for key, moment in zip(keys, moments, strict=True):
        if key not in earliest or moment < earliest[key]:
            earliest[key] = moment
    return earliest


ROWS_PER_INSERT = 90  # rows per INSERT statement (within SQLite's 999 variables at 11 columns)


def insert_columns(connection, table: str, names: list[str], columns: list[list]) -> None:
    """SQLite: rows given a column at a time, inserted in order with many rows per INSERT (a
    statement per row costs SQLite about as much again as the row: the statement's own work,
    AUTOINCREMENT's sqlite_sequence update among it). The same rows with the same ids as one
    ``executemany`` of single-row INSERTs."""
    width = len(names)
    n = len(columns[0]) if columns else 0
    if not n:
        return
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(table)} ({', '.join(map(quote, names))}) VALUES "
    one = "(" + ", ".join(repeat("%s", width)) + ")"
    per = max(1, min(ROWS_PER_INSERT, connection.features.max_query_params // width))
    flat = [None] * (n * width)
    for j, values in enumerate(columns):
        flat[j::width] = values if values.__class__ is list else list(values)  # a length off: ValueError
    step = per * width
    full = n // per * step
    with connection.cursor() as cursor:
        if full:
            cursor.executemany(
                head + ", ".join(repeat(one, per)), (flat[i : i + step] for i in range(0, full, step))
            )
        if full < len(flat):
            cursor.execute(head + ", ".join(repeat(one, n - full // width)), flat[full:])
