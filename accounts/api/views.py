from drf_spectacular.utils import extend_schema, extend_schema_view

from accounts.api.serializers import CustomerSerializer
from accounts.filters import CustomerFilter
from accounts.selectors import customer_list
from accounts.services import CUSTOMER_FIELDS, customer_create, customer_delete, customer_update
from core.api.pagination import PageNumberPagination
from core.api.viewsets import RecordViewSet


@extend_schema_view(
    list=extend_schema(
        summary="List customers", description="Page-numbered; `?format=csv` exports every match."
    ),
    destroy=extend_schema(description="409 when the customer has sales or feedback."),
)
class CustomerViewSet(RecordViewSet):
    """The shop's customers ("users")."""

    queryset = customer_list()
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    pagination_class = PageNumberPagination
    csv_name = "users"

    def create_record(self, data):
        return customer_create(**{k: v for k, v in data.items() if k in CUSTOMER_FIELDS})

    def update_record(self, instance, data):
        return customer_update(customer=instance, data=data)

    def delete_record(self, instance):
        customer_delete(customer=instance)
