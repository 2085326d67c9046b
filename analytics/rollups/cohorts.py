"""Cohort cells (CohortCell, RepeatGapCell) from a customer's completed sales, and keeping them exact.

Every completed sale counts in four scopes: (its category, its channel), (its category, all channels),
(all categories, its channel) and (all, all); a customer's cohort in a scope is the month of their
first sale there. A write recomputes the touched customers' cells from their sales as they are now
and as they were just before the write (the changed sale put back), and adds the difference: no
per-customer table to keep, and a customer whose first month moves takes every cell with them.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable

from analytics.models import GAP_BUCKETS, GAP_OVER, CohortCell, RepeatGapCell
from analytics.rollups.ledger import bump, cents
from catalog.models import Product
from sales.models import Sale

ALL = ""
CHUNK = 500
COHORT_FIELDS = ("customers", "returned", "orders", "revenue_cents")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def gap_bucket(days: int) -> int:
    return next((bound for bound in GAP_BUCKETS if days <= bound), GAP_OVER)


def scopes(category: str, channel: str) -> tuple[tuple[str, str], ...]:
    return ((category, channel), (category, ALL), (ALL, channel), (ALL, ALL))


def customer_cells(sales: Iterable[tuple[dt.date, str, str, int]]) -> tuple[Counter, Counter]:
    """One customer's cells from their completed sales as (UTC day, category, channel, cents):
    ``cohort[(category, channel, cohort, month, field)]`` and ``gaps[(category, channel, cohort, bucket,
    field)]``, flat Counters so that two customers' (or before/after) cells subtract key by key."""
    months = defaultdict(lambda: defaultdict(lambda: [0, 0]))  # scope → month → [orders, cents]
    days = defaultdict(set)  # scope → order days
    for day, category, channel, cents in sales:
        for scope in scopes(category, channel):
            entry = months[scope][month_start(day)]
            entry[0] += 1
            entry[1] += cents
            days[scope].add(day)
    cohort, gaps = Counter(), Counter()
    for scope, by_month in months.items():
        ordered = sorted(by_month)
        first = ordered[0]
        for i, month in enumerate(ordered):
            orders, cents = by_month[month]
            key = (*scope, first, month)
            cohort[(*key, "customers")] += 1
            cohort[(*key, "returned")] += i == 1
            cohort[(*key, "orders")] += orders
            cohort[(*key, "revenue_cents")] += cents
        order_days = sorted(days[scope])
        if len(order_days) > 1:
            gap = (order_days[1] - order_days[0]).days
            gaps[(*scope, first, gap_bucket(gap), "customers")] += 1
            gaps[(*scope, first, gap_bucket(gap), "gap_days")] += gap
    return cohort, gaps


def _write(model, key_names: tuple[str, ...], delta: Counter) -> None:
    per_key = defaultdict(dict)
    for (*key, field), value in delta.items():
        if value:
            per_key[tuple(key)][field] = value
    for key, values in per_key.items():
        bump(model, lookup=dict(zip(key_names, key, strict=True)), values=values)


def cohort_apply(*, before: tuple[Counter, Counter], after: tuple[Counter, Counter]) -> None:
    """Add ``after − before`` (each a customer_cells pair, or sums of them) to the tables."""
    for model, key_names, old, new in (
        (CohortCell, ("category", "channel", "cohort", "month"), before[0], after[0]),
        (RepeatGapCell, ("category", "channel", "cohort", "bucket"), before[1], after[1]),
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
    total_before, total_after = (Counter(), Counter()), (Counter(), Counter())
    for customer_id in touched:
        rows = current.get(customer_id, [])
        after = [_sale_row(sale, categories) for _, _, sale in rows]
        kept = [sale for pk, _, sale in rows if new is None or pk != new.pk]
        if old is not None and old.customer_id == customer_id and old.status == Sale.Status.COMPLETED:
            kept.append(old)
        before = [_sale_row(sale, categories) for sale in kept]
        for total, cells in ((total_before, customer_cells(before)), (total_after, customer_cells(after))):
            total[0].update(cells[0])
            total[1].update(cells[1])
    cohort_apply(before=total_before, after=total_after)


def cohort_recategorized(*, product_id, old: str, new: str, customer_ids: list) -> None:
    """The product's buyers' cells with its sales moved from category ``old`` to ``new``."""
    for i in range(0, len(customer_ids), CHUNK):
        current = _sales_of(customer_ids[i:i + CHUNK])
        products = {p for rows in current.values() for _, p, _ in rows}
        categories = dict(Product.objects.filter(pk__in=products).values_list("pk", "category"))
        total_before, total_after = (Counter(), Counter()), (Counter(), Counter())
        for rows in current.values():
            for total, category in ((total_before, old), (total_after, new)):
                cells = customer_cells(
                    _sale_row(sale, {**categories, product_id: category}) for _, _, sale in rows
                )
                total[0].update(cells[0])
                total[1].update(cells[1])
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


def cohort_rebuild_orm(rows: Iterable[tuple]) -> None:
    """The portable rebuild: ``rows`` are every completed sale as (customer, UTC day, category,
    channel, cents), in any order."""
    per_customer = defaultdict(list)
    for customer_id, day, category, channel, cents in rows:
        per_customer[customer_id].append((day, category, channel, cents))
    cohort, gaps = Counter(), Counter()
    for sales in per_customer.values():
        c, g = customer_cells(sales)
        cohort.update(c)
        gaps.update(g)
    for model, key_names, cells in (
        (CohortCell, ("category", "channel", "cohort", "month"), cohort),
        (RepeatGapCell, ("category", "channel", "cohort", "bucket"), gaps),
    ):
        per_key = defaultdict(dict)
        for (*key, field), value in cells.items():
            per_key[tuple(key)][field] = value
        model.objects.bulk_create(
            [model(**dict(zip(key_names, key, strict=True)), **values) for key, values in per_key.items()],
            batch_size=5000,
        )
