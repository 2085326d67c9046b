"""manage.py rebuild_rollups: recompute the analytics rollups from the records.

seed_data does this by itself; run it after loading records some other way that bypasses the
services (a restore, a bulk import), or to fold the days written since into the weekly prefix rows.
"""

import time

from django.core.management.base import BaseCommand

from analytics.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the analytics rollups (daily sums, ledgers, active customers) from the records."

    def handle(self, *args, **options):
        started = time.perf_counter()
        rollups_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Rollups rebuilt in {time.perf_counter() - started:.1f} s."))
