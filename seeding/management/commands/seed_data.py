"""manage.py seed_data: realistic, repeatable demo data for customers, products, sales and feedback."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction
from pymongo.errors import PyMongoError
from tqdm import tqdm

from analytics.customer_value import clv_fit_after_load
from core.filters import today
from core.signals import records_seeded
from seeding.generate import SIZES, SeedError, build_plan, seed_records, tables_with_records
from seeding.generate.guard import undo_stale
from seeding.generate.options import DEFAULT_SEED, DEFAULT_SIZE
from seeding.generate.run import planted_anomalies

PLAN_OPTIONS = ("size", "users", "products", "sales", "feedback", "seed", "until", "anomalies")
CLEAR_WITH_IF_EMPTY = "--clear and --if-empty cannot be combined."
NOT_EMPTY = (
    "The database already has {tables}; nothing was written. "
    "Run with --clear to replace them, or --if-empty to skip seeding."
)
SKIPPED = "The database already has {tables}; --if-empty: nothing seeded."
CANNOT_READ = "Cannot read the records ({error}); has `manage.py migrate` run?"
SEED_FAILED = "Seeding failed and was undone; the records are as they were. {error}"
UNDONE_STALE = "Undid a seed_data that did not finish ({run}): the records are back as they were before it."
RECEIVER_FAILED = "Seeded, but {receiver} failed on records_seeded: {error!r}"


class Command(BaseCommand):
    help = (
        "Fill the database with realistic demo customers, products, sales and feedback. "
        "The same --seed and --until give the same rows on any machine."
    )

    def add_arguments(self, parser):
        sizes = ", ".join(f"{name} ({counts['sales']:,} sales)" for name, counts in SIZES.items())
        parser.add_argument("--size", choices=list(SIZES), help=f"{sizes}; default {DEFAULT_SIZE}")
        for flag in ("users", "products", "sales", "feedback"):
            parser.add_argument(f"--{flag}", metavar="N", help=f"number of {flag} (overrides --size)")
        parser.add_argument("--seed", metavar="S", help=f"random seed (default {DEFAULT_SEED})")
        parser.add_argument("--until", metavar="YYYY-MM-DD", help="the data runs up to the start of this day (default today, UTC)")
        parser.add_argument("--anomalies", metavar="N", help="plant N known spikes and drops in the sales "
                            "on ordinary days (listed in the output; the same --seed plants the same)")
        parser.add_argument("--clear", action="store_true", help="delete existing records first")
        parser.add_argument("--if-empty", action="store_true", help="seed only if there are no records yet")

    def handle(self, *args, **options):
        try:
            plan = build_plan(today=today(), **{name: options[name] for name in PLAN_OPTIONS})
            planted = planted_anomalies(plan)
        except (SeedError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        clear = options["clear"]
        if clear and options["if_empty"]:
            raise CommandError(CLEAR_WITH_IF_EMPTY)
        self.verbosity = options["verbosity"]
        try:
            # A killed run's half-written records first, so the emptiness check sees what was there.
            stale = undo_stale(using=DEFAULT_DB_ALIAS)
            existing = tables_with_records(using=DEFAULT_DB_ALIAS)
        except SeedError as exc:
            raise CommandError(str(exc)) from None
        except (DatabaseError, PyMongoError) as exc:
            raise CommandError(CANNOT_READ.format(error=exc)) from exc
        if stale and self.verbosity:
            self.stderr.write(self.style.WARNING(UNDONE_STALE.format(run=stale)))
        if existing and options["if_empty"]:
            if self.verbosity:
                self.stdout.write(SKIPPED.format(tables=", ".join(existing)))
            return
        if existing and not clear:
            raise CommandError(NOT_EMPTY.format(tables=", ".join(existing)))

        started = time.perf_counter()
        try:
            counts = seed_records(plan=plan, clear=clear, progress=self._progress)
        except SeedError as exc:
            raise CommandError(str(exc)) from None
        except (DatabaseError, PyMongoError) as exc:  # undone: the records are as they were (guard)
            raise CommandError(SEED_FAILED.format(error=exc)) from exc
        elapsed = time.perf_counter() - started
        if self.verbosity:
            self.stdout.write(self.style.SUCCESS(
                f"{'Replaced existing records with' if clear else 'Seeded'} "
                + ", ".join(f"{n:,} {name}" for name, n in counts.items())
                + f" in {elapsed:.1f} s ({sum(counts.values()) / max(elapsed, 1e-9):,.0f} rows/s; "
                f"seed {plan.seed}, until {plan.until})."
            ))
        if planted and self.verbosity:
            self.stdout.write(f"Planted {len(planted)} anomalies (day, direction, sales weight ×factor):")
            for p in planted:
                self.stdout.write(f"  {p.day.isoformat()} {p.direction:<5} ×{p.factor:g}")
        # Runs now if nothing encloses this command's transaction, else once the outer one commits.
        transaction.on_commit(lambda: self._announce(counts, cleared=clear))

    def _announce(self, counts: dict[str, int], *, cleared: bool) -> None:
        self._rebuild(counts, cleared=cleared)
        if counts.get("sales"):
            self._fit_values()

    def _fit_values(self) -> None:
        """clv_fit on the new sales: a step of its own, reported; a fit that fails fails nothing."""
        if self.verbosity:
            self.stderr.write("Fitting lifetime value (clv_fit)…")
        result, message = clv_fit_after_load()
        if result is None:
            self.stderr.write(self.style.WARNING(message))
        elif self.verbosity:
            self.stdout.write(self.style.SUCCESS(message))

    def _rebuild(self, counts: dict[str, int], *, cleared: bool) -> None:
        """Tell the other apps (rollups, search) to rebuild; the rows stay whatever they do."""
        for receiver, result in records_seeded.send_robust(sender=Command, counts=counts, cleared=cleared):
            if isinstance(result, Exception):
                name = getattr(receiver, "__qualname__", repr(receiver))
                self.stderr.write(RECEIVER_FAILED.format(receiver=name, error=result))

    def _progress(self, label: str, total: int):
        return tqdm(total=total, desc=f"{label:>9}", unit=" rows", unit_scale=True, file=sys.stderr,
                    disable=not (self.verbosity and self.stderr.isatty()))
