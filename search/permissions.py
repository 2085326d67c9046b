"""Who may search: analysts (read-only group) and staff, the rule of every other page and API read."""

from rest_framework.permissions import BasePermission

from core.api.permissions import api_can_read

NOT_ANALYST = "Search is for analysts and staff."


def is_analyst_or_staff(user) -> bool:
    return api_can_read(user)


class IsAnalystOrStaff(BasePermission):
    message = NOT_ANALYST
    admits_every_reader = True  # is api_can_read: core.api.cache may file its answers for replay

    def has_permission(self, request, view):
        return is_analyst_or_staff(request.user)
