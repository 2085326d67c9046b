"""Cohort cells (CohortCell, RepeatGapCell, CohortWeekCell) from a customer's completed sales, and keeping them exact.

Every completed sale counts in four scopes: (its category, its channel), (its category, all channels),
(all categories, its channel) and (all, all); a customer's cohort in a scope is the month of their
first sale there. A write recomputes the touched customers' cells from their sales as they are now
and as they were just before the write (the changed sale put back), and adds the difference: no
per-customer table to keep, and a customer whose first month moves takes every cell with them.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable

from analytics.models import GAP_BUCKETS, GAP_OVER, CohortCell, CohortWeekCell, RepeatGapCell
from analytics.rollups.ledger import bump, cents
from catalog.models import Product
from sales.models import Sale

ALL = ""
CHUNK = 500
COHORT_FIELDS = ("customers", "returned", "orders", "revenue_cents")
GAP_FIELDS = ("customers", "gap_days")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def gap_bucket(days: int) -> int:
    return next((bound for bound in GAP_BUCKETS if days <= bound), GAP_OVER)


def week_of(day: str) -> str:
    """The Monday (ISO week start) on or before a 'YYYY-MM-DD' day, as 'YYYY-MM-DD'."""
    date = dt.date.fromisoformat(day)
    return (date - dt.timedelta(days=date.weekday())).isoformat()


def cells_from_ordered(sales: Iterable[tuple]) -> tuple[dict, dict, dict]:
    """Cells from completed sales as (customer, UTC day 'YYYY-MM-DD', category, channel, cents), ordered
    by customer then day: ``cohort[(category, channel, cohort, month)] = [customers, returned, orders,
    cents]``, ``gaps[(category, channel, cohort, bucket)] = [customers, gap days]`` and ``weekly`` like
    ``cohort`` by ISO week, months as 'YYYY-MM' and weeks as their Monday 'YYYY-MM-DD' (strings: this loop
    runs four times per sale in a rebuild). One pass, no per-customer table."""
    cohort, gaps, weekly = {}, {}, {}
    weeks: dict[str, str] = {}
    customer, state = object(), {}
    for customer_id, day, category, channel, cents in sales:
        if customer_id != customer:
            customer, state = customer_id, {}
        month = day[:7]
        week = weeks.get(day)
        if week is None:
            week = weeks[day] = week_of(day)
        for scope in ((category, channel), (category, ALL), (ALL, channel), (ALL, ALL)):
            seen = state.get(scope)
            if seen is None:  # [cohort, months so far, last month, first day, second day seen, cohort
                # week, weeks so far, last week]
                seen = state[scope] = [month, 0, None, day, False, week, 0, None]
            key = (*scope, seen[0], month)
            cell = cohort.get(key)
            if cell is None:
                cell = cohort[key] = [0, 0, 0, 0]
            if month != seen[2]:
                seen[1] += 1
                seen[2] = month
                cell[0] += 1
                cell[1] += seen[1] == 2
            cell[2] += 1
            cell[3] += cents
            key = (*scope, seen[5], week)
            cell = weekly.get(key)
            if cell is None:
                cell = weekly[key] = [0, 0, 0, 0]
            if week != seen[7]:
                seen[6] += 1
                seen[7] = week
                cell[0] += 1
                cell[1] += seen[6] == 2
            cell[2] += 1
            cell[3] += cents
            if not seen[4] and day != seen[3]:
                seen[4] = True
                gap = (dt.date.fromisoformat(day) - dt.date.fromisoformat(seen[3])).days
                key = (*scope, seen[0], gap_bucket(gap))
                entry = gaps.get(key)
                if entry is None:
                    entry = gaps[key] = [0, 0]
                entry[0] += 1
                entry[1] += gap
    return cohort, gaps, weekly


def _month(text: str) -> dt.date:
    return dt.date(int(text[:4]), int(text[5:7]), 1)


def customer_cells(sales: Iterable[tuple[dt.date, str, str, int]]) -> tuple[Counter, Counter, Counter]:
    """One customer's cells from their completed sales as (UTC day, category, channel, cents), as flat
    Counters keyed (*cell key, field) (monthly, gaps, weekly), so that before and after subtract key by key."""
    ordered = sorted((None, day.isoformat(), *rest) for day, *rest in sales)
    cohort, gaps, weekly = cells_from_ordered(ordered)
    flat_cohort, flat_gaps, flat_weekly = Counter(), Counter(), Counter()
    for (category, channel, first, month), values in cohort.items():
        key = (category, channel, _month(first), _month(month))
        flat_cohort.update({(*key, f): v for f, v in zip(COHORT_FIELDS, values, strict=True)})
    for (category, channel, first, bucket), values in gaps.items():
        key = (category, channel, _month(first), bucket)
        flat_gaps.update({(*key, f): v for f, v in zip(GAP_FIELDS, values, strict=True)})
    for (category, channel, first, week), values in weekly.items():
        key = (category, channel, dt.date.fromisoformat(first), dt.date.fromisoformat(week))
        flat_weekly.update({(*key, f): v for f, v in zip(COHORT_FIELDS, values, strict=True)})
    return flat_cohort, flat_gaps, flat_weekly


def _write(model, key_names: tuple[str, ...], delta: Counter) -> None:
    per_key = defaultdict(dict)
    for (*key, field), value in delta.items():
        if value:
            per_key[tuple(key)][field] = value
    for key, values in per_key.items():
        bump(model, lookup=dict(zip(key_names, key, strict=True)), values=values)


def _totals() -> tuple[Counter, Counter, Counter]:
    return Counter(), Counter(), Counter()


def _add(total: tuple, cells: tuple) -> None:
    for into, part in zip(total, cells, strict=True):
        into.update(part)


def cohort_apply(*, before: tuple, after: tuple) -> None:
    """Add ``after − before`` (each a customer_cells triple, or sums of them) to the tables."""
    for model, key_names, old, new in (
        (CohortCell, ("category", "channel", "cohort", "month"), before[0], after[0]),
        (RepeatGapCell, ("category", "channel", "cohort", "bucket"), before[1], after[1]),
        (CohortWeekCell, ("category", "channel", "cohort", "week"), before[2], after[2]),
    ):
        delta = Counter(new)
        delta.subtract(old)
        _write(model, key_names, delta)


def _sale_row(sale: Sale, categories: dict) -> tuple:
    return (sale.sold_at.astimezone(dt.timezone.utc).date(), categories[sale.product_id], sale.channel,
            cents(sale.total))


def cohort_follow(*, old: Sale | None, new: Sale | None) -> None:
    """After a sale was added (old None), removed (new None) or changed: the cells of its customer(s)."""
    touched = {s.customer_id for s in (old, new) if s is not None and s.status == Sale.Status.COMPLETED}
    if not touched:
        return
    current = _sales_of(list(touched))
    products = {p for rows in current.values() for _, p, _ in rows} | {
        s.product_id for s in (old, new) if s is not None
    }
    categories = dict(Product.objects.filter(pk__in=products).values_list("pk", "category"))
    total_before, total_after = _totals(), _totals()
    for customer_id in touched:
        rows = current.get(customer_id, [])
        after = [_sale_row(sale, categories) for _, _, sale in rows]
        kept = [sale for pk, _, sale in rows if new is None or pk != new.pk]
        if old is not None and old.customer_id == customer_id and old.status == Sale.Status.COMPLETED:
            kept.append(old)
        before = [_sale_row(sale, categories) for sale in kept]
        _add(total_before, customer_cells(before))
        _add(total_after, customer_cells(after))
    cohort_apply(before=total_before, after=total_after)


def cohort_recategorized(*, product_id, old: str, new: str, customer_ids: list) -> None:
    """The product's buyers' cells with its sales moved from category ``old`` to ``new``."""
    for i in range(0, len(customer_ids), CHUNK):
        current = _sales_of(customer_ids[i:i + CHUNK])
        products = {p for rows in current.values() for _, p, _ in rows}
        categories = dict(Product.objects.filter(pk__in=products).values_list("pk", "category"))
        total_before, total_after = _totals(), _totals()
        for rows in current.values():
            for total, category in ((total_before, old), (total_after, new)):
                _add(total, customer_cells(
                    _sale_row(sale, {**categories, product_id: category}) for _, _, sale in rows
                ))
        cohort_apply(before=total_before, after=total_after)


def _sales_of(customer_ids: list) -> dict:
    """customer → [(pk, product_id, sale)] of their completed sales (the (customer, sold_at) index)."""
    rows = defaultdict(list)
    sales = Sale.objects.filter(customer_id__in=customer_ids, status=Sale.Status.COMPLETED).only(
        "pk", "customer_id", "product_id", "sold_at", "channel", "total", "status",
    ).order_by()
    for sale in sales:
        rows[sale.customer_id].append((sale.pk, sale.product_id, sale))
    return rows


def cohort_rebuild(sales: Iterable[tuple], *, insert) -> None:
    """Write every cell from ``sales`` (as cells_from_ordered takes them, ordered by customer then day)
    with ``insert(model, field names, rows)``."""
    cohort_write(cells_from_ordered(sales), insert=insert)


def cohort_write(cells: tuple[dict, dict, dict], *, insert) -> None:
    """Write cells_from_ordered's cells, the rows made as ``insert`` takes them (no list of them all)."""
    cohort, gaps, weekly = cells
    insert(CohortCell, ("category", "channel", "cohort", "month", *COHORT_FIELDS),
           ((c, ch, _month(first), _month(month), *values) for (c, ch, first, month), values in cohort.items()))
    insert(CohortWeekCell, ("category", "channel", "cohort", "week", *COHORT_FIELDS),
           ((c, ch, dt.date.fromisoformat(first), dt.date.fromisoformat(week), *values)
            for (c, ch, first, week), values in weekly.items()))
    insert(RepeatGapCell, ("category", "channel", "cohort", "bucket", *GAP_FIELDS),
           ((c, ch, _month(first), bucket, *values) for (c, ch, first, bucket), values in gaps.items()))


def bulk_insert(model, names: tuple[str, ...], rows: list) -> None:
    model.objects.bulk_create([model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=5000)
