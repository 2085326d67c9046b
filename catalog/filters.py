import django_filters
from django.db.models import Q

from catalog.models import Product
from core.filtersets import OrderingFilter, RangeForm, search_filter


class ProductFilter(django_filters.FilterSet):
    """Products by category, brand, price range (`price_min` / `price_max`) and active, `search` in
    name, SKU and brand, `ordering`."""

    category = django_filters.CharFilter(field_name="category", lookup_expr="exact")
    brand = django_filters.CharFilter(field_name="brand", lookup_expr="iexact")
    price = django_filters.RangeFilter(field_name="price")
    # Strict: "true"/"false" only; NullBooleanField would quietly ignore "perhaps".
    active = django_filters.TypedChoiceFilter(
        field_name="active", choices=[("true", "Yes"), ("false", "No")], coerce=lambda v: v == "true"
    )
    search = search_filter("name, SKU and brand")
    ordering = OrderingFilter(fields=["name", "sku", "category", "brand", "price", "created_at"])

    class Meta:
        model = Product
        form = RangeForm
        fields = ["category", "brand", "price", "active", "search", "ordering"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(product_search_q(value))


def product_search_q(text: str) -> Q:
    """Products whose name, SKU or brand contains ``text`` (case-insensitive)."""
    return Q(name__icontains=text) | Q(sku__icontains=text) | Q(brand__icontains=text)
