import django_filters
from django.db.models import Q

from accounts.models import Customer
from core.filtersets import DateRangeFilterSet, OrderingFilter, search_filter


class CustomerFilter(DateRangeFilterSet):
    """Customers by city, country and join date (`date_from` / `date_to` on joined_at), `search` in
    name, email and city, `ordering`."""

    date_field = "joined_at"
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact")
    country = django_filters.CharFilter(field_name="country", lookup_expr="iexact")
    search = search_filter("name, email and city")
    ordering = OrderingFilter(fields=["name", "email", "city", "country", "joined_at"])

    class Meta(DateRangeFilterSet.Meta):
        model = Customer
        fields = ["city", "country", "date_from", "date_to", "search", "ordering"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(customer_search_q(value))


def customer_search_q(text: str, prefix: str = "") -> Q:
    """Customers whose name, email or city contains ``text`` (case-insensitive)."""
    return Q(**{f"{prefix}name__icontains": text}) | Q(**{f"{prefix}email__icontains": text}) | Q(
        **{f"{prefix}city__icontains": text}
    )
