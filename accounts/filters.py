import django_filters

from accounts.models import Customer
from ecommerce_analytics.filtersets import DateRangeFilterSet


class CustomerFilter(DateRangeFilterSet):
    """Customers by city, country and join date (`date_from` / `date_to` on joined_at)."""

    date_field = "joined_at"
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact")
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")

    class Meta(DateRangeFilterSet.Meta):
        model = Customer
        fields = ["city", "country", "date_from", "date_to"]
