"""/api/analytics/: the index and one endpoint per figure."""

from ecommerce_analytics.api.views import analytics_urlpatterns

app_name = "analytics-api"

urlpatterns = analytics_urlpatterns()
