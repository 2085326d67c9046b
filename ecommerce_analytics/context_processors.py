"""Values every page template needs."""

from django.conf import settings


def product(request):
    return {"KIBANA_URL": settings.KIBANA_URL}
