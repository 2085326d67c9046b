"""GET /api/: where everything is (the project package is the one place that knows every app's API)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView


class ApiRootView(APIView):
    """Where everything is."""

    @extend_schema(exclude=True)
    def get(self, request):
        def link(name):
            return request.build_absolute_uri(reverse(name))

        return Response({
            "users": link("accounts-api:customer-list"),
            "products": link("catalog-api:product-list"),
            "sales": link("sales-api:sale-list"),
            "feedback": link("feedback-api:feedback-list"),
            "analytics": link("analytics-api:index"),
            "schema": link("api-schema"),
            "docs": link("api-docs"),
        })
