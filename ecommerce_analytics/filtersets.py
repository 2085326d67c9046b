"""django-filter building blocks shared by the API and the pages, so parameters mean the same everywhere."""

import django_filters
from django import forms

from ecommerce_analytics.filters import DATE_ORDER, DateRange


class RangeForm(forms.Form):
    """Rejects date_from after date_to, naming the field (a 400 in the API, a message on pages)."""

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", DATE_ORDER)
        return data


class DateRangeFilterSet(django_filters.FilterSet):
    """`date_from` / `date_to`: inclusive ISO days (UTC) on the model's ``date_field``."""

    date_field: str = ""

    date_from = django_filters.DateFilter(method="filter_date_from", label="From (YYYY-MM-DD)")
    date_to = django_filters.DateFilter(method="filter_date_to", label="To (YYYY-MM-DD, inclusive)")

    class Meta:
        form = RangeForm

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__gte": DateRange(start=value).start_datetime()})

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__lt": DateRange(end=value).end_datetime()})


def product_ids_in_category(category: str) -> list:
    """Ids of the category's products, fetched first so sales and feedback filter on their own
    collection (a join into products would be a $lookup per row on MongoDB)."""
    from catalog.models import Product

    return list(Product.objects.filter(category=category).values_list("pk", flat=True))


def apply_filters(filterset_class: type[django_filters.FilterSet], data, queryset):
    """Filter ``queryset`` or raise ``ValidationError`` keyed by field (never ignore a bad value)."""
    from django.core.exceptions import ValidationError

    filterset = filterset_class(data, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError({
            field: [e.message for e in errors] for field, errors in filterset.errors.as_data().items()
        })
    return filterset.qs
