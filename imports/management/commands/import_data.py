"""manage.py import_data KIND FILE [FILE…]: load a shop's own customers, products, sales or feedback."""

import argparse
import contextlib
import csv
import gc
import sys
import time
import zoneinfo
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from tqdm import tqdm

from analytics.customer_value import clv_fit_after_load
from core.db import atomic
from core.signals import records_seeded
from imports.adapters import cdnow
from imports.engine import BATCH, EXPORT_ONLY, KINDS, ImportRun
from imports.reading import FORMATS, ReadError, display_name, read_ahead, read_batches, report_path

BAD_MAP = "--map takes OLD=NEW (a column of the file = one of ours), got {value!r}."
BAD_TIMEZONE = "Unknown time zone {value!r} (use an IANA name such as Europe/Berlin)."
NO_TRANSACTIONS = (
    "This MongoDB server does not run transactions (a standalone server), so an import could not be "
    "all or nothing; point MONGODB_URI at a replica set (see the README) or use --dry-run."
)
NOTHING_WRITTEN = "{bad:,} bad row(s); nothing was written. The report: {report}"
ADAPTERS = {"cdnow": cdnow.rows}
PHASES = "Phases (wall): {phases}."
RECEIVER_FAILED = "Imported, but {receiver} failed on records_seeded: {error!r}"


class Rollback(Exception):
    """Leave the import's transaction without committing it (bad rows, or a dry run)."""


