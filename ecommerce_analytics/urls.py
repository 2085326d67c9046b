"""Root URLs: each part of the product brings its own URL module."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from core.api.views import api_not_found

admin.site.site_header = "E-commerce Analytics admin"
admin.site.site_title = "E-commerce Analytics"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/", include("ecommerce_analytics.api_urls")),
    path("imports/", include("imports.urls")),
    path("", include("search.urls")),
    path("", include("ecommerce_analytics.page_urls")),
    # Anything else under /api/ (a malformed id, a mistyped route) is a JSON 404, not the pages' HTML.
    re_path(r"^api/", api_not_found),
]
