"""Rebuild every rollup from the records (after seed_data's bulk inserts, or by hand)."""

import datetime as dt
import itertools
from collections import Counter, defaultdict

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from tqdm import tqdm

from accounts.models import Customer
from analytics.models import (
    NO_EARLIER_DAY,
    ActiveCustomerCell,
    ActiveCustomerDay,
    ChannelDay,
    City,
    CityJoinLedger,
    CityLedger,
    CohortCell,
    CohortWeekCell,
    CustomerJoinDay,
    FeedbackDay,
    LedgerSpan,
    ProductLedger,
    RepeatGapCell,
    SalesDay,
)
from analytics.rollups.active import ALL, linked, month_of, reach
from analytics.rollups.cohorts import bulk_insert, cohort_rebuild
from analytics.rollups.ledger import ONE_WEEK, RECENT_DAYS, cents, monday_on_or_before, mondays
from analytics.rollups.rebuild_mongodb import rebuild_beside
from analytics.rollups.rebuild_sqlite import rebuild_sqlite
from analytics.rollups.version import version_bump
from catalog.models import Product
from core.dates import clamp_date
from feedback.models import Feedback
from sales.models import Sale

ROLLUP_MODELS = (
    SalesDay, ChannelDay, FeedbackDay, CustomerJoinDay, CityJoinLedger, City, ProductLedger, CityLedger,
    LedgerSpan, ActiveCustomerDay, ActiveCustomerCell, CohortCell, RepeatGapCell, CohortWeekCell,
)

UTC = dt.timezone.utc  # day boundaries are UTC days, whatever TIME_ZONE says
BATCH = 5000
PRODUCT_FIELDS = ("revenue_cents", "units", "orders", "feedback", "rating_sum")
CITY_FIELDS = ("revenue_cents", "orders", "units", "feedback", "rating_sum")


def rollups_rebuild() -> None:
    """Recompute every rollup so that no reader ever sees a half state; progress bars only on a terminal.

    SQLite: set-based SQL in one IMMEDIATE transaction. In WAL mode every other connection keeps
    reading the old rows until it commits, and a write arriving meanwhile waits for the write lock
    (and fails loudly with "database is locked" past the connection's timeout), so none is lost.
    MongoDB: the new rows are built in collections beside the old and switched in (rebuild_mongodb).
    """
    if connection.vendor == "mongodb":
        rebuild_beside(rebuild_orm, models=ROLLUP_MODELS)
        return
    with transaction.atomic():  # any other SQL backend: the ORM path in one transaction
        for model in ROLLUP_MODELS:
            model.objects.all().delete()
        if connection.vendor == "sqlite":
            rebuild_sqlite(progress=lambda steps: tqdm(steps, desc="rollups", disable=None, leave=False))
        else:
            rebuild_orm()
        version_bump()


def _same(model):
    return model


def rebuild_orm(*, into=_same) -> None:
    """The portable rebuild (MongoDB): grouped reads, sums in Python, bulk inserts into ``into(model)``
    for each rollup model (a shadow model writing beside the live collection, or the model itself)."""
    categories = dict(Product.objects.values_list("pk", "category"))
    places = {
        pk: (city, country) for pk, city, country in Customer.objects.values_list("pk", "city", "country")
    }
    _rebuild_customers(into)
    product_days, city_days, active_days = _rebuild_sales(into, categories=categories, places=places)
    _add_feedback(into, product_days, city_days, categories=categories, places=places)
    _write_ledger(into, ProductLedger, product_days, key_names=("product_id",), fields=PRODUCT_FIELDS,
                  attrs=lambda key: {"category": categories[key[0]]})
    _write_ledger(into, CityLedger, city_days, key_names=("city", "country", "category"), fields=CITY_FIELDS)
    _write_active(into, active_days)
    sales = Sale.objects.filter(status=Sale.Status.COMPLETED).order_by("customer_id", "sold_at").values_list(
        "customer_id", "sold_at", "product_id", "channel", "total",
    )
    cohort_rebuild((
        (customer_id, sold_at.astimezone(UTC).date().isoformat(), categories[product_id], channel, cents(total))
        for customer_id, sold_at, product_id, channel, total in sales.iterator(chunk_size=BATCH)
    ), insert=lambda model, names, rows: bulk_insert(into(model), names, rows))


