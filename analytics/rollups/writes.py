"""Keep every rollup exact on each write; the services call these inside their atomic() block."""

from collections import Counter, defaultdict

from accounts.models import Customer
from analytics.models import (
    ChannelDay,
    City,
    CityJoinLedger,
    CityLedger,
    CustomerJoinDay,
    FeedbackDay,
    ProductLedger,
    SalesDay,
)
from analytics.rollups.active import ALL, active_refresh, utc_day
from analytics.rollups.cohorts import cohort_follow, cohort_recategorized
from analytics.rollups.ledger import bump, cents, ledger_add
from catalog.models import Product
from feedback.models import Feedback
from sales.models import Sale


def _category(product_id) -> str:
    return Product.objects.filter(pk=product_id).values_list("category", flat=True).get()


def _place(customer_id) -> tuple[str, str]:
    return Customer.objects.filter(pk=customer_id).values_list("city", "country").get()


# --- Sales --------------------------------------------------------------------------------------

def _sale_apply(sale: Sale, sign: int, *, category: str, place: tuple[str, str]) -> None:
    if sale.status != Sale.Status.COMPLETED:
        return
    day, revenue = utc_day(sale.sold_at), sign * cents(sale.total)
    bump(SalesDay, lookup={"day": day, "category": category},
         values={"revenue_cents": revenue, "orders": sign, "units": sign * sale.quantity})
    bump(ChannelDay, lookup={"day": day, "category": category, "channel": sale.channel},
         values={"revenue_cents": revenue, "orders": sign, "units": sign * sale.quantity})
    ledger_add(ProductLedger, key={"product_id": sale.product_id}, attrs={"category": category}, day=day,
               values={"revenue_cents": revenue, "units": sign * sale.quantity, "orders": sign})
    city, country = place
    for scope in (category, ALL):  # ALL: the city's sales in every category, read when none is chosen
        ledger_add(CityLedger, key={"city": city, "country": country, "category": scope}, day=day,
                   values={"revenue_cents": revenue, "orders": sign, "units": sign * sale.quantity})


def sale_added(*, sale: Sale) -> None:
    category = _category(sale.product_id)
    _sale_apply(sale, 1, category=category, place=_place(sale.customer_id))
    if sale.status == Sale.Status.COMPLETED:
        active_refresh(customer_ids=[sale.customer_id], scopes={ALL, category})
        cohort_follow(old=None, new=sale)


def sale_removed(*, sale: Sale) -> None:
    """Call after the row is gone (or with ``sale`` as it was before a delete in the same block)."""
    category = _category(sale.product_id)
    _sale_apply(sale, -1, category=category, place=_place(sale.customer_id))
    if sale.status == Sale.Status.COMPLETED:
        active_refresh(customer_ids=[sale.customer_id], scopes={ALL, category})
        cohort_follow(old=sale, new=None)


SALE_ROLLUP_FIELDS = ("customer_id", "product_id", "quantity", "total", "sold_at", "status", "channel")


def sale_changed(*, old: Sale, new: Sale) -> None:
    """``old`` as stored before the update, ``new`` as saved."""
    if all(getattr(old, f) == getattr(new, f) for f in SALE_ROLLUP_FIELDS):
        return
    old_category, new_category = _category(old.product_id), _category(new.product_id)
    _sale_apply(old, -1, category=old_category, place=_place(old.customer_id))
    _sale_apply(new, 1, category=new_category, place=_place(new.customer_id))
    active_refresh(customer_ids=[old.customer_id, new.customer_id], scopes={ALL, old_category, new_category})
    cohort_follow(old=old, new=new)


# --- Feedback -----------------------------------------------------------------------------------

