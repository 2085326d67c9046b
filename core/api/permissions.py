from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.permissions import can_read, can_write


class ReadAnalystsWriteStaff(BasePermission):
    """Analysts and staff read; only staff create, change and delete (the pages' rule)."""

    message = "Reading needs an analyst or staff account; changes need staff."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return can_read(request.user)
        return can_write(request.user)
