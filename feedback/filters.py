import django_filters
from django.db.models import Q

from accounts.filters import customer_search_q
from accounts.models import Customer
from catalog.filters import product_search_q
from catalog.models import Product
from catalog.selectors import product_ids_in_category
from core.filtersets import (
    DateRangeFilterSet,
    IdFilter,
    OrderingFilter,
    ids_of,
    search_filter,
)
from feedback.models import Feedback


class FeedbackFilter(DateRangeFilterSet):
    """Feedback by rating range (`rating_min` / `rating_max`), date range (created_at), product, category,
    customer, `search` in the comment and the product's and customer's names, `ordering`."""

    date_field = "created_at"
    rating = django_filters.RangeFilter(field_name="rating")
    product = IdFilter(queryset=Product.objects.all())
    category = django_filters.CharFilter(method="filter_category")
    customer = IdFilter(queryset=Customer.objects.all())
    search = search_filter("comment, product name/SKU/brand and customer name/email/city")
    # Plain columns only: the API pages feedback by a cursor on the ordering column.
    ordering = OrderingFilter(fields=["created_at", "rating"])

    class Meta(DateRangeFilterSet.Meta):
        model = Feedback
        fields = ["rating", "date_from", "date_to", "product", "category", "customer", "search", "ordering"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(product_id__in=product_ids_in_category(value))

    def filter_search(self, queryset, name, value):
        # Match products and customers first, then filter feedback by their ids: no join per row.
        return queryset.filter(
            Q(comment__icontains=value)
            | Q(product_id__in=ids_of(Product.objects.filter(product_search_q(value))))
            | Q(customer_id__in=ids_of(Customer.objects.filter(customer_search_q(value))))
        )
