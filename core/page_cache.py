"""A page's HTML answered from memory for the same signed-in browser while the data has not changed.

For a page view after its login and permission check (``reader_required``). The HTML carries the
user's name and a CSRF token, so the key is per browser: the session and the CSRF cookie, beside
the data versions, today's date and the absolute URL (see core.api.cache). A request without both
cookies, a non-GET, one with messages to show, and any answer but a 200 are always computed.
"""

import functools

from django.conf import settings
from django.contrib.messages import get_messages
from django.middleware.csrf import get_token

from core.api.cache import RESPONSES, conditional, data_versions, respond, store
from core.filters import today


def _key(request):
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not (session and csrf) or request.method != "GET" or len(get_messages(request)):
        return None
    url = request.build_absolute_uri()
    return ("page", data_versions(), str(today()), request.user.pk, session, csrf, url)


def cached_page(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        key = _key(request) if settings.API_RESPONSE_CACHE_ENTRIES else None
        if key is None:
            return view(request, *args, **kwargs)
        stored = RESPONSES.get(key)
        if stored is not None:
            get_token(request)  # the CSRF cookie is renewed as when the page renders its token
            return respond(request, stored)
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.streaming:
            return response
        return conditional(request, response, store(key, response).etag, "miss")

    return wrapped
