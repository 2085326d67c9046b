"""Time seed_data's generation + insert on SQLite against an executemany floor measured in the same run.

Runs the large size (flags override it for a quick try) into a fresh SQLite database under a
temporary DATA_DIR. It calls ``seeding.seed_records`` directly, so the records_seeded
receivers (search, rollups) are not part of the time. Each of ``--runs`` rounds seeds a freshly
migrated database, then measures the floor; the best round of each is reported (other work on
the machine only ever slows a round down). Peak RSS is the process's maximum
(``resource.getrusage``) taken right after the first seed, before the floor builds its rows.

The floor: ``executemany`` of the same number of pre-built sales-shaped tuples (9 columns)
into a plain table (no types, keys, constraints or indexes) on the same connection.

Last line: ``seed: N rows/s (target ≥ 150000), peak RSS M MB (target ≤ 500)``; exit 1 on a miss.
"""

import argparse
import os
import resource
import shutil
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
    print(f"seed: {rate:.0f} rows/s (target ≥ {TARGET_ROWS_PER_S}), "
          f"peak RSS {peak_mb:.0f} MB (target ≤ {TARGET_RSS_MB})")
    return 0 if rate >= TARGET_ROWS_PER_S and peak_mb <= TARGET_RSS_MB else 1


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
