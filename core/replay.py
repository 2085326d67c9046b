"""The innermost middleware: a stored answer replayed before URL resolution, when it may be.

Two kinds, each with its own checks (see there): a token's API read (core.api.replay) and a signed-in
browser's cached page (core.page_cache.replay). Innermost, so every other middleware (security
headers, sessions, CSRF, clickjacking, axes) handles a replayed response as it handles a computed
one. Anything either declines goes the normal way.
"""

from core.api.cache import API_PREFIX
from core.api.replay import replay as api_replay
from core.page_cache import replay as page_replay


class ReplayMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        replay = api_replay if request.path.startswith(API_PREFIX) else page_replay
        response = replay(request)
        return response if response is not None else self.get_response(request)
