"""Customer lifetime value at 100,000 customers: ``clv_fit`` on the large seed, and the model fits alone.

1. ``clv_fit`` on SQLite, end to end (read the completed sales, summarise, fit BG/NBD and
   Gamma-Gamma, P(alive) now and 90 days earlier, store 85k+ predictions in one transaction), on a
   database seeded once with ``seed_data --size large --seed 1 --until 2026-06-30`` (100k customers,
   1M sales) and reused after (kept in a temp directory keyed by its path, like bench/dashboard.py;
   BENCH_DIR=/path puts it elsewhere). The floor, measured in the same run: the plain read of the
   same rows, ``SELECT customer_id, sold_at, total`` over the completed sales with a raw cursor,
   i.e. what the data costs to fetch before any model work.
2. The model code alone on a synthetic log drawn from the BG/NBD process (r=0.5, alpha=4,
   a=0.8, b=2.5; first purchases over 13 weeks from 2024-01-01, recorded to the day; amounts from
   the Gamma-Gamma model with the CDNOW estimates): ``rfm_summary``, ``bgnbd.fit`` on the
   day-granular summary and on the continuous histories, ``gamma_gamma.fit``. Then the same fits
   on a log shaped like bench/import.py's CSV (``--customers`` customers, ten sales each on
   average, each sale's customer and day drawn uniformly over three years): one purchase rate and
   no drop-out, so the BG/NBD maximum lies at infinity, the case that used to end in 2,000
   Nelder-Mead iterations; its optimizer record (acceptance test, evaluations) is printed.

Figures are wall-clock seconds, warm (the database file in the page cache after the first
round), the median of ``--rounds``. Target: ``clv_fit`` on 100k customers ≤ 20 s. The headline is
the last line; exits 1 on a miss. ``--no-db`` runs part 2 only.

    .venv/bin/python bench/clv.py [--rounds 3] [--no-db] [--customers 100000]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
UNTIL = "2026-06-30"
BENCH_DIR = Path(
    os.environ.get("BENCH_DIR") or Path(tempfile.gettempdir()) / f"ecommerce-bench-clv-large-1-{UNTIL}"
)

from analytics.clv import bgnbd, gamma_gamma  # noqa: E402
from analytics.clv.summary import rfm_summary  # noqa: E402

TRUE = (0.5, 4.0, 0.8, 2.5)
SPEND = (6.25, 3.74, 15.44)  # Gamma-Gamma p, q, gamma of the CDNOW fit
TARGET_SECONDS = 20.0


def synthetic_log(n, rng):
    start = np.datetime64("2024-01-01")
    first_day = start + rng.integers(0, 13 * 7, size=n)
    cal_end = start + 52 * 7 - 1
    T = (cal_end - first_day).astype(np.float64) / 7 + 1 / 7  # observed through the end of cal_end
    x, t_x, _, (who, when) = bgnbd.simulate(TRUE, T, rng=rng, return_events=True)
    days = first_day[who] + np.floor(when * 7).astype(np.int64)
    ids = np.concatenate([np.arange(n), who])
    dates = np.concatenate([first_day, days])
    nu = rng.gamma(SPEND[1], 1.0 / SPEND[2], size=n)  # each customer's Gamma-Gamma rate
    amounts = rng.gamma(SPEND[0], 1.0, size=ids.size) / nu[ids]
    return ids, dates, amounts, cal_end, (x, t_x, T)


def uniform_log(n, rng):
    start = np.datetime64("2022-01-01")
    span = 3 * 365
    k = 10 * n
    return rng.integers(0, n, size=k), start + rng.integers(0, span, size=k), start + (span - 1)


def timed(fn, rounds):
    times, out = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def models_alone(n: int, rounds: int) -> None:
    rng = np.random.default_rng(20240101)
    ids, dates, amounts, cal_end, continuous = synthetic_log(n, rng)
    print(f"models alone: {n} synthetic customers, {ids.size} transactions")

    t_summary, s = timed(lambda: rfm_summary(ids, dates, amounts, calibration_end=cal_end), rounds)
    distinct = len(bgnbd.aggregate(s.x, s.t_x, s.T)[0])
    print(f"  rfm_summary: {t_summary:.2f} s; {distinct} distinct (x, t_x, T) rows")
    t_fit, p = timed(lambda: bgnbd.fit(s.x, s.t_x, s.T), rounds)
    print(f"  bgnbd.fit (day-granular): {t_fit:.2f} s  r={p.r:.3f} alpha={p.alpha:.3f} a={p.a:.3f} "
          f"b={p.b:.3f} (true {TRUE})")
    x, t_x, T = continuous
    t_cont, pc = timed(lambda: bgnbd.fit(x, t_x, T), rounds)
    print(f"  bgnbd.fit (continuous, {len(bgnbd.aggregate(x, t_x, T)[0])} distinct rows): {t_cont:.2f} s  "
          f"r={pc.r:.3f} alpha={pc.alpha:.3f} a={pc.a:.3f} b={pc.b:.3f}")
    t_gg, g = timed(lambda: gamma_gamma.fit(s.x, s.monetary_value), rounds)
    print(f"  gamma_gamma.fit: {t_gg:.2f} s  p={g.p:.2f} q={g.q:.2f} gamma={g.gamma:.2f} (true {SPEND})")

    ids, dates, cal_end = uniform_log(n, rng)
    s = rfm_summary(ids, dates, None, calibration_end=cal_end)
    distinct = len(bgnbd.aggregate(s.x, s.t_x, s.T)[0])
    t_uni, pu = timed(lambda: bgnbd.fit(s.x, s.t_x, s.T), rounds)
    o = pu.optimizer
    print(f"  bgnbd.fit (import-shaped, {ids.size} sales, {distinct} distinct rows): {t_uni:.2f} s  "
          f"r={pu.r:.3g} alpha={pu.alpha:.3g} a={pu.a:.3g} b={pu.b:.3g}; "
          f"{'converged' if o['success'] else 'NOT converged'} ({o['criterion'] or o['message']}) "
          f"in {o['nfev']} evaluations by {o['method']}; on a bound: {', '.join(o['at_bound']) or 'none'}")


def database(rounds: int) -> tuple[float, float, int]:
    """(clv_fit median s, floor median s, customers fitted) on the large seed."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["DATA_DIR"] = str(BENCH_DIR)
    os.environ.pop("MONGODB_URI", None)
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce_analytics.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from analytics.customer_value import clv_fit
    from sales.models import Sale

    call_command("migrate", verbosity=0)
    mark = BENCH_DIR / "seeded.ok"
    if not mark.exists():
        print(f"Seeding {BENCH_DIR} (large, seed 1, until {UNTIL}): a few minutes, once.", flush=True)
        call_command("seed_data", size="large", seed="1", until=UNTIL, clear=True, verbosity=0)
        mark.write_text(UNTIL)
    sales = Sale.objects.filter(status=Sale.Status.COMPLETED).count()
    print(f"clv_fit: {sales:,} completed sales in {BENCH_DIR}", flush=True)

    sql = f"SELECT customer_id, sold_at, total FROM {Sale._meta.db_table} WHERE status = %s"

    def read():
        with connection.cursor() as cursor:
            cursor.execute(sql, [Sale.Status.COMPLETED])
            return len(cursor.fetchall())

    t_floor, _ = timed(read, rounds)
    print(f"  floor: raw read of the completed sales' (customer, sold_at, total): {t_floor:.2f} s", flush=True)
    t_fit, result = timed(clv_fit, rounds)
    print(f"  clv_fit: {t_fit:.2f} s ({t_fit / t_floor:.1f}x the floor); {result.line()}", flush=True)
    return t_fit, t_floor, result.customers


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000, help="synthetic customers (part 2)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-db", action="store_true", help="skip clv_fit on the large seed")
    args = parser.parse_args()
    models_alone(args.customers, args.rounds)
    if args.no_db:
        print("clv_fit not measured (--no-db): no verdict")
        return 0
    t_fit, t_floor, customers = database(args.rounds)
    ok = t_fit <= TARGET_SECONDS
    print(
        f"{'OK' if ok else 'MISS'}: clv_fit on {customers:,} customers {t_fit:.2f} s "
        f"(target ≤ {TARGET_SECONDS:.0f} s; raw read floor {t_floor:.2f} s)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
