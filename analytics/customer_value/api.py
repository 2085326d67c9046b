"""/api/analytics/customer_values/ (the ranked, paged list, CSV with ?format=csv) and
/api/analytics/customer_values/fit/ (the fitted parameters and fit quality)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.customer_value.filters import CustomerValueFilter
from analytics.customer_value.selectors import NO_FIT, customer_value_fit_get, customer_value_list
from analytics.models import CustomerValue, CustomerValueFit
from core.api.pagination import PageNumberPagination
from core.api.serializers import IdField
from core.api.viewsets import RecordViewSet


class CustomerValueSerializer(serializers.ModelSerializer):
    """A customer's prediction from the last fit; the customer's name and email attached per page."""

    customer = IdField(source="customer_id", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    customer_email = serializers.CharField(source="customer.email", read_only=True)

    class Meta:
        model = CustomerValue
        fields = [
            "customer", "customer_name", "customer_email", "predicted_value_12m", "probability_alive",
            "probability_alive_before", "probability_alive_change", "expected_orders_90d", "repeat_orders",
            "recency_weeks", "age_weeks", "average_repeat_order",
        ]


class CustomerValueFitSerializer(serializers.ModelSerializer):
    """The last fit: BG/NBD r, alpha, a, b and log-likelihood; Gamma-Gamma p, q, gamma (and its
    log-likelihood over the customers with a repeat order); the holdout comparison when the fit
    was made with ``--holdout-end`` (else null)."""

    class Meta:
        model = CustomerValueFit
        fields = ["fitted_at", "calibration_end", "customers", "bgnbd", "gamma_gamma", "holdout"]


@extend_schema_view(list=extend_schema(
    summary="List customers by predicted value",
    description=(
        "Every customer of the last `clv_fit`, highest predicted 12-month value first; `slipping=true` "
        "keeps those whose chance of being active fell by 10 points or more over the 90 days before "
        "the calibration end. Page-numbered; `?format=csv` exports every match."
    ),
    tags=["analytics"],
))
class CustomerValueViewSet(RecordViewSet):
    queryset = customer_value_list()
    serializer_class = CustomerValueSerializer
    filterset_class = CustomerValueFilter
    pagination_class = PageNumberPagination
    related = ("customer",)
    csv_name = "customer-values"
    http_method_names = ["get", "head", "options"]
    # clv_fit replaces these rows without moving the rollups' version: always read them.
    response_cache = False


class CustomerValueFitView(APIView):
    @extend_schema(
        summary="The lifetime-value fit",
        responses={200: CustomerValueFitSerializer, 404: OpenApiResponse(description=NO_FIT)},
        tags=["analytics"],
    )
    def get(self, request):
        fit = customer_value_fit_get()
        if fit is None:
            raise NotFound(NO_FIT)
        return Response(CustomerValueFitSerializer(fit).data)
