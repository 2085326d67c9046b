"""The app's URLs plus the two floors bench/load.sh compares with, both answering a small JSON object
through the same middleware: /bench/bare/, a plain Django view (the target's floor), and /bench/drf/,
a REST framework view with the API's own authentication, permission and throttle classes (what every
authenticated API request pays before any work of its own; shown for context)."""

from django.http import JsonResponse
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import ReadAnalystsWriteStaff

PAYLOAD = {"ok": True, "items": [1, 2, 3]}


def bare(request):
    return JsonResponse(PAYLOAD)


class DrfFloor(APIView):
    permission_classes = [ReadAnalystsWriteStaff]  # the API's default, spelled out

    def get(self, request):
        return Response(PAYLOAD)


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/drf/", DrfFloor.as_view()),
    path("", include("ecommerce_analytics.urls")),
]