def _bulk(model, objects, *, label: str) -> None:
    objects = iter(tqdm(objects, desc=label, unit=" rows", disable=None, leave=False))
    while batch := list(itertools.islice(objects, BATCH)):
        model.objects.bulk_create(batch, batch_size=BATCH)


def _rebuild_customers(into) -> None:
    joined = (
        Customer.objects.annotate(day=TruncDate("joined_at", tzinfo=UTC)).values("day", "city", "country")
        .annotate(customers=Count("pk")).values_list("day", "city", "country", "customers")
    )
    per_day, per_city = Counter(), defaultdict(lambda: defaultdict(Counter))
    for day, city, country, customers in joined.iterator(chunk_size=BATCH):
        per_day[day] += customers
        per_city[(city, country)][day]["customers"] += customers
    _bulk(into(CustomerJoinDay), (into(CustomerJoinDay)(day=d, customers=n) for d, n in per_day.items()),
          label="customers per day")
    _write_ledger(into, CityJoinLedger, per_city, key_names=("city", "country"), fields=("customers",))
    located = Q(latitude__isnull=False, longitude__isnull=False)
    cities = Customer.objects.values("city", "country").annotate(
        customers=Count("pk"), located=Count("pk", filter=located),
        latitude_sum=Sum("latitude", filter=located), longitude_sum=Sum("longitude", filter=located),
    )
    _bulk(into(City), (
        into(City)(city=r["city"], country=r["country"], customers=r["customers"], located=r["located"],
             latitude_sum=r["latitude_sum"] or 0.0, longitude_sum=r["longitude_sum"] or 0.0)
        for r in cities
    ), label="cities")


def _rebuild_sales(into, *, categories: dict, places: dict):
    """SalesDay rows; returns the day rows of both ledgers and the sale days per customer and category."""
    rows = (
        Sale.objects.filter(status=Sale.Status.COMPLETED).annotate(day=TruncDate("sold_at", tzinfo=UTC))
        .values("day", "customer_id", "product_id", "channel")
        .annotate(revenue=Sum("total"), orders=Count("pk"), units=Sum("quantity"))
        .values_list("day", "customer_id", "product_id", "channel", "revenue", "orders", "units")
    )
    sales_days, channel_days = defaultdict(Counter), defaultdict(Counter)
    product_days = defaultdict(lambda: defaultdict(Counter))
    city_days = defaultdict(lambda: defaultdict(Counter))
    active_days = defaultdict(lambda: (Counter(), Counter()))  # (customer, category) → day → sales, cents
    for day, customer_id, product_id, channel, revenue, orders, units in tqdm(
        rows.iterator(chunk_size=BATCH), desc="sales", unit=" rows", disable=None, leave=False,
    ):
        category, revenue = categories[product_id], cents(revenue)
        sales_days[(day, category)].update({"revenue_cents": revenue, "orders": orders, "units": units})
        channel_days[(day, category, channel)].update(
            {"revenue_cents": revenue, "orders": orders, "units": units}
        )
        product_days[(product_id,)][day].update({"revenue_cents": revenue, "units": units, "orders": orders})
        for scope in (category, ALL):
            city_days[(*places[customer_id], scope)][day].update(
                {"revenue_cents": revenue, "orders": orders, "units": units}
            )
        active_days[(customer_id, category)][0][day] += orders
        active_days[(customer_id, category)][1][day] += revenue
    _bulk(into(SalesDay), (into(SalesDay)(day=d, category=c, **v) for (d, c), v in sales_days.items()),
          label="sales per day")
    _bulk(into(ChannelDay), (
        into(ChannelDay)(day=d, category=c, channel=ch, **v) for (d, c, ch), v in channel_days.items()
    ), label="sales per day and channel")
    return product_days, city_days, active_days


