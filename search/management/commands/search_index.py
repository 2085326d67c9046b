"""Manage the search index on either backend (django-elasticsearch-dsl's options, plus ours).

manage.py search_index --rebuild [-f] [--models catalog.Product sales] [--parallel] [--backend embedded]
manage.py search_index --rebuild --if-missing -f     # what `make run` does: build only when missing
manage.py search_index --create | --populate | --delete | --drain | --status
"""

import argparse
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from search import records, sync
from search.backends import SearchError, get_search_backend

FAILED_HEADER = "{n:,} update(s) set aside (the record could not be indexed; fix it and save it again):"
NO_ACTION = "Choose one of --create, --populate, --delete, --rebuild, --drain or --status."
UNKNOWN_MODEL = "No indexed model or app named {arg!r}; choose from: {choices}."
ABORTED = "Aborted: nothing was deleted."


def _label(rt) -> str:
    return rt.model_label.lower()


class Command(BaseCommand):
    help = "Create, populate, rebuild or delete the search index; apply pending updates."

    def add_arguments(self, parser):
        actions = parser.add_mutually_exclusive_group()
        for flag, text in [
            ("create", "Create the indices where missing"),
            ("populate", "Index every record into the existing indices"),
            ("delete", "Delete the indices"),
            ("rebuild", "Re-index everything into new indices, then switch searches over to them"),
            ("drain", "Apply the updates that could not be applied when records changed"),
            ("status", "Say whether the index exists and how many updates are pending"),
        ]:
            actions.add_argument(f"--{flag}", action="store_const", dest="action", const=flag, help=text)
        parser.add_argument(
            "--models",
            metavar="app[.Model]",
            nargs="*",
            help="Only these record types (e.g. catalog.Product sales)",
        )
        parser.add_argument("-f", action="store_true", dest="force", help="Do not ask for confirmation")
        parser.add_argument(
            "--parallel", action="store_true", dest="parallel", help="Index with more threads"
        )
        parser.add_argument("--no-parallel", action="store_false", dest="parallel")
        parser.add_argument(
            "--backend",
            choices=["embedded", "elasticsearch"],
            help="Backend to manage (default: settings.SEARCH_BACKEND)",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="With --rebuild/--create: do nothing when the index already exists",
        )
        # Accepted for django-elasticsearch-dsl compatibility: our rebuilds always swap an alias.
        parser.add_argument("--use-alias", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--use-alias-keep-index", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--refresh", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument("--no-count", action="store_false", dest="count", help=argparse.SUPPRESS)

    def handle(
        self,
        *args,
        action=None,
        models=None,
        force=False,
        parallel=False,
        backend=None,
        if_missing=False,
        **options,
    ):
        if not action:
            raise CommandError(NO_ACTION)
        self._bars = []
        types = self._types(models)
        engine = get_search_backend(backend)
        try:
            getattr(self, f"_{action}")(engine, types, force=force, parallel=parallel, if_missing=if_missing)
        except SearchError as exc:
            raise CommandError(f"{engine.name}: {exc}") from exc
        finally:
            sync.index_changed()  # whatever the action did to the index, cached searches follow

    # --- Actions -----------------------------------------------------------------------------

    def _create(self, engine, types, *, if_missing, **_):
        if if_missing and engine.exists():
            self.stdout.write(f"The {engine.name} search index exists; nothing to do.")
            return
        engine.create(types=types)
        self.stdout.write(f"Created the {engine.name} search index for {', '.join(types)}.")

    def _populate(self, engine, types, *, parallel, **_):
        counts = engine.populate(types=types, progress=self._progress, parallel=parallel)
        self._report("Indexed", engine, counts)

    def _rebuild(self, engine, types, *, parallel, if_missing, **_):
        if if_missing and engine.exists():
            self.stdout.write(f"The {engine.name} search index exists; nothing to do.")
            return
        with sync.rebuilding():
            counts = engine.rebuild(types=types, progress=self._progress, parallel=parallel)
        self._report("Rebuilt", engine, counts)
        # Changes made while we were reading may have been deferred: apply them now.
        done = sync.drain(backend=engine)
        if done:
            self.stdout.write(f"Applied {done:,} pending update(s).")

    def _delete(self, engine, types, *, force, **_):
        if not force:
            prompt = f"Delete the {engine.name} search index for {', '.join(types)}? [y/N]: "
            try:
                answer = input(prompt)
            except EOFError:
                answer = ""
            if answer.strip().lower() != "y":
                raise CommandError(ABORTED)
        engine.drop(types=types)
        self.stdout.write(f"Deleted the {engine.name} search index for {', '.join(types)}.")

    def _drain(self, engine, types, **_):
        waiting = sync.pending_count()
        done = sync.drain(backend=engine)
        self.stdout.write(f"Applied {done:,} of {waiting:,} pending update(s).")

    def _status(self, engine, types, **_):
        if engine.exists():
            state = "exists"
        elif engine.was_built():
            state = "was built but is missing (restore it and --drain, or --rebuild)"
        else:
            state = "is missing"
        self.stdout.write(
            f"The {engine.name} search index {state}; {sync.pending_count():,} update(s) pending."
        )
        failed = list(sync.failed_updates())
        if failed:
            self.stdout.write(FAILED_HEADER.format(n=len(failed)))
            for p in failed:
                self.stdout.write(f"  {p.record_type}:{p.record_id}: {p.failed_reason}")

    # --- Helpers -----------------------------------------------------------------------------

    def _types(self, models) -> list[str]:
        if not models:
            return list(records.TYPES)
        chosen = []
        for arg in models:
            key = arg.lower()
            matches = [
                rt.name
                for rt in records.RECORD_TYPES.values()
                if key in (_label(rt), rt.model_label.split(".")[0].lower())
            ]
            if not matches:
                choices = ", ".join(rt.model_label for rt in records.RECORD_TYPES.values())
                raise CommandError(UNKNOWN_MODEL.format(arg=arg, choices=choices))
            chosen += [m for m in matches if m not in chosen]
        return [name for name in records.TYPES if name in chosen]

    def _progress(self, name: str):
        bar = tqdm(
            total=records.count(name),
            desc=records.RECORD_TYPES[name].plural,
            unit=" docs",
            disable=None,
            file=sys.stderr,
        )
        self._bars.append(bar)
        return bar.update

    def _report(self, verb: str, engine, counts: dict) -> None:
        for bar in self._bars:
            bar.close()
        parts = ", ".join(f"{n:,} {records.RECORD_TYPES[name].plural}" for name, n in counts.items())
        self.stdout.write(f"{verb} the {engine.name} search index: {parts}.")
