"""Safe API reads answered from memory while the data behind them has not changed.

``CachedReadMixin`` goes on an API view. Authentication, permissions, throttles and content
negotiation run first on every request (DRF's ``initial()``), so a 401, 403 or 429 is never replaced
by a stored 200; only then is the response looked up, under a key made of:

- the data versions (``settings.API_RESPONSE_CACHE_VERSIONS``: dotted paths of functions the upper
  layers provide, read on every request): the rollups' version moves in the transaction of every
  service write and of every rollup rebuild, the search index's after it applies any update, a
  queued one included, and after a rebuild or a drop. A response is therefore never older than the
  last write, exactly as without the cache;
- today's date (open date ranges and presets end today);
- who asks: anonymous, analyst, staff or superuser (``visibility()``): one class's response is
  never served to another;
- the absolute URL with its query string (responses carry absolute links, so host and scheme too),
  and the negotiated renderer and media type (JSON and CSV are separate entries).

Only 200s are stored, and only whole responses: errors, streamed CSV exports and the browsable API
(its HTML carries the user's name, a CSRF token and, for staff, write forms) are always computed.

Where: a small LRU in each worker's memory, not the configured cache. That one is a file cache
(shared by the workers for the throttles): measured, a hit from it reads, inflates and unpickles a
file (40 us for 20 kB, 110 us for a 110 kB dashboard; 0.3-0.6 ms to store), where an in-memory hit is
a dictionary lookup; and it keeps 300 entries, culling a third at random past that, so responses
would push out the throttle counts and fits kept there. The price is one computation per worker for
each key and version instead of one in all. Only readers get here (the permission check runs
first), so "analyst" is any signed-in user who is not staff.

A response stored for a token request is also filed for core.api.replay, which answers it again
before URL resolution and REST framework (see there); so is a hit, under its own raw ``Accept``.

The ETag is the body's hash: a client sending ``If-None-Match`` with it gets a 304 without the body.
``Cache-Control: private, no-cache``: only the client may keep a copy, and it must ask again.
"""

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.module_loading import import_string
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.api.authentication import ThrottledTokenAuthentication
from core.filters import today

CACHE_HEADER = "X-Cache"  # "hit" or "miss" on every response that could be cached
UNCACHED_FORMATS = {"api"}  # the browsable API (see above)
# Headers that belong to one response, not to what it says.
NOT_STORED = {"date", "content-length", "set-cookie", "x-cache", "etag", "cache-control"}


@dataclass(frozen=True)
class Stored:
    content: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str


# A worker's whole cache stays under this many bytes of bodies (a 500-row page is about 200 kB).
MAX_BYTES = 64 * 1024 * 1024


class LRU:
    """At most ``API_RESPONSE_CACHE_ENTRIES`` entries and ``MAX_BYTES`` of bodies, the least recently
    used dropped first; safe across threads."""

    def __init__(self):
        self._entries: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self._lock:
            stored = self._entries.get(key)
            if stored is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return stored

    def set(self, key, value: Stored) -> None:
        if len(value.content) > MAX_BYTES:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            self._bytes += len(value.content) - (len(old.content) if old else 0)
            self._entries[key] = value
            while len(self._entries) > settings.API_RESPONSE_CACHE_ENTRIES or self._bytes > MAX_BYTES:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.content)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self.hits = self.misses = 0

    def __len__(self):
        return len(self._entries)


RESPONSES = LRU()
_version_sources: list | None = None


def data_versions() -> tuple:
    """The current value of every version the responses depend on (see the module's docstring)."""
    global _version_sources
    if _version_sources is None:
        _version_sources = [import_string(path) for path in settings.API_RESPONSE_CACHE_VERSIONS]
    return tuple(source() for source in _version_sources)


def visibility(user) -> str:
    if not (user and user.is_authenticated):
        return "anonymous"
    if user.is_superuser:
        return "superuser"
    return "staff" if user.is_staff else "analyst"


def response_key(request, versions: tuple) -> tuple:
    return (
        versions,
        str(today()),
        visibility(request.user),
        request.accepted_renderer.format,
        request.accepted_media_type,
        request.build_absolute_uri(),
    )


