"""Who may read and who may write, in one place for the pages, the API and search."""

from core.groups import ANALYSTS


def can_read(user) -> bool:
    """Analysts (the read-only group) and staff may read every page, figure and list."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_staff or user.groups.filter(name=ANALYSTS).exists()


def can_write(user) -> bool:
    """Only staff create, change and delete records."""
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)
