"""Time seed_data on SQLite: generation + insert against an executemany floor, and the command end to end.

Runs the large size (flags override it for a quick try) into a fresh SQLite database under a
temporary DATA_DIR. It calls ``seeding.seed_records`` directly, so the records_seeded
receivers (search, rollups) are not part of the time. Each of ``--runs`` rounds seeds a freshly
migrated database, then measures the floor; the best round of each is reported (other work on
the machine only ever slows a round down). Peak RSS is the process's maximum
(``resource.getrusage``) taken right after the first seed, before the floor builds its rows.

The floor: ``executemany`` of the same number of pre-built sales-shaped tuples (9 columns)
into a plain table (no types, keys, constraints or indexes) on the same connection.

Then one round (wall clock, cold: a fresh process and database) of what a user runs:
``manage.py seed_data`` as a subprocess into a freshly migrated DATA_DIR whose (empty) search
index exists, as after ``make run``'s first start, so the records_seeded receivers run: the
rollup rebuild and the search re-index. Its parts are read from the command's own output
(records, rollups, search); ``--no-end-to-end`` skips it. The end-to-end time has no target of
its own: it is printed so the steps after the insert are in view.

Last line: ``seed: N rows/s (target ≥ 150000), peak RSS M MB (target ≤ 500); end to end …``;
exit 1 on a miss.
"""

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_ROWS_PER_S = 150_000
TARGET_RSS_MB = 500
FLOOR_CHUNK = 100_000


class PhaseTimer:
    """A ``progress`` hook for seed_records: when each record type's writing started and ended
    (generation runs ahead in a background thread, so it overlaps these)."""

    def __init__(self):
        self.phases = []  # (label, rows, started, ended)

    def __call__(self, label, total):
        timer = self

        class Phase:
            def __enter__(self):
                self.started = time.perf_counter()
                return self

            def update(self, n):
                pass

            def __exit__(self, *exc):
                timer.phases.append((label, total, self.started, time.perf_counter()))

        return Phase()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large")
    for flag in ("users", "products", "sales", "feedback", "seed"):
        parser.add_argument(f"--{flag}")
    parser.add_argument("--runs", type=int, default=3, help="rounds; the best is reported")
    parser.add_argument("--no-end-to-end", dest="end_to_end", action="store_false",
                        help="skip the manage.py seed_data round")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-seed-") as data_dir:
        os.environ["DJANGO_SETTINGS_MODULE"] = "ecommerce_analytics.settings"
        os.environ["DATA_DIR"] = data_dir
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from core.filters import today
        from seeding.generate import build_plan

        call_command("migrate", verbosity=0)
        database = Path(connection.settings_dict["NAME"])
        connection.close()
        template = database.with_name("migrated.sqlite3")
        shutil.copyfile(database, template)
        plan = build_plan(
            today=today(), size=args.size, users=args.users, products=args.products, sales=args.sales,
            feedback=args.feedback, seed=args.seed,
        )
        rounds, floors, peak_mb = [], [], None
        for _round in range(max(args.runs, 1)):
            fresh_database(connection, database, template)
            rounds.append(timed_seed(plan))
            if peak_mb is None:
                peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
            floors.append(executemany_floor(connection, n=max(plan.sales, FLOOR_CHUNK)))

    rows = sum(plan.counts.values())
    elapsed, started, timer = min(rounds, key=lambda r: r[0])
    rate, floor_rate = rows / elapsed, max(floors)
    print(f"seed_records ({args.size}: {', '.join(f'{n:,} {k}' for k, n in plan.counts.items())}; "
          "called directly, so no records_seeded receivers run)")
    print(f"  rounds: {', '.join(f'{rows / r[0]:,.0f}' for r in rounds)} rows/s; the best one:")
    print(f"  {'until the first row':>19}: {timer.phases[0][2] - started:6.2f} s (Faker pools, products)")
    for label, n, began, ended in timer.phases:
        seconds = ended - began
        print(f"  {label:>19}: {seconds:6.2f} s for {n:>9,} rows = {n / seconds:>9,.0f} rows/s "
              "(insert, rebuild indexes)")
    print(f"  {'commit':>19}: {started + elapsed - timer.phases[-1][3]:6.2f} s")
    print(f"  {'total':>19}: {elapsed:6.2f} s for {rows:>9,} rows = {rate:>9,.0f} rows/s")
    print(f"floor: executemany of {max(plan.sales, FLOOR_CHUNK):,} sales-shaped tuples into a plain table: "
          f"{floor_rate:,.0f} rows/s (rounds: {', '.join(f'{f:,.0f}' for f in floors)}); "
          f"seed runs at {rate / floor_rate:.0%} of it")
    headline = (f"seed: {rate:.0f} rows/s (target ≥ {TARGET_ROWS_PER_S}), "
                f"peak RSS {peak_mb:.0f} MB (target ≤ {TARGET_RSS_MB})")
    if args.end_to_end:
        total = end_to_end(args)
        headline += f"; manage.py seed_data end to end {total:.1f} s = {rows / total:,.0f} rows/s"
    print(headline)
    return 0 if rate >= TARGET_ROWS_PER_S and peak_mb <= TARGET_RSS_MB else 1


