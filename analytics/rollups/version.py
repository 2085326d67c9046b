"""The rollups' version: a counter bumped inside every rollup write's transaction.

Whatever is derived from the rollups and kept elsewhere (fits in the cache, analytics.fits) keys
itself by the version it read, so a changed rollup makes it stale without anyone having to find
and delete it. One row; ``F() + 1`` so concurrent writers never lose a bump.

The API's response cache reads a version on every request, where that query was most of what a
cached answer cost: it reads ``version_token()`` instead, a shared version
(core.versions) that every bump moves as well, at once and again when the bump's transaction
commits. It never stays behind the counter; it can move without it (a rolled-back write), which
only costs a miss.
"""

from django.db import connection
from django.db.models import F

from analytics.models import RollupVersion
from core.versions import version_move, version_read

ROLLUPS = "rollups"
# The customers' places (city, country), moved by every customer write and every seed or import:
# what keeps the explain breakdown's customer → city map (explain.sums.place_codes), which a
# sale does not change.
PLACES = "places"
TOKEN = "rollups:version-token:{name}"


def version_bump(name: str = ROLLUPS) -> None:
    if not RollupVersion.objects.filter(name=name).update(version=F("version") + 1):
        RollupVersion.objects.create(name=name, version=1)
    version_move(TOKEN.format(name=name))


def version_current(name: str = ROLLUPS) -> int:
    """0 before the first rollup write."""
    return RollupVersion.objects.filter(name=name).values_list("version", flat=True).first() or 0


def version_token(name: str = ROLLUPS) -> str:
    """A value that changes whenever ``version_current(name)`` does (see above)."""
    return version_read(TOKEN.format(name=name))


class Kept:
    """Values read from the records and rollups, kept in this process while the version token of
    ``name`` stands. Every write through the services and every rebuild moves the rollups' token (and
    every customer write, seed and import the places' one), so nothing kept outlives the data it was
    read from; the token is read before the rows, so a value is never older than the token it is kept
    under. The figures of one request share their reads through it (the dashboard's product, city and
    day sums were each read by two or three figures), and later requests reuse them until a write.
    The values are shared: whoever gets one must not change it."""

    def __init__(self, name: str = ROLLUPS, *, limit: int = 512):
        self.name, self.limit = name, limit
        self._token, self._values = None, {}
        _ALL_KEPT.append(self)

    def get(self, key, compute):
        token = (connection.alias, connection.settings_dict["NAME"], version_token(self.name))
        values = self._values
        if self._token != token:
            values = {}
            self._token, self._values = token, values
        try:
            return values[key]
        except KeyError:
            pass
        value = compute()
        if len(values) >= self.limit:  # many ranges under one version: start again rather than grow
            values.clear()
        values[key] = value
        return value

    def forget(self) -> None:
        self._token, self._values = None, {}


_ALL_KEPT: list[Kept] = []


def kept_forget() -> None:
    """Read everything again (tests: a database emptied under the same token; benches: a fresh process)."""
    for kept in _ALL_KEPT:
        kept.forget()
