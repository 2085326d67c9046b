"""The "why it changed" breakdown at the large seed size on SQLite: p50/p95 of analytics.figures.explain.

Wall time, cold: Django's cache is cleared before every timed call (outside the timing), so no call
is served from the figure cache (the explain API computes per request anyway) and each one reads the
rollups; one untimed call per case first (SQLite's page cache, query compilation). BENCH_RUNS rounds
per case (default 10): every explainable figure × dimension (28 pairs: active and new customers and
average rating by city and country among them), for the last 7 days, 30 days, 90 days and 12 months,
with and without a category, against the previous period and against a year earlier: 448 cases.
Active customers by place also read every customer's city once per call (the cache holding that map
is cleared too). BENCH_ONLY=figure[,figure…] times those figures' cases only. Before timing, the process
freezes what it has loaded (core.startup.freeze_loaded), as every web worker does.
Uses bench/dashboard.py's database (same BENCH_DIR, seeded once with `seed_data --size large --seed 1
--until 2026-06-30` and reused) and prints its floor, measured in the same run: one plain GROUP BY
month over the completed sales. Target: every p95 ≤ 100 ms. The headline is the last line; exits 1
on a miss.

    .venv/bin/python bench/explain.py
"""

import functools
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_RUNS", "10")

import dashboard as base  # noqa: E402  (sets up Django on the shared bench database)

from django.core.cache import cache  # noqa: E402

from analytics.figures.explain import EXPLAINABLE, explain  # noqa: E402
from analytics.rollups.version import kept_forget  # noqa: E402
from core.startup import freeze_loaded  # noqa: E402
from sales.models import Sale  # noqa: E402

P95_TARGET_MS = 100.0
RANGES = {name: base.RANGES[name] for name in ("7d", "30d", "90d", "12m")}  # "all" has nothing to compare


def timed_cold(fn, runs: int) -> list[float]:
    """Wall milliseconds of ``runs`` calls of ``fn``, the cache cleared before each (untimed), after
    one untimed call."""
    fn()
    samples = []
    for _ in range(runs):
        cache.clear()
        kept_forget()  # the reads the figures keep under the rollups' version token (bench.common.timed)
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> int:
    base.prepare()
    freeze_loaded()  # as every web worker does once the app is loaded (gunicorn.conf.py)
    runs = base.RUNS
    print(f"{Sale.objects.count():,} sales in {base.BENCH_DIR}; {runs} runs per case, times in ms")
    floor = base.floor_ms()
    print(f"floor: raw GROUP BY month over completed sales: {floor:.0f} ms")
    worst, misses, highs = (0.0, ""), [], []
    header = ("figure", "dimension", "range", "category", "compare", "p50", "p95")
    print("{:20s} {:>9s} {:>5s} {:>12s} {:>8s} {:>7s} {:>7s}".format(*header))
    only = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))
    cases = [
        (figure, dimension, range_name, category, compare)
        for figure, dimensions in EXPLAINABLE.items() if not only or figure in only
        for dimension in dimensions
        for range_name in RANGES
        for category in (None, base.CATEGORY)
        for compare in ("previous", "year")
    ]
    for figure, dimension, range_name, category, compare in cases:
        fn = functools.partial(
            explain, figure=figure, dimension=dimension, date_range=RANGES[range_name], category=category,
            compare=compare,
        )
        samples = timed_cold(fn, runs)
        p50, high = statistics.median(samples), base.p95(samples)
        highs.append(high)
        label = f"{figure} {dimension} {range_name} {category or '-'} {compare}"
        worst = max(worst, (high, label))
        if high > P95_TARGET_MS:
            misses.append(label)
        miss = "  MISS" if high > P95_TARGET_MS else ""
        row = (figure, dimension, range_name, category or "-", compare, p50, high)
        print("{:20s} {:>9s} {:>5s} {:>12s} {:>8s} {:7.1f} {:7.1f}".format(*row) + miss, flush=True)
    verdict = "ok" if not misses else f"MISS on {len(misses)} (see MISS above)"
    print(
        f"explain: worst p95 {worst[0]:.1f} ms ({worst[1]}), median p95 {statistics.median(highs):.1f} ms "
        f"over {len(cases)} cases, target {P95_TARGET_MS:.0f} ms, raw GROUP BY floor {floor:.0f} ms: "
        f"{verdict}"
    )
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
