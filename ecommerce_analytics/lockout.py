"""Login lockout (django-axes): the backend that checks it, and the sign-in page that says so (HTTP 429)."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render

LOCKED_OUT = (
    "Too many failed sign-in attempts for this user from this address: signing in is locked. "
    "Ask an administrator to unlock it."
)


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out login on every form (they all pass the request).

    ``authenticate()`` without a request (a script, the shell) has no address to lock: axes would raise
    for it, so it is left to the next backend, uncounted, as before.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page with the lockout message in place of form errors."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    return render(
        request, "registration/login.html", {"form": form, "locked_out": LOCKED_OUT, "next": ""}, status=429
    )
