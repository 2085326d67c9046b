"""Customer figures at the large seed size on SQLite: cohort matrix (monthly and weekly), repeat purchase
and RFM segments.

Wall-clock milliseconds per call, p50 and p95 per figure, range and filter, over BENCH_RUNS timed calls
(default 20) after one untimed call (page cache warm). Cold for the figure cache: the figures
themselves are called, never analytics.figures.cached, so every call reads the rollups. Builds once (or reuses, keyed by its path) a database
seeded with `seed_data --size large --seed 1 --until 2026-06-30` (1M sales, 100k customers), whose
rollups seed_data rebuilds; a reused database from before the cohort cells is rebuilt once. Ranges:
the last 7 days, 30 days, 90 days, 12 months, all time, and two that end in the past (a quarter a year
back, a month two years back: RFM scored as of an older day). Cohort and repeat-purchase figures also
with a category and with a channel, the cohort matrix also by ISO week (``period=week``). Beside them,
measured in the same run, the floor: one plain GROUP BY month over the completed sales, and what RFM
cannot go below: its own read of the customer states as of the last day, and the movement's own three
reads per range, without the scoring. Before timing, the process freezes what it has loaded
(core.startup.freeze_loaded), as every web worker does. Target: every p95 ≤ 100 ms. The headline is the last line;
exits 1 on a miss.

    .venv/bin/python bench/customers.py

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
    os.environ.get("BENCH_DIR") or Path(tempfile.gettempdir()) / f"ecommerce-bench-customers-large-1-{UNTIL}"
)
BENCH_DIR.mkdir(parents=True, exist_ok=True)
os.environ["DATA_DIR"] = str(BENCH_DIR)
os.environ.pop("MONGODB_URI", None)
os.environ["DEBUG"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce_analytics.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from core.startup import freeze_loaded  # noqa: E402

import datetime as dt  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from analytics.figures import FIGURES  # noqa: E402
from analytics.models import NO_LATER_DAY, ActiveCustomerDay, CohortCell, CohortWeekCell  # noqa: E402
from analytics.rollups import rollups_rebuild  # noqa: E402
from core.filters import DateRange  # noqa: E402
from bench.common import floor_ms, p95, timed  # noqa: E402
from sales.models import Sale  # noqa: E402

P95_TARGET_MS = 100.0
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
SEEDED_MARK = BENCH_DIR / "seeded.ok"
CATEGORY = "Electronics"
CHANNEL = "mobile"
LAST = dt.date.fromisoformat(UNTIL)
RANGES = {
    "7d": DateRange(LAST - dt.timedelta(days=6), LAST),
    "30d": DateRange(LAST - dt.timedelta(days=29), LAST),
    "90d": DateRange(LAST - dt.timedelta(days=89), LAST),
    "12m": DateRange(dt.date(LAST.year - 1, LAST.month, LAST.day) + dt.timedelta(days=1), LAST),
    "all": DateRange(None, LAST),
    "q-1y": DateRange(dt.date(LAST.year - 1, 1, 1), dt.date(LAST.year - 1, 3, 31)),
    "m-2y": DateRange(dt.date(LAST.year - 2, 6, 1), dt.date(LAST.year - 2, 6, 30)),
}
# (figure, filters) cases; RFM has no category or channel.
CASES = [
    ("cohort_retention", {}), ("cohort_retention", {"category": CATEGORY}), ("cohort_retention", {"channel": CHANNEL}),
    ("cohort_retention", {"period": "week"}), ("cohort_retention", {"category": CATEGORY, "period": "week"}),
    ("cohort_retention", {"channel": CHANNEL, "period": "week"}),
    ("repeat_purchase", {}), ("repeat_purchase", {"category": CATEGORY}), ("repeat_purchase", {"channel": CHANNEL}),
    ("rfm_segments", {}), ("segment_movement", {}),
]


def prepare() -> None:
    call_command("migrate", verbosity=0)
    if not SEEDED_MARK.exists():
        print(f"Seeding {BENCH_DIR} (large, seed 1, until {UNTIL}): a few minutes, once.", flush=True)
        call_command("seed_data", size="large", seed="1", until=UNTIL, clear=True, verbosity=0)
        SEEDED_MARK.write_text(UNTIL)
    stale = not CohortCell.objects.exists() or not CohortWeekCell.objects.exists() or not (
        ActiveCustomerDay.objects.filter(scope="", next_day__lt=NO_LATER_DAY).exists())
    if os.environ.get("BENCH_REBUILD") or stale:
        print("Rebuilding the rollups of the reused database...", flush=True)
        started = time.perf_counter()
        rollups_rebuild()
        print(f"rollups rebuilt in {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def state_read_ms(day: dt.date) -> tuple[float, int]:
    """What RFM cannot go below: its own read of the state rows (segments.read_table: the figure's SQL,
    joined into one text per column by SQLite), no scoring (median of 7)."""
    from analytics.figures.segments import STATE, read_table
    from analytics.rollups.active import state_on

    def fetch():
        return read_table(state_on, day, fields=STATE)

    return statistics.median(timed(fetch, 7)), len(fetch())


def movement_read_ms(date_range: DateRange) -> tuple[float, int]:
    """What the movement cannot go below: its own three reads (the states kept over the range, and those
    before and after of the customers who bought in it), no scoring (median of 7)."""
    from analytics.figures.segments import STATE, read_table
    from analytics.rollups.active import bought_between, state_left, state_on

    start, end = date_range.start - dt.timedelta(days=1), date_range.end

    def fetch():
        return (len(read_table(state_on, start, end, fields=STATE))
                + len(read_table(state_left, start, end, fields=(*STATE, "customer_id")))
                + len(read_table(bought_between, start, end, fields=(*STATE, "customer_id"))))

    return statistics.median(timed(fetch, 7)), fetch()


# clv_fit's target (≤ 20 s on the large seed's customers) is bench/clv.py's: it times the command on the
# same large seed beside a raw read of the sales.


def main() -> int:
    prepare()
    freeze_loaded()  # as every web worker does once the app is loaded (gunicorn.conf.py)
    print(f"{Sale.objects.count():,} sales, {CohortCell.objects.count():,} monthly and "
          f"{CohortWeekCell.objects.count():,} weekly cohort cells in {BENCH_DIR}; "
          f"{RUNS} runs per case, times in ms")
    floor = floor_ms()
    print(f"floor: raw GROUP BY month over completed sales: {floor:.0f} ms")
    states, rows = state_read_ms(LAST)
    print(f"RFM floor: its own read of the {rows:,} customer states as of {LAST}, no scoring: {states:.0f} ms")
    for range_name in ("7d", "30d", "90d", "12m"):
        moved, rows = movement_read_ms(RANGES[range_name])
        print(f"movement floor {range_name}: its own reads of {rows:,} state rows, no scoring: {moved:.0f} ms")
    worst, misses, cases = (0.0, ""), [], 0
    print(f"{'figure':20s} {'range':>5s} {'filter':>19s} {'p50':>7s} {'p95':>7s}")
    for name, filters in CASES:
        for range_name, date_range in RANGES.items():
            samples = timed(functools.partial(FIGURES[name], date_range=date_range, **filters), RUNS)
            p50, high = statistics.median(samples), p95(samples)
            cases += 1
            shown = ",".join(filters.values()) or "-"
            label = f"{name} {range_name} {shown}"
            if high > worst[0]:
                worst = (high, label)
            if high > P95_TARGET_MS:
                misses.append(label)
            print(f"{name:20s} {range_name:>5s} {shown:>19s} {p50:7.1f} {high:7.1f}"
                  + ("  MISS" if high > P95_TARGET_MS else ""), flush=True)
    verdict = "ok" if not misses else f"MISS on {len(misses)}"
    print(f"customer figures: worst p95 {worst[0]:.1f} ms ({worst[1]}) over {cases} cases, target "
          f"{P95_TARGET_MS:.0f} ms, raw GROUP BY floor {floor:.0f} ms: {verdict}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
