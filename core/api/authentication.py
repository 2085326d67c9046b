"""Token authentication whose failures are throttled: guessing keys costs what anonymous requests do.

DRF authenticates before it throttles, so a bad token is a 401 before any throttle counts it. Here a
failed token is counted per client address at the anonymous rate (``API_THROTTLE_ANON``), in the
shared cache; past the rate the answer is a 429 with ``Retry-After`` instead of the 401.
"""

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.throttling import SimpleRateThrottle


class BadTokenThrottle(SimpleRateThrottle):
    scope = "anon"  # the anonymous rate, counted apart from anonymous requests

    def get_cache_key(self, request, view):
        # Not request.user: we are inside authentication, which that would re-enter.
        return self.cache_format % {"scope": "bad-token", "ident": self.get_ident(request)}


class ThrottledTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            throttle = BadTokenThrottle()
            if not throttle.allow_request(request, None):
                raise Throttled(wait=throttle.wait()) from None
            raise
