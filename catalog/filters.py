import django_filters

from catalog.models import Product


class ProductFilter(django_filters.FilterSet):
    """Products by category, brand, price range (`price_min` / `price_max`) and active."""

    category = django_filters.CharFilter(field_name="category", lookup_expr="exact")
    brand = django_filters.CharFilter(field_name="brand", lookup_expr="iexact")
    price = django_filters.RangeFilter(field_name="price")
    # Strict: "true"/"false" only; NullBooleanField would quietly ignore "perhaps".
    active = django_filters.TypedChoiceFilter(
        field_name="active", choices=[("true", "Yes"), ("false", "No")], coerce=lambda v: v == "true"
    )

    class Meta:
        model = Product
        fields = ["category", "brand", "price", "active"]
