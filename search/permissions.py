"""Who may search: analysts (read-only group) and staff."""

from rest_framework.permissions import BasePermission

from core.groups import ANALYSTS

NOT_ANALYST = "Search is for analysts and staff."


def is_analyst_or_staff(user) -> bool:
    if not (user and user.is_authenticated):
        return False
    return user.is_staff or user.groups.filter(name=ANALYSTS).exists()


class IsAnalystOrStaff(BasePermission):
    message = NOT_ANALYST

    def has_permission(self, request, view):
        return is_analyst_or_staff(request.user)
