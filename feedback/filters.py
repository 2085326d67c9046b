import django_filters

from catalog.models import Product
from ecommerce_analytics.filtersets import DateRangeFilterSet, product_ids_in_category
from feedback.models import Feedback


class FeedbackFilter(DateRangeFilterSet):
    """Feedback by rating range (`rating_min` / `rating_max`), date range (created_at), product, category."""

    date_field = "created_at"
    rating = django_filters.RangeFilter(field_name="rating")
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.all())
    category = django_filters.CharFilter(method="filter_category")

    class Meta(DateRangeFilterSet.Meta):
        model = Feedback
        fields = ["rating", "date_from", "date_to", "product", "category"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(product_id__in=product_ids_in_category(value))
