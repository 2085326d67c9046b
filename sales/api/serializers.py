from rest_framework import serializers

from core.api.serializers import RecordSerializer, RecordUrlField
from sales.models import Sale


class SaleSerializer(RecordSerializer):
    """A sale with its product's name and category and its customer's name (attached per page)."""

    url = RecordUrlField(view_name="sales-api:sale-detail")
    product_name = serializers.CharField(source="product.name", read_only=True)
    category = serializers.CharField(source="product.category", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    # Natural keys, so an export can be imported into another database (import_data).
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    customer_email = serializers.CharField(source="customer.email", read_only=True)

    class Meta:
        model = Sale
        fields = [
            "id", "url", "sold_at", "product", "product_name", "category", "customer", "customer_name",
            "quantity", "unit_price", "discount", "total", "channel", "status", "external_id",
            "product_sku", "customer_email",
        ]
        read_only_fields = ["total"]  # always quantity × unit price − discount
        extra_kwargs = {
            "sold_at": {"required": False},  # the service stamps "now"
            "unit_price": {"required": False, "help_text": "Defaults to the product's current price."},
        }
