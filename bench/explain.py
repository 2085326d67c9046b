"""The "why it changed" breakdown at the large seed size on SQLite: p50/p95 of analytics.figures.explain.

Wall time, warm (one untimed call first), BENCH_RUNS rounds per case (default 10): every explainable
figure × dimension, for the last 7 days, 30 days, 90 days and 12 months, with and without a category,
against the previous period and against a year earlier. Uses bench/dashboard.py's database (same
BENCH_DIR, seeded once with `seed_data --size large --seed 1 --until 2026-06-30` and reused) and prints
its floor, measured in the same run: one plain GROUP BY month over the completed sales. Target: every
p95 ≤ 100 ms. The headline is the last line; exits 1 on a miss.

    .venv/bin/python bench/explain.py
"""

import functools
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_RUNS", "10")

import dashboard as base  # noqa: E402  (sets up Django on the shared bench database)

from analytics.figures.explain import EXPLAINABLE, explain  # noqa: E402
from sales.models import Sale  # noqa: E402

P95_TARGET_MS = 100.0
RANGES = {name: base.RANGES[name] for name in ("7d", "30d", "90d", "12m")}  # "all" has nothing to compare


def main() -> int:
    base.prepare()
    runs = base.RUNS
    print(f"{Sale.objects.count():,} sales in {base.BENCH_DIR}; {runs} runs per case, times in ms")
    floor = base.floor_ms()
    print(f"floor: raw GROUP BY month over completed sales: {floor:.0f} ms")
    worst, misses, cases, highs = (0.0, ""), [], 0, []
    print(f"{'figure':20s} {'dimension':>9s} {'range':>5s} {'category':>12s} {'compare':>8s} {'p50':>7s} {'p95':>7s}")
    for figure, dimensions in EXPLAINABLE.items():
        for dimension in dimensions:
            for range_name, date_range in RANGES.items():
                for category in (None, base.CATEGORY):
                    for compare in ("previous", "year"):
                        fn = functools.partial(explain, figure=figure, dimension=dimension, date_range=date_range,
                                               category=category, compare=compare)
                        samples = base.timed(fn, runs)
                        p50, high = statistics.median(samples), base.p95(samples)
                        cases += 1
                        highs.append(high)
                        label = f"{figure} {dimension} {range_name} {category or '-'} {compare}"
                        if high > worst[0]:
                            worst = (high, label)
                        if high > P95_TARGET_MS:
                            misses.append(label)
                        print(f"{figure:20s} {dimension:>9s} {range_name:>5s} {category or '-':>12s} {compare:>8s} "
                              f"{p50:7.1f} {high:7.1f}" + ("  MISS" if high > P95_TARGET_MS else ""), flush=True)
    verdict = "ok" if not misses else f"MISS on {len(misses)}: {', '.join(misses)}"
    print(f"explain: worst p95 {worst[0]:.1f} ms ({worst[1]}), median p95 {statistics.median(highs):.1f} ms over "
          f"{cases} cases, target {P95_TARGET_MS:.0f} ms, raw GROUP BY floor {floor:.0f} ms: {verdict}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
