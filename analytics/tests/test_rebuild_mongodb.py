"""The MongoDB rebuild beside the live rollups (analytics.rollups.rebuild_mongodb): a write during the
build makes it build again; writes that never stop leave the live rollups as they were."""

import pytest
from django.db import connection

from analytics.models import SalesDay
from analytics.rollups import rebuild, rebuild_mongodb
from analytics.rollups.version import version_bump, version_current
from analytics.tests.test_rebuild import records, snapshot  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.requires_mongodb]


def leftovers() -> list[str]:
    return [name for name in connection.database.list_collection_names() if name.endswith("__rebuild")]


def test_a_write_during_the_build_makes_it_build_again(records):  # noqa: F811
    rebuild.rollups_rebuild()
    expected = snapshot()
    builds = []

    def build(*, into):
        builds.append(into)
        if len(builds) == 1:
            version_bump()  # what a sale written through the services does meanwhile
        rebuild.rebuild_orm(into=into)

    before = version_current()
    rebuild_mongodb.rebuild_beside(build, models=rebuild.ROLLUP_MODELS)
    assert len(builds) == 2
    assert snapshot() == expected
    assert version_current() == before + 2  # the write's bump, then the switch's
    assert leftovers() == []


def test_writes_that_never_stop_leave_the_live_rollups_alone(records):  # noqa: F811
    rebuild.rollups_rebuild()
    SalesDay.objects.filter(pk__in=list(SalesDay.objects.values_list("pk", flat=True)[:2])).delete()
    live = snapshot()

    def build(*, into):
        version_bump()
        rebuild.rebuild_orm(into=into)

    with pytest.raises(rebuild_mongodb.RollupsBusy):
        rebuild_mongodb.rebuild_beside(build, models=rebuild.ROLLUP_MODELS)
    assert snapshot() == live
    assert leftovers() == []
