"""Distinct customers with a completed sale in a range ("active customers"), per scope.

Scope ``""`` counts every sale, a category name only that category's. Each (scope, customer,
day with sales) row links to the customer's previous such day; a customer is active in [a, b]
exactly when one of its rows has a ≤ day ≤ b and prev_day < a (its first day in the range),
so the count is a count of rows. ActiveCustomerCell pre-counts rows by (day, month of
prev_day): whole months before ``a`` come from the cells, only ``a``'s own month row by row.
"""

import datetime as dt
import functools
import operator
from collections import Counter, defaultdict

from django.db import connection
from django.db.models import Count, Q, Sum, Value

from analytics.models import NO_EARLIER_DAY, NO_LATER_DAY, SPAN_LONG, ActiveCustomerCell, ActiveCustomerDay
from analytics.rollups.ledger import bump, cents
from catalog.models import Product
from core.filters import DateRange
from sales.models import Sale

ALL = ""
CHUNK = 500


def month_of(day: dt.date) -> dt.date:
    return day if day == NO_EARLIER_DAY else day.replace(day=1)


def utc_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(dt.timezone.utc).date()


def active_customers(*, date_range: DateRange, scope: str = ALL) -> int:
    """Customers with a completed sale in ``date_range`` (within ``scope``)."""
    return active_customers_of((date_range,), scope=scope)[0]


def active_customers_of(ranges: tuple, *, scope: str = ALL) -> list[int]:
    """active_customers for each of ``ranges``, in one query: the cells, and the start months' day rows
    of the ranges that have a start, each range's share a filtered aggregate, the two reads as parts of
    a UNION ALL (four round trips for a range and its compared period before; two on MongoDB)."""
    cell_parts, day_parts = {}, {}
    for i, date_range in enumerate(ranges):
        start, end = date_range.start, date_range.end
        until = Q(day__lte=end) if end else Q()
        if start is None:
            cell_parts[f"n{i}"] = until & Q(prev_month=NO_EARLIER_DAY)
            continue
        month = month_of(start)
        cell_parts[f"n{i}"] = until & Q(day__gte=start, prev_month__lt=month)
        day_parts[f"n{i}"] = until & Q(prev_day__gte=month, prev_day__lt=start, day__gte=start)
    cells = _part(ActiveCustomerCell.objects.filter(scope=scope), 0, cell_parts, Sum, "customers", cell_parts)
    parts = [cells]
    if day_parts:
        days = _part(ActiveCustomerDay.objects.filter(scope=scope), 1, day_parts, Count, "pk", cell_parts)
        # django-mongodb-backend 5.2.4 compiles a union whose first part aggregates with that part's $group
        # before its $match (and again after): wrong sums, from a scan. There, two reads.
        parts = [cells, days] if connection.vendor == "mongodb" else [cells.union(days, all=True)]
    counts = [0] * len(ranges)
    for _, *values in (row for part in parts for row in part):
        counts = [n + (value or 0) for n, value in zip(counts, values)]
    return counts


def _part(rows, part: int, filters: dict, aggregate, field: str, columns):
    """One row, (part, then per column ``aggregate(field)`` over the rows of its filter, 0 for a column
    without one); only the rows of some filter are read."""
    either = functools.reduce(operator.or_, filters.values())
    if len(filters) == 1:  # a plain aggregate, no FILTER clause
        sums = {name: aggregate(field) if name in filters else Value(0) for name in columns}
    else:
        sums = {name: aggregate(field, filter=filters[name]) if name in filters else Value(0) for name in columns}
    return rows.filter(either).values(part=Value(part)).annotate(**sums).values_list("part", *columns)


def reach(day: dt.date, next_day: dt.date) -> dict:
    """A row's day_number and span (see ActiveCustomerDay)."""
    gap = (next_day - day).days
    long = next_day == NO_LATER_DAY or gap > 2 ** (SPAN_LONG - 1)
    return {"day_number": day.toordinal(), "span": SPAN_LONG if long else (gap - 1).bit_length()}


# The same in SQL over the columns day and next_day (SQLite's rebuild).
REACH_SQL = (
    "CAST(julianday(day) - 1721424.5 AS INTEGER), "
    f"CASE WHEN next_day = '{NO_LATER_DAY.isoformat()}' THEN {SPAN_LONG} "
    + " ".join(f"WHEN julianday(next_day) - julianday(day) <= {2 ** c} THEN {c}" for c in range(SPAN_LONG))
    + f" ELSE {SPAN_LONG} END"
)


def state_on(day: dt.date, until: dt.date | None = None, *, after: dt.date | None = None,
             scope: str = ALL) -> list:
    """The rows holding each customer's state on ``day`` (day ≤ ``day`` < next_day), one per customer
    who bought by then; with ``until``, only those holding it on every day to ``until`` (no sale in
    between); with ``after``, only the rows of days after it. A queryset per span, each one day_number
    range of the index: one query with the spans OR-ed reads the table row by row instead of the
    covering index on SQLite."""
    until = until or day
    n, last = day.toordinal(), until.toordinal()
    first = after.toordinal() if after else None
    rows = ActiveCustomerDay.objects.filter(scope=scope, next_day__gt=until).order_by()

    def days(lowest: int | None):
        low = lowest if first is None else first if lowest is None else max(lowest, first)
        return {"day_number__lte": n, **({"day_number__gt": low} if low is not None else {})}

    return [rows.filter(span=SPAN_LONG, **days(None))] + [
        rows.filter(span=c, **days(last - 2 ** c))
        for c in range(SPAN_LONG) if last - 2 ** c < n and (first is None or first < n)
    ]


