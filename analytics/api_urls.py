"""/api/analytics/: the index, the lifetime-value list and fit, and one endpoint per figure."""

from django.urls import path

from analytics.api import analytics_urlpatterns
from analytics.customer_value.api import CustomerValueFitView, CustomerValueViewSet

app_name = "analytics-api"

urlpatterns = [
    # Before the figures: their catch-all would answer "unknown figure" for these names.
    path("customer_values/", CustomerValueViewSet.as_view({"get": "list"}), name="customer-value-list"),
    path("customer_values/fit/", CustomerValueFitView.as_view(), name="customer-value-fit"),
    *analytics_urlpatterns(),
]
