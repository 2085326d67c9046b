"""django-filter building blocks shared by the API and the pages, so parameters mean the same everywhere.

Lists take ``date_from`` / ``date_to`` (ISO days), ``category``, ``<field>_min`` / ``<field>_max``
ranges, ``search`` and ``ordering`` (one field, ``-`` for descending). A bad value is a form error
keyed by the field: a 400 naming it in the API, a message on the pages.
"""

import django_filters
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.utils import pretty_name
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.dates import validate_filter_date
from core.filters import DateOrderForm, DateRange

RANGE_ORDER = "{low} must be less than or equal to {high}."
# Range bounds beyond this are refused (a 64-bit column overflows at 9.2e18; SQLite raises).
RANGE_LIMIT = 10**15
RANGE_TOO_LARGE = "Enter a number between -{limit:,} and {limit:,}."
SEARCH_MAX_LENGTH = 100


class RangeForm(DateOrderForm):
    """Rejects date_from after date_to and ``x_min`` above ``x_max``, naming the field."""

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            # RangeFilter values arrive as slice(<name>_min, <name>_max)
            low, high = (value.start, value.stop) if isinstance(value, slice) else (None, None)
            if any(bound is not None and not -RANGE_LIMIT <= bound <= RANGE_LIMIT for bound in (low, high)):
                self.add_error(name, RANGE_TOO_LARGE.format(limit=RANGE_LIMIT))
                continue
            if low is not None and high is not None and low > high:
                self.add_error(name, RANGE_ORDER.format(low=f"{name}_min", high=f"{name}_max"))
        return data


class OrderingFilter(django_filters.ChoiceFilter):
    """``ordering=<field>`` or ``-<field>`` (one field); ties are broken by id in the same direction,
    so offset and cursor pages never repeat or skip a row. Any other value is an error."""

    def __init__(self, *, fields: list[str], **kwargs):
        choices = []
        for name in fields:
            label = pretty_name(name)
            choices += [(name, label), (f"-{name}", f"{label} (descending)")]
        kwargs.setdefault("label", "Ordering")
        kwargs.setdefault("help_text", "One field; prefix with '-' for descending.")
        super().__init__(choices=choices, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.order_by(value, "-pk" if value.startswith("-") else "pk")


@extend_schema_field(OpenApiTypes.STR)
class IdFilter(django_filters.ModelChoiceFilter):
    """A record by id (a string on both backends); unknown or malformed ids are errors."""


class DateRangeFilterSet(django_filters.FilterSet):
    """`date_from` / `date_to`: inclusive ISO days (UTC) on the model's ``date_field``."""

    date_field: str = ""

    # Inside the window of sane dates (core.dates): a day out of it is an error naming the field.
    date_from = django_filters.DateFilter(
        method="filter_date_from", label="From (YYYY-MM-DD)", validators=[validate_filter_date]
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to", label="To (YYYY-MM-DD, inclusive)", validators=[validate_filter_date]
    )

    class Meta:
        form = RangeForm

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__gte": DateRange(start=value).start_datetime()})

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__lt": DateRange(end=value).end_datetime()})


def search_filter(label: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(
        method="filter_search", max_length=SEARCH_MAX_LENGTH, label=f"Search {label} (case-insensitive)"
    )


def ids_of(queryset: QuerySet):
    """The ids of ``queryset``'s rows, to filter another collection with ``<fk>__in``.

    On SQL a subquery (one statement, no join, no parameter limit); on MongoDB a list fetched first,
    since a subquery there becomes a ``$lookup`` for every row of the outer collection.
    """
    ids = queryset.order_by().values("pk")
    return list(ids.values_list("pk", flat=True)) if settings.USING_MONGODB else ids


def apply_filters(filterset_class: type[django_filters.FilterSet], data, queryset):
    """Filter ``queryset`` or raise ``ValidationError`` keyed by field (never ignore a bad value)."""
    filterset = filterset_class(data, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError({field: list(messages) for field, messages in filterset.errors.items()})
    return filterset.qs
