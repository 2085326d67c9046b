from catalog.models import Product
from core.api.serializers import RecordSerializer, RecordUrlField


class ProductSerializer(RecordSerializer):
    url = RecordUrlField(view_name="catalog-api:product-detail")

    class Meta:
        model = Product
        fields = [
            "id", "url", "sku", "name", "description", "category", "brand", "price", "attributes", "active",
            "created_at",
        ]
        extra_kwargs = {"created_at": {"required": False}}  # the service stamps "now"
