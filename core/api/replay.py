"""A stored API answer replayed before URL resolution and REST framework, for token requests.

core.api.cache answers a repeated read from memory, but only once REST framework has built its
request, resolved the URL through the API's nested routers, negotiated the format, authenticated,
checked the permission and counted the throttle: measured (bench/load/profile_hit.py), those steps
were most of a cached answer, which cost nearly three times the bare view's request. Everything
else a hit needs is already in memory.

So when the cache stores a response to a request that a token authenticated, on a view whose
authentication and throttle classes are the API's defaults and whose permissions each admit every
reader, it also files it under a **replay key**: the same data versions, day and class of user, the
raw ``Accept`` header instead of the negotiated format (negotiation is a function of the view, that
header and the URL's ``format`` parameter, and the URL is in the key) and the absolute URL. ``replay`` (from the innermost
middleware, so every other one sees the replayed response as it sees a computed one; core.replay)
then answers a GET carrying a token from there, after the same three checks done the same way:

- the token through ``ThrottledTokenAuthentication``'s own lookup (remembered under the auth
  version), so a deleted token, a deactivated user or a changed group is seen at once;
- the permission: the remembered "may read" answer (``api_can_read``), which every permission of a
  replayed view admits for a GET (``admits_every_reader``);
- the throttles: the default classes counted as REST framework counts them.

Anything else (no entry, a bad or missing token, a user who may not read, a throttle refusing, an
unknown host) goes the normal way, which gives the 401, 403 or 429 exactly as before; a refused
request counted here is counted again there, which moves no window (refused requests are counted
anyway, core.api.throttling).
"""

from types import SimpleNamespace

from django.conf import settings
from rest_framework.settings import api_settings

from core.api.authentication import TOKENS, ThrottledTokenAuthentication, auth_version
from core.api.cache import REPLAYS, data_versions, replay_key, respond


def _user(request):
    """The token's user as the API authenticates it (remembered: core.api.authentication.TOKENS) if
    they may read, else None; a failure is not counted here (the normal path counts and reports it).
    Not copied, unlike the normal path's: nothing here changes or keeps it."""
    words = request.META["HTTP_AUTHORIZATION"].split()
    if len(words) != 2:
        return None
    entry = TOKENS.get(words[1], auth_version())
    if entry is None:
        try:
            user, _ = ThrottledTokenAuthentication().authenticate_credentials(words[1])  # remembers it
        except Exception:  # noqa: BLE001 - any failure is the normal path's to report
            return None
        return user if user.api_can_read else None
    return entry.user if entry.can_read else None


def _throttles_allow(request, user) -> bool:
    counted = SimpleNamespace(user=user, META=request.META)
    return all(throttle().allow_request(counted, None) for throttle in api_settings.DEFAULT_THROTTLE_CLASSES)


def replay(request):
    """The stored answer to this token request, after the token, reader and throttle checks, or None."""
    if not (
        request.method == "GET"
        and settings.API_RESPONSE_CACHE_ENTRIES
        and len(REPLAYS)
        and request.META.get("HTTP_AUTHORIZATION", "").startswith("Token ")
    ):
        return None
    user = _user(request)
    if user is None:
        return None
    try:
        key = replay_key(request, user, data_versions())
    except Exception:  # noqa: BLE001 - a host not allowed: the normal path answers it
        return None
    stored = REPLAYS.get(key)
    if stored is None or not _throttles_allow(request, user):
        return None
    return respond(request, stored)
