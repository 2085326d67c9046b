"""The API's app config (no models): what keeps its remembered tokens and sessions honest.

Its ``ready()`` connects ``auth_version_bump`` (core.api.authentication) to every change that can alter
what a token or a session cookie resolves to, so every process that can make such a change (the server, the admin,
``manage.py api_token``, the shell) moves the shared auth version.
"""

from django.apps import AppConfig

BUMPED_ON_M2M = {"post_add", "post_remove", "post_clear"}


class ApiConfig(AppConfig):
    name = "core.api"
    label = "core_api"
    verbose_name = "API"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from rest_framework.authtoken.models import Token, TokenProxy

        from core.api.authentication import auth_version_bump

        def saved(sender, update_fields=None, **kwargs):
            if update_fields is not None and set(update_fields) <= {"last_login"}:
                return  # a sign-in, which changes nothing a token resolves to
            auth_version_bump()

        def memberships(sender, action, **kwargs):
            if action in BUMPED_ON_M2M:
                auth_version_bump()

        # weak=False: the two receivers above are local functions, nothing else holds them.
        # Per sender (the admin saves tokens as TokenProxy): a receiver for every model would cost
        # each save a call, and every bulk delete Django's fast path.
        user = get_user_model()
        for model in (Token, TokenProxy, user, Group):
            post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"auth-version-save-{model._meta.label}")
            post_delete.connect(auth_version_bump, sender=model,
                                dispatch_uid=f"auth-version-delete-{model._meta.label}")
        # A session saved or deleted (a sign-in, a sign-out, messages kept in it) changes what a session
        # cookie resolves to: the pages' replay remembers that under the same version (core.page_cache).
        from django.contrib.sessions.models import Session

        post_save.connect(auth_version_bump, sender=Session, dispatch_uid="auth-version-save-session")
        post_delete.connect(auth_version_bump, sender=Session, dispatch_uid="auth-version-delete-session")
        for through in (user.groups.through, user.user_permissions.through, Group.permissions.through):
            m2m_changed.connect(memberships, sender=through, weak=False, dispatch_uid=f"auth-version-m2m-{through._meta.label}")
