"""A page's HTML answered from memory for the same signed-in browser while the data has not changed.

For a page view after its login and permission check (``reader_required``). The HTML carries the
user's name and a CSRF token, so the key is per browser: the session and the CSRF cookie, beside
the data versions, today's date and the absolute URL (see core.api.cache). A request without both
cookies, a non-GET, one with messages to show, and any answer but a 200 are always computed.

**Replayed before URL resolution** (``replay``, called by core.replay.ReplayMiddleware): the same key
needs only the browser's user, which Django finds with two queries (the session row, the user row)
and the page's permission check with a third (the analysts group); with the page itself in memory
those were most of a cached page's cost. So each worker remembers what a session cookie resolved to
(the user's id, whether they may read, when the session expires, whether it holds messages) under
the auth version (core.api.authentication), which every session saved or deleted moves too (a
sign-in, a sign-out, messages kept in the session: core.api.apps), besides every change to users,
groups and tokens. A session it does not know, or one past its expiry, holding messages, or of a
user who may not read, goes the normal way.
"""

import datetime as dt
import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.middleware.csrf import get_token
from django.utils import timezone

from core.api.authentication import TokenMemory, auth_version
from core.api.cache import RESPONSES, conditional, data_versions, respond, store
from core.filters import today
from core.permissions import can_read

DB_SESSIONS = "core.sessions"  # database sessions that keep their expiry, which ``_resolve`` reads


def _key(request, user_pk=None):
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not (session and csrf) or request.method != "GET":
        return None
    if user_pk is None:
        if len(get_messages(request)):
            return None
        user_pk = request.user.pk
    url = request.build_absolute_uri()
    return ("page", data_versions(), str(today()), user_pk, session, csrf, url)


def cached_page(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        key = _key(request) if settings.API_RESPONSE_CACHE_ENTRIES else None
        if key is None:
            return view(request, *args, **kwargs)
        stored = RESPONSES.get(key)
        if stored is not None:
            return _answer(request, stored)
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or response.streaming:
            return response
        return conditional(request, response, store(key, response).etag, "miss")

    return wrapped


def _answer(request, stored):
    get_token(request)  # the CSRF cookie is renewed as when the page renders its token
    return respond(request, stored)


# --- replayed before URL resolution ------------------------------------------------------------


@dataclass(frozen=True)
class _Browser:
    version: str
    user_pk: object
    readable: bool
    expires: dt.datetime
    messages: bool


BROWSERS = TokenMemory()  # session key → _Browser, under the auth version


def replay(request):
    """The stored page for this browser's request, answered as ``cached_page`` answers it, or None."""
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if (
        request.method != "GET"
        or not session_key
        or settings.SESSION_ENGINE != DB_SESSIONS
        or not settings.API_RESPONSE_CACHE_ENTRIES
        or request.COOKIES.get(CookieStorage.cookie_name)  # messages waiting in their cookie
    ):
        return None
    version = auth_version()  # before the rows, as for tokens: what is kept is never newer than it
    browser = BROWSERS.get(session_key, version)
    if browser is None:
        browser = _resolve(request, session_key, version)
        if browser is None:
            return None
    if not browser.readable or browser.messages or browser.expires <= timezone.now():
        return None
    try:
        key = _key(request, user_pk=browser.user_pk)
    except Exception:  # noqa: BLE001 - a host not allowed: the normal path answers it
        return None
    stored = RESPONSES.get(key) if key else None
    if stored is None:
        return None
    request.session.accessed = True  # as reading the session for the user does: Vary: Cookie
    return _answer(request, stored)


def _resolve(request, session_key: str, version: str):
    """What the session resolves to, by Django's own reading of it (``request.user``), remembered."""
    user = request.user
    if not user.is_authenticated:
        return None
    expires = request.session.expire_date  # loaded with the session to find the user (core.sessions)
    if expires is None:
        return None
    browser = _Browser(version, user.pk, can_read(user), expires, SessionStorage.session_key in request.session)
    BROWSERS.set(session_key, browser)
    return browser
