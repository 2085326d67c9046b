"""manage.py rebuild_rollups: recompute the analytics rollups from the records.

seed_data does this by itself; run it after loading records some other way that bypasses the
services (a restore, a bulk import), or to fold the days written since into the weekly prefix rows.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from analytics.rollups import rollups_rebuild
from analytics.rollups.rebuild_mongodb import RollupsBusy


class Command(BaseCommand):
    help = "Recompute the analytics rollups (daily sums, ledgers, active customers) from the records."

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            rollups_rebuild()
        except RollupsBusy as exc:  # MongoDB: writes kept arriving; the old rollups stay as they were
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Rollups rebuilt in {time.perf_counter() - started:.1f} s."))
