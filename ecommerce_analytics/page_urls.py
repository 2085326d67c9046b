"""The analyst's pages: dashboard at /, then one page per record type."""

from django.urls import include, path

from pages import urls as pages

urlpatterns = [
    path("", include("analytics.urls")),
    path("users/", include(pages.customer_urls)),
    path("products/", include(pages.product_urls)),
    path("sales/", include(pages.sale_urls)),
    path("feedback/", include(pages.feedback_urls)),
]
