"""manage.py fits_refresh NAME KEY: compute one cached result (analytics.fits) and store it; the web
process starts this in the background when a request finds its result stale."""

from django.core.management.base import BaseCommand, CommandError

import analytics.figures  # noqa: F401 (registers the figures' fits)
from analytics import fits


class Command(BaseCommand):
    help = "Recompute one cached fit (started by the web process when the rollups changed)."

    def add_arguments(self, parser):
        parser.add_argument("name", help=f"one of: {', '.join(sorted(fits.REGISTRY))}")
        parser.add_argument("key", help="the fit's key (a category; '' for the whole shop)")
        parser.add_argument("--rollups-version", type=int, default=None,
                            help="the rollups' version the web process asked for (default: the current one)")

    def handle(self, *args, name, key, rollups_version=None, **options):
        if name not in fits.REGISTRY:
            raise CommandError(f"Unknown fit {name!r}; known: {', '.join(sorted(fits.REGISTRY))}.")
        try:
            version = fits.version_current() if rollups_version is None else rollups_version
            fits.store(name, key, fits.REGISTRY[name](key), version=version)
        finally:
            fits.release(name, key)
