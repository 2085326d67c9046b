"""Views every /api/ route shares."""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

NOT_FOUND = "Not found."


@csrf_exempt  # a write to no route is a 404, not the CSRF failure page (it changes nothing)
def api_not_found(request, *args, **kwargs):
    """An /api/ URL that no route matches: the same JSON 404 as an unknown id."""
    return JsonResponse({"detail": NOT_FOUND}, status=404)
