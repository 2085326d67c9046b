"""Who may read and who may write, in one place for the pages, the API and search."""

from core.groups import ANALYSTS


def can_read(user) -> bool:
    """Analysts (the read-only group) and staff may read every page, figure and list."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    # The request's user comes with its group names (core.auth.GroupsBackend: read with the user). Any
    # other user object (a token's, a test's) asks once and keeps the answer on the object: a group
    # change reaches it only as a new request with a new object.
    names = getattr(user, "group_names", None)
    if names is not None:
        return ANALYSTS in names
    analyst = getattr(user, "_analyst", None)
    if analyst is None:
        analyst = user._analyst = user.groups.filter(name=ANALYSTS).exists()
    return analyst


def can_write(user) -> bool:
    """Only staff create, change and delete records."""
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)