def state_left(day: dt.date, until: dt.date, *, scope: str = ALL) -> list:
    """The rows holding the state on ``day`` of the customers with a sale after it, by ``until``."""
    return [part.filter(next_day__lte=until) for part in state_on(day, scope=scope)]


def bought_between(after: dt.date, until: dt.date, scope: str = ALL) -> list:
    """The rows of the days after ``after`` through ``until``: the state on ``until`` of every customer
    who bought in between (state_on's index ranges, each starting after ``after``)."""
    return state_on(until, after=after, scope=scope)


def desired_days(*, customer_ids: list, scopes: set[str]) -> tuple[dict, dict]:
    """(scope, customer) → Counter(day → completed sales), and → Counter(day → their cents), from the
    sales themselves."""
    rows = list(
        Sale.objects.filter(customer_id__in=customer_ids, status=Sale.Status.COMPLETED)
        .values_list("customer_id", "sold_at", "product_id", "total")
    )
    categories = dict(
        Product.objects.filter(pk__in={p for _, _, p, _ in rows}).values_list("pk", "category")
    )
    days, revenue = defaultdict(Counter), defaultdict(Counter)
    for customer_id, sold_at, product_id, total in rows:
        day = utc_day(sold_at)
        for scope in (ALL, categories[product_id]):
            if scope in scopes:
                days[(scope, customer_id)][day] += 1
                revenue[(scope, customer_id)][day] += cents(total)
    return days, revenue


def linked(sales_per_day: Counter, cents_per_day: Counter):
    """(day, prev_day, next_day, sales, sales_to_date, cents_to_date) per day with sales, in order."""
    days = sorted(sales_per_day)
    sales_to_date = cents_to_date = 0
    for i, day in enumerate(days):
        sales_to_date += sales_per_day[day]
        cents_to_date += cents_per_day[day]
        yield (day, days[i - 1] if i else NO_EARLIER_DAY, days[i + 1] if i + 1 < len(days) else NO_LATER_DAY,
               sales_per_day[day], sales_to_date, cents_to_date)


def active_refresh(*, customer_ids, scopes) -> None:
    """Make the rows of ``customer_ids`` in ``scopes`` match their sales (and the cells follow)."""
    customer_ids, scopes = list(dict.fromkeys(customer_ids)), set(scopes)
    for i in range(0, len(customer_ids), CHUNK):
        _refresh_chunk(customer_ids[i:i + CHUNK], scopes)


def _refresh_chunk(customer_ids: list, scopes: set[str]) -> None:
    wanted, revenue = desired_days(customer_ids=customer_ids, scopes=scopes)
    existing = defaultdict(dict)
    for row in ActiveCustomerDay.objects.filter(customer_id__in=customer_ids, scope__in=scopes):
        existing[(row.scope, row.customer_id)][row.day] = row
    cells = Counter()
    create, update, delete = [], [], []
    for scope_customer in set(wanted) | set(existing):
        scope, customer_id = scope_customer
        have = existing.get(scope_customer, {})
        for day, prev, later, sales, sales_to_date, cents_to_date in linked(
            wanted.get(scope_customer, Counter()), revenue.get(scope_customer, Counter()),
        ):
            state = {"prev_day": prev, "next_day": later, "sales": sales, "sales_to_date": sales_to_date,
                     "cents_to_date": cents_to_date, **reach(day, later)}
            row = have.pop(day, None)
            if row is None:
                create.append(ActiveCustomerDay(scope=scope, customer_id=customer_id, day=day, **state))
                cells[(scope, day, month_of(prev))] += 1
            elif any(getattr(row, field) != value for field, value in state.items()):
                cells[(scope, day, month_of(row.prev_day))] -= 1
                cells[(scope, day, month_of(prev))] += 1
                for field, value in state.items():
                    setattr(row, field, value)
                update.append(row)
        for row in have.values():
            cells[(scope, row.day, month_of(row.prev_day))] -= 1
            delete.append(row.pk)
    if delete:
        ActiveCustomerDay.objects.filter(pk__in=delete).delete()
    if update:
        ActiveCustomerDay.objects.bulk_update(
            update, ["prev_day", "next_day", "sales", "sales_to_date", "cents_to_date", "day_number", "span"],
        )
    if create:
        ActiveCustomerDay.objects.bulk_create(create)
    for (scope, day, prev_month), delta in cells.items():
        if delta:
            bump(ActiveCustomerCell, lookup={"scope": scope, "day": day, "prev_month": prev_month},
                 values={"customers": delta})
