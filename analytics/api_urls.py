"""/api/analytics/: the index and one endpoint per figure."""

from analytics.api import analytics_urlpatterns

app_name = "analytics-api"

urlpatterns = analytics_urlpatterns()
