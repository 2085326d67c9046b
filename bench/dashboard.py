"""Dashboard figures at the large seed size on SQLite: p50/p95 per figure, range and category.

Builds once (or reuses, keyed by its path) a database seeded with
`seed_data --size large --seed 1 --until 2026-06-30` (1M sales, 100k customers, 10k products, 200k
feedback); seed_data's records_seeded signal rebuilds the rollups. Then times every figure of
analytics.figures.FIGURES for the last 7 days, 30 days, 90 days, 12 months and all time,
with and without a category, beside the floor measured in the same run: one plain GROUP BY month
over the completed sales. Target: every p95 ≤ 50 ms (wall clock, warm: one untimed call first; what the
figures keep under the rollups' version token is forgotten before each timed call, bench.common.timed),
but the RFM figures (the customers' segments page, not the dashboard): ≤ 100 ms, their target in
bench/customers.py, which times them over more ranges. Before timing, the process freezes what it has
loaded (core.startup.freeze_loaded), as every web worker does.

Then the whole dashboard request as an analyst sees it (Django's test Client, in-process: URL
routing, session and permission checks, every figure, the template; no web server), for the
default range and for the last 30 days with a category: wall clock of the first request after a
cache clear and with nothing kept by the rollups' version token (cold, one round) and p50/p95 of the warm ones, with the SQL queries per request
(counted with CaptureQueriesContext). Target: ≤ 12 queries per request.
The headline is the last line; exits 1 on a miss.

    .venv/bin/python bench/dashboard.py

BENCH_DIR=/path keeps the database elsewhere; BENCH_REBUILD=1 rebuilds the rollups of a reused one.
"""

import functools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
UNTIL = "2026-06-30"
BENCH_DIR = Path(
    os.environ.get("BENCH_DIR") or Path(tempfile.gettempdir()) / f"ecommerce-bench-dashboard-large-1-{UNTIL}"
)
BENCH_DIR.mkdir(parents=True, exist_ok=True)
os.environ["DATA_DIR"] = str(BENCH_DIR)
os.environ.pop("MONGODB_URI", None)
os.environ["DEBUG"] = "0"  # no per-query logging while seeding and timing
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce_analytics.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import datetime as dt  # noqa: E402

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from analytics.figures import FIGURES  # noqa: E402
from analytics.models import ProductLedger  # noqa: E402
from analytics.rollups import rollups_rebuild  # noqa: E402
from analytics.rollups.version import kept_forget  # noqa: E402
from core.filters import DateRange  # noqa: E402
from core.startup import freeze_loaded  # noqa: E402
from bench.common import analyst_client, floor_ms, p95, timed  # noqa: E402,F401 (bench/explain.py reads them here)
from sales.models import Sale  # noqa: E402

P95_TARGET_MS = 50.0
OWN_TARGETS_MS = {"rfm_segments": 100.0, "segment_movement": 100.0}  # bench/customers.py's
QUERIES_TARGET = 12
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
SEEDED_MARK = BENCH_DIR / "seeded.ok"
CATEGORY = "Electronics"
LAST = dt.date.fromisoformat(UNTIL)
RANGES = {
    "7d": DateRange(LAST - dt.timedelta(days=6), LAST),
    "30d": DateRange(LAST - dt.timedelta(days=29), LAST),
    "90d": DateRange(LAST - dt.timedelta(days=89), LAST),
    "12m": DateRange(dt.date(LAST.year - 1, LAST.month, LAST.day) + dt.timedelta(days=1), LAST),
    "all": DateRange(),
}


