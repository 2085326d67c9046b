import django_filters

from accounts.models import Customer
from catalog.models import Product
from ecommerce_analytics.filtersets import DateRangeFilterSet, product_ids_in_category
from sales.models import Sale


class SaleFilter(DateRangeFilterSet):
    """Sales by date range (sold_at), product, category, customer, channel, status and quantity range
    (`quantity_min` / `quantity_max`)."""

    date_field = "sold_at"
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.all())
    customer = django_filters.ModelChoiceFilter(queryset=Customer.objects.all())
    category = django_filters.CharFilter(method="filter_category")
    channel = django_filters.ChoiceFilter(choices=Sale.Channel.choices)
    status = django_filters.ChoiceFilter(choices=Sale.Status.choices)
    quantity = django_filters.RangeFilter(field_name="quantity")

    class Meta(DateRangeFilterSet.Meta):
        model = Sale
        fields = ["date_from", "date_to", "product", "category", "customer", "channel", "status", "quantity"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(product_id__in=product_ids_in_category(value))
