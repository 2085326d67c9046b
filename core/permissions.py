"""Who may read and who may write, in one place for the pages, the API and search."""

from core.groups import ANALYSTS


def can_read(user) -> bool:
    """Analysts (the read-only group) and staff may read every page, figure and list."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    # Asked twice in a page's request (the replay's resolve, the page's check): one query, kept on the
    # request's user object, which a group change reaches only as a new request with a new object.
    analyst = getattr(user, "_analyst", None)
    if analyst is None:
        analyst = user._analyst = user.groups.filter(name=ANALYSTS).exists()
    return analyst


def can_write(user) -> bool:
    """Only staff create, change and delete records."""
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)