def prepare() -> None:
    call_command("migrate", verbosity=0)
    if not SEEDED_MARK.exists():
        print(f"Seeding {BENCH_DIR} (large, seed 1, until {UNTIL}): a few minutes, once.", flush=True)
        call_command("seed_data", size="large", seed="1", until=UNTIL, clear=True, verbosity=0)
        SEEDED_MARK.write_text(UNTIL)
    elif os.environ.get("BENCH_REBUILD") or not ProductLedger.objects.filter(prefix=True).exists():
        print("Rebuilding the rollups of the reused database...", flush=True)
        started = time.perf_counter()
        rollups_rebuild()
        print(f"rollups rebuilt in {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics: the worse case for the rollup queries' plans


def request_once(client: Client, url: str) -> tuple[float, int]:
    """Wall milliseconds and SQL queries of one dashboard request."""
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(queries)


def whole_requests() -> tuple[int, list[str]]:
    """Time the dashboard page itself; returns the most queries a request made and the misses."""
    client = analyst_client()
    last_30 = RANGES["30d"]
    urls = {
        "default range": "/",
        "30 days, category": f"/?date_from={last_30.start}&date_to={last_30.end}&category={CATEGORY}",
    }
    most, misses = 0, []
    print(f"{'dashboard request':28s} {'cold':>7s} {'p50':>7s} {'p95':>7s} {'queries':>8s}")
    for label, url in urls.items():
        cache.clear()
        kept_forget()  # as a fresh worker, or the first request after a write, finds it
        cold, cold_queries = request_once(client, url)
        warm = [request_once(client, url) for _ in range(RUNS)]
        samples = [ms for ms, _ in warm]
        queries = max(cold_queries, *(n for _, n in warm))
        most = max(most, queries)
        if queries > QUERIES_TARGET:
            misses.append(f"{label}: {queries} queries")
        print(f"{label:28s} {cold:7.1f} {statistics.median(samples):7.1f} {p95(samples):7.1f} {queries:8d}"
              + ("  MISS" if queries > QUERIES_TARGET else ""), flush=True)
    return most, misses


def main() -> int:
    prepare()
    freeze_loaded()  # as every web worker does once the app is loaded (gunicorn.conf.py)
    print(f"{Sale.objects.count():,} sales in {BENCH_DIR}; {RUNS} runs per case, times in ms")
    floor = floor_ms()
    print(f"floor: raw GROUP BY month over completed sales: {floor:.0f} ms")
    worst, worst_own, misses, cases = (0.0, ""), (0.0, ""), [], 0
    print(f"{'figure':28s} {'range':>5s} {'category':>12s} {'p50':>7s} {'p95':>7s}")
    for name, fn in FIGURES.items():
        for range_name, date_range in RANGES.items():
            for category in (None, CATEGORY):
                samples = timed(functools.partial(fn, date_range=date_range, category=category), RUNS)
                p50, high = statistics.median(samples), p95(samples)
                cases += 1
                label = f"{name} {range_name} {category or '-'}"
                target = OWN_TARGETS_MS.get(name, P95_TARGET_MS)
                if target == P95_TARGET_MS and high > worst[0]:
                    worst = (high, label)
                if target != P95_TARGET_MS and high > worst_own[0]:
                    worst_own = (high, label)
                if high > target:
                    misses.append(label)
                print(f"{name:28s} {range_name:>5s} {category or '-':>12s} {p50:7.1f} {high:7.1f}"
                      + ("  MISS" if high > target else "")
                      + (f"  (target {target:.0f})" if target != P95_TARGET_MS else ""), flush=True)
    most_queries, request_misses = whole_requests()
    verdict = "ok" if not (misses or request_misses) else f"MISS on {len(misses) + len(request_misses)}"
    print(f"dashboard figures: worst p95 {worst[0]:.1f} ms ({worst[1]}) over {cases} cases, target "
          f"{P95_TARGET_MS:.0f} ms (RFM figures {worst_own[0]:.1f} ms, {worst_own[1]}, target "
          f"{max(OWN_TARGETS_MS.values()):.0f} ms), raw GROUP BY "
          f"floor {floor:.0f} ms; whole request up to {most_queries} "
          f"queries (target ≤ {QUERIES_TARGET}): {verdict}")
    return 1 if misses or request_misses else 0


if __name__ == "__main__":
    sys.exit(main())
