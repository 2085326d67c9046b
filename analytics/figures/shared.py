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

from django.db.models import Q, Sum

from analytics.figures.common import (
    QUANTITY_VS_RATING_CAP,
    RATED_PRODUCTS,
    TOP_PRODUCTS,
    as_date,
    day_filter,
    product_names,
)
from analytics.models import City, CityLedger, CustomerJoinDay, FeedbackDay, ProductLedger, SalesDay
from analytics.rollups.active import ALL
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
    """``[{"day", field: sum, ...}]`` of every field of ``model`` (DAY_FIELDS) per day of the range with
    rows, in day order; one category or all."""
    category = None if model is CustomerJoinDay else category  # customers have no category
    key = _day_key(model, date_range, category)
    return KEPT.get(key, lambda: _read_days(model, date_range, category)[key])


def category_sums(*, date_range: DateRange, category: str | None = None) -> list[tuple]:
    """(category, revenue_cents, orders, units) per category with rows in the range (zeros included):
    from the same read as daily(SalesDay)."""
    key = ("categories", *_range_key(date_range, category))
    return KEPT.get(key, lambda: _read_days(SalesDay, date_range, category)[key])


def _day_key(model, date_range: DateRange, category: str | None) -> tuple:
    return (model._meta.label_lower, *_range_key(date_range, category))


def _read_days(model, date_range: DateRange, category: str | None) -> dict:
    """One read of ``model``'s day rows for the range and those read together with it: key → value of
    every daily() and (SalesDay, grouped by day and category) category_sums() it answers, each kept."""
    ranges = _TOGETHER.get()
    ranges = ranges if date_range in ranges else (date_range,)
    fields = DAY_FIELDS[model]
    rows = model.objects.filter(_days_of(ranges))
    if category:
        rows = rows.filter(category=category)
    by = ("day", "category") if model is SalesDay else ("day",)
    grouped = [
        (row["day"], as_date(row["day"]), row.get("category"), [row[f"sum_{f}"] or 0 for f in fields])
        for row in rows.values(*by).annotate(**{f"sum_{f}": Sum(f) for f in fields}).order_by("day")
    ]
    found = {}
    for r in ranges:
        days, categories = {}, {}
        for day, date, name, sums in grouped:
            if not _within(date, r):
                continue
            _add(days, day, sums)
            _add(categories, name, sums)
        found[_day_key(model, r, category)] = [{"day": day, **dict(zip(fields, sums))} for day, sums in days.items()]
        if model is SalesDay:  # fields: orders, revenue_cents, units
            found[("categories", *_range_key(r, category))] = [
                (name, revenue, orders, units) for name, (orders, revenue, units) in categories.items()
            ]
    for key, value in found.items():  # kept for the figures that ask for them next
        KEPT.get(key, lambda v=value: v)
    return found


def _add(sums_by: dict, key, sums: list) -> None:
    if key in sums_by:
        sums_by[key] = [a + b for a, b in zip(sums_by[key], sums)]
    else:
        sums_by[key] = list(sums)


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
        # (product_id, revenue_cents, units, feedback, rating_sum)
        self.rows = [(row["product_id"], *(row[f"s_{f}"] or 0 for f in PRODUCT_FIELDS)) for row in sums]
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


def city_sums(*, date_range: DateRange, category: str | None = None) -> dict:
    """(city, country) → (revenue_cents, orders) of the cities with completed sales in the range."""

    def read():
        span = LedgerRange(CityLedger, date_range)
        rows = (
            CityLedger.objects.filter(span.rows, category=category or ALL).values("city", "country")
            .annotate(revenue_cents=span.total("revenue_cents"), orders=span.total("orders"))
            .filter(orders__gt=0)
        )
        return {(row["city"], row["country"]): (row["revenue_cents"], row["orders"]) for row in rows}

    return KEPT.get(("cities", *_range_key(date_range, category)), read)


def located_cities() -> dict:
    """(city, country) → mean (latitude, longitude) of every city with located customers: one read
    of the small City rollup, cheaper than naming hundreds of cities in an IN list."""

    def read():
        rows = City.objects.filter(located__gt=0).values_list(
            "city", "country", "located", "latitude_sum", "longitude_sum",
        )
        return {
            (city, country): (latitude_sum / located, longitude_sum / located)
            for city, country, located, latitude_sum, longitude_sum in rows
        }

    return KEPT.get("located cities", read)


def kept_categories() -> list[str]:
    """The catalog's categories (the filter bar's), kept like the rollups: every product write moves the
    rollups' token (analytics.subscribers), and reading them was a read of every product."""
    return KEPT.get("catalog categories", category_list)
