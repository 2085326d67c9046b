from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.pagination import KeysetCursorPagination
from core.api.viewsets import ID_PARAMETER, RecordViewSet
from sales.api.serializers import SaleSerializer
from sales.filters import SaleFilter
from sales.selectors import sale_list
from sales.services import SALE_FIELDS, sale_create, sale_delete, sale_refund, sale_update


@extend_schema_view(
    list=extend_schema(
        summary="List sales",
        description="Cursor-paged (follow `next` / `previous`); `?format=csv` exports every match.",
    ),
)
class SaleViewSet(RecordViewSet):
    """Sales, one per order line; the total is always quantity × unit price."""

    queryset = sale_list()
    serializer_class = SaleSerializer
    filterset_class = SaleFilter
    pagination_class = KeysetCursorPagination
    related = ("product", "customer")
    csv_name = "sales"

    def create_record(self, data):
        return sale_create(**{k: v for k, v in data.items() if k in SALE_FIELDS})

    def update_record(self, instance, data):
        return sale_update(sale=instance, data=data)

    def delete_record(self, instance):
        sale_delete(sale=instance)

    @extend_schema(
        request=None, responses=SaleSerializer, parameters=[ID_PARAMETER],
        summary="Mark a sale refunded (staff)",
    )
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        sale = sale_refund(sale=self.get_object())
        return Response(self.get_serializer(sale).data)
