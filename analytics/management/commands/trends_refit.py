"""manage.py trends_refit: fit the forecasts and anomaly flags of the whole shop and every category now,
so the dashboard's first requests find them fresh (``make seed`` runs it after seeding)."""

import time

from django.core.management.base import BaseCommand

from analytics import fits
from analytics.figures.trends import FIT_NAME, fit_trends
from catalog.selectors import category_list


class Command(BaseCommand):
    help = "Fit the forecasts and anomaly flags now (whole shop and every category) into the cache."

    def handle(self, *args, **options):
        started = time.perf_counter()
        scopes = [None, *category_list()]
        for category in scopes:
            fits.fresh(FIT_NAME, category or "", lambda category=category: fit_trends(category))
        if options["verbosity"]:
            self.stdout.write(f"Fitted {len(scopes)} forecasts (the whole shop and {len(scopes) - 1} categories) "
                              f"in {time.perf_counter() - started:.1f} s.")
