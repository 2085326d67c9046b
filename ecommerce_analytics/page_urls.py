"""The analyst's pages: dashboard at /, then one page per record type."""

from django.urls import include, path

from ecommerce_analytics import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("users/", include("accounts.urls")),
    path("products/", include("catalog.urls")),
    path("sales/", include("sales.urls")),
    path("feedback/", include("feedback.urls")),
]
