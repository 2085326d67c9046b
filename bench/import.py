"""Time import_data on 1,000,000 sales from CSV against seed_data and an executemany floor, same run.

Generates (untimed) a CSV of ``--sales`` order lines over ``--customers`` customers and ``--products``
products, in the import format with the customer and product columns on each line
(external_id, customer_email, customer_name, product_sku, product_name, category, sold_at, quantity,
unit_price, total, channel, status; a tenth of the lines discounted), so one run creates the
customers and products and then the sales. Into a fresh SQLite database under a temporary DATA_DIR
(with an empty search index, as ``make run`` leaves it), each of ``--runs`` rounds runs
``manage.py import_data sales FILE -v 2`` (``call_command``, with the file warm in the page cache
after the first round) and is timed on the wall clock from the call to its return, reading,
checking, writing, building the indexes and committing included; the best round is reported (other
work on the machine only ever slows a round down), with its CPU seconds (every thread of the
process) and the command's own phase times. The steps that follow an import (the ``records_seeded``
receivers: rollups rebuild and search re-index; then the lifetime-value fit) are muted in those
rounds, as bench/seed.py leaves them out, and each is timed once on its own right after the first
round, on its data, as they follow the import in the command's process (wall and CPU; ``--no-fit``
leaves the fit out), giving an end-to-end figure beside the import's; the other rounds come after.
The CSV is written by a child process, so what it allocated is not counted. Peak RSS is the process's
maximum (``resource.getrusage``) right after the first import round, and again after each of the
steps that follow it (the step that raises it shows): the peak of one ``import_data`` process.

Beside it, in the same process: ``seed_records`` writing the same number of sales (with
``--customers`` customers and ``--products`` products, no feedback), best of the same rounds, and
the floor: ``executemany`` of as many pre-built sales-shaped tuples (9 columns) into a plain table
(no types, keys, constraints or indexes) on the same connection. The load average (``os.getloadavg``)
is printed at the start and the end: the machine may be shared.

Last line: ``import: N rows/s (target ≥ 100000), peak RSS M MB (target ≤ 500); …``; exit 1 when the
import's rows/s or the peak RSS (import and the steps after it) misses. Rows are every record
written: sales + customers + products.
"""

import argparse
import csv
import io
import multiprocessing
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed import executemany_floor, fresh_database  # noqa: E402

TARGET_ROWS_PER_S = 100_000
TARGET_RSS_MB = 500
CHANNELS = ("web", "mobile", "store", "marketplace")
CATEGORIES = ("Electronics", "Books", "Home & Kitchen", "Toys & Games", "Grocery")


