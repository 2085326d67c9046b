"""``manage.py kibana_import``: load kibana/saved_objects.ndjson into Kibana (logic in kibana.importer)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kibana import importer


class Command(BaseCommand):
    help = (
        "Import the Kibana data views, Lens charts, map and dashboard (kibana/saved_objects.ndjson) "
        "through Kibana's saved objects API, with the data views reading ELASTICSEARCH_INDEX_PREFIX's indices."
    )
    # Talks to Kibana only: no database, so no need for the system checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--url", help="Kibana's address (default: the KIBANA_URL setting).")
        parser.add_argument("--space", help="Import into this Kibana space (default: the default space).")
        parser.add_argument(
            "--overwrite", action="store_true", help="Replace objects with the same ids imported before."
        )
        parser.add_argument(
            "--file", default=str(importer.DEFAULT_FILE), help="The NDJSON file to import (default: %(default)s)."
        )

    def handle(self, *args, url=None, space=None, overwrite=False, file=None, **options):
        url = (url or settings.KIBANA_URL or "").strip()
        if not url:
            raise CommandError("No Kibana address: set KIBANA_URL or pass --url (e.g. http://localhost:5601).")
        try:
            result = importer.run(
                url=url.rstrip("/"),
                space=space,
                overwrite=overwrite,
                path=file,
                prefix=settings.ELASTICSEARCH_INDEX_PREFIX,
            )
        except importer.KibanaImportError as exc:
            raise CommandError(str(exc)) from None
        for line in result.lines:
            self.stdout.write(line)
        where = importer.shown(url) + (f" (space {space})" if space else "")
        if result.failed:
            raise CommandError(
                f"Kibana at {where} did not import {result.failed} of "
                f"{result.created + result.updated + result.failed} saved objects (see above)."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.created + result.updated} saved objects into Kibana at {where}: "
                f"{result.created} created, {result.updated} updated."
            )
        )
