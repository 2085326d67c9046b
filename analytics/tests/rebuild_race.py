"""Helper process for test_rebuild_race.py (not a test): ``setup``, ``flip N`` or ``read OUT STOPFILE``.

Runs on the database the environment names (DATA_DIR for SQLite, MONGODB_URI + MONGODB_NAME).
``flip`` moves a fixed tenth of the sales between completed and refunded with a queryset update (no
services, so the rollups do not follow) and rebuilds, N times: the rollups alternate between two
states. ``read OUT STOPFILE`` writes the figures read from the rollups to OUT, one JSON line per read, until
STOPFILE exists (a file, not a pipe nobody drains while the rebuilds run).
"""

import datetime as dt
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce_analytics.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from analytics.figures.sales import revenue_by_category, sales_by_city, revenue_over_time  # noqa: E402
from analytics.rollups import rollups_rebuild  # noqa: E402
from core.filters import DateRange  # noqa: E402
from sales.models import Sale  # noqa: E402
from seeding.generate import build_plan, seed_records  # noqa: E402

UNTIL = dt.date(2026, 6, 30)
WHOLE = DateRange(start=dt.date(2020, 1, 1), end=UNTIL)


def figures() -> str:
    """One JSON list of the three figures (each read on its own, so two may straddle a switch)."""
    return json.dumps([fn(date_range=WHOLE) for fn in (revenue_by_category, revenue_over_time, sales_by_city)],
                      sort_keys=True, default=str)


def flipped_ids() -> list:
    return list(Sale.objects.order_by("pk").values_list("pk", flat=True)[::10])


def main(mode: str, arg: str | None = None, stop: str | None = None) -> None:
    if mode == "setup":
        call_command("migrate", verbosity=0)
        sales = int(os.environ.get("RACE_SALES", "6000"))
        seed_records(plan=build_plan(today=UNTIL + dt.timedelta(days=1), users=sales // 20, products=40,
                                     sales=sales, feedback=0, until=UNTIL.isoformat()), clear=False)
        rollups_rebuild()
        print(figures())
    elif mode == "flip":
        ids = flipped_ids()
        for _ in range(int(arg)):
            completed = Sale.objects.filter(pk__in=ids[:1]).values_list("status", flat=True)[0] == "completed"
            Sale.objects.filter(pk__in=ids).update(status="refunded" if completed else "completed")
            rollups_rebuild()
            print(figures(), flush=True)
    elif mode == "read":
        with open(arg, "w") as out:
            while not Path(stop).exists():
                print(figures(), file=out, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
