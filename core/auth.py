"""The sign-in backend: Django's ModelBackend, with the signed-in user read together with the names of
their groups, so the read check (core.permissions.can_read) asks no query of its own on a request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import F


class GroupsBackend(ModelBackend):
    def get_user(self, user_id):
        # One row per group (a LEFT JOIN through the membership table; one row with None when none).
        rows = list(get_user_model()._default_manager.filter(pk=user_id).annotate(group_name=F("groups__name")))
        if not rows:
            return None
        user = rows[0]
        user.group_names = frozenset(row.group_name for row in rows if row.group_name is not None)
        return user if self.user_can_authenticate(user) else None
