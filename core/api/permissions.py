from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.permissions import can_read, can_write


def api_can_read(user) -> bool:
    """``can_read(user)``; a token's user carries the answer, remembered under the auth version
    (core.api.authentication), where a session's user asks the database."""
    remembered = getattr(user, "api_can_read", None)
    return can_read(user) if remembered is None else remembered


class ReadAnalystsWriteStaff(BasePermission):
    """Analysts and staff read; only staff create, change and delete (the pages' rule)."""

    message = "Reading needs an analyst or staff account; changes need staff."
    admits_every_reader = True  # a GET is api_can_read: core.api.cache may file it for replay

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return api_can_read(request.user)
        return can_write(request.user)
