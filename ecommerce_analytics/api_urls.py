"""/api/: one router per app, analytics, schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ecommerce_analytics.api_root import ApiRootView

urlpatterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("", include("accounts.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("sales.api.urls")),
    path("", include("feedback.api.urls")),
    path("analytics/", include("analytics.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # The browsable API's login form (session auth); programs use tokens.
    path("auth/", include("rest_framework.urls")),
]