def _feedback_apply(feedback: Feedback, sign: int) -> None:
    category, day = _category(feedback.product_id), utc_day(feedback.created_at)
    bump(FeedbackDay, lookup={"day": day, "category": category},
         values={"count": sign, "rating_sum": sign * feedback.rating, f"rating_{feedback.rating}": sign})
    values = {"feedback": sign, "rating_sum": sign * feedback.rating}
    ledger_add(ProductLedger, key={"product_id": feedback.product_id}, attrs={"category": category}, day=day,
               values=values)
    city, country = _place(feedback.customer_id)
    for scope in (category, ALL):
        ledger_add(CityLedger, key={"city": city, "country": country, "category": scope}, day=day,
                   values=values)


def feedback_added(*, feedback: Feedback) -> None:
    _feedback_apply(feedback, 1)


def feedback_removed(*, feedback: Feedback) -> None:
    _feedback_apply(feedback, -1)


def feedback_changed(*, old: Feedback, new: Feedback) -> None:
    fields = ("customer_id", "product_id", "rating", "created_at")
    if any(getattr(old, f) != getattr(new, f) for f in fields):
        _feedback_apply(old, -1)
        _feedback_apply(new, 1)


# --- Customers ----------------------------------------------------------------------------------

def _customer_apply(customer: Customer, sign: int) -> None:
    day = utc_day(customer.joined_at)
    bump(CustomerJoinDay, lookup={"day": day}, values={"customers": sign})
    ledger_add(CityJoinLedger, key={"city": customer.city, "country": customer.country}, day=day,
               values={"customers": sign})
    located = customer.latitude is not None and customer.longitude is not None
    bump(City, lookup={"city": customer.city, "country": customer.country}, values={
        "customers": sign, "located": sign if located else 0,
        "latitude_sum": sign * customer.latitude if located else 0.0,
        "longitude_sum": sign * customer.longitude if located else 0.0,
    })


def customer_added(*, customer: Customer) -> None:
    _customer_apply(customer, 1)


def customer_removed(*, customer: Customer) -> None:
    _customer_apply(customer, -1)


CUSTOMER_ROLLUP_FIELDS = ("joined_at", "city", "country", "latitude", "longitude")


def customer_changed(*, old: Customer, new: Customer) -> None:
    if all(getattr(old, f) == getattr(new, f) for f in CUSTOMER_ROLLUP_FIELDS):
        return
    _customer_apply(old, -1)
    _customer_apply(new, 1)
    if (old.city, old.country) != (new.city, new.country):
        _move_city_sales(customer_id=new.pk, old=(old.city, old.country), new=(new.city, new.country))


def _move_city_sales(*, customer_id, old: tuple[str, str], new: tuple[str, str]) -> None:
    """A customer who moved takes their sales and feedback to the new city."""
    sales = list(
        Sale.objects.filter(customer_id=customer_id, status=Sale.Status.COMPLETED)
        .values_list("sold_at", "product_id", "total", "quantity")
    )
    feedback = list(
        Feedback.objects.filter(customer_id=customer_id).values_list("created_at", "product_id", "rating")
    )
    products = {p for _, p, *_ in sales} | {p for _, p, _ in feedback}
    categories = dict(Product.objects.filter(pk__in=products).values_list("pk", "category"))
    totals = defaultdict(Counter)
    for sold_at, product_id, total, quantity in sales:
        for scope in (categories[product_id], ALL):
            totals[(utc_day(sold_at), scope)].update(
                {"revenue_cents": cents(total), "orders": 1, "units": quantity}
            )
    for created_at, product_id, score in feedback:
        for scope in (categories[product_id], ALL):
            totals[(utc_day(created_at), scope)].update({"feedback": 1, "rating_sum": score})
    for (day, category), values in totals.items():
        for (city, country), sign in ((old, -1), (new, 1)):
            ledger_add(CityLedger, key={"city": city, "country": country, "category": category}, day=day,
                       values={f: sign * v for f, v in values.items()})


# --- Products -----------------------------------------------------------------------------------

