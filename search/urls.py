"""/search/ page and /api/search/ JSON."""

from django.urls import path

from search import api, views

app_name = "search"

urlpatterns = [
    path("search/", views.search_page, name="page"),
    path("api/search/", api.SearchAPIView.as_view(), name="api"),
    path("api/search/autocomplete/", api.AutocompleteAPIView.as_view(), name="autocomplete"),
]
