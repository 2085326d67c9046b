from drf_spectacular.utils import extend_schema, extend_schema_view

from catalog.api.serializers import ProductSerializer
from catalog.filters import ProductFilter
from catalog.selectors import product_list
from catalog.services import PRODUCT_FIELDS, product_create, product_delete, product_update
from core.api.pagination import PageNumberPagination
from core.api.viewsets import RecordViewSet


@extend_schema_view(
    list=extend_schema(
        summary="List products", description="Page-numbered; `?format=csv` exports every match."
    ),
    destroy=extend_schema(description="409 when the product has sales or feedback (deactivate it instead)."),
)
class ProductViewSet(RecordViewSet):
    """The catalog."""

    queryset = product_list()
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    pagination_class = PageNumberPagination
    csv_name = "products"

    def create_record(self, data):
        return product_create(**{k: v for k, v in data.items() if k in PRODUCT_FIELDS})

    def update_record(self, instance, data):
        return product_update(product=instance, data=data)

    def delete_record(self, instance):
        product_delete(product=instance)
