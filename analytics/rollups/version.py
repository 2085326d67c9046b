"""The rollups' version: a counter bumped inside every rollup write's transaction.

Whatever is derived from the rollups and kept elsewhere (fits in the cache, analytics.fits) keys
itself by the version it read, so a changed rollup makes it stale without anyone having to find
and delete it. One row; ``F() + 1`` so concurrent writers never lose a bump.
"""

from django.db.models import F

from analytics.models import RollupVersion

ROLLUPS = "rollups"


def version_bump(name: str = ROLLUPS) -> None:
    if not RollupVersion.objects.filter(name=name).update(version=F("version") + 1):
        RollupVersion.objects.create(name=name, version=1)


def version_current(name: str = ROLLUPS) -> int:
    """0 before the first rollup write."""
    return RollupVersion.objects.filter(name=name).values_list("version", flat=True).first() or 0
