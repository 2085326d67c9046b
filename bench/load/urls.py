"""The app's URLs plus /bench/bare/: a Django view returning a small JSON object, through the same
middleware, as the floor the app's requests are compared with."""

from django.http import JsonResponse
from django.urls import include, path


def bare(request):
    return JsonResponse({"ok": True, "items": [1, 2, 3]})


urlpatterns = [path("bench/bare/", bare), path("", include("ecommerce_analytics.urls"))]
