from accounts.models import Customer
from core.api.serializers import RecordSerializer, RecordUrlField


class CustomerSerializer(RecordSerializer):
    url = RecordUrlField(view_name="accounts-api:customer-detail")

    class Meta:
        model = Customer
        fields = [
            "id", "url", "name", "email", "address", "city", "country", "latitude", "longitude", "joined_at",
        ]
        extra_kwargs = {"joined_at": {"required": False}}  # the service stamps "now"