# Replay key (core.api.replay) → the Stored of RESPONSES (the same object: bounded like RESPONSES, by
# count and bytes, but a body filed in both is in memory once).
REPLAYS = LRU()
API_PREFIX = "/api/"


def replay_key(request, user, versions: tuple) -> tuple:
    return (
        versions,
        str(today()),
        visibility(user),
        request.META.get("HTTP_ACCEPT", ""),
        request.build_absolute_uri(),
    )


def _admits_every_reader(permission) -> bool:
    """Whether ``permission`` lets every user ``api_can_read`` admits GET: what the replay checks."""
    return getattr(permission, "admits_every_reader", False) or type(permission) is IsAuthenticated


def replayable(view, request) -> bool:
    """Whether ``view``'s answer to ``request`` may be replayed: a token authenticated it, the view
    authenticates and throttles as the defaults the middleware repeats, and each of its permissions
    lets every reader GET (the middleware asks only ``api_can_read``)."""
    return (
        isinstance(request.successful_authenticator, ThrottledTokenAuthentication)
        and request.path.startswith(API_PREFIX)
        and [type(a) for a in view.get_authenticators()] == api_settings.DEFAULT_AUTHENTICATION_CLASSES
        and all(_admits_every_reader(p) for p in view.get_permissions())
        and [type(t) for t in view.get_throttles()] == api_settings.DEFAULT_THROTTLE_CLASSES
    )


def store(key, response) -> Stored:
    """Keep a rendered 200 under ``key``, without the headers that belong to this one answer."""
    etag = f'"{hashlib.blake2b(response.content, digest_size=16).hexdigest()}"'
    headers = tuple((k, v) for k, v in response.items() if k.lower() not in NOT_STORED)
    stored = Stored(response.content, headers, etag)
    RESPONSES.set(key, stored)
    return stored


def respond(request, stored: Stored) -> HttpResponse:
    response = HttpResponse(stored.content)
    for name, value in stored.headers:
        response[name] = value
    return conditional(request, response, stored.etag, "hit")


def conditional(request, response, etag: str, state: str):
    """ETag, ``Cache-Control`` and ``X-Cache`` on ``response``, or a 304 when the client has it."""
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    response[CACHE_HEADER] = state
    not_modified = get_conditional_response(request, etag=etag, response=response)
    if not_modified is not response:
        not_modified[CACHE_HEADER] = state
        patch_cache_control(not_modified, private=True, no_cache=True)
    return not_modified


class _Hit(Exception):
    """Raised from ``initial()`` to skip the handler; turned back into the response below."""

    def __init__(self, stored: Stored):
        self.stored = stored


class CachedReadMixin:
    """For an APIView: GET answered from ``RESPONSES`` once auth, permissions and throttles passed."""

    response_cache = True

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._response_key = self._replay_key = None
        if (
            self.response_cache
            and settings.API_RESPONSE_CACHE_ENTRIES
            and request.method == "GET"
            and request.accepted_renderer.format not in UNCACHED_FORMATS
        ):
            versions = data_versions()
            key = response_key(request, versions)
            # Under the same versions as ``key``, read before the handler: a read after it could file an
            # answer computed before a write under the version after it.
            replay = replay_key(request._request, request.user, versions) if replayable(self, request) else None
            stored = RESPONSES.get(key)
            if stored is not None:
                # Filed for replay on a hit too: the answer was computed for another raw Accept header
                # (curl's */* where another client sends none) that negotiated the same format, and
                # this client's requests would otherwise never be replayed.
                if replay is not None:
                    REPLAYS.set(replay, stored)
                raise _Hit(stored)
            self._response_key, self._replay_key = key, replay

    def handle_exception(self, exc):
        if isinstance(exc, _Hit):
            return respond(self.request, exc.stored)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = getattr(self, "_response_key", None)
        if key is None or response.status_code != 200 or not isinstance(response, Response):
            return response
        response.render()
        stored = store(key, response)
        if self._replay_key is not None:
            REPLAYS.set(self._replay_key, stored)
        return conditional(request, response, stored.etag, "miss")
