"""The customers behind a figure's cell: a cohort's buyers in one month (the cohorts page's heat map),
an RFM segment's customers on a day (the segments page).

Read from the Sale rows, range first (the cell's month, then the months before the cohort for the
same customers), so the list is exact on every write without a per-customer table.
"""

import datetime as dt
import re

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
WEEK_BEFORE_COHORT = "The week must be the cohort's week or later."
MONTH_FORMAT = "Enter a month as YYYY-MM."
WEEK_FORMAT = "Enter an ISO week as YYYY-Www (e.g. 2025-W07)."
COHORT_FORMAT = "Enter a month as YYYY-MM or an ISO week as YYYY-Www (e.g. 2025-W07)."
WEEK_OF_MONTHLY = "A monthly cohort (YYYY-MM) takes a month, not a week."
MONTH_OF_WEEKLY = "A weekly cohort (YYYY-Www) takes a week, not a month."
UNKNOWN_MOVED_FROM = "Unknown segment. Choose one of: {names}.".format(names=", ".join((*SEGMENTS, NOT_YET)))


def _month(day: dt.date) -> DateRange:
    return DateRange(day, add_months(day, 1) - dt.timedelta(days=1))


def _period(start: dt.date, period: str) -> DateRange:
    return _month(start) if period == "month" else DateRange(start, start + dt.timedelta(days=6))


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
                      channel: str | None = None, period: str = "month") -> list:
    """Customers whose first completed sale (in scope) fell in ``cohort``'s month and who bought in
    ``month``'s: the customers of cohort_retention's cell (cohort, month). With ``period="week"``,
    ``cohort`` and ``month`` are the Mondays of ISO weeks (a cell of the weekly cohorts)."""
    scope = {"category": category, "channel": channel}
    ids = _buyers(date_range=_period(month, period), **scope)
    if month != cohort:
        ids &= _buyers(date_range=_period(cohort, period), among=ids, **scope)
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


def parse_week(text: str) -> dt.date | None:
    """The Monday of ISO week 'YYYY-Www', or None."""
    match = re.fullmatch(r"(\d{4})-W(\d{2})", text.strip())
    try:
        return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1) if match else None
    except ValueError:  # week 00, or 53 in a year of 52
        return None


class WeekField(forms.Field):
    """An ISO week as 'YYYY-Www', cleaned to its Monday."""

    default_error_messages = {"invalid": WEEK_FORMAT}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        monday = parse_week(str(value))
        if monday is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return monday


class CohortField(forms.Field):
    """A cohort: a month 'YYYY-MM' or an ISO week 'YYYY-Www', cleaned to (period, its first day)."""

    default_error_messages = {"invalid": COHORT_FORMAT}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        monday = parse_week(text)
        if monday is not None:
            return ("week", monday)
        try:
            return ("month", dt.datetime.strptime(text, "%Y-%m").date())
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


@extend_schema_field(OpenApiTypes.STR)
class WeekFilter(django_filters.Filter):
    """An ISO week as YYYY-Www."""

    field_class = WeekField


@extend_schema_field(OpenApiTypes.STR)
class CohortFilter(django_filters.Filter):
    """A month as YYYY-MM or an ISO week as YYYY-Www."""

    field_class = CohortField


class CohortForm(forms.Form):
    def clean(self):
        data = super().clean()
        cohort, month, week = data.get("cohort"), data.get("month"), data.get("week")
        if cohort is None:
            return data
        period, start = cohort
        if period == "month" and week:
            self.add_error("week", WEEK_OF_MONTHLY)
        elif period == "week" and month:
            self.add_error("month", MONTH_OF_WEEKLY)
        elif month and month < start:
            self.add_error("month", MONTH_BEFORE_COHORT)
        elif week and week < start:
            self.add_error("week", WEEK_BEFORE_COHORT)
        return data


class CohortMemberFilter(django_filters.FilterSet):
    """Customers of one heat-map cell: ``cohort`` and ``month`` (YYYY-MM; month defaults to the
    cohort's), or for the weekly cohorts ``cohort`` and ``week`` (ISO weeks, YYYY-Www; week defaults to
    the cohort's), ``category`` and ``channel`` as on the figure, ``search`` and ``ordering`` as on /users/."""

    cohort = CohortFilter(method="keep", required=True,
                          label="Cohort: month (YYYY-MM) or ISO week (YYYY-Www) of the first purchase")
    month = MonthFilter(method="keep", label="Month they bought in (YYYY-MM), for a monthly cohort")
    week = WeekFilter(method="keep", label="ISO week they bought in (YYYY-Www), for a weekly cohort")
    category = django_filters.CharFilter(method="keep", max_length=100, label="Only this product category")
    channel = django_filters.ChoiceFilter(
        method="keep", choices=[(c, c) for c in CHANNELS], label="Only this channel",
        error_messages={"invalid_choice": UNKNOWN_CHANNEL},
    )
    search = search_filter("name, email and city")
    ordering = OrderingFilter(fields=["name", "email", "city", "country", "joined_at"])

    class Meta:
        model = Customer
        fields = ["cohort", "month", "week", "category", "channel", "search", "ordering"]
        form = CohortForm

    def keep(self, queryset, name, value):
        return queryset  # read together in filter_queryset

    def filter_search(self, queryset, name, value):
        return queryset.filter(customer_search_q(value))

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        period, cohort = data["cohort"]
        ids = cohort_member_ids(
            cohort=cohort, month=data.get(period) or cohort, period=period,
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
