"""Reads that several figures of one request share, kept under the rollups' version token
(analytics.rollups.version.Kept): the dashboard's series and KPIs read the same day sums, its product
and city figures the same ledger sums. Each read takes every sum any figure wants from it, so a
request makes it once (the dashboard made 8 of its queries twice or three times), and the next request
for the same range reuses it until a write. What is returned is shared: figures copy, never change it.
"""

import datetime as dt
import heapq
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import Q, Sum, Value

from analytics.figures.common import (
    QUANTITY_VS_RATING_CAP,
    RATED_PRODUCTS,
    TOP_PRODUCTS,
    as_date,
    bare_rows,
    day_filter,
    day_sums,
    product_names,
)
from analytics.models import City, CityJoinLedger, CityLedger, CustomerJoinDay, FeedbackDay, ProductLedger, SalesDay
from analytics.rollups.active import ALL, active_customers_of
from analytics.rollups.ledger import LedgerRange
from analytics.rollups.version import Kept
from catalog.selectors import category_list
from core.filters import DateRange

KEPT = Kept()

DAY_FIELDS = {
    SalesDay: ("orders", "revenue_cents", "units"),
    FeedbackDay: ("count", "rating_sum", "rating_1", "rating_2", "rating_3", "rating_4", "rating_5"),
    CustomerJoinDay: ("customers",),  # customers have no category
}
PRODUCT_FIELDS = ("revenue_cents", "units", "feedback", "rating_sum")


def _range_key(date_range: DateRange, category: str | None) -> tuple:
    return (date_range.start, date_range.end, category)


# The ranges one request reads together (see together()).
_TOGETHER: ContextVar[tuple] = ContextVar("together", default=())


@contextmanager
def together(*ranges: DateRange | None):
    """Within it, a day read (daily) of one of ``ranges`` reads all of them in one query per rollup:
    the dashboard's range and the one its KPIs compare with, so each day rollup is read once per
    request, not once per period. Adjacent ranges (the previous period) read as one range."""
    reset = _TOGETHER.set(tuple(dict.fromkeys(r for r in ranges if r is not None)))
    try:
        yield
    finally:
        _TOGETHER.reset(reset)


def daily(model, *, date_range: DateRange, category: str | None = None) -> list[dict]:
    """day_sums of every field of ``model`` (DAY_FIELDS) over the range, one category or all."""
    category = None if model is CustomerJoinDay else category  # customers have no category

    def read_all(ranges):
        rows = model.objects.filter(_days_of(ranges))
        if category:
            rows = rows.filter(category=category)
        per_day = day_sums(rows, DAY_FIELDS[model])
        return {r: [row for row in per_day if _within(as_date(row["day"]), r)] for r in ranges}

    return _read_together(date_range, lambda r: (model._meta.label_lower, *_range_key(r, category)), read_all)


def active_count(*, date_range: DateRange, category: str | None = None) -> int:
    """Customers with a completed sale in the range (of ``category``): one read of the active-customer
    rollups for the ranges read together."""
    scope = category or ALL

    def read_all(ranges):
        return dict(zip(ranges, active_customers_of(ranges, scope=scope)))

    return _read_together(date_range, lambda r: ("active customers", *_range_key(r, category)), read_all)


def _read_together(date_range: DateRange, key, read_all):
    """The value of ``date_range``, read by ``read_all(ranges) -> {range: value}`` with the other ranges
    of together() in one go, and theirs kept (under ``key(range)``) for the figures that ask next."""
    ranges = _TOGETHER.get()
    ranges = ranges if date_range in ranges else (date_range,)

    def read():
        values = read_all(ranges)
        for other in ranges:
            if other != date_range:
                KEPT.get(key(other), lambda o=other: values[o])
        return values[date_range]

    return KEPT.get(key(date_range), read)


def category_sums(*, date_range: DateRange, category: str | None = None) -> list[tuple]:
    """(category, revenue_cents, orders, units) per category with rows in the range (zeros included).
    Its own read: grouping the day rows by day and category as well, for both, cost more in Python
    (~10k rows for all time at the large seed: 170 ms) than the query it saved."""

    def read():
        rows = SalesDay.objects.filter(**day_filter("day", date_range))
        if category:
            rows = rows.filter(category=category)
        return [
            (row["category"], row["r"] or 0, row["o"] or 0, row["u"] or 0)
            for row in rows.values("category").annotate(r=Sum("revenue_cents"), o=Sum("orders"), u=Sum("units"))
        ]

    return KEPT.get(("categories", *_range_key(date_range, category)), read)


def _days_of(ranges: tuple) -> Q:
    """The day rows of every range: one range when they touch, else the ranges OR-ed."""
    starts = [r.start or dt.date.min for r in ranges]
    ends = [r.end or dt.date.max for r in ranges]
    ordered = sorted(zip(starts, ends))
    if all((nxt[0] - prev[1]).days <= 1 for prev, nxt in zip(ordered, ordered[1:])):
        return Q(**day_filter("day", DateRange(min(starts), max(ends))))
    q = Q()
    for r in ranges:
        q |= Q(**day_filter("day", r))
    return q