def write_csv(path: Path, *, sales: int, customers: int, products: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    prices = [rng.randrange(199, 49_999) for _ in range(products)]
    start = 1_640_995_200  # 2022-01-01 UTC
    span = 3 * 365 * 86_400
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "external_id",
                "customer_email",
                "customer_name",
                "product_sku",
                "product_name",
                "category",
                "sold_at",
                "quantity",
                "unit_price",
                "total",
                "channel",
                "status",
            ]
        )
        stamps = sorted(start + rng.randrange(span) for _ in range(sales))
        for i, stamp in enumerate(stamps):
            c, p = rng.randrange(customers), rng.randrange(products)
            quantity = 1 + int(rng.expovariate(1.5))
            cents = prices[p]
            gross = quantity * cents
            total = gross - (gross // 10 if i % 10 == 0 else 0)
            moment = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))
            writer.writerow(
                [
                    f"ORD-{i:07d}",
                    f"customer{c:06d}@example.com",
                    f"Customer {c:06d}",
                    f"SKU-{p:05d}",
                    f"Product {p:05d}",
                    CATEGORIES[p % len(CATEGORIES)],
                    moment,
                    quantity,
                    f"{cents // 100}.{cents % 100:02d}",
                    f"{total // 100}.{total % 100:02d}",
                    CHANNELS[i % 4],
                    "refunded" if i % 50 == 0 else "completed",
                ]
            )


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(step):
    """(wall seconds, CPU seconds of every thread) of ``step()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    return time.perf_counter() - wall, time.process_time() - cpu


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sales", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=2, help="rounds; the best is reported")
    parser.add_argument(
        "--no-fit", action="store_true", help="leave the lifetime-value fit out of the steps after"
    )
    parser.add_argument("--no-seed", action="store_true", help="leave seed_data out (no comparison with it)")
    args = parser.parse_args()
    print(f"start: {load()}")

    with tempfile.TemporaryDirectory(prefix="bench-import-") as data_dir:
        os.environ["DJANGO_SETTINGS_MODULE"] = "ecommerce_analytics.settings"
        os.environ["DATA_DIR"] = data_dir
        os.environ.pop("MONGODB_URI", None)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from accounts.models import Customer
        from analytics.customer_value import clv_fit_after_load
        from analytics.subscribers import records_seeded as rollups_follow
        from catalog.models import Product
        from core.filters import today
        from core.signals import records_seeded
        from sales.models import Sale
        from search.sync import records_seeded as search_follow
        from seeding.generate import build_plan, seed_records
        from seeding.generate.pools import build_pools

        call_command("migrate", verbosity=0)
        call_command("search_index", "--rebuild", "-f", verbosity=0)  # the empty index make run builds
        database = Path(connection.settings_dict["NAME"])
        connection.close()
        template = database.with_name("migrated.sqlite3")
        shutil.copyfile(database, template)
        source = Path(data_dir) / "sales.csv"
        began = time.perf_counter()
        # In a child process: the generator's own memory is not the import's, and Python keeps much of
        # what it freed (the import's peak measured 474 MB after generating in this process, 462 in
        # a fresh one).
        child = multiprocessing.get_context("fork").Process(
            target=write_csv, args=(source,), kwargs=dict(sales=args.sales, customers=args.customers,
                                                         products=args.products),
        )
        child.start()
        child.join()
        if child.exitcode:
            raise SystemExit(f"generating the CSV failed (exit code {child.exitcode})")
        print(
            f"generated {source.stat().st_size / 1e6:,.0f} MB of CSV in {time.perf_counter() - began:.1f} s "
            "(untimed)"
        )

        follow, peaks = {}, {}
        steps = {
            "rollups": lambda: rollups_follow(sender=None, counts={}, cleared=False),
            "search": lambda: search_follow(sender=None, counts={}, cleared=False),
            **({} if args.no_fit else {"lifetime-value fit": clv_fit_after_load}),
        }
        rounds, peak_import, peak_after, counts = [], None, None, None
        for _round in range(max(args.runs, 1)):
            fresh_database(connection, database, template)
            out = io.StringIO()
            with (
                mock.patch.object(records_seeded, "receivers", []),
                mock.patch("imports.management.commands.import_data.Command._fit_values"),
            ):
                wall, cpu = timed(
                    lambda out=out: call_command("import_data", "sales", str(source), stdout=out, verbosity=2)
                )
            phases = next((line for line in out.getvalue().splitlines() if line.startswith("Phases")), "")
            rounds.append((wall, cpu, phases))
            print(f"  round {len(rounds)}: {wall:.2f} s wall, {cpu:.2f} CPU-s ({load()})", flush=True)
            if peak_import is None:
                peak_import = peak_mb()
                counts = (Sale.objects.count(), Customer.objects.count(), Product.objects.count())
                assert counts[0] == args.sales, counts
                # The steps follow the first round, as they follow the import in the command's own
                # process: its peak is the import's and theirs, not a later round's leftovers.
                for step, run in steps.items():
                    follow[step] = timed(run)
                    peaks[step] = peak_mb()  # the process's peak so far: the step that raises it shows
                peak_after = peak_mb()

        plan = build_plan(
            today=today(),
            size="large",
            users=str(args.customers),
            products=str(args.products),
            sales=str(args.sales),
            feedback="0",
            seed=None,
        )
        seeds, floors = [], []
        for _round in range(max(args.runs, 1)):
            fresh_database(connection, database, template)
            if not args.no_seed:
                build_pools.cache_clear()
                started = time.perf_counter()
                seed_records(plan=plan, clear=False)
                seeds.append(time.perf_counter() - started)
            floors.append(executemany_floor(connection, n=args.sales))
        connection.close()

    rows = sum(counts)
    wall, cpu, phases = min(rounds)
    rate = rows / wall
    floor_rate = max(floors)
    after = sum(w for w, _c in follow.values())
    print(
        f"import_data sales ({counts[0]:,} sales creating {counts[1]:,} customers and {counts[2]:,} products)"
    )
    print(f"  rounds: {', '.join(f'{rows / r[0]:,.0f}' for r in rounds)} rows/s; best {wall:.2f} s wall")
    print(f"  CPU: {cpu:.1f} CPU-s in the best round, {cpu * 1e6 / counts[0]:.1f} CPU-s per 1M sales "
          f"({rows / cpu:,.0f} rows per CPU-second)")
    print(f"  {phases}")
    print("  then, each once on its own: " + "; ".join(
        f"{step} {w:.1f} s wall, {c:.1f} CPU-s (peak RSS {peaks[step]:.0f} MB after it)"
        for step, (w, c) in follow.items()
    ))
    end_to_end = rows / (wall + after)
    print(f"  end to end (best round + the steps after): {wall + after:.1f} s, {end_to_end:,.0f} rows/s")
    if seeds:
        seed_rows = sum(plan.counts.values())
        seed_rate = seed_rows / min(seeds)
        print(
            f"seed_records ({', '.join(f'{n:,} {k}' for k, n in plan.counts.items())}): "
            f"{seed_rate:,.0f} rows/s (rounds: {', '.join(f'{seed_rows / s:,.0f}' for s in seeds)})"
        )
    print(
        f"floor: executemany of {args.sales:,} sales-shaped tuples into a plain table: "
        f"{floor_rate:,.0f} rows/s; import runs at {rate / floor_rate:.0%} of it"
        + (f", {rate / seed_rate:.0%} of seed_data" if seeds else "")
    )
    print(f"end: {load()}")
    peak = max(peak_import, peak_after)
    print(
        f"import: {rate:.0f} rows/s (target ≥ {TARGET_ROWS_PER_S}), "
        f"peak RSS {peak_import:.0f} MB, {peak_after:.0f} MB with the steps after "
        f"(target ≤ {TARGET_RSS_MB}); end to end {end_to_end:.0f} rows/s"
    )
    return 0 if rate >= TARGET_ROWS_PER_S and peak <= TARGET_RSS_MB else 1


if __name__ == "__main__":
    sys.exit(main())