def _add_feedback(into, product_days, city_days, *, categories: dict, places: dict) -> None:
    """FeedbackDay rows; adds the feedback to both ledgers' day rows (by product, by buyer's city)."""
    rows = (
        Feedback.objects.annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day", "product_id", "customer_id", "rating").annotate(count=Count("pk"))
        .values_list("day", "product_id", "customer_id", "rating", "count")
    )
    feedback_days = defaultdict(Counter)
    for day, product_id, customer_id, rating, count in rows.iterator(chunk_size=BATCH):
        category = categories[product_id]
        values = {"count": count, "rating_sum": rating * count, f"rating_{rating}": count}
        feedback_days[(day, category)].update(values)
        product_days[(product_id,)][day].update({"feedback": count, "rating_sum": rating * count})
        for scope in (category, ALL):
            city_days[(*places[customer_id], scope)][day].update(
                {"feedback": count, "rating_sum": rating * count}
            )
    _bulk(into(FeedbackDay), (into(FeedbackDay)(day=d, category=c, **v) for (d, c), v in feedback_days.items()),
          label="feedback per day")


def _write_ledger(
    into, ledger, days_by_key: dict, *, key_names: tuple, fields: tuple, attrs=lambda key: {},
) -> None:
    """Day rows of ``ledger``, then a prefix row per key for every Monday from the first day's to the one
    after the last, both taken inside the window of sane dates (a record stored out of it, e.g. on
    9999-12-31, never spans centuries of weeks; figures read only ranges inside the window), and the
    ledger's LedgerSpan row naming those Mondays."""
    all_days = [day for by_day in days_by_key.values() for day in by_day]
    if not all_days:
        return
    first, last = clamp_date(min(all_days)), clamp_date(max(all_days))
    weeks = mondays(monday_on_or_before(first), monday_on_or_before(last) + ONE_WEEK)
    model = into(ledger)

    def objects():
        for key, by_day in days_by_key.items():
            common = {**dict(zip(key_names, key, strict=True)), **attrs(key)}
            for day, values in by_day.items():
                yield model(prefix=False, day=day, **common, **{f: values[f] for f in fields})
            days, i, running = sorted(by_day), 0, Counter()
            for week in weeks:
                while i < len(days) and days[i] < week:
                    running.update(by_day[days[i]])
                    i += 1
                yield model(prefix=True, day=week, **common, **{f: running[f] for f in fields})

    _bulk(model, objects(), label=model._meta.verbose_name_plural)
    recent = weeks[-1] - RECENT_DAYS
    into(LedgerSpan).objects.create(
        ledger=ledger._meta.label_lower, first=weeks[0], last=weeks[-1], keys=len(days_by_key),
        day_rows_per_day=sum(1 for day in all_days if recent <= day < weeks[-1]) / RECENT_DAYS.days,
    )


def _write_active(into, active_days: dict) -> None:
    per_scope = defaultdict(lambda: (Counter(), Counter()))  # (scope, customer) → day → sales, cents
    for (customer_id, category), (sales, revenue) in active_days.items():
        for scope in (category, ALL):
            per_scope[(scope, customer_id)][0].update(sales)
            per_scope[(scope, customer_id)][1].update(revenue)
    cells = Counter()

    def objects():
        for (scope, customer_id), (sales, revenue) in per_scope.items():
            for day, prev, later, n, sales_to_date, cents_to_date in linked(sales, revenue):
                cells[(scope, day, month_of(prev))] += 1
                yield into(ActiveCustomerDay)(scope=scope, customer_id=customer_id, day=day, prev_day=prev,
                                        next_day=later, sales=n, sales_to_date=sales_to_date,
                                        cents_to_date=cents_to_date, **reach(day, later))

    _bulk(into(ActiveCustomerDay), objects(), label="active customer days")
    _bulk(into(ActiveCustomerCell), (
        into(ActiveCustomerCell)(scope=s, day=d, prev_month=m, customers=n) for (s, d, m), n in cells.items()
    ), label="active customer cells")