# The command's own lines for its steps: seed_data's summary and the records_seeded receivers' logs.
STEP_LINES = {
    "records": re.compile(r"(?:Seeded|Replaced existing records with) .* in ([\d.]+) s \("),
    "rollups": re.compile(r"Rollups rebuilt after seeding in ([\d.]+) s"),
    "search": re.compile(r"Search index rebuilt after seeding in ([\d.]+) s"),
}


def end_to_end(args) -> float:
    """Wall seconds of ``manage.py seed_data`` in a fresh process and database; prints its parts."""
    flags = [f"--size={args.size}"] + [
        f"--{flag}={getattr(args, flag)}" for flag in ("users", "products", "sales", "feedback", "seed")
        if getattr(args, flag)
    ]
    with tempfile.TemporaryDirectory(prefix="bench-seed-e2e-") as data_dir:
        env = {**os.environ, "DATA_DIR": data_dir, "DEBUG": "0", "LOG_LEVEL": "INFO"}
        env.pop("MONGODB_URI", None)
        env.pop("ELASTICSEARCH_URL", None)

        def manage(*command):
            return subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env,
                                  capture_output=True, text=True, check=True)

        manage("migrate", "--no-input", "-v", "0")
        manage("search_index", "--rebuild", "-f")  # the empty index make run builds: seeding refreshes it
        started = time.perf_counter()
        done = manage("seed_data", *flags)
        total = time.perf_counter() - started
    output = done.stdout + done.stderr
    parts = {}
    for step, pattern in STEP_LINES.items():
        found = pattern.search(output)
        parts[step] = float(found.group(1)) if found else None
    missing = [step for step, seconds in parts.items() if seconds is None]
    if missing:
        sys.exit(f"manage.py seed_data did not report {', '.join(missing)}:\n{output[-2000:]}")
    rest = total - sum(parts.values())
    print(f"manage.py seed_data --size {args.size} end to end: {total:.1f} s wall "
          f"(records {parts['records']:.1f} s, rollups {parts['rollups']:.1f} s, "
          f"search {parts['search']:.1f} s, start-up and the rest {rest:.1f} s)")
    return total


def timed_seed(plan) -> tuple[float, float, PhaseTimer]:
    from seeding.generate import seed_records
    from seeding.generate.pools import build_pools

    build_pools.cache_clear()  # every round builds its Faker pools, as a fresh process would
    timer = PhaseTimer()
    started = time.perf_counter()
    seed_records(plan=plan, clear=False, progress=timer)
    return time.perf_counter() - started, started, timer


def fresh_database(connection, database: Path, template: Path) -> None:
    """Start a round (untimed) from a copy of the just-migrated database file."""
    connection.close()
    for leftover in (database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(template, database)


def executemany_floor(connection, *, n: int) -> float:
    """Rows/s of executemany alone: pre-built tuples shaped like sales rows, one transaction."""
    from django.db import transaction

    chunk = [
        (i, i % 100_000 + 1, i % 10_000 + 1, 1, "19.99", "19.99", "2026-01-01 12:00:00", "web", "completed")
        for i in range(FLOOR_CHUNK)
    ]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_floor (a, b, c, d, e, f, g, h, i)")
        sql = "INSERT INTO bench_floor VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
        spent = 0.0
        with transaction.atomic():
            for start in range(0, n, FLOOR_CHUNK):
                rows = chunk[: min(FLOOR_CHUNK, n - start)]
                began = time.perf_counter()
                cursor.executemany(sql, rows)
                spent += time.perf_counter() - began
        cursor.execute("DROP TABLE bench_floor")
    return n / spent


if __name__ == "__main__":
    sys.exit(main())
