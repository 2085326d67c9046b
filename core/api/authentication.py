"""Token authentication for the API: failures throttled, successes remembered while nothing changed.

Throttled failures: DRF authenticates before it throttles, so a bad token is a 401 before any
throttle counts it. Here a failed token is counted per client address at the anonymous rate
(``API_THROTTLE_ANON``) in the shared throttle store; past the rate the answer is a 429 with
``Retry-After`` instead of the 401.

Remembered successes: looking a token up (its row and its user's) and asking whether the user is an
analyst (the group) were two queries on every request, more than a cached answer costs. Each worker
keeps what a key resolved to (the user, and whether that user may read) in its memory, under the
**auth version**: a shared value (core.versions, beside the throttle counts) that every
change which could alter the answer replaces (``auth_version_bump``, connected in
``core.api.apps``): a token created, rotated or deleted; a user saved (deactivated, made staff or
superuser, renamed) or deleted; a group saved or deleted; group membership or permissions changed
from either side. It is replaced when the change is made and again when it commits
(``core.versions``), so the request after the change sees it. Reading the version is one shared-store read
per request; a version the store lost (its file removed) is replaced by a new one, which is a miss
for every worker and never a stale answer. A write that goes
past the ORM's signals (``QuerySet.update()`` on users, raw SQL) is seen after the next change that
bumps, or ``auth_version_bump()`` by hand.
"""

import copy
import threading
from collections import OrderedDict

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled

from core.api.throttling import SharedRateThrottle
from core.permissions import can_read
from core.versions import version_move, version_read

AUTH_VERSION = "api:auth-version"
MAX_TOKENS = 4096  # keys remembered per worker, least recently used dropped first


class BadTokenThrottle(SharedRateThrottle):
    scope = "anon"  # the anonymous rate, counted apart from anonymous requests

    def get_cache_key(self, request, view):
        # Not request.user: we are inside authentication, which that would re-enter.
        return self.cache_format % {"scope": "bad-token", "ident": self.get_ident(request)}


def auth_version() -> str:
    return version_read(AUTH_VERSION)


def auth_version_bump(**_signal_kwargs) -> None:
    version_move(AUTH_VERSION)


class _Remembered:
    """What one token key resolved to under one auth version."""

    __slots__ = ("version", "user", "token", "can_read")

    def __init__(self, version, user, token, readable):
        self.version, self.user, self.token, self.can_read = version, user, token, readable


class TokenMemory:
    def __init__(self):
        self._entries: OrderedDict[str, _Remembered] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, version: str):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.version != version:
                return None
            self._entries.move_to_end(key)
            return entry

    def set(self, key: str, entry: _Remembered) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_TOKENS:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


TOKENS = TokenMemory()


class ThrottledTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            throttle = BadTokenThrottle()
            if not throttle.allow_request(request, None):
                raise Throttled(wait=throttle.wait()) from None
            raise

    def authenticate_credentials(self, key):
        version = auth_version()  # before the rows: what is stored is never newer than its version
        entry = TOKENS.get(key, version)
        if entry is None:
            user, token = super().authenticate_credentials(key)
            entry = _Remembered(version, user, token, can_read(user))
            TOKENS.set(key, entry)
        # A copy per request: nothing one request caches on its user (permissions) reaches another.
        user, token = copy.copy(entry.user), copy.copy(entry.token)
        token.user = user
        user.api_can_read = entry.can_read  # read by core.api.permissions instead of the group query
        return user, token
