import django_filters

from catalog.models import Product


class ProductFilter(django_filters.FilterSet):
    """Products by category, brand, price range (`price_min` / `price_max`) and active."""

    category = django_filters.CharFilter(field_name="category", lookup_expr="exact")
    brand = django_filters.CharFilter(field_name="brand", lookup_expr="iexact")
    price = django_filters.RangeFilter(field_name="price")
    active = django_filters.BooleanFilter(field_name="active")

    class Meta:
        model = Product
        fields = ["category", "brand", "price", "active"]