def _add_places(places: dict, customer_ids: list) -> None:
    """customer id → (city, country) into ``places`` for the ids not there yet, a thousand a read."""
    missing = list({c for c in customer_ids if c not in places})
    for i in range(0, len(missing), 1000):
        places.update(
            (pk, (city, country)) for pk, city, country in
            Customer.objects.filter(pk__in=missing[i:i + 1000]).values_list("pk", "city", "country")
        )


def product_recategorized(*, product_id, old: str, new: str) -> None:
    """Move the product's sales and feedback from category ``old`` to ``new`` in every rollup."""
    if old == new:
        return
    ProductLedger.objects.filter(product_id=product_id, prefix=True).update(category=new)
    sales = list(
        Sale.objects.filter(product_id=product_id, status=Sale.Status.COMPLETED)
        .values_list("sold_at", "customer_id", "total", "quantity", "channel")
    )
    places = {}
    customer_ids = list({c for _, c, _, _, _ in sales})
    _add_places(places, customer_ids)
    per_day, per_city, per_channel = defaultdict(Counter), defaultdict(Counter), defaultdict(Counter)
    for sold_at, customer_id, total, quantity, channel in sales:
        day = utc_day(sold_at)
        per_day[day].update({"revenue_cents": cents(total), "orders": 1, "units": quantity})
        per_channel[(day, channel)].update({"revenue_cents": cents(total), "orders": 1, "units": quantity})
        per_city[(day, places[customer_id])].update(
            {"revenue_cents": cents(total), "orders": 1, "units": quantity}
        )
    for day, values in per_day.items():
        for category, sign in ((old, -1), (new, 1)):
            bump(SalesDay, lookup={"day": day, "category": category},
                 values={f: sign * v for f, v in values.items()})
    for (day, channel), values in per_channel.items():
        for category, sign in ((old, -1), (new, 1)):
            bump(ChannelDay, lookup={"day": day, "category": category, "channel": channel},
                 values={f: sign * v for f, v in values.items()})
    for (day, (city, country)), values in per_city.items():
        for category, sign in ((old, -1), (new, 1)):
            ledger_add(CityLedger, key={"city": city, "country": country, "category": category}, day=day,
                       values={f: sign * v for f, v in values.items()})
    per_feedback_day, per_feedback_city = defaultdict(Counter), defaultdict(Counter)
    ratings = list(
        Feedback.objects.filter(product_id=product_id).values_list("created_at", "rating", "customer_id")
    )
    _add_places(places, [c for _, _, c in ratings])
    for created_at, rating, customer_id in ratings:
        day = utc_day(created_at)
        per_feedback_day[day].update({"count": 1, "rating_sum": rating, f"rating_{rating}": 1})
        per_feedback_city[(day, places[customer_id])].update({"feedback": 1, "rating_sum": rating})
    for day, values in per_feedback_day.items():
        for category, sign in ((old, -1), (new, 1)):
            bump(FeedbackDay, lookup={"day": day, "category": category},
                 values={f: sign * v for f, v in values.items()})
    for (day, (city, country)), values in per_feedback_city.items():
        for category, sign in ((old, -1), (new, 1)):
            ledger_add(CityLedger, key={"city": city, "country": country, "category": category}, day=day,
                       values={f: sign * v for f, v in values.items()})
    # Day rows that hold something are the days of its sales and feedback (found by day, the index's
    # lead). Emptied rows on other days count nothing; the next bump() rewrites their category.
    ProductLedger.objects.filter(
        prefix=False, day__in=sorted({*per_day, *per_feedback_day}), product_id=product_id,
    ).update(category=new)
    active_refresh(customer_ids=customer_ids, scopes={old, new})
    cohort_recategorized(product_id=product_id, old=old, new=new, customer_ids=customer_ids)


__all__ = [
    "cents", "customer_added", "customer_changed", "customer_removed", "feedback_added", "feedback_changed",
    "feedback_removed", "product_recategorized", "sale_added", "sale_changed", "sale_removed",
]
