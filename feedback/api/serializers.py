from rest_framework import serializers

from core.api.serializers import RecordSerializer, RecordUrlField
from feedback.models import Feedback


class FeedbackSerializer(RecordSerializer):
    """Feedback with its product's name and category and its customer's name (attached per page)."""

    url = RecordUrlField(view_name="feedback-api:feedback-detail")
    product_name = serializers.CharField(source="product.name", read_only=True)
    category = serializers.CharField(source="product.category", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    # Natural keys, so an export can be imported into another database (import_data).
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    customer_email = serializers.CharField(source="customer.email", read_only=True)

    class Meta:
        model = Feedback
        fields = [
            "id", "url", "created_at", "product", "product_name", "category", "customer", "customer_name",
            "rating", "comment", "external_id", "product_sku", "customer_email",
        ]
        extra_kwargs = {"created_at": {"required": False}}  # the service stamps "now"