class Command(BaseCommand):
    help = (
        "Import customers, products, sales or feedback from CSV or JSON Lines files (.gz too; - for "
        "stdin). Columns are the API's field names; sales and feedback name customer_email and "
        "product_sku. Rows are upserted by natural key; all or nothing unless --skip-invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS))
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default="auto",
            help="auto (by file name; stdin sniffed), csv, jsonl, or cdnow (CDNOW transaction log)",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="OLD=NEW",
            help="rename a column of the file (repeatable)",
        )
        parser.add_argument("--timezone", default="UTC", help="zone of timestamps without one (default UTC)")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="write the good rows; bad ones go to a rejects file with the reason",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        # For the Import page's worker: called with the rows read so far after each batch.
        parser.add_argument("--progress-callback", default=None, help=argparse.SUPPRESS)
        # For the Import page's worker: called with ("fitting", "") and then ("fitted" or
        # "not fitted", the line saying so) around the lifetime-value fit after the import.
        parser.add_argument("--step-callback", default=None, help=argparse.SUPPRESS)
        parser.add_argument(
            "--join-at-first-order",
            action="store_true",
            help="sales/feedback: a customer with no sales or feedback yet whose join date is "
            "after their first imported one joins then (for customers imported without join dates)",
        )

    def handle(self, *args, kind, files, **options):
        renames = {}
        for item in options["map"]:
            old, sep, new = item.partition("=")
            if not sep or not old.strip() or not new.strip():
                raise CommandError(BAD_MAP.format(value=item))
            renames[old.strip()] = new.strip()
        try:
            tz = zoneinfo.ZoneInfo(options["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CommandError(BAD_TIMEZONE.format(value=options["timezone"])) from None
        dry_run, skip = options["dry_run"], options["skip_invalid"]
        verbosity = options["verbosity"]
        connection = connections[DEFAULT_DB_ALIAS]
        if settings.USING_MONGODB and not dry_run and not connection.features._supports_transactions:
            raise CommandError(NO_TRANSACTIONS)

        started = time.perf_counter()
        run = ImportRun(kind, tz=tz, write=not dry_run)
        run.skip_invalid = skip
        run.join_at_first_order = options["join_at_first_order"]
        progress = tqdm(
            desc=f"import {kind}",
            unit=" rows",
            unit_scale=True,
            file=sys.stderr,
            disable=None if verbosity else True,
        )
        rows_read = 0
        # A run makes millions of small objects and no reference cycles; the cyclic collector's
        # passes over them (ever longer as the run's dictionaries grow) are pure overhead.
        collecting = gc.isenabled()
        gc.disable()
        # SQLite: foreign keys are not checked row by row while the rows go in (each key is one
        # this run created or read from the table), but all at once before the commit, as
        # seed_data's load does without the final check. Only takes effect outside a transaction.
        checks_off = (
            connection.constraint_checks_disabled()
            if connection.vendor == "sqlite" and not dry_run
            else contextlib.nullcontext()
        )
        try:
            with checks_off, atomic():
                for path in files:
                    name = display_name(path)
                    batches = read_ahead(
                        read_batches(
                            path, size=BATCH, fmt=options["format"], renames=renames, adapters=ADAPTERS
                        )
                    )
                    first = True
                    waited = time.perf_counter()
                    for batch in batches:
                        run.spent("read (waiting for the reader)", waited)
                        if first:
                            self._note_columns(run, name, batch)
                            first = False
                        run.add_batch(name, batch)
                        rows_read += len(batch)
                        progress.update(len(batch))
                        if options["progress_callback"]:
                            options["progress_callback"](rows_read)
                        waited = time.perf_counter()
                    run.spent("read (waiting for the reader)", waited)
                run.finish()
                if run.errors and not skip or dry_run:
                    raise Rollback
                if connection.vendor == "sqlite":
                    checked = time.perf_counter()
                    run.check_foreign_keys()
                    run.spent("foreign keys", checked)
                committing = time.perf_counter()
            run.spent("commit", committing)
        except ReadError as exc:
            raise CommandError(str(exc)) from None
        except Rollback:
            pass
        finally:
            if collecting:
                gc.enable()
            progress.close()
        elapsed = time.perf_counter() - started

        run.errors.sort(key=lambda e: (files.index(e.file) if e.file in files else -1, e.line))
        if run.errors:
            self._report(run, files, skip=skip, dry_run=dry_run)
        counts = run.counts
        if run.errors and not skip:
            where = self.report
            raise CommandError(
                NOTHING_WRITTEN.format(bad=len({(e.file, e.line) for e in run.errors}), report=where)
            )
        summary = (
            f"{rows_read:,} rows in {elapsed:.1f} s ({rows_read / max(elapsed, 1e-9):,.0f} rows/s): "
            f"{counts.created:,} created, {counts.updated:,} updated, {counts.unchanged:,} unchanged, "
            f"{counts.rejected:,} rejected"
        )
        related = ", ".join(f"{n:,} {name}" for name, n in counts.related_created.items() if n)
        if related:
            summary += f"; also created {related}"
        if counts.joins_moved:
            summary += f"; {counts.joins_moved:,} customers' join dates moved back to their first order"
        if dry_run:
            if verbosity:
                self.stdout.write(f"Dry run, nothing written. {summary}.")
            return
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Imported {kind}: {summary}."))
        if verbosity > 1:
            phases = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in run.phases.items())
            self.stdout.write(PHASES.format(phases=phases))
        if counts.created or counts.updated or related or counts.joins_moved:
            # Runs now (nothing encloses this command's transaction) or once the outer one commits.
            new = dict(counts.related_created)
            new[run.kind.signal_name] = new.get(run.kind.signal_name, 0) + counts.created + counts.updated
            # The steps that follow (rollups, search) need none of the run's maps (a key per row
            # and per customer: hundreds of MB for a million sales), so they go first; the run and
            # its fast pass refer to each other, and the collector was off during the run.
            del run
            gc.collect()
            step = options["step_callback"]
            transaction.on_commit(lambda: self._announce(new, verbosity=verbosity, step=step))

    def _note_columns(self, run, name, batch):
        """Warn once per file about columns the import does not use (typos, or another export's)."""
        known = {*run.kind.columns, *run.kind.extra, *EXPORT_ONLY, "product_price"}
        for _line, row in [(None, dict.fromkeys(batch.header))] if batch.header else batch.rows:
            if isinstance(row, dict):
                unknown = sorted(set(row) - known)
                if unknown:
                    self.stderr.write(
                        f"{name}: ignoring column(s) {', '.join(unknown)} "
                        f"(not fields of {run.kind_name}; --map OLD=NEW renames)"
                    )
                return

    def _report(self, run, files, *, skip, dry_run):
        fallback = Path(settings.DATA_DIR) / "imports"
        first = files[0]
        if skip and not dry_run:
            path = report_path(first, ".rejects.csv", fallback)
            columns = sorted({k for e in run.errors if e.raw for k in e.raw})
            with open(path, "w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(["file", "line", "field", "reason", *columns])
                for e in run.errors:
                    raw = e.raw or {}
                    writer.writerow([e.file, e.line, e.field, e.message, *[raw.get(c, "") for c in columns]])
            self.stderr.write(f"{len(run.errors):,} bad row(s) skipped; rejects with reasons: {path}")
        else:
            path = report_path(first, ".errors.txt", fallback)
            with open(path, "w", encoding="utf-8") as out:
                for e in run.errors:
                    out.write(f"{e}\n")
        for e in run.errors[:50]:
            self.stderr.write(str(e))
        if len(run.errors) > 50:
            self.stderr.write(f"… and {len(run.errors) - 50:,} more in {path}")
        self.report = path

    def _announce(self, counts, *, verbosity, step=None):
        """Rollups and the search index follow the bulk writes (as after seed_data); new sales
        are then fitted for lifetime value."""
        for receiver, result in records_seeded.send_robust(sender=Command, counts=counts, cleared=False):
            if isinstance(result, Exception):
                name = getattr(receiver, "__qualname__", repr(receiver))
                self.stderr.write(RECEIVER_FAILED.format(receiver=name, error=result))
        if counts.get("sales"):
            self._fit_values(verbosity=verbosity, step=step)

    def _fit_values(self, *, verbosity, step=None) -> None:
        """clv_fit on every sale: a step of its own, reported; a fit that fails fails no import."""
        if step:
            step("fitting", "")
        elif verbosity:
            self.stderr.write("Fitting lifetime value (clv_fit)…")
        result, message = clv_fit_after_load()
        if step:
            step("fitted" if result else "not fitted", message)
        elif result is None:
            self.stderr.write(self.style.WARNING(message))
        elif verbosity:
            self.stdout.write(self.style.SUCCESS(message))
