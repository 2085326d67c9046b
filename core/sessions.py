"""Django's database sessions, remembering the row's expiry when they load it: core.page_cache keeps
what a session cookie resolved to until that expiry, and read it with a query of its own."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    expire_date = None  # of the row as loaded; None before loading, or when there was none

    def _get_session_from_db(self):
        row = super()._get_session_from_db()
        self.expire_date = row.expire_date if row is not None else None
        return row
