"""The lifetime-value list's filters, shared by its page, its API list and the CSV export."""

import django_filters
from drf_spectacular.utils import extend_schema_field

from accounts.filters import customer_search_q
from accounts.models import Customer
from analytics.models import CustomerValue
from core.filtersets import OrderingFilter, ids_of, search_filter

# "Slipping": P(alive) fell by at least this much over the 90 days before the calibration end.
SLIP_DROP = 0.10


@extend_schema_field({"type": "string", "enum": ["true", "false"]})
class TrueFalseFilter(django_filters.TypedChoiceFilter):
    """``true`` or ``false`` (anything else is an error naming the parameter)."""


class CustomerValueFilter(django_filters.FilterSet):
    """`slipping` (P(alive) down by at least 10 points in 90 days), `search` in the customer's name,
    email and city, `ordering` (default: predicted 12-month value, highest first)."""

    slipping = TrueFalseFilter(
        method="filter_slipping", choices=[("true", "Yes"), ("false", "No")], coerce=lambda v: v == "true",
        label=f"Only customers whose chance of being active fell by {SLIP_DROP:.0%} or more in 90 days",
    )
    search = search_filter("the customer's name, email and city")
    ordering = OrderingFilter(fields=[
        "predicted_value_12m", "probability_alive", "probability_alive_change", "expected_orders_90d",
        "repeat_orders",
    ])

    class Meta:
        model = CustomerValue
        fields = ["slipping", "search", "ordering"]

    def filter_slipping(self, queryset, name, value):
        if value:
            return queryset.filter(probability_alive_change__lte=-SLIP_DROP)
        return queryset

    def filter_search(self, queryset, name, value):
        # The customers' ids first: a join would be a $lookup of every row on MongoDB.
        return queryset.filter(customer_id__in=ids_of(Customer.objects.filter(customer_search_q(value))))
