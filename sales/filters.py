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
from sales.models import Sale


class SaleFilter(DateRangeFilterSet):
    """Sales by date range (sold_at), product, category, customer, channel, status and quantity range
    (`quantity_min` / `quantity_max`), `search` in the product's and customer's names, `ordering`."""

    date_field = "sold_at"
    product = IdFilter(queryset=Product.objects.all())
    customer = IdFilter(queryset=Customer.objects.all())
    category = django_filters.CharFilter(method="filter_category")
    channel = django_filters.ChoiceFilter(choices=Sale.Channel.choices)
    status = django_filters.ChoiceFilter(choices=Sale.Status.choices)
    quantity = django_filters.RangeFilter(field_name="quantity")
    search = search_filter("product name/SKU/brand and customer name/email/city")
    # Plain columns only: the API pages sales by a cursor on the ordering column.
    ordering = OrderingFilter(fields=["sold_at", "total", "quantity", "unit_price"])

    class Meta(DateRangeFilterSet.Meta):
        model = Sale
        fields = [
            "date_from", "date_to", "product", "category", "customer", "channel", "status", "quantity",
            "search", "ordering",
        ]

    def filter_category(self, queryset, name, value):
        return queryset.filter(product_id__in=product_ids_in_category(value))

    def filter_search(self, queryset, name, value):
        # Match products and customers first, then filter sales by their ids: no join per sale.
        return queryset.filter(
            Q(product_id__in=ids_of(Product.objects.filter(product_search_q(value))))
            | Q(customer_id__in=ids_of(Customer.objects.filter(customer_search_q(value))))
        )
