"""The customers behind the cohort heat map's cells and the RFM segments (analytics.members), paged or
as CSV."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view

from accounts.api.serializers import CustomerSerializer
from accounts.models import Customer
from analytics.members import CohortMemberFilter, SegmentMemberFilter
from core.api.pagination import PageNumberPagination
from core.api.viewsets import RecordViewSet


@extend_schema_view(list=extend_schema(
    summary="Customers of a cohort cell",
    description="Customers whose first completed sale (in the category and channel, if given) fell in "
                "`cohort` and who bought in `month`. Page-numbered; `?format=csv` exports every match.",
    tags=["analytics"],
))
class CohortCustomerViewSet(RecordViewSet):
    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filterset_class = CohortMemberFilter
    # Always filtered: without a cohort the list is a 400, never every customer.
    filter_backends = [DjangoFilterBackend]
    pagination_class = PageNumberPagination
    csv_name = "cohort-customers"
    http_method_names = ["get", "head", "options"]


@extend_schema_view(list=extend_schema(
    summary="Customers of an RFM segment",
    description="Customers in `segment` as of `date_to` (default today; scores as in the rfm_segments "
                "figure). Page-numbered; `?format=csv` exports every match.",
    tags=["analytics"],
))
class SegmentCustomerViewSet(CohortCustomerViewSet):
    filterset_class = SegmentMemberFilter
    csv_name = "segment-customers"