def _within(day, date_range: DateRange) -> bool:
    return (date_range.start is None or day >= date_range.start) and (date_range.end is None or day <= date_range.end)


def total(per_day: list[dict], field: str) -> int:
    return sum(row[field] for row in per_day)


class ProductSums:
    """Per product, the range's ledger sums (PRODUCT_FIELDS), and the names of the products that any of
    the product figures shows from them (one read for all of them)."""

    def __init__(self, date_range: DateRange, category: str | None):
        span = LedgerRange(ProductLedger, date_range)
        rows = ProductLedger.objects.filter(span.rows)
        if category:
            rows = rows.filter(category=category)
        sums = rows.values("product_id").annotate(**{f"s_{f}": span.total(f) for f in PRODUCT_FIELDS})
        # (product_id, revenue_cents, units, feedback, rating_sum): sums of NOT NULL columns over at
        # least one row each, never NULL
        self.rows = bare_rows(sums.values_list("product_id", *(f"s_{f}" for f in PRODUCT_FIELDS)))
        self._names = None

    def by_revenue(self) -> list[tuple]:
        return heapq.nsmallest(TOP_PRODUCTS, self._sold(), key=lambda r: (-r[1], r[0]))

    def by_units(self) -> list[tuple]:
        return heapq.nsmallest(TOP_PRODUCTS, self._sold(), key=lambda r: (-r[2], r[0]))

    def rated_by_units(self) -> list[tuple]:
        return heapq.nsmallest(QUANTITY_VS_RATING_CAP, self._rated(), key=lambda r: (-r[2], r[0]))

    def rated_by_feedback(self) -> list[tuple]:
        return heapq.nsmallest(RATED_PRODUCTS, self._rated(), key=lambda r: (-r[3], r[0]))

    def _sold(self):  # units > 0 ⇔ a completed sale in range (quantity ≥ 1), even at a price of 0
        return (r for r in self.rows if r[2] > 0)

    def _rated(self):
        return (r for r in self.rows if r[3] > 0)

    def names(self) -> dict:
        """pk → (name, category) of every product the four rankings show."""
        if self._names is None:
            shown = self.by_revenue() + self.by_units() + self.rated_by_units() + self.rated_by_feedback()
            self._names = product_names({r[0] for r in shown})
        return self._names


def product_sums(*, date_range: DateRange, category: str | None = None) -> ProductSums:
    return KEPT.get(("products", *_range_key(date_range, category)), lambda: ProductSums(date_range, category))


class PlaceSums:
    """Per (city, country): the range's completed sales (CityLedger, of ``category``), the customers who
    joined in it (CityJoinLedger; customers have no category) and the mean position of every located
    city (City). The dashboard's two place figures want all three: one query, the three reads as parts
    of a UNION ALL, each row tagged with its part (three round trips before; on MongoDB $unionWith)."""

    SALES, JOINED, LOCATED = range(3)

    def __init__(self, date_range: DateRange, category: str | None):
        sales, joins = LedgerRange(CityLedger, date_range), LedgerRange(CityJoinLedger, date_range)
        # (part, city, country, a, b, c); the located cities first: their columns' types (an integer
        # and two floats) are the ones the union's rows are read with
        located = City.objects.filter(located__gt=0).annotate(part=Value(self.LOCATED)).values_list(
            "part", "city", "country", "located", "latitude_sum", "longitude_sum",
        )
        sold = (
            CityLedger.objects.filter(sales.rows, category=category or ALL).values("city", "country")
            .annotate(a=sales.total("revenue_cents"), b=sales.total("orders"))
            .filter(b__gt=0).annotate(part=Value(self.SALES), c=Value(0))
            .values_list("part", "city", "country", "a", "b", "c")
        )
        joined = (
            CityJoinLedger.objects.filter(joins.rows).values("city", "country")
            .annotate(a=joins.total("customers")).filter(a__gt=0)
            .annotate(part=Value(self.JOINED), b=Value(0), c=Value(0))
            .values_list("part", "city", "country", "a", "b", "c")
        )
        self.sales, self.joined, self.located = {}, {}, {}
        for part, city, country, a, b, c in located.union(sold, joined, all=True):
            if part == self.SALES:
                self.sales[(city, country)] = (int(a), int(b))
            elif part == self.JOINED:
                self.joined[(city, country)] = int(a)
            else:
                self.located[(city, country)] = (b / a, c / a)


def place_sums(*, date_range: DateRange, category: str | None = None) -> PlaceSums:
    return KEPT.get(("places", *_range_key(date_range, category)), lambda: PlaceSums(date_range, category))


def kept_categories() -> list[str]:
    """The catalog's categories (the filter bar's), kept like the rollups: every product write moves the
    rollups' token (analytics.subscribers), and reading them was a read of every product."""
    return KEPT.get("catalog categories", category_list)
