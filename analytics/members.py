"""The customers behind a figure's cell: a cohort's buyers in one month (the cohorts page's heat map),
an RFM segment's customers on a day (the segments page).

Read from the Sale rows, range first (the cell's month, then the months before the cohort for the
same customers), so the list is exact on every write without a per-customer table.
"""

import datetime as dt

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.filters import customer_search_q
from accounts.models import Customer
from analytics.figures.cohorts import CHANNELS, UNKNOWN_CHANNEL, add_months
from analytics.figures.segments import NOT_YET, SEGMENTS, UNKNOWN_SEGMENT, Scores, movers
from catalog.selectors import product_ids_in_category
from core.dates import validate_filter_date
from core.filters import DateRange, today
from core.filtersets import OrderingFilter, apply_filters, search_filter
from sales.models import Sale

MONTH_BEFORE_COHORT = "The month must be the cohort's month or later."
MONTH_FORMAT = "Enter a month as YYYY-MM."
UNKNOWN_MOVED_FROM = "Unknown segment. Choose one of: {names}.".format(names=", ".join((*SEGMENTS, NOT_YET)))


def _month(day: dt.date) -> DateRange:
    return DateRange(day, add_months(day, 1) - dt.timedelta(days=1))


def _buyers(*, date_range: DateRange, category: str | None, channel: str | None, among=None) -> set:
    sales = Sale.objects.filter(status=Sale.Status.COMPLETED)
    if date_range.start:
        sales = sales.filter(sold_at__gte=date_range.start_datetime())
    sales = sales.filter(sold_at__lt=date_range.end_datetime())
    if channel:
        sales = sales.filter(channel=channel)
    if category:
        sales = sales.filter(product_id__in=product_ids_in_category(category))
    if among is not None:
        sales = sales.filter(customer_id__in=list(among))
    return set(sales.order_by().values_list("customer_id", flat=True))


def cohort_member_ids(*, cohort: dt.date, month: dt.date, category: str | None = None,
                      channel: str | None = None) -> list:
    """Customers whose first completed sale (in scope) fell in ``cohort``'s month and who bought in
    ``month``'s: the customers of cohort_retention's cell (cohort, month)."""
    scope = {"category": category, "channel": channel}
    ids = _buyers(date_range=_month(month), **scope)
    if month != cohort:
        ids &= _buyers(date_range=_month(cohort), among=ids, **scope)
    if ids:
        ids -= _buyers(date_range=DateRange(None, cohort - dt.timedelta(days=1)), among=ids, **scope)
    return sorted(ids, key=str)


class MonthField(forms.DateField):
    input_formats = ["%Y-%m"]
    default_error_messages = {"invalid": MONTH_FORMAT}


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(django_filters.Filter):
    """A month as YYYY-MM."""

    field_class = MonthField


class CohortForm(forms.Form):
    def clean(self):
        data = super().clean()
        cohort, month = data.get("cohort"), data.get("month")
        if cohort and month and month < cohort:
            self.add_error("month", MONTH_BEFORE_COHORT)
        return data


class CohortMemberFilter(django_filters.FilterSet):
    """Customers of one heat-map cell: ``cohort`` and ``month`` (YYYY-MM; month defaults to the
    cohort's), ``category`` and ``channel`` as on the figure, ``search`` and ``ordering`` as on /users/."""

    cohort = MonthFilter(method="keep", required=True, label="Cohort: month of the first purchase (YYYY-MM)")
    month = MonthFilter(method="keep", label="Month they bought in (YYYY-MM)")
    category = django_filters.CharFilter(method="keep", max_length=100, label="Only this product category")
    channel = django_filters.ChoiceFilter(
        method="keep", choices=[(c, c) for c in CHANNELS], label="Only this channel",
        error_messages={"invalid_choice": UNKNOWN_CHANNEL},
    )
    search = search_filter("name, email and city")
    ordering = OrderingFilter(fields=["name", "email", "city", "country", "joined_at"])

    class Meta:
        model = Customer
        fields = ["cohort", "month", "category", "channel", "search", "ordering"]
        form = CohortForm

    def keep(self, queryset, name, value):
        return queryset  # read together in filter_queryset

    def filter_search(self, queryset, name, value):
        return queryset.filter(customer_search_q(value))

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        ids = cohort_member_ids(
            cohort=data["cohort"], month=data.get("month") or data["cohort"],
            category=data.get("category") or None, channel=data.get("channel") or None,
        )
        return super().filter_queryset(queryset.filter(pk__in=ids))


def cohort_member_list(*, filters: dict | None = None):
    """Customers of a heat-map cell (CohortMemberFilter); a bad or missing value raises ValidationError."""
    return apply_filters(CohortMemberFilter, filters or {}, Customer.objects.all())


class SegmentMemberFilter(django_filters.FilterSet):
    """Customers of one RFM segment (``segment``, its name) as of ``date_to`` (default today), with
    ``search`` and ``ordering`` as on /users/. With ``moved_from``, only those who were in that segment
    (or not yet customers) the day before ``date_from``: a cell of the segment_movement figure."""

    segment = django_filters.ChoiceFilter(
        method="keep", required=True, choices=[(s, s) for s in SEGMENTS], label="RFM segment",
        error_messages={"invalid_choice": UNKNOWN_SEGMENT},
    )
    date_to = django_filters.DateFilter(
        method="keep", label="Scored as of this day (YYYY-MM-DD; default today)", validators=[validate_filter_date],
    )
    date_from = django_filters.DateFilter(
        method="keep", label="With moved_from: the movement starts the day before this one (YYYY-MM-DD)",
        validators=[validate_filter_date],
    )
    moved_from = django_filters.ChoiceFilter(
        method="keep", choices=[(s, s) for s in (*SEGMENTS, NOT_YET)],
        label="Only the customers who were in this segment (or not yet customers) at the start",
        error_messages={"invalid_choice": UNKNOWN_MOVED_FROM},
    )
    search = search_filter("name, email and city")
    ordering = OrderingFilter(fields=["name", "email", "city", "country", "joined_at"])

    class Meta:
        model = Customer
        fields = ["segment", "date_from", "date_to", "moved_from", "search", "ordering"]

    def keep(self, queryset, name, value):
        return queryset

    def filter_search(self, queryset, name, value):
        return queryset.filter(customer_search_q(value))

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        if data.get("moved_from"):
            ids = movers(date_range=DateRange(data.get("date_from"), data.get("date_to") or today()),
                         moved_from=data["moved_from"], segment=data["segment"])
        else:
            ids = Scores(data.get("date_to") or today()).members(data["segment"])
        return super().filter_queryset(queryset.filter(pk__in=ids))


def segment_member_list(*, filters: dict | None = None):
    """Customers of an RFM segment (SegmentMemberFilter); a bad or missing value raises ValidationError."""
    return apply_filters(SegmentMemberFilter, filters or {}, Customer.objects.all())
